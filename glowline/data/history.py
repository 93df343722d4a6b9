"""The history sync: backfill one resource's half-hours into the SQLite history, one window at a time, resumable.

A plan per resource, then its windows: from the API's ``first-time`` (or ``--since``) to now in PT30M windows of
at most 10 days (glowline.catalog.MAX_SPAN), one request at a time. Each window's delivered half-hours and the
progress that covers them are committed together (glowline.data.store.sqlite), so a sync killed at any moment
resumes where the last commit left it and nothing committed is asked for again. A second sync asks only for what
is new since the last delivered half-hour (``last-time``), older days only when ``--since`` reaches further back.
The consumption resources' tariff-lists are kept beside them, read again once a week.
"""

from __future__ import annotations

from collections.abc import Callable

from glowline import catalog
from glowline.data.account import Session
from glowline.data.models import Site
from glowline.data.readings import Series, floor, plausible, windows
from glowline.data.store.sqlite import HistoryStore, Progress
from glowline.errors import GlowlineError, UsageError

PERIOD = "PT30M"
STEP = catalog.PERIOD_SECONDS[PERIOD]


class Plan:
    """What one resource's sync will ask for: windows older than what is stored (newest first), then new ones."""

    __slots__ = ("classifier", "delivered", "end", "first", "newer", "older", "progress", "resource_id", "site",
                 "start")

    def __init__(self, site: Site, classifier: str, resource_id: str, first: int | None, start: int, end: int,
                 delivered: int | None, progress: Progress | None) -> None:
        self.site = site
        self.classifier = classifier
        self.resource_id = resource_id
        self.first = first
        self.start = start
        self.end = end
        self.delivered = delivered
        self.progress = progress
        if progress is None:
            self.older: list[tuple[int, int]] = []
            self.newer = list(windows(start, end, PERIOD))
        else:
            self.older = list(reversed(list(windows(start, progress.synced_from, PERIOD))))
            new = delivered is None or delivered > progress.synced_to
            self.newer = list(windows(progress.synced_to, end, PERIOD)) if new else []

    @property
    def requests(self) -> int:
        return len(self.older) + len(self.newer)


#: ``since`` for "from the resource's first reading" (``--since first``)
FIRST = -1


def plan(session: Session, store: HistoryStore, site: Site, classifier: str, since: int | None, now: float) -> Plan:
    """Ask ``first-time`` (once per resource, then stored) and ``last-time``; what is left to fetch. ``since``:
    an epoch, FIRST, or None: continue what is stored (from the first reading when nothing is)."""
    resource_id = site.resource(classifier).resource_id
    progress = store.progress(site.ve_id, classifier)
    if progress is not None and progress.resource_id != resource_id:
        progress = None  # the site's resource was replaced: its history is read again under the new id
    first = progress.first_ts if progress is not None and progress.first_ts is not None else \
        session.source.first_time(resource_id)
    if since is None and progress is not None:
        start = progress.synced_from  # continue: only what is new
    elif since is None or since == FIRST:
        if first is None:
            raise UsageError(f"the API does not say when {classifier}'s readings start: give --since YYYY-MM-DD")
        start = floor(first, STEP)
    else:
        start = floor(since, STEP) if first is None else max(floor(since, STEP), floor(first, STEP))
        if progress is not None:
            start = min(start, progress.synced_from)  # a later --since never drops what is stored
    end = floor(now, STEP) + STEP  # up to the half-hour that holds now: no window ever starts in the future
    start = min(start, end - STEP)
    delivered = session.source.last_time(resource_id)
    if delivered is not None:
        delivered = min(delivered, end)
    if progress is not None:
        progress.first_ts = first
    return Plan(site, classifier, resource_id, first, start, end, delivered, progress)


#: the stored tariff-list is read again when older than this
TARIFF_MAX_AGE = 7 * 86400


def keep_tariffs(session: Session, store: HistoryStore, site: Site, classifier: str, now: float) -> bool:
    """Store the consumption resource's tariff-list (as the API sent it) when there is none or it is a week old;
    True when it was fetched. A tariff-list the API refuses is left for the next sync: the readings matter more."""
    if not catalog.is_consumption(classifier):
        return False
    age = store.tariff_age(site.ve_id, classifier, now)
    if age is not None and 0 <= age < TARIFF_MAX_AGE:
        return False
    import json

    try:
        document = session.source.tariff_list(site.resource(classifier).resource_id)
    except GlowlineError:
        return False
    store.save_tariffs(site.ve_id, classifier, json.dumps(document, separators=(",", ":")), now)
    return True


def run(session: Session, store: HistoryStore, p: Plan, tick: Callable[[int], None]) -> int:
    """Fetch the plan's windows, committing each; returns how many half-hours were stored."""
    ve_id = p.site.ve_id
    progress = p.progress or Progress(p.resource_id, p.first, p.start, p.start, p.delivered)
    progress.delivered_until = p.delivered
    stored = 0
    for a, b in p.older:  # newest first: what is stored stays one contiguous range after every commit
        kept, _ = _window(session, p, a, b)
        progress.synced_from = a
        store.add_window(ve_id, p.classifier, kept, progress)
        stored += len(kept)
        tick(1)
    for a, b in p.newer:
        kept, pending = _window(session, p, a, b)
        if a <= progress.synced_to:  # contiguous: the next sync starts where the delivered half-hours end
            progress.synced_to = max(progress.synced_to, pending)
        store.add_window(ve_id, p.classifier, kept, progress)
        stored += len(kept)
        tick(1)
    return stored


def _window(session: Session, p: Plan, a: int, b: int) -> tuple[list[tuple[int, float]], int]:
    """The window's delivered half-hours (undelivered ones are left out, never stored as zero) and where the
    delivered ones end."""
    buckets = plausible(p.classifier, session.source.readings(p.resource_id, a, b, PERIOD), STEP)
    series = Series(a, STEP, [None] * ((b - a) // STEP))
    series.merge(a, b, buckets)
    # delivered: the API's last-time; without it every window but the last is whole, the last ends at its zeros
    series.delivered_until = p.delivered if p.delivered is not None else (b if b < p.end else None)
    pending = series.pending_from()
    return [(ts, float(v)) for ts, v in buckets if v is not None and ts < pending], pending
