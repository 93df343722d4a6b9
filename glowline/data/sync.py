"""One refresh: credentials -> API client -> discovery -> only the readings not yet cached -> cache and summary.

Run by ``glowline fetch``, by the detached background refresher a stale status line starts, and by the demo.
A valid cached token and cached discovery mean a refresh of up to 31 days is exactly one HTTP request.
The keyring is read only when the token must be renewed.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from typing import Any

from glowline.data import credentials
from glowline.data.glowmarkt import DEFAULT_URL, GlowmarktClient, Site, Token, check_base_url
from glowline.data.readings import (
    STEP,
    Series,
    ceil,
    day_bounds,
    fetch_window,
    floor,
    local_date,
    local_days,
    period_for,
)
from glowline.data.readings import zone as get_zone
from glowline.data.store import json_cache as cache
from glowline.errors import GlowlineError, NotFound, NotLoggedIn
from glowline.status import days as summary

log = logging.getLogger("glowline.data.sync")

#: re-read this much before the DCC-lag horizon: lagged zeros and late revisions are filled in there
REREAD = 3 * 3600
#: days written past today in the summary, so the status line finds "today" after midnight without a fetch
DAYS_AHEAD = 2


def api_url(config: dict[str, object] | None = None) -> str:
    """GLOWLINE_API_URL, else the config file's api_url, else the URL saved at login, else the real API."""
    if config is None:
        from glowline import config as config_file

        config = config_file.load_fast()
        if config is None:
            config = config_file.load()
    url = os.environ.get("GLOWLINE_API_URL") or config.get("api_url")
    if not url:
        account = credentials.load_account() or {}
        url = account.get("api_url") or DEFAULT_URL
    return check_base_url(str(url))


def username() -> str:
    """GLOWLINE_USERNAME, else the username saved at login."""
    env = os.environ.get("GLOWLINE_USERNAME")
    if env:
        return env
    account = credentials.load_account()
    if not account or not account.get("username"):
        raise NotLoggedIn("not logged in: run `glowline login` (or set GLOWLINE_USERNAME and GLOWLINE_PASSWORD)")
    return account["username"]


def unit_of(classifier: str) -> str:
    return "GBP" if classifier.endswith(".cost") else "kWh"


def to_display(value: float | None, classifier: str) -> float | None:
    """API unit to display unit: pence to pounds for cost resources."""
    if value is None:
        return None
    return value / 100.0 if classifier.endswith(".cost") else value


class Session:
    """An authenticated client for one account, renewing the cached token through the keyring only when needed."""

    def __init__(self, url: str, user: str, password: str | None = None) -> None:
        self.url = url
        self.user = user
        self._password = password  # handed over on a pipe by a status line's background refresh
        cached = credentials.load_token(user, url)
        token = Token(*cached) if cached else None
        self.client = GlowmarktClient(url, token=token, reauth=self._reauth)
        self.identity = {"api_url": url, "username": user}

    def _reauth(self) -> Token:
        if self._password is not None:
            user, password = self.user, self._password
        else:
            user, password = credentials.resolve_credentials()
        token = GlowmarktClient(self.url).authenticate(user, password)
        credentials.save_token(self.user, self.url, token.token, token.exp)
        return token

    def sites(self) -> list[Site]:
        """Discovered sites: from the cache, or two kinds of API request once."""
        from glowline.data.glowmarkt import Resource

        cached = cache.load_sites(self.identity)
        if cached is not None:
            try:
                return [
                    Site(s["ve_id"], s["name"], [Resource(*r) for r in s["resources"]]) for s in cached
                ]
            except (KeyError, TypeError):
                pass
        sites = self.client.sites()
        cache.save_sites(
            self.identity,
            [
                {
                    "ve_id": s.ve_id,
                    "name": s.name,
                    "resources": [
                        [r.resource_id, r.classifier, r.name, r.unit, r.data_source_type, r.description]
                        for r in s.resources
                    ],
                }
                for s in sites
            ],
        )
        return sites

    def close(self) -> None:
        self.client.close()


def pick_site(sites: list[Site], wanted: str, classifier: str) -> Site:
    """``--site`` by name (case-insensitive) or veId; by default the first site that has the resource."""
    if wanted:
        for site in sites:
            if wanted in (site.ve_id,) or wanted.lower() == site.name.lower():
                return site
        names = ", ".join(repr(s.name) for s in sites) or "none"
        raise NotFound(f"no site {wanted!r} in this account (sites: {names})")
    for site in sites:
        if any(r.classifier == classifier for r in site.resources):
            return site
    raise NotFound(f"no site in this account has a {classifier} resource")


class Result:
    __slots__ = ("entry", "requests")

    def __init__(self, entry: cache.Entry, requests: int) -> None:
        self.entry = entry
        self.requests = requests  # readings requests made


def refresh(
    site_key: str,
    classifier: str,
    days: int,
    tz_name: str,
    now: float | None = None,
    password: str | None = None,
    max_age: float | None = None,
) -> Result:
    """Bring the cached series up to date for the last ``days`` local days and rewrite the summary.

    With ``max_age`` (seconds), a series fetched more recently than that is not re-read at its end: only days
    missing at its start are fetched (a status line asking for more days than cached).
    A failure is remembered in the error file (for the status line) and raised.
    """
    now = time.time() if now is None else now
    try:
        result = _refresh(site_key, classifier, days, tz_name, now, password, max_age)
    except GlowlineError as exc:
        summary.write_error(site_key, classifier, exc.kind, exc.exit_code, str(exc), now)
        raise
    summary.clear_error(site_key, classifier)
    return result


def _refresh(
    site_key: str, classifier: str, days: int, tz_name: str, now: float, password: str | None, max_age: float | None
) -> Result:
    tz = get_zone(tz_name)
    session = Session(api_url(), username(), password)
    try:
        for attempt in (1, 2):
            try:
                site = pick_site(session.sites(), site_key, classifier)
                resource = site.resource(classifier)
                return _update(
                    session, site, resource.resource_id, site_key, classifier, days, tz, tz_name, now, max_age
                )
            except NotFound:
                if attempt == 2:
                    raise
                # the account's sites may have changed since they were cached: discover them once more
                log.debug("site or resource not found: discovering the sites again")
                cache.clear_sites()
        raise AssertionError("unreachable")
    finally:
        session.close()


def _update(
    session: Session, site: Site, resource_id: str, site_key: str, classifier: str, days: int, tz: Any,
    tz_name: str, now: float, max_age: float | None,
) -> Result:
    today = local_date(int(now), tz)
    bounds = day_bounds(today, days, tz)
    period = period_for(tz, bounds[0][1], bounds[-1][2])
    step = STEP[period]
    identity = {**session.identity, "period": period}
    entry = cache.load(site_key, classifier, identity)
    if entry is not None and (entry.resource_id != resource_id or entry.site_id != site.ve_id):
        entry = None
    start = floor(bounds[0][1], step)
    end = ceil(now + 1, step)  # the current bucket too: partial, and pending until delivered

    def read(a: int, b: int, p: str) -> list[tuple[int, float | None]]:
        return session.client.readings(resource_id, a, b, p)

    count = 0
    if entry is None:
        series = Series(start, step)
        count += fetch_window(read, series, start, end, period)
    else:
        series = entry.series
        if start < series.start:  # more days asked for than cached: fetch only the older part
            count += fetch_window(read, series, start, series.start, period)
        if max_age is not None and 0 <= now - entry.fetched_at < max_age:
            now = entry.fetched_at  # the end is fresh enough: keep its fetch time and horizon
        else:
            tail = max(series.start, floor(series.horizon(now) - REREAD, step))
            tail = min(tail, floor(now, step))
            count += fetch_window(read, series, tail, end, period)
    entry = cache.Entry(identity, site.ve_id, site.name, resource_id, classifier, unit_of(classifier), series, now)
    cache.save(site_key, classifier, entry)
    write_summary(site_key, entry, tz, tz_name, now)
    return Result(entry, count)


def write_summary(site_key: str, entry: cache.Entry, tz: Any, tz_name: str, now: float) -> summary.Summary:
    """Per-day totals of the whole cached series in ``tz``, for the status line's fast path."""
    series = entry.series
    first = local_date(series.start, tz)
    last = local_date(int(now), tz) + timedelta(days=DAYS_AHEAD)
    bounds = day_bounds(last, (last - first).days + 1, tz)
    totals = local_days(series, bounds, series.horizon(now))
    out = summary.Summary(
        entry.classifier,
        unit_of(entry.classifier),
        tz_name,
        entry.site_name,
        entry.fetched_at,
        [
            summary.SummaryDay(
                t.date.isoformat(), t.start, t.end, to_display(t.value, entry.classifier), t.complete
            )
            for t in totals
        ],
    )
    summary.write(summary.days_path(site_key, entry.classifier, tz_name), out)
    return out
