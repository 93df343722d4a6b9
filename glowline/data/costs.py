"""Costs that match the bill: each local day's energy cost from the priced half-hours (or estimated from a unit
rate where the account has no cost resource), the standing charge of the tariff in force that day, the effective
rate, and the share of kWh and of cost in each price band when prices differ by time of day.

Energy and cost are summed into local days by glowline.data.readings.local_days, so 23- and 25-hour days and the
DCC lag are handled exactly as for energy; a day is complete when both its energy and its cost are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from glowline.catalog import HALF_HOUR
from glowline.data.readings import DayTotal, Series
from glowline.data.tariff import TariffEntry, TariffHistory

PRICED = "priced"
ESTIMATED = "estimated"
#: local hours that count as "night" when naming a price band
NIGHT = frozenset((22, 23, 0, 1, 2, 3, 4, 5, 6, 7))
#: price bands are told apart to a tenth of a penny per kWh
BAND_DIGITS = 1
#: with more bands than this (a dynamic tariff, or hours that straddle two prices), the small ones are summed up
MAX_BANDS = 4
#: a band with less than this share of the kWh is summed into "other"
MIN_BAND_SHARE = 0.05


class DayCost:
    """One local day's cost, in pence: energy (priced or estimated), standing charge and total."""

    __slots__ = ("complete", "date", "energy", "kwh", "rate_date", "source", "standing", "why")

    def __init__(self, day: date, kwh: float | None, energy: float | None, standing: float | None, complete: bool,
                 source: str, rate_date: date | None = None, why: str = "") -> None:
        self.why = why  # estimated: "" (a unit rate), "time-of-use rates", or why there is no rate ("no rate known")
        self.date = day
        self.kwh = kwh
        self.energy = energy  # pence: the day's priced half-hours, or kWh x the unit rate (estimated)
        self.standing = standing  # pence: the standing charge of the tariff in force that day
        self.complete = complete
        self.source = source  # PRICED or ESTIMATED
        self.rate_date = rate_date  # estimated: the start of the tariff whose unit rate was used

    @property
    def total(self) -> float | None:
        """Energy plus the standing charge, pence; None unless both are known."""
        if self.energy is None or self.standing is None:
            return None
        return math.fsum((self.energy, self.standing))

    @property
    def effective(self) -> float | None:
        """The day's average unit price, pence per kWh (energy only)."""
        if self.energy is None or not self.kwh:
            return None
        return self.energy / self.kwh

    def __repr__(self) -> str:
        return f"DayCost({self.date}, energy={self.energy!r}, standing={self.standing!r}, {self.source})"


#: DayCost.why of a day priced by a time-of-use entry's bands
TIME_OF_USE = "time-of-use rates"


def day_costs(energy: list[DayTotal], cost: list[DayTotal] | None, tariffs: TariffHistory,
              series: Series | None = None, tz: ZoneInfo | None = None) -> list[DayCost]:
    """Each day's cost: from ``cost`` (the cost resource's local days, pence) when given, else estimated from the
    tariff in force that day: kWh x its unit rate, or, for a time-of-use tariff, each bucket of ``series`` (the
    day's energy, local zone ``tz``) at the rate of the band it falls in; a dynamic tariff (or one without a rate)
    gives no energy cost, never an older rate. The standing charge is the tariff history's for that day."""
    out = []
    for n, day in enumerate(energy):
        standing = tariffs.standing_on(day.date)
        if cost is not None:
            priced = cost[n]
            out.append(DayCost(day.date, day.value, priced.value, standing, day.complete and priced.complete, PRICED))
            continue
        rate, started = tariffs.rate_on(day.date)
        entry = tariffs.entry_on(day.date)
        why = ""
        if rate is not None:
            value = None if day.value is None else day.value * rate
        elif entry is not None and entry.bands and not entry.dynamic and series is not None and tz is not None:
            value, why = banded(day, entry, series, tz), TIME_OF_USE
            if value is None:
                why = f"no rate known for some hours of the time-of-use tariff of {entry.effective}"
        else:
            value, why = None, entry.why_no_rate() if entry is not None else "no rate known"
        out.append(DayCost(day.date, day.value, value, standing, day.complete, ESTIMATED, started, why))
    return out


def banded(day: DayTotal, entry: TariffEntry, series: Series, tz: ZoneInfo) -> float | None:
    """The day's delivered buckets priced at the time-of-use bands they fall in (pence): each half-hour of a bucket
    at its own band's rate (an hourly bucket that straddles two bands is split evenly between its half-hours);
    None when a band does not cover some half-hour."""
    pending = series.pending_from()
    first = max(day.start, series.start)
    first += (series.start - first) % series.step
    parts: list[float] = []
    for ts in range(first, min(day.end, series.end, pending), series.step):
        value = series.values[(ts - series.start) // series.step]
        if value is None:
            continue
        rates = []
        for half in range(ts, ts + series.step, HALF_HOUR):
            local = datetime.fromtimestamp(half, tz)
            rate = entry.rate_at(local.hour * 60 + local.minute)
            if rate is None:
                return None
            rates.append(rate)
        parts.append(value * math.fsum(rates) / len(rates))
    return math.fsum(parts)


def estimate_note(days: Iterable[DayCost]) -> str:
    """``estimated from the unit rate of 2026-11-02`` (each tariff start used; "the time-of-use rates of" when
    banded), a day's reason when it has no rate ("no rate known: a dynamic tariff since ..."), or "" when every
    day is priced."""
    estimated = [d for d in days if d.source == ESTIMATED]
    if not estimated:
        return ""
    missing = [d.why for d in estimated if d.why and d.why != TIME_OF_USE]
    if missing and len(missing) == len(estimated):
        return missing[0]
    what = "the time-of-use rates of " if any(d.why == TIME_OF_USE for d in estimated) else "the unit rate of "
    dates = sorted({d.rate_date for d in estimated if d.rate_date is not None and d.why in ("", TIME_OF_USE)})
    text = "estimated from " + (what + " and ".join(f"{d}" for d in dates) if dates else
                                what + "the current tariff")
    return text + (f"; {missing[0]}" if missing else "")


class Band:
    """The half-hours (or hours) priced at one unit price: their kWh and pence, and a name from their hours."""

    __slots__ = ("hours", "kwh", "name", "pence", "price")

    def __init__(self, price: float, kwh: float, pence: float, hours: frozenset[int], name: str = "") -> None:
        self.price = price  # pence per kWh, rounded to BAND_DIGITS
        self.kwh = kwh
        self.pence = pence
        self.hours = hours  # the local hours of day its buckets start in
        self.name = name or ("night" if hours and hours <= NIGHT else "day")

    def describe(self, total_kwh: float, total_pence: float) -> str:
        """``night 9.0p: 31% of kWh, 12% of cost``."""
        kwh_share = self.kwh / total_kwh if total_kwh else 0.0
        cost_share = self.pence / total_pence if total_pence else 0.0
        price = f" {self.price:.{BAND_DIGITS}f}p" if self.name != "other" else " prices"
        return f"{self.name}{price}: {kwh_share:.0%} of kWh, {cost_share:.0%} of cost"


def price_bands(energy: Series, cost: Series, start: int, end: int, tz: ZoneInfo) -> list[Band]:
    """The price bands of [start, end), cheapest first, when prices differ by time of day (some local day has more
    than one price); else []. A bucket's price is its pence over its kWh; buckets not delivered in both series, or
    with no kWh, are left out."""
    if energy.step != cost.step:
        return []
    pending = min(energy.pending_from(), cost.pending_from())
    kwh: dict[float, list[float]] = {}
    pence: dict[float, list[float]] = {}
    hours: dict[float, set[int]] = {}
    per_day: dict[date, set[float]] = {}
    first = max(start, energy.start, cost.start)
    first += (energy.start - first) % energy.step
    for ts in range(first, min(end, pending, energy.end, cost.end), energy.step):
        used = energy.values[(ts - energy.start) // energy.step]
        paid = cost.values[(ts - cost.start) // cost.step]
        if used is None or paid is None or used <= 0:
            continue
        price = round(paid / used, BAND_DIGITS)
        local = datetime.fromtimestamp(ts, tz)
        kwh.setdefault(price, []).append(used)
        pence.setdefault(price, []).append(paid)
        hours.setdefault(price, set()).add(local.hour)
        per_day.setdefault(local.date(), set()).add(price)
    if not any(len(prices) > 1 for prices in per_day.values()):
        return []
    bands = [Band(p, math.fsum(kwh[p]), math.fsum(pence[p]), frozenset(hours[p])) for p in sorted(kwh)]
    total = math.fsum(b.kwh for b in bands)
    # an hour that straddles two prices (a tariff switching on the half-hour, read as hourly buckets) has a price
    # of its own that changes day by day: such small bands, and all but the largest few, are summed as "other"
    keep = [b for b in sorted(bands, key=lambda b: -b.kwh)[: MAX_BANDS - 1] if b.kwh >= MIN_BAND_SHARE * total]
    if len(keep) < len(bands):
        rest = [b for b in bands if b not in keep]
        other = Band(0.0, math.fsum(b.kwh for b in rest), math.fsum(b.pence for b in rest), frozenset(), "other")
        return [*sorted(keep, key=lambda b: b.price), other]
    return bands
