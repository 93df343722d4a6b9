"""Series to days: the stored series summed into the meter's local days and written as the status line's days file.

``write_days`` runs after every refresh; ``rebuild`` is the status line's explicit hand-over when it has no days
file for its zone (another --tz, a lost or older file): it re-projects what is stored, never touching the network.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from glowline import catalog, paths
from glowline.data.readings import day_bounds, local_date, local_days, zone
from glowline.data.store import Entry, SeriesStore, default_store
from glowline.status import days as days_file
from glowline.status.argv import Options
from glowline.status.model import Day

#: days written past today, so the status line finds "today" after midnight without a fetch
DAYS_AHEAD = 2
#: the periods a series may be stored in, the line's usual one first
PERIODS = ("PT1H", "PT30M")


def project(entry: Entry, tz: ZoneInfo, tz_name: str, now: float, meter: str = "") -> days_file.Summary:
    """Per-day totals (the API's unit) of the whole stored series in ``tz``, up to DAYS_AHEAD days after ``now``;
    with the delivery horizon and ``meter``, the IHD whose register fills what is not delivered yet (glowline.status
    .tail)."""
    series = entry.series
    first = local_date(series.start, tz)
    last = local_date(int(now), tz) + timedelta(days=DAYS_AHEAD)
    bounds = day_bounds(last, (last - first).days + 1, tz)
    horizon = series.horizon(now)
    totals = local_days(series, bounds, horizon)
    days = [Day(t.date.isoformat(), t.start, t.end, t.value, t.complete) for t in totals]
    unit = catalog.api_unit(entry.classifier)
    since = datetime.fromtimestamp(horizon, tz).strftime("%H:%M")
    return days_file.Summary(entry.classifier, unit, tz_name, entry.site_name, entry.fetched_at, days, meter, horizon,
                             since)


def write_days(site_key: str, entry: Entry, tz: ZoneInfo, tz_name: str, now: float,
               meter: str = "") -> days_file.Summary:
    """Project the entry into ``tz`` and write the days file the status line reads."""
    out = project(entry, tz, tz_name, now, meter)
    days_file.write(paths.days_path(site_key, entry.classifier, tz_name), out)
    return out


def rebuild(opts: Options, now: float, store: SeriesStore | None = None) -> days_file.Summary | None:
    """The status line's hand-over: the days file for ``opts`` re-made from the stored series, or None when nothing
    of this account is stored. Raises UsageError for an unknown zone, at once (never recorded)."""
    tz = zone(opts.tz)
    store = store if store is not None else default_store()
    if not store.has(opts.site, opts.classifier):
        return None  # nothing stored: decided before the account's modules are imported (the cold line's cost)
    from glowline.data import account

    whose = account.identity()
    for period in PERIODS:
        entry = store.load(opts.site, opts.classifier, {**whose, "period": period})
        if entry is not None:
            return write_days(opts.site, entry, tz, opts.tz, now)
    return None
