"""The report's insights that need the half-hour itself, set on its complete days: the always-on load (the day's
lowest half-hour as average watts) and the day's cost under other tariffs (its half-hours priced by their local wall
time); and the current unit rate the always-on load is costed at.

A day counts only when it is complete and every one of its half-hours (46, 48 or 50) was delivered: a missing
half-hour is never read as zero, nor as low use.
"""

from __future__ import annotations

import math
from datetime import date
from zoneinfo import ZoneInfo

from glowline.catalog import HALF_HOUR
from glowline.data.other_tariffs import OtherTariff, price_day
from glowline.data.readings import Series, ceil
from glowline.report.model import ResourceReport

#: kWh in one half-hour -> the average watts over it (1 kWh in 0.5 h is 2 kW)
WATTS_PER_HALF_HOUR_KWH = 2000.0


def day_half_hours(series: Series, start: int, end: int) -> list[tuple[int, float | None]]:
    """The half-hours that start in [start, end) (one local day): (start epoch, kWh or None where not delivered)."""
    out: list[tuple[int, float | None]] = []
    for ts in range(series.start + ceil(start - series.start, HALF_HOUR), end, HALF_HOUR):
        i = (ts - series.start) // HALF_HOUR
        out.append((ts, series.values[i] if 0 <= i < len(series.values) else None))
    return out


def add_half_hour_insights(r: ResourceReport, halves: Series, tz: ZoneInfo, others: list[OtherTariff]) -> None:
    """Each complete day of ``r`` with every half-hour: its always-on load, and (``others``) its cost under each."""
    for day in r.days:
        if not day.complete:
            continue
        slots = day_half_hours(halves, day.total.start, day.total.end)
        delivered = [(ts, v) for ts, v in slots if v is not None]
        if not slots or len(delivered) != len(slots):
            continue
        day.baseload_w = min(v for _, v in delivered) * WATTS_PER_HALF_HOUR_KWH
        if others:
            day.compare = {t.name: price_day(t, delivered, tz) for t in others}


def current_rate(r: ResourceReport, last: date) -> tuple[float | None, str]:
    """The unit rate (p/kWh) the always-on load is costed at: the tariff in force on the report's last day (a
    time-of-use tariff's rates averaged over the day's 48 half-hours: the load draws alike in each), else the
    effective rate of the days shown; and where it comes from, in words."""
    entry = r.tariffs.entry_on(last) if r.tariffs is not None else None
    if entry is not None and entry.flat is not None:
        return entry.flat, f"the unit rate in force on {last.isoformat()}"
    if entry is not None and entry.bands and not entry.dynamic:
        rates = [entry.rate_at(minute) for minute in range(0, 24 * 60, 30)]
        if all(rate is not None for rate in rates):
            return math.fsum(rate or 0.0 for rate in rates) / len(rates), \
                f"the time-of-use rates in force on {last.isoformat()}, averaged over the day's half-hours"
    effective = r.effective()
    if effective is not None:
        return effective, "the effective rate of the days shown"
    return None, "no unit rate"
