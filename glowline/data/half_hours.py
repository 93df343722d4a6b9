"""A resource's half-hours over a stretch of local days, for what needs the half-hour itself (the always-on load, a
tariff priced in wall-clock bands): read from the SQLite history where it holds them, the rest asked of the API in
PT30M windows (at most 10 days each) and added to the history, so the next report asks for none of them again.

Undelivered is not zero: a half-hour the API leaves out, or sends as null, stays None.
"""

from __future__ import annotations

import time

from glowline.catalog import HALF_HOUR
from glowline.data.account import Session, pick_site
from glowline.data.history import Feed
from glowline.data.readings import Series, ceil, floor, screen, windows

PERIOD = "PT30M"


def half_hours(session: Session, site_key: str, classifier: str, start: int, end: int,
               delivered_until: int | None) -> Series:
    """The half-hours of [start, end) (widened to the half-hour grid) as a Series of HALF_HOUR steps.

    ``delivered_until`` is the API's delivery horizon as the refresh read it (None: unknown); half-hours the API
    sends after it are not stored in the history."""
    start, end = floor(start, HALF_HOUR), ceil(end, HALF_HOUR)
    series = Series(start, HALF_HOUR, [None] * ((end - start) // HALF_HOUR))
    if end <= start:
        return series
    site = pick_site(session.sites(), site_key, classifier)
    resource_id = site.resource(classifier).resource_id
    feed = Feed(site.ve_id, classifier, resource_id)
    try:
        held = feed.covered(HALF_HOUR)
        missing = [(start, end)]
        if held is not None and held[0] < end and held[1] > start:
            lo, hi = max(start, held[0]), min(end, held[1])
            series.merge(lo, hi, feed.buckets(lo, hi, HALF_HOUR))
            missing = [(a, b) for a, b in ((start, lo), (hi, end)) if a < b]
        glitches: list[tuple[int, float]] = []
        for a, b in missing:
            for wa, wb in windows(a, b, PERIOD):
                got, refused = screen(classifier, session.source.readings(resource_id, wa, wb, PERIOD), HALF_HOUR)
                glitches.extend(refused)  # one glitch is one half-hour: None here, recorded for doctor
                series.merge(wa, wb, [(ts, v) for ts, v in got if wa <= ts < wb])
                feed.add(wa, wb, got, delivered_until)
        feed.note_glitches(glitches, time.time())
    finally:
        feed.close()
    return series

