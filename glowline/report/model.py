"""The report's model: each local day of each resource (energy, cost, hours, why not whole, the same weekday a week
before, its always-on load, its cost under other tariffs), a resource's days and their sums, the report of several
resources, and --month's projection and --year's months beside the year before."""

from __future__ import annotations

import calendar
import math
import statistics
from datetime import date

from glowline import catalog
from glowline.data.costs import PRICED, Band, DayCost, estimate_note
from glowline.data.other_tariffs import OtherTariff, Priced
from glowline.data.readings import DayTotal
from glowline.data.tariff import TariffHistory

#: hours in a year, for what the always-on load costs a year
HOURS_A_YEAR = 365 * 24


class ReportDay:
    """One local day of one resource as the report shows it: the day's total in API units (DayTotal), and its value
    in the display unit, its cost, its hours and why it is not whole."""

    __slots__ = ("baseload_w", "compare", "costs", "from_meter", "hourly", "last_week", "note", "total", "value")

    def __init__(self, total: DayTotal, value: float | None, costs: DayCost | None, hourly: list[float | None],
                 note: str) -> None:
        self.total = total
        self.value = value  # in the display unit (kWh, m3 or GBP)
        self.costs = costs  # pence: energy (priced or estimated), standing charge, total; None for a cost resource
        self.hourly = hourly  # display unit per local hour (23, 24 or 25 values), None where not delivered
        self.note = note  # "" or why the day is not whole: "DCC lag: data to 03:30", "gaps"
        self.from_meter = 0.0  # of value, what the meter's register added after the DCC's half-hours (kWh)
        self.last_week: LastWeek | None = None  # the same weekday a week before
        self.baseload_w: float | None = None  # a complete day with every half-hour: its lowest, as average watts
        self.compare: dict[str, Priced] | None = None  # --compare, a complete day: its cost under each other tariff

    def change_on_last_week(self) -> float | None:
        """This day against the same weekday a week before (fraction), when both are whole days."""
        before = self.last_week
        if before is None or not self.complete or not before.complete or self.value is None or not before.value:
            return None
        return (self.value - before.value) / before.value

    @property
    def date(self) -> date:
        return self.total.date

    @property
    def complete(self) -> bool:
        """Energy delivered for the whole day (and, where priced, its cost too)."""
        return self.total.complete and (self.costs is None or self.costs.complete)

    @property
    def cost(self) -> float | None:
        """GBP: the day's energy plus its standing charge; None without both."""
        return catalog.pence_to_pounds(self.costs.total) if self.costs is not None else None


class LastWeek:
    """The same weekday a week before a report day: its total (API units) and its value in the display unit."""

    __slots__ = ("total", "value")

    def __init__(self, total: DayTotal, value: float | None) -> None:
        self.total = total
        self.value = value

    @property
    def date(self) -> date:
        return self.total.date

    @property
    def complete(self) -> bool:
        return self.total.complete


class ResourceReport:
    """Everything the report shows for one resource."""

    def __init__(self, name: str, classifier: str, unit: str, tariffs: TariffHistory | None, days: list[ReportDay],
                 previous: list[ReportDay], profile: list[float | None], bands: list[Band] | None = None) -> None:
        self.name = name
        self.classifier = classifier
        self.unit = unit  # display unit: kWh, m3 or GBP
        self.tariffs = tariffs  # consumption only: which tariff was in force each day
        self.days = days
        self.previous = previous
        self.profile = profile  # average per local hour of day 0..23 over the complete days
        self.bands = bands or []  # price bands over the days shown, when prices differ by time of day
        self.compared: list[OtherTariff] = []  # --compare: the other tariffs each complete day is priced under
        self.rate: tuple[float | None, str] = (None, "")  # the current unit rate (p/kWh) and where it comes from

    def baseload_days(self) -> list[ReportDay]:
        return [d for d in self.days if d.baseload_w is not None]

    def baseload_w(self) -> float | None:
        """The always-on load: the median over the complete days of each day's lowest half-hour, average watts."""
        values = [d.baseload_w for d in self.days if d.baseload_w is not None]
        return statistics.median(values) if values else None

    def baseload_year(self) -> float | None:
        """GBP a year: the always-on load for every hour of a year (HOURS_A_YEAR) at the current unit rate."""
        watts, rate = self.baseload_w(), self.rate[0]
        if watts is None or rate is None:
            return None
        return watts / 1000 * HOURS_A_YEAR * rate / catalog.PENCE_PER_POUND

    def compare_days(self) -> list[ReportDay]:
        """The days priced under the other tariffs: complete, every half-hour delivered, the real cost known."""
        return [d for d in self.days if d.compare is not None and d.costs is not None and d.costs.total is not None]

    def compare_total(self, name: str) -> tuple[float, float, float, float]:
        """Over the compared days, pence: (the real cost, and under ``name``: energy, standing, total)."""
        days = self.compare_days()
        real = math.fsum(d.costs.total for d in days if d.costs is not None and d.costs.total is not None)
        priced = [d.compare[name] for d in days if d.compare is not None]
        return (real, math.fsum(p.energy for p in priced), math.fsum(p.standing for p in priced),
                math.fsum(p.total for p in priced))

    @property
    def priced(self) -> bool:
        """Costs come from the meter's priced half-hours (else they are estimated, or there are none)."""
        return any(d.costs is not None and d.costs.source == PRICED for d in self.days)

    def cost_note(self) -> str:
        """Where the energy cost comes from, in words."""
        if self.tariffs is None:
            return ""
        if self.priced:
            return "energy from the meter's priced half-hours"
        return estimate_note(d.costs for d in self.days if d.costs is not None) or "no unit rate"

    def total(self) -> float:
        return math.fsum(d.value for d in self.days if d.value is not None)

    def total_cost(self) -> float | None:
        costs = [d.cost for d in self.days if d.cost is not None]
        return math.fsum(costs) if costs else None

    def total_of(self, what: str) -> float | None:
        """The sum over the days shown of a DayCost field ("energy", "standing", "total"), GBP."""
        values = [getattr(d.costs, what) for d in self.days if d.costs is not None]
        present = [v for v in values if v is not None]
        return catalog.pence_to_pounds(math.fsum(present)) if present else None

    def average(self, days: list[ReportDay] | None = None) -> float | None:
        """Mean of the complete days (incomplete ones would read as low use)."""
        values = [d.value for d in (self.days if days is None else days) if d.complete and d.value is not None]
        return math.fsum(values) / len(values) if values else None

    def average_cost(self) -> float | None:
        values = [d.cost for d in self.days if d.complete and d.cost is not None]
        return math.fsum(values) / len(values) if values else None

    def effective(self) -> float | None:
        """Pence per kWh over the days shown: energy cost over kWh (standing charge not included)."""
        pairs = [(d.costs.energy, d.costs.kwh) for d in self.days
                 if d.costs is not None and d.costs.energy is not None and d.costs.kwh]
        kwh = math.fsum(k for _, k in pairs if k is not None)
        return math.fsum(e for e, _ in pairs if e is not None) / kwh if kwh else None

    def change(self) -> float | None:
        """Daily average of this period against the previous one of the same length (fraction), complete days."""
        now, before = self.average(), self.average(self.previous)
        if now is None or not before:
            return None
        return (now - before) / before

    def peak(self) -> tuple[int, float] | None:
        present = [(v, h) for h, v in enumerate(self.profile) if v is not None]
        if not present:
            return None
        value, hour = max(present)
        return hour, value


class Report:
    def __init__(self, site: str, tz_name: str, first: date, last: date, resources: list[ResourceReport],
                 horizon_text: str) -> None:
        self.site = site
        self.tz_name = tz_name
        self.first = first
        self.last = last
        self.resources = resources
        self.horizon_text = horizon_text
        self.period = ""  # --month: "November 2026"; --year: "2026"
        self.projections: list[Projection] = []  # --month, the current month: each resource's projection
        self.rows: dict[str, list[YearRow]] = {}  # --year: per resource, each month beside the year before


class Projection:
    """A resource's month: so far, and projected to the month's end from the complete days' average."""

    __slots__ = ("complete_days", "cost", "cost_so_far", "days_in_month", "name", "unit", "value", "value_so_far")

    def __init__(self, r: ResourceReport, days_in_month: int) -> None:
        self.name = r.name
        self.unit = r.unit
        self.days_in_month = days_in_month
        self.value_so_far = r.total()
        self.cost_so_far = r.total_cost()
        self.complete_days = sum(1 for d in r.days if d.complete and d.value is not None)
        average, average_cost = r.average(), r.average_cost()
        self.value = None if average is None else average * days_in_month
        self.cost = None if average_cost is None else average_cost * days_in_month


class Month:
    """One resource's month: its total, cost, daily average (complete days) and whether it is whole."""

    __slots__ = ("average", "complete", "cost", "days", "first", "value")

    def __init__(self, first: date, days: list[ReportDay], whole: bool) -> None:
        self.first = first
        self.days = len(days)
        values = [d.value for d in days if d.value is not None]
        costs = [d.cost for d in days if d.cost is not None]
        self.value = math.fsum(values) if values else None
        self.cost = math.fsum(costs) if costs else None
        complete = [d.value for d in days if d.complete and d.value is not None]
        self.average = math.fsum(complete) / len(complete) if complete else None
        self.complete = whole and len(complete) == len(days)


class YearRow:
    __slots__ = ("before", "month")

    def __init__(self, month: Month, before: Month) -> None:
        self.month = month
        self.before = before

    def change(self) -> float | None:
        """The daily average against the same month a year before (fraction): fair to part months and to a
        February of 29 days."""
        now, then = self.month.average, self.before.average
        if now is None or not then:
            return None
        return (now - then) / then


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])
