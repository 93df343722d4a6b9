"""``glowline report``: daily totals and costs, the average day by hour, and each day's own shape, in the terminal.

The only module that imports rich (inside functions). Numbers come from the same PT1H cache the status line uses,
summed into local days by glowline.data.readings, so they match ``glowline export --period day``. Costs are the
consumption at the tariff's unit rate plus its daily standing charge. Days the DCC has not fully delivered are
marked as such and left out of averages, never drawn as low use. ``--month`` adds the month so far and a projection
to its end, ``--year`` each month beside the same month a year before; ``--svg``/``--html`` save what was drawn.
"""

from __future__ import annotations

import argparse
import calendar
import math
import os
import shutil
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from glowline import catalog
from glowline.catalog import RESOURCES, GasUnit, gas_unit
from glowline.commands.context import Context, add_common, maybe_demo
from glowline.commands.options import number_type, resource_names
from glowline.data.costs import ESTIMATED, PRICED, Band, DayCost, day_costs, estimate_note, price_bands
from glowline.data.readings import DayTotal, Series, day_bounds, local_days
from glowline.data.sync import refresh
from glowline.data.tariff import TariffHistory
from glowline.errors import EXIT_OK, APIUnavailable, MalformedResponse, NotFound, UsageError
from glowline.status import sparkline
from glowline.status.argv import MAX_DAYS

DEFAULT_DAYS = 14
#: --month without a value: the current month
CURRENT = date.min
EIGHTHS = " ▏▎▍▌▋▊▉"


class ReportDay:
    """One local day of one resource as the report shows it: the day's total in API units (DayTotal), and its value
    in the display unit, its cost, its hours and why it is not whole."""

    __slots__ = ("costs", "hourly", "note", "total", "value")

    def __init__(self, total: DayTotal, value: float | None, costs: DayCost | None, hourly: list[float | None],
                 note: str) -> None:
        self.total = total
        self.value = value  # in the display unit (kWh, m3 or GBP)
        self.costs = costs  # pence: energy (priced or estimated), standing charge, total; None for a cost resource
        self.hourly = hourly  # display unit per local hour (23, 24 or 25 values), None where not delivered
        self.note = note  # "" or why the day is not whole: "DCC lag: data to 03:30", "gaps"

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


# -- building --------------------------------------------------------------------------------------------------


def resource_report(name: str, classifier: str, series: Series, tz: ZoneInfo, today: date, count: int,
                    now: float, tariffs: TariffHistory | None, gas_unit: GasUnit | None,
                    cost_series: Series | None = None) -> ResourceReport:
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
            costs = list(day_costs(totals, priced, tariffs))
        for total, cost in zip(totals, costs, strict=True):
            hourly: list[float | None] = []
            for ts in range(total.start, total.end, series.step):
                i = (ts - series.start) // series.step
                raw = series.values[i] if 0 <= i < len(series.values) and ts < pending else None
                hourly.append(display(raw))
            if series.step != 3600:  # half-hourly cache (zones off the whole hour): one cell per hour anyway
                hourly = sparkline.resample(hourly, max(1, (total.end - total.start) // 3600))
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
            out.append(ReportDay(total, display(total.value), cost, hourly, note))
        return out

    days = days_of(today)
    previous = days_of(today - timedelta(days=count))
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


def build(ctx: Context, names: list[str], count: int, gas_unit: GasUnit | None) -> Report:
    """Refresh each resource's cache for twice ``count`` days (this period and the one before), and its cost
    resource's where it has one, and sum them up."""
    resources = []
    horizons = []
    for name in names:
        classifier = RESOURCES[name]
        series = refresh(ctx.site_key, classifier, 2 * count, ctx.tz_name, now=ctx.now, session=ctx.session).series
        tariffs = ctx.tariffs(name) if catalog.is_consumption(classifier) else None
        cost_classifier = ctx.priced(name)
        cost_series = None
        if cost_classifier is not None:
            try:
                cost_series = refresh(ctx.site_key, cost_classifier, 2 * count, ctx.tz_name, now=ctx.now,
                                      session=ctx.session).series
            except (APIUnavailable, MalformedResponse, NotFound) as exc:  # the energy is there: estimate, say so
                sys.stderr.write(f"glowline: note: {name}: the priced half-hours are unavailable ({exc}); "
                                 "its costs are estimated\n")
        resources.append(resource_report(name, classifier, series, ctx.tz, ctx.today, count, ctx.now, tariffs,
                                         gas_unit, cost_series))
        horizons.append(f"{name} to {datetime.fromtimestamp(series.horizon(ctx.now), ctx.tz):%a %H:%M}")
    first = ctx.today - timedelta(days=count - 1)
    return Report(ctx.site.name, ctx.tz_name, first, ctx.today, resources, ", ".join(horizons))


def build_range(ctx: Context, names: list[str], first: date, last: date, gas_unit: GasUnit | None,
                previous: bool = True) -> Report:
    """The report's days from ``first`` to ``last`` (local days), refreshing each resource's cache back to
    ``first`` (and as many days before it with ``previous``, for "vs prev")."""
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
            except (APIUnavailable, MalformedResponse, NotFound) as exc:
                sys.stderr.write(f"glowline: note: {name}: the priced half-hours are unavailable ({exc}); "
                                 "its costs are estimated\n")
        resources.append(resource_report(name, classifier, series, ctx.tz, last, count, ctx.now, tariffs, gas_unit,
                                         cost_series))
        horizons.append(f"{name} to {datetime.fromtimestamp(series.horizon(ctx.now), ctx.tz):%a %H:%M}")
    return Report(ctx.site.name, ctx.tz_name, first, last, resources, ", ".join(horizons))


def as_json(report: Report) -> dict[str, Any]:
    """The documented ``report --format json`` shape: per resource its days (kWh, energy, standing and total GBP,
    complete, cost_source) and totals; GBP rounded to 1/100 p, kWh to the Wh."""

    def gbp(pence: float | None) -> float | None:
        pounds = catalog.pence_to_pounds(pence)
        return None if pounds is None else round(pounds, catalog.GBP_DECIMALS) + 0.0

    def kwh(value: float | None) -> float | None:
        return None if value is None else round(value, catalog.KWH_DECIMALS) + 0.0

    resources: dict[str, Any] = {}
    for r in report.resources:
        if r.tariffs is None:  # a cost resource or export: its own values in its own unit
            unit = catalog.display_unit(r.classifier)
            digits = catalog.GBP_DECIMALS if unit == "GBP" else catalog.KWH_DECIMALS
            resources[r.name] = {
                "unit": unit,
                "days": [{"date": d.date.isoformat(),
                          "value": None if d.value is None else round(d.value, digits) + 0.0,
                          "complete": d.complete} for d in r.days],
                "total": round(r.total(), digits) + 0.0,
            }
            continue
        days = []
        for d in r.days:
            c = d.costs
            assert c is not None
            day: dict[str, Any] = {
                "date": d.date.isoformat(), "kwh": kwh(d.total.value), "energy_gbp": gbp(c.energy),
                "standing_gbp": gbp(c.standing), "total_gbp": gbp(c.total), "complete": d.complete,
                "cost_source": c.source,
                "effective_p_per_kwh": None if c.effective is None else round(c.effective, 4),
            }
            if c.source == ESTIMATED:
                day["estimated_from"] = estimate_note([c])
            days.append(day)
        kwh_values = [d.total.value for d in r.days if d.total.value is not None]
        totals = [d.costs.total for d in r.days if d.costs is not None and d.costs.total is not None]
        total_kwh = math.fsum(kwh_values)
        energy = [d.costs.energy for d in r.days if d.costs is not None and d.costs.energy is not None]
        resources[r.name] = {
            "unit": "kWh",
            "days": days,
            "total_kwh": kwh(total_kwh),
            "total_gbp": gbp(math.fsum(totals)) if totals else None,
            "total_energy_gbp": gbp(math.fsum(energy)) if energy else None,
            "total_standing_gbp": gbp(math.fsum(d.costs.standing for d in r.days
                                                if d.costs is not None and d.costs.standing is not None)),
            "effective_p_per_kwh": None if r.effective() is None else round(r.effective() or 0.0, 4),
            "cost_source": PRICED if r.priced else ESTIMATED,
            "cost_note": r.cost_note(),
            "standing_source": r.tariffs.source,
            "bands": _bands_json(r.bands),
        }
    return {"tz": report.tz_name, "from": report.first.isoformat(), "to": report.last.isoformat(),
            "resources": resources, "site": report.site}


def _bands_json(bands: list[Band]) -> list[dict[str, Any]]:
    kwh = math.fsum(b.kwh for b in bands)
    pence = math.fsum(b.pence for b in bands)
    return [{"name": b.name, "p_per_kwh": b.price, "kwh": round(b.kwh, catalog.KWH_DECIMALS),
             "gbp": round(b.pence / catalog.PENCE_PER_POUND, catalog.GBP_DECIMALS),
             "kwh_share": round(b.kwh / kwh, 4) if kwh else None,
             "cost_share": round(b.pence / pence, 4) if pence else None} for b in bands]


# -- drawing ---------------------------------------------------------------------------------------------------


def bar(value: float | None, top: float, width: int) -> str:
    """A horizontal bar in eighths of a cell, ``width`` cells for ``top``."""
    if value is None or top <= 0 or value <= 0:
        return ""
    eighths = round(value / top * width * 8)
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _money(value: float | None) -> str:
    return "" if value is None else f"£{value:,.2f}"


def _day_label(day: date) -> str:
    return f"{day:%a %d %b}" + (" *" if day.weekday() >= 5 else "")


def _change(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 100:+.1f}%"


def render(report: Report, out: IO[str], width: int, color: bool | None = None, rows: int = 1,
           draw: Callable[[Report, Any, int, _Style], None] | None = None, svg: str | None = None,
           html: str | None = None) -> None:
    """Draw the report on ``out`` within ``width`` columns, its hourly charts ``rows`` high; no ANSI unless ``out``
    is a colour terminal. ``draw`` draws another view (--month, --year); ``svg``/``html`` save what was drawn,
    exactly, through rich's recording console (in colour, as a terminal shows it).

    Piped or redirected, the text is drawn into a buffer first and written without rich's trailing padding.
    """
    import io

    from rich.console import Console

    options: dict[str, Any] = {
        "width": width, "highlight": False, "markup": False, "emoji": False, "soft_wrap": False,
        "no_color": bool(os.environ.get("NO_COLOR")), "force_terminal": color,
        "color_system": "auto" if color is not False else None, "legacy_windows": False,
    }
    def paint(console: Any, styled: bool) -> None:
        if draw is None:
            _draw(report, console, width, styled=styled, rows=rows)
        else:
            draw(report, console, width, _Style(styled))

    recording = bool(svg or html)
    console = Console(file=out, record=recording, **options)
    if console.is_terminal:
        paint(console, not options["no_color"])
        _save(console, svg, html)
        return
    buffer = io.StringIO()
    plain = Console(file=buffer, **{**options, "force_terminal": False})
    paint(plain, False)
    out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))
    if recording:  # the picture is of the terminal: the same view, drawn in colour into a recording console
        picture = Console(file=io.StringIO(), record=True, **{**options, "force_terminal": True,
                                                             "color_system": "truecolor", "no_color": False})
        paint(picture, True)
        _save(picture, svg, html)


def _save(console: Any, svg: str | None, html: str | None) -> None:
    """Write the recorded console as SVG and/or HTML (rich's own export), atomically."""
    for path, export in ((svg, "export_svg"), (html, "export_html")):
        if not path:
            continue
        text = getattr(console, export)(title="glowline report", clear=False) if export == "export_svg" \
            else console.export_html(clear=False)
        part = f"{path}.part"
        try:
            with open(part, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(part, path)
        except OSError as exc:
            try:
                os.unlink(part)
            except OSError:
                pass
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


class _Style:
    """The report's styles, empty when drawn without colour."""

    def __init__(self, styled: bool) -> None:
        self.dim = "dim" if styled else ""
        self.bold = "bold" if styled else ""
        self.styled = styled

    def of(self, r: ResourceReport) -> str:
        return {"electricity": "yellow", "gas": "cyan"}.get(r.name, "green") if self.styled else ""


#: columns of the day label
DAY_W = 12


def _draw(report: Report, console: Any, width: int, styled: bool, rows: int = 1) -> None:
    style = _Style(styled)
    _draw_heading(report, console, style)
    _draw_totals(report, console, width, style)
    _draw_costs(report, console, style)
    _draw_profile(report, console, width, style, rows)
    _draw_each_day(report, console, width, style, rows)
    console.print()
    console.print(_text(f"delivered: {report.horizon_text}", style.dim), overflow="fold")


def _text(text: str, style: str = "") -> Any:
    from rich.text import Text

    return Text(text, style=style)


def _table(bold: str, show_header: bool = True) -> Any:
    from rich.table import Table

    return Table(box=None, padding=(0, 0, 0, 1), pad_edge=False, show_edge=False, header_style=bold, expand=False,
                 show_header=show_header)


def span_text(first: date, last: date) -> str:
    """ "Mon 01 Dec to Thu 04 Dec 2026"; the first day's year too when it is another ("Fri 31 Oct 2025 to ...")."""
    start = f"{first:%a %d %b}" if first.year == last.year else f"{first:%a %d %b %Y}"
    return f"{start} to {last:%a %d %b %Y}"


def _draw_heading(report: Report, console: Any, style: _Style) -> None:
    res = report.resources
    console.print(_text(f"glowline report · {report.site} · {span_text(report.first, report.last)} · "
                        f"{report.tz_name}", style.bold), overflow="ellipsis", no_wrap=True)
    for r in res:
        if r.tariffs is not None:
            what = f"{r.cost_note()}; {r.tariffs.describe()} ({r.tariffs.source})"
            console.print(_text(f"{r.name}: {what}", style.dim), overflow="fold")
    if any(r.unit == "m3" for r in res):
        console.print(_text("gas volume: m3 = kWh x 3.6 / calorific value / correction factor (config [gas])",
                            style.dim), overflow="fold")


def _draw_totals(report: Report, console: Any, width: int, style: _Style) -> None:
    """Daily totals: side by side when every resource's columns fit, else one table per resource."""
    res = report.resources
    days_count = len(res[0].days)
    cost_w = 7
    per = (width - DAY_W) // len(res)
    bar_w = per - (9 + cost_w + 3)  # value, cost, bar and a space before each
    groups = [res] if bar_w >= 6 else [[r] for r in res]
    if len(groups) > 1:
        bar_w = max(4, width - DAY_W - (9 + cost_w + 3))
    bar_w = min(bar_w, 24)

    console.print()
    for group in groups:
        table = _table(style.bold)
        table.add_column("daily\ntotals", no_wrap=True, width=DAY_W)
        for r in group:
            table.add_column(f"\n{r.unit}", justify="right", no_wrap=True, width=9, style=style.of(r))
            # the cost column says what it holds: energy plus the standing charge; a cost resource's own column is
            # already GBP (the meter's priced half-hours, energy only), so it has none
            table.add_column("\nGBP+SC" if r.tariffs is not None else "", justify="right", no_wrap=True, width=cost_w)
            table.add_column(f"{r.name}\n", no_wrap=True, width=bar_w, overflow="crop", style=style.of(r))
        tops = [max([d.value for d in r.days if d.value is not None] or [0.0]) for r in group]
        for i in range(days_count):
            cells: list[Any] = [_text(_day_label(group[0].days[i].date))]
            for r, top in zip(group, tops, strict=True):
                d = r.days[i]
                value = _number(d.value) + ("" if d.complete else "~")
                cells += [_text(value), _text(_money(d.cost)), _text(bar(d.value, top, bar_w))]
            table.add_row(*cells)
        table.add_row(*([_text("")] * (1 + 3 * len(group))))
        summary = [
            ("total", [(_number(r.total()), _money(r.total_cost())) for r in group]),
            ("daily avg", [(_number(r.average()), _money(r.average_cost())) for r in group]),
            (f"vs prev {days_count}d", [(_change(r.change()), "") for r in group]),
        ]
        for label, pairs in summary:
            row: list[Any] = [_text(label, style.bold)]
            for a, b in pairs:
                row += [_text(a), _text(b), _text("")]
            table.add_row(*row)
        console.print(table)
        console.print()
    notes = [f"{r.name} {d.date:%a %d}: {d.note}" for r in res for d in r.days if d.note]
    legend = (f"* weekend  ~ not a whole day (left out of averages); daily avg: complete days; vs prev "
              f"{days_count}d: daily average against the {days_count} days before")
    if any(r.tariffs is not None for r in res):
        legend += ("; GBP+SC: the day's energy (the meter's priced half-hours, or estimated where said) plus that "
                   "day's standing charge")
    if any(catalog.is_cost(r.classifier) for r in res):
        legend += "; cost resources (GBP): the meter's own priced half-hours, energy only, no standing charge"
    console.print(_text(legend, style.dim), overflow="fold")
    for note in notes:
        console.print(_text("  " + note, style.dim), overflow="fold")


def _draw_costs(report: Report, console: Any, style: _Style) -> None:
    """Each priced resource's days in GBP: energy, standing charge, total and the effective p/kWh; then its price
    bands when prices differ by time of day."""
    for r in report.resources:
        if r.tariffs is None:
            continue
        console.print()
        console.print(_text(f"{r.name} costs: {r.cost_note()}, plus the standing charge in force each day",
                            style.bold), overflow="fold")
        table = _table(style.bold)
        table.add_column("", no_wrap=True, width=DAY_W)
        for header, width in (("kWh", 9), ("energy", 8), ("standing", 8), ("total", 8), ("p/kWh", 6)):
            table.add_column(header, justify="right", no_wrap=True, width=width)
        for d in r.days:
            c = d.costs
            if c is None:
                continue
            mark = "" if d.complete else "~"
            table.add_row(_text(_day_label(d.date)), _text(_number(c.kwh) + mark),
                          _text(_money(catalog.pence_to_pounds(c.energy))),
                          _text(_money(catalog.pence_to_pounds(c.standing))),
                          _text(_money(catalog.pence_to_pounds(c.total)) + mark),
                          _text(_number(c.effective, 1) if c.effective is not None else ""))
        table.add_row(*([_text("")] * 6))
        effective = r.effective()
        kwh = math.fsum(d.costs.kwh for d in r.days if d.costs is not None and d.costs.kwh is not None)
        table.add_row(_text("total", style.bold), _text(_number(kwh)),
                      _text(_money(r.total_of("energy"))), _text(_money(r.total_of("standing"))),
                      _text(_money(r.total_of("total"))), _text("" if effective is None else _number(effective, 1)))
        console.print(table)
        if r.bands:
            kwh = math.fsum(b.kwh for b in r.bands)
            pence = math.fsum(b.pence for b in r.bands)
            console.print(_text("  price bands (time of use):", style.dim))
            for band in r.bands:
                console.print(_text("    " + band.describe(kwh, pence), style.dim), overflow="fold")


def _chart(values: list[float | None], rows: int, top: float | None = None) -> str:
    """One row of glowline's own bars, or ``rows`` rows drawn by the sparklines package (glowline.tall)."""
    if rows == 1:
        top = max([v for v in values if v is not None] or [0.0]) if top is None else top
        return "".join(sparkline.cell(v, top, sparkline.UNICODE_RAMP) for v in values)
    from glowline import tall

    return "\n".join(tall.rows(values, rows, top=top))


def _draw_profile(report: Report, console: Any, width: int, style: _Style, rows: int = 1) -> None:
    """The average day by hour of day."""
    console.print()
    console.print(_text("average day by hour (complete days)", style.bold))
    table = _table(style.bold, show_header=False)
    table.add_column(no_wrap=True, width=DAY_W)
    table.add_column(no_wrap=True, width=24)
    table.add_column(no_wrap=True, overflow="ellipsis", max_width=max(10, width - DAY_W - 24 - 2))
    table.add_row(_text(""), _text("0     6     12    18    ", style.dim), _text(""))
    for r in report.resources:
        peak = r.peak()
        where = "no complete day yet" if peak is None else \
            f"peak {peak[0]:02d}:00–{(peak[0] + 1) % 24:02d}:00, {_number(peak[1])} {r.unit}/h"
        chart = sparkline.bars(r.profile) if rows == 1 else _chart(list(r.profile), rows)
        table.add_row(_text(r.name), _text(chart, style.of(r)), _text(where))
    console.print(table)


def _draw_each_day(report: Report, console: Any, width: int, style: _Style, rows: int = 1) -> None:
    """Small multiples: every day by hour, one shared scale per resource so days compare."""
    res = report.resources
    console.print()
    console.print(_text("each day by hour (00:00 to 24:00; gaps are not delivered yet)", style.bold))
    spark_w = 25
    side = DAY_W + 1 + len(res) * (spark_w + 1) <= width
    for group in ([res] if side else [[r] for r in res]):
        table = _table(style.bold)
        table.add_column("", no_wrap=True, width=DAY_W)
        for r in group:
            table.add_column(r.name, no_wrap=True, width=spark_w, style=style.of(r))
        tops = [max([v for d in r.days for v in d.hourly if v is not None] or [0.0]) for r in group]
        for i in range(len(res[0].days)):
            row = [_text(_day_label(group[0].days[i].date))]
            for r, top in zip(group, tops, strict=True):
                row.append(_text(_chart(r.days[i].hourly, rows, top)))
            table.add_row(*row)
        console.print(table)


# -- months and years (--month, --year) ------------------------------------------------------------------------


def month_type(text: str) -> date:
    """``--month YYYY-MM``: the month's first day."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        if not text.strip().isascii() or len(text.strip()) != 7:
            raise ValueError(text)
        return date(year, month, 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None


def year_type(text: str) -> int:
    """``--year YYYY``."""
    value = text.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 4 and 2000 <= int(value) <= 2999):
        raise argparse.ArgumentTypeError(f"not a year (YYYY): {text!r}")
    return int(value)


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


# -- a month -------------------------------------------------------------------------------------------------------


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


def build_month(ctx: Context, names: list[str], first: date, gas_unit: GasUnit | None) -> Report:
    """The daily report over the month (to today in the current month), and each resource's Projection."""
    if first > ctx.today:
        raise UsageError(f"--month {first:%Y-%m} is in the future")
    last = min(month_end(first), ctx.today)
    rep = build_range(ctx, names, first, last, gas_unit)
    rep.period = f"{first:%B %Y}"
    rep.projections = [Projection(r, month_end(first).day) for r in rep.resources] \
        if last < month_end(first) else []
    return rep


def draw_month(rep: Report, console: Any, width: int, style: _Style) -> None:
    _draw_heading(rep, console, style)
    _draw_totals(rep, console, width, style)
    console.print()
    what = f"{rep.period}: {len(rep.resources[0].days)} days"
    console.print(_text(f"{what} so far" if rep.projections else what, style.bold), overflow="fold")
    for r in rep.resources:
        line = f"  {r.name}: {_number(r.total())} {r.unit}"
        if r.total_cost() is not None:
            line += f", {_money(r.total_cost())}" + (" with the standing charge" if r.tariffs else "")
        console.print(_text(line), overflow="fold")
    if not rep.projections:
        return
    end = rep.projections[0].days_in_month
    console.print(_text(f"projection to {rep.last:%B} {end}", style.bold), overflow="fold")
    for p in rep.projections:
        if p.value is None:
            console.print(_text(f"  {p.name}: no complete day yet"), overflow="fold")
            continue
        line = f"  {p.name}: {_number(p.value)} {p.unit}"
        if p.cost is not None:
            line += f", {_money(p.cost)}"
        console.print(_text(line), overflow="fold")
    console.print(_text(
        f"method: the average of the month's complete days ({rep.projections[0].complete_days} so far; today and "
        f"days the DCC has not delivered are left out) × the {end} days of the month, for the energy and for the "
        "cost with its standing charge", style.dim), overflow="fold")


def month_json(rep: Report) -> dict[str, Any]:
    doc = as_json(rep)
    doc["month"] = f"{rep.first:%Y-%m}"
    doc["projection"] = {
        p.name: {"method": "complete days' average x days in month", "days_in_month": p.days_in_month,
                 "complete_days": p.complete_days, "value": p.value, "unit": p.unit,
                 "total_gbp": None if p.cost is None else round(p.cost, 4)}
        for p in rep.projections}
    return doc


# -- a year --------------------------------------------------------------------------------------------------------


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


def build_year(ctx: Context, names: list[str], year: int, gas_unit: GasUnit | None) -> Report:
    if date(year, 1, 1) > ctx.today:
        raise UsageError(f"--year {year} is in the future")
    first = date(year - 1, 1, 1)
    last = min(date(year, 12, 31), ctx.today)
    rep = build_range(ctx, names, first, last, gas_unit)
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


def draw_year(rep: Report, console: Any, width: int, style: _Style) -> None:
    console.print(_text(f"glowline report · {rep.site} · {rep.period} by month, beside {int(rep.period) - 1} · "
                              f"{rep.tz_name}", style.bold), overflow="ellipsis", no_wrap=True)
    bar_w = max(4, min(24, width - 51))
    for r in rep.resources:
        rows = rep.rows[r.name]
        console.print()
        table = _table(style.bold)
        table.add_column(f"{r.name}\n", no_wrap=True, width=11, overflow="ellipsis")
        table.add_column(f"\n{r.unit}", justify="right", no_wrap=True, width=9, style=style.of(r))
        table.add_column("\nGBP+SC" if r.tariffs is not None else "", justify="right", no_wrap=True, width=9)
        table.add_column(f"{int(rep.period) - 1}\n{r.unit}", justify="right", no_wrap=True, width=9)
        table.add_column("\nchange", justify="right", no_wrap=True, width=7)
        table.add_column("", no_wrap=True, width=bar_w, overflow="crop", style=style.of(r))
        top = max([v for row in rows for v in (row.month.value, row.before.value) if v is not None] or [0.0])
        for row in rows:
            m = row.month
            value = _number(m.value) + ("" if m.complete or m.value is None else "~")
            table.add_row(*(_text(c) for c in (
                f"{m.first:%b}", value, _money(m.cost), _number(row.before.value),
                _change(row.change()), bar(m.value, top, bar_w))))
        values = [row.month.value for row in rows if row.month.value is not None]
        befores = [row.before.value for row in rows if row.before.value is not None]
        costs = [row.month.cost for row in rows if row.month.cost is not None]
        table.add_row(*(_text(c) for c in ("", "", "", "", "", "")))
        table.add_row(_text("total", style.bold), _text(_number(math.fsum(values) if values
                                                                                  else None)),
                      _text(_money(math.fsum(costs) if costs else None)),
                      _text(_number(math.fsum(befores[:len(values)]) if befores else None)),
                      _text(""), _text(""))
        console.print(table)
    console.print()
    console.print(_text(
        "~ a month not over yet, or not wholly delivered; change: the month's daily average (complete days) against "
        "the same month a year before; the last year's total is of the same months; GBP+SC: energy plus the "
        "standing charge per local day", style.dim), overflow="fold")


def year_json(rep: Report) -> dict[str, Any]:
    doc: dict[str, Any] = {"tz": rep.tz_name, "year": int(rep.period), "resources": {}}
    for r in rep.resources:
        doc["resources"][r.name] = {"unit": r.unit, "months": [
            {"month": f"{row.month.first:%Y-%m}", "value": _r(row.month.value), "total_gbp": _r(row.month.cost),
             "complete": row.month.complete, "last_year": _r(row.before.value),
             "change": None if row.change() is None else round(row.change() or 0.0, 4)}
            for row in rep.rows[r.name]]}
    return doc


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def terminal_width(out: IO[str], given: int | None) -> int:
    """--width, else the terminal's width when ``out`` is one, else 80."""
    if given:
        return given
    try:
        if out.isatty():
            return max(40, shutil.get_terminal_size((80, 24)).columns)
    except (AttributeError, ValueError):
        pass
    return 80


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="a terminal report: daily totals and costs, average day, each day")
    add_common(p)
    p.add_argument("--days", type=number_type(int, 1, MAX_DAYS, "days"), default=None,
                   help=f"how many local days, today included (default {DEFAULT_DAYS})")
    p.add_argument("--width", type=number_type(int, 40, 400, "width"), default=None,
                   help="columns to fit (default: the terminal, or 80)")
    p.add_argument("--rows", type=number_type(int, 1, 4, "rows"), default=1,
                   help="height of the hourly charts in rows, 1 to 4 (default 1)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or json: per day kWh, energy, standing and total GBP, cost source")
    view = p.add_mutually_exclusive_group()
    view.add_argument("--month", nargs="?", type=month_type, const=CURRENT, default=None, metavar="YYYY-MM",
                      help="a month's days, the month so far and a projection to its end (default this month)")
    view.add_argument("--year", nargs="?", type=year_type, const=0, default=None, metavar="YYYY",
                      help="a year by month, beside the same month a year before (default this year)")
    p.add_argument("--svg", default=None, metavar="FILE", help="also save what the terminal shows as an SVG picture")
    p.add_argument("--html", default=None, metavar="FILE", help="also save what the terminal shows as HTML")


def run(args: argparse.Namespace, conf: dict[str, object], out: IO[str] | None = None) -> int:
    """``glowline report``: refresh, sum and draw."""
    return maybe_demo(args, lambda: _report(args, conf, out or sys.stdout))


def _report(args: argparse.Namespace, conf: dict[str, object], out: IO[str]) -> int:
    unit = gas_unit(conf, getattr(args, "gas_unit", None))
    names, explicit = resource_names(args.resource)
    count = args.days or DEFAULT_DAYS
    month, year = getattr(args, "month", None), getattr(args, "year", None)
    if (month is not None or year is not None) and args.days is not None:
        raise UsageError("use either --days or --month/--year, not both")
    draw: Callable[[Report, Any, int, _Style], None] | None = None
    doc: Callable[[Report], dict[str, Any]] = as_json
    with Context(args, conf, RESOURCES[names[0]]) as ctx:
        names = ctx.available(names, explicit)
        if month is not None:
            report = build_month(ctx, names, ctx.today.replace(day=1) if month is CURRENT else month, unit)
            draw, doc = draw_month, month_json
        elif year is not None:
            report = build_year(ctx, names, year or ctx.today.year, unit)
            draw, doc = draw_year, year_json
        else:
            report = build(ctx, names, count, unit)
    if getattr(args, "format", "text") == "json":
        import json

        out.write(json.dumps(doc(report), ensure_ascii=False) + "\n")
        return EXIT_OK
    render(report, out, terminal_width(out, getattr(args, "width", None)), rows=getattr(args, "rows", 1),
           draw=draw, svg=getattr(args, "svg", None), html=getattr(args, "html", None))
    return EXIT_OK
