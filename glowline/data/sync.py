"""The sync: bring one resource's stored series up to date from its source, then rewrite the status line's days.

Run by ``glowline fetch``, by the detached refresher a stale status line starts, by report, export and the demo.
With a valid cached token and cached discovery, a refresh of up to 31 days is exactly one readings request. A
failure is recorded for the status line (glowline.status.policy) and raised; a success clears the record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from glowline import catalog, paths
from glowline.catalog import MAX_SPAN
from glowline.data import account, settling
from glowline.data.account import Session, pick_site
from glowline.data.days import write_days
from glowline.data.models import Site
from glowline.data.readings import (
    Series,
    coarsen,
    day_bounds,
    fetch_window,
    floor,
    local_date,
    period_for,
    screen,
    zone,
)
from glowline.data.store import Entry
from glowline.errors import GlowlineError, NotFound, StorageError, describe
from glowline.files import check_private_folder, remove_stale_temp_files
from glowline.status import policy
from glowline.status.policy import TYPICAL_DAYS

if TYPE_CHECKING:
    from glowline.data.history import Feed

log = logging.getLogger("glowline.sync")

#: re-read this much before the DCC-lag horizon: lagged zeros and late revisions are filled in there
REREAD = 3 * 3600


def refresh(
    site_key: str,
    classifier: str,
    days: int,
    tz_name: str,
    now: float | None = None,
    password: str | None = None,
    max_age: float | None = None,
    session: Session | None = None,
) -> Entry:
    """Bring the stored series up to date for the last ``days`` local days and the TYPICAL_DAYS before them (the
    typical-day baseline, so "typical" never depends on what ran before), rewrite the days file; the entry.

    With ``max_age`` (seconds), a series fetched more recently than that is not re-read at its end: only days
    missing at its start are fetched (a status line asking for more days than stored). ``session`` is the
    caller's, left open; without one a session for the configured account is opened and closed here.
    A failure is recorded for this exact request and raised; an unknown zone is raised before anything is asked
    or recorded (a typo on one command line must not hold back another).
    """
    now = time.time() if now is None else now
    tz = zone(tz_name)  # a bad --tz is this command line's usage error: answered at once, never recorded
    check_private_folder(paths.cache_dir())
    remove_stale_temp_files(paths.cache_dir())  # what a killed writer left behind
    try:
        if session is not None:
            entry = _refresh(session, site_key, classifier, days, tz, tz_name, now, max_age)
        else:
            with account.open_session(password) as own:
                entry = _refresh(own, site_key, classifier, days, tz, tz_name, now, max_age)
    except Exception as exc:  # every failure is recorded (back-off, the line's reason), then raised as one line
        message, code, kind = describe(exc)
        retry = getattr(exc, "retry_after", None)
        try:
            policy.write_failure(policy.Failure(
                kind, code, now, message, site_key, classifier, tz_name,
                policy.failure_context(password_given=password is not None), now + retry if retry else 0.0,
            ))
        except OSError:  # a full or read-only disk: the status line's own back-off covers it (status.spawn)
            pass
        if isinstance(exc, OSError):
            raise StorageError(message) from None
        raise
    policy.clear_failure(site_key, classifier, tz_name)
    return entry


def _refresh(
    session: Session, site_key: str, classifier: str, days: int, tz: ZoneInfo, tz_name: str, now: float,
    max_age: float | None,
) -> Entry:
    for attempt in (1, 2):
        try:
            site = pick_site(session.sites(), site_key, classifier)
            resource_id = site.resource(classifier).resource_id
            entry = _update(session, site, resource_id, site_key, classifier, days, tz, now, max_age)
            break
        except NotFound:  # an unknown site or resource, or a 404 for a resource id that was discovered earlier
            if attempt == 2:
                raise
            # the account's sites may have changed since they were discovered: discover them once more
            log.debug("site or resource not found: discovering the sites again")
            session.forget_sites()
    write_days(site_key, entry, tz, tz_name, entry.fetched_at, _meter(session, entry))
    return entry


def _meter(session: Session, entry: Entry) -> str:
    """The IHD whose register fills this site's undelivered hours (glowline.data.registers.site_meter)."""
    from glowline.data.registers import site_meter

    try:
        only_site = sum(1 for s in session.sites() if any(r.classifier == entry.classifier for r in s.resources)) == 1
        return site_meter(entry.series, entry.classifier, entry.fetched_at, only_site)
    except Exception as exc:  # the tail from the meter never costs the refresh: the days are the DCC's alone
        log.debug("no meter for the tail: %s", exc)
        return ""


def _update(
    session: Session, site: Site, resource_id: str, site_key: str, classifier: str, days: int, tz: ZoneInfo,
    now: float, max_age: float | None,
) -> Entry:
    today = local_date(int(now), tz)
    bounds = day_bounds(today, days + TYPICAL_DAYS, tz)
    period = period_for(tz, bounds[0][1], bounds[-1][2])
    step = catalog.PERIOD_SECONDS[period]
    identity = {**session.identity, "period": period}
    entry = session.store.load(site_key, classifier, identity)
    if entry is not None and (entry.resource_id != resource_id or entry.site_id != site.ve_id):
        entry = None
    start = floor(bounds[0][1], step)
    end = floor(now, step) + step  # up to the bucket that holds ``now``: no window ever starts in the future
    glitches: list[tuple[int, float]] = []

    def read(a: int, b: int, p: str) -> list[tuple[int, float | None]]:
        kept, refused = screen(classifier, session.source.readings(resource_id, a, b, p), catalog.PERIOD_SECONDS[p])
        glitches.extend(refused)
        return kept

    from glowline.data.history import Feed  # sqlite3 is imported only when the history is opened

    if entry is None or max_age is None or not 0 <= now - entry.fetched_at < max_age:  # the end is read: due
        from glowline.data.catchup import ask

        ask(session.source, resource_id, now, now if entry is None else entry.fetched_at)  # never raises
    feed = Feed(site.ve_id, classifier, resource_id)
    holes = settling.Holes.from_doc(entry.holes if entry is not None else None)
    settled_at = entry.settled_at if entry is not None else None
    try:
        if entry is None:
            series = Series(start, step)
            held = _fill(feed, read, series, start, end, period)  # what the history holds is not asked again
            tail = start if held is None else max(start, floor(held - REREAD, step))
            _read_tail(feed, read, session, resource_id, series, tail, end, period, holes, now, False)
        else:
            series = entry.series
            series.trim(end)  # stored ahead of the clock (set back since): cut, then re-read
            if start < series.start:  # more days asked for than stored: only the older part
                held = _fill(feed, read, series, start, series.start, period)
                if held is None or held < series.start:
                    fetch_window(read, series, start if held is None else held, series.start, period)
            if max_age is not None and 0 <= now - entry.fetched_at < max_age:
                now = entry.fetched_at  # the end is fresh enough: keep its fetch time and horizon
            else:
                tail = max(series.start, floor(series.horizon(now) - REREAD, step))
                behind = feed.synced_to()  # the history ends earlier (a refresh that could not feed it): join it
                if behind is not None and series.start <= behind < tail and end - behind <= MAX_SPAN["PT30M"]:
                    tail = floor(behind, step)
                # the settling window, once a day, and the holes due within reach: the same one request
                reach = end - MAX_SPAN["PT30M"]
                settles = settling.settling_due(settled_at, now)
                if settles:
                    tail = min(tail, max(floor(now - settling.window(classifier, _config()), step), reach))
                    settled_at = now
                due = holes.due(now)
                near = [ts for ts in due if floor(ts, step) >= reach]
                if near:
                    tail = min(tail, floor(near[0], step))
                tail = max(series.start, min(tail, floor(now, step)))
                _read_tail(feed, read, session, resource_id, series, tail, end, period, holes, now, settles)
                far = [ts for ts in due if ts < tail]
                if far:
                    _read_holes(feed, read, series, far, tail, holes, now)
        feed.note_glitches(glitches, now)
    finally:
        feed.close()
    entry = Entry(identity, site.ve_id, site.name, resource_id, classifier, catalog.api_unit(classifier), series, now,
                  settled_at, holes.to_doc())
    session.store.save(site_key, classifier, entry)
    return entry


Read = Callable[[int, int, str], list[tuple[int, "float | None"]]]


def _fill(feed: Feed, read: Read, series: Series, a: int, b: int, period: str) -> int | None:
    """Fill [a, b) of the series from the history where it holds every half-hour (no request), the part before
    that from the API; returns where what the history holds ends, None when it holds nothing of [a, b)."""
    covered = feed.covered(series.step)
    if covered is None or covered[1] <= a or covered[0] >= b:
        return None
    lo, hi = max(a, covered[0]), min(b, covered[1])
    if a < lo:
        fetch_window(read, series, a, lo, period)
    series.merge(lo, hi, feed.buckets(lo, hi, series.step))
    log.debug("read %d hours from the history", (hi - lo) // 3600)
    return hi


def _read_tail(feed: Feed, read: Read, session: Session, resource_id: str, series: Series, a: int, b: int,
               period: str, holes: settling.Holes, now: float, settles: bool) -> None:
    """Read the newest part [a, b) and the API's delivery horizon. When it fits one half-hourly request (every
    refresh but a cold one without history), it is read in half-hours, summed into the series' buckets (a bucket
    with a half-hour missing behind the horizon is None, not a short sum), its holes noted for the back-off and the
    half-hours given to the history (revised values replace stored ones): the status line's refreshes keep the
    history current at no extra request."""
    if b - a > MAX_SPAN["PT30M"]:
        fetch_window(read, series, a, b, period)
        series.delivered_until = _delivered_until(session, resource_id, series, b)
        return
    from glowline.data.history import delivered

    halves = read(a, b, "PT30M")
    series.delivered_until = _delivered_until(session, resource_id, series, b)
    _, pending = delivered(a, b, halves, series.delivered_until)
    series.merge(a, b, coarsen(halves, a, series.step, pending))
    holes.update(a, pending, halves, now)
    feed.add(a, b, halves, series.delivered_until, now, settles)


def _read_holes(feed: Feed, read: Read, series: Series, due: list[int], limit: int, holes: settling.Holes,
                now: float) -> None:
    """Ask for the due holes older than the tail (which starts at ``limit``): one PT30M request per 10 days that hold
    any, each window's half-hours noted, given to the history and summed into the series where it holds them."""
    first = 0
    while first < len(due):
        a = floor(due[first], series.step)
        b = min(a + MAX_SPAN["PT30M"], limit)
        first += sum(1 for ts in due[first:] if ts < b)
        if a >= b:
            continue
        halves = read(a, b, "PT30M")
        holes.update(a, b, halves, now)
        feed.add(a, b, halves, b, now)
        lo, hi = max(a, series.start), min(b, series.end)
        if lo < hi:
            series.merge(lo, hi, coarsen([(ts, v) for ts, v in halves if lo <= ts < hi], lo, series.step, hi))


def _config() -> dict[str, object]:
    """The user's config (the compiled copy when it is current) for the settling window; {} when it cannot be read
    (the command that runs the refresh reports a bad config itself)."""
    from glowline.errors import ConfigError
    from glowline.status import settings

    conf = settings.load_fast()
    if conf is None:
        from glowline import config as config_file

        try:
            conf = config_file.load()
        except ConfigError:
            conf = {}
    return conf


def _delivered_until(session: Session, resource_id: str, series: Series, end: int) -> int | None:
    """The API's own delivery horizon (``last-time``), within what was read; None when it cannot say (then the
    trailing zeros are taken for lag, as before)."""
    try:
        delivered = session.source.last_time(resource_id)
    except GlowlineError as exc:
        log.debug("last-time unavailable: %s", exc)
        return None
    if delivered is None:
        return None
    return max(series.start, min(delivered, end))
