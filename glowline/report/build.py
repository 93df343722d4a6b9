"""The report built from the store: each resource's cached series refreshed and summed into local days (the same
PT1H cache the status line uses, summed by glowline.data.readings, so they match ``glowline export --period day``),
with costs (the priced half-hours, else estimated from the tariffs, plus the standing charge); a month with its
projection, a year beside the year before."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from glowline import catalog
from glowline.catalog import RESOURCES, GasUnit
from glowline.data.account import Session
from glowline.data.costs import DayCost, day_costs, price_bands
from glowline.data.half_hours import half_hours
from glowline.data.other_tariffs import OtherTariff
from glowline.data.readings import Series, day_bounds, local_days
from glowline.data.registers import day_tails
from glowline.data.sync import refresh
from glowline.data.tariff import TariffHistory
from glowline.errors import APIUnavailable, MalformedResponse, NotFound, UsageError
from glowline.report.insights import add_half_hour_insights, current_rate
from glowline.report.model import LastWeek, Month, Projection, Report, ReportDay, ResourceReport, YearRow, month_end
from glowline.status import formats


class Site(Protocol):
    name: str


class ReportContext(Protocol):
    """What the report needs of a command's context (glowline.commands.context.Context): the session, site, zone,
    clock, and each resource's tariffs and priced half-hours."""

    site_key: str
    tz_name: str
    tz: ZoneInfo
    now: float
    session: Session

    @property
    def site(self) -> Site: ...

    @property
    def today(self) -> date: ...

    def tariffs(self, name: str) -> TariffHistory: ...

    def priced(self, name: str) -> str | None: ...


def resource_report(name: str, classifier: str, series: Series, tz: ZoneInfo, today: date, count: int,
                    now: float, tariffs: TariffHistory | None, gas_unit: GasUnit | None,
                    cost_series: Series | None = None,
                    meter: dict[str, tuple[float, str]] | None = None) -> ResourceReport:
    """Sum the cached series into ``count`` local days to ``today`` (and the ``count`` before), with costs: the
    cost series (the priced half-hours, pence) summed the same way when given, else estimated from the tariffs."""
    unit = catalog.display_unit(classifier, gas_unit)

    def display(value: float | None) -> float | None:
        return catalog.to_display(value, classifier, gas_unit)

    horizon = series.horizon(now)
    pending = series.pending_from()
    costed = tariffs is not None and catalog.is_consumption(classifier)

    def days_of(last: date) -> list[ReportDay]:
        out = []
        bounds = day_bounds(last, count, tz)
        totals = local_days(series, bounds, horizon)
        costs: list[DayCost | None] = [None] * len(totals)
        if costed and tariffs is not None:
            priced = local_days(cost_series, bounds, cost_series.horizon(now)) if cost_series is not None else None
            costs = list(day_costs(totals, priced, tariffs, series, tz))
        for total, cost in zip(totals, costs, strict=True):
            hourly: list[float | None] = []
            for ts in range(total.start, total.end, series.step):
                i = (ts - series.start) // series.step
                raw = series.values[i] if 0 <= i < len(series.values) and ts < pending else None
                hourly.append(display(raw))
            if series.step != 3600:  # half-hourly cache (zones off the whole hour): one cell per hour anyway
                hourly = formats.resample(hourly, max(1, (total.end - total.start) // 3600))
            note = ""
            if not total.complete:
                if total.end > horizon and total.start <= horizon:
                    note = "DCC lag: data to " + datetime.fromtimestamp(horizon, tz).strftime("%H:%M")
                elif total.start > horizon:
                    note = "not delivered yet"
                else:
                    note = "gaps in the data"
            elif cost is not None and not cost.complete and cost_series is not None:
                priced_to = datetime.fromtimestamp(cost_series.horizon(now), tz).strftime("%H:%M")
                note = f"priced half-hours lag: cost to {priced_to}"
            tail = (meter or {}).get(total.date.isoformat())  # the hours the DCC has not delivered, from the meter
            if tail is not None:
                shown = display(tail[0])
                note += f"; from the meter since {tail[1]}: {0.0 if shown is None else shown:,.3f} {unit}"
            day = ReportDay(total, display((total.value or 0.0) + tail[0] if tail else total.value), cost, hourly, note)
            day.from_meter = tail[0] if tail else 0.0
            out.append(day)
        return out

    days = days_of(today)
    previous = days_of(today - timedelta(days=count))
    week_before = local_days(series, day_bounds(today - timedelta(days=7), count, tz), horizon)
    for day, before in zip(days, week_before, strict=True):
        day.last_week = LastWeek(before, display(before.value))
    by_hour: dict[int, list[float]] = {}
    for day in days:
        if not day.complete:
            continue
        start = int(datetime(day.date.year, day.date.month, day.date.day, tzinfo=tz).timestamp())
        for n, value in enumerate(day.hourly):
            if value is not None:
                by_hour.setdefault(datetime.fromtimestamp(start + n * 3600, tz).hour, []).append(value)
    profile = [math.fsum(by_hour[h]) / len(by_hour[h]) if by_hour.get(h) else None for h in range(24)]
    bands = price_bands(series, cost_series, days[0].total.start, days[-1].total.end, tz) \
        if cost_series is not None and costed else []
    return ResourceReport(name, classifier, unit, tariffs, days, previous, profile, bands)


def build(ctx: ReportContext, names: list[str], count: int, gas_unit: GasUnit | None,
          compare: Sequence[OtherTariff] = (), half_hourly: bool = True) -> Report:
    """Refresh each resource's cache for twice ``count`` days (this period and the one before), and its cost
    resource's where it has one, and sum them up."""
    return build_range(ctx, names, ctx.today - timedelta(days=count - 1), ctx.today, gas_unit, compare=compare,
                       half_hourly=half_hourly)


def build_range(ctx: ReportContext, names: list[str], first: date, last: date, gas_unit: GasUnit | None,
                previous: bool = True, compare: Sequence[OtherTariff] = (), half_hourly: bool = True) -> Report:
    """The report's days from ``first`` to ``last`` (local days), refreshing each resource's cache back to
    ``first`` (and as many days before it with ``previous``, for "vs prev"). With ``half_hourly``, each consumption
    resource's complete days are read in half-hours too: their always-on load, and their cost under the
    ``compare`` tariffs meant for it."""
    count = (last - first).days + 1
    back = (ctx.today - first).days + 1 + (count if previous else 0)
    resources = []
    horizons = []
    for name in names:
        classifier = RESOURCES[name]
        series = refresh(ctx.site_key, classifier, back, ctx.tz_name, now=ctx.now, session=ctx.session).series
        tariffs = ctx.tariffs(name) if catalog.is_consumption(classifier) else None
        cost_classifier = ctx.priced(name)
        cost_series = None
        if cost_classifier is not None:
            try:
                cost_series = refresh(ctx.site_key, cost_classifier, back, ctx.tz_name, now=ctx.now,
                                      session=ctx.session).series
            except (APIUnavailable, MalformedResponse, NotFound) as exc:  # the energy is there: estimate, say so
                sys.stderr.write(f"glowline: note: {name}: the priced half-hours are unavailable ({exc}); "
                                 "its costs are estimated\n")
        meter = day_tails(ctx.site_key, classifier, ctx.tz_name, ctx.now)
        r = resource_report(name, classifier, series, ctx.tz, last, count, ctx.now, tariffs, gas_unit, cost_series,
                            meter)
        if tariffs is not None and half_hourly:
            others = [t for t in compare if t.resource == name]
            r.compared = others
            r.rate = current_rate(r, last)
            _half_hour_insights(ctx, r, series, others)
        resources.append(r)
        horizons.append(f"{name} to {datetime.fromtimestamp(series.horizon(ctx.now), ctx.tz):%a %H:%M}")
    return Report(ctx.site.name, ctx.tz_name, first, last, resources, ", ".join(horizons))


def _half_hour_insights(ctx: ReportContext, r: ResourceReport, series: Series, others: list[OtherTariff]) -> None:
    """Read the complete days' half-hours (the history's, else the API's) and add the insights that need them; an
    API that cannot give them costs the insights, with a note, never the report."""
    complete = [d for d in r.days if d.complete]
    if not complete:
        return
    try:
        halves = half_hours(ctx.session, ctx.site_key, r.classifier, complete[0].total.start,
                            complete[-1].total.end, series.delivered_until)
    except (APIUnavailable, MalformedResponse, NotFound) as exc:
        what = "the always-on load and the tariff comparison" if others else "the always-on load"
        sys.stderr.write(f"glowline: note: {r.name}: the half-hours are unavailable ({exc}); {what} left out\n")
        return
    add_half_hour_insights(r, halves, ctx.tz, others)


def build_month(ctx: ReportContext, names: list[str], first: date, gas_unit: GasUnit | None,
                compare: Sequence[OtherTariff] = (), half_hourly: bool = True) -> Report:
    """The daily report over the month (to today in the current month), and each resource's Projection."""
    if first > ctx.today:
        raise UsageError(f"--month {first:%Y-%m} is in the future")
    last = min(month_end(first), ctx.today)
    rep = build_range(ctx, names, first, last, gas_unit, compare=compare, half_hourly=half_hourly)
    rep.period = f"{first:%B %Y}"
    rep.projections = [Projection(r, month_end(first).day) for r in rep.resources] \
        if last < month_end(first) else []
    return rep


def build_year(ctx: ReportContext, names: list[str], year: int, gas_unit: GasUnit | None) -> Report:
    if date(year, 1, 1) > ctx.today:
        raise UsageError(f"--year {year} is in the future")
    first = date(year - 1, 1, 1)
    last = min(date(year, 12, 31), ctx.today)
    rep = build_range(ctx, names, first, last, gas_unit, half_hourly=False)  # two years of half-hours: no
    rep.period = str(year)
    for r in rep.resources:
        by_month: dict[date, list[ReportDay]] = {}
        for d in r.days:
            by_month.setdefault(d.date.replace(day=1), []).append(d)
        rows = []
        for m in range(1, last.month + 1 if last.year == year else 13):
            this, before = date(year, m, 1), date(year - 1, m, 1)
            rows.append(YearRow(Month(this, by_month.get(this, []), month_end(this) < ctx.today),
                                Month(before, by_month.get(before, []), True)))
        rep.rows[r.name] = rows
    rep.first = date(year, 1, 1)
    return rep
