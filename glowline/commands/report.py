"""``glowline report``: daily totals and costs, the average day by hour, and each day's own shape, in the terminal.

The only module that imports rich (inside functions). Numbers come from the same PT1H cache the status line uses,
summed into local days by glowline.data.readings, so they match ``glowline export --period day``. Costs are the
consumption at the tariff's unit rate plus its daily standing charge. Days the DCC has not fully delivered are
marked as such and left out of averages, never drawn as low use.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from datetime import date, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from glowline import catalog
from glowline.catalog import RESOURCES, GasUnit, gas_unit
from glowline.commands.context import Context, add_common, maybe_demo
from glowline.commands.options import number_type, resource_names
from glowline.data.readings import DayTotal, Series, day_bounds, local_days
from glowline.data.sync import refresh
from glowline.data.tariff import Tariff
from glowline.errors import EXIT_OK
from glowline.status import sparkline
from glowline.status.argv import MAX_DAYS

DEFAULT_DAYS = 14
EIGHTHS = " ▏▎▍▌▋▊▉"


class ReportDay:
    """One local day of one resource as the report shows it: the day's total in API units (DayTotal), and its value
    in the display unit, its cost, its hours and why it is not whole."""

    __slots__ = ("cost", "hourly", "note", "total", "value")

    def __init__(self, total: DayTotal, value: float | None, cost: float | None, hourly: list[float | None],
                 note: str) -> None:
        self.total = total
        self.value = value  # in the display unit (kWh, m3 or GBP)
        self.cost = cost  # GBP: energy at the unit rate plus the standing charge; None without a tariff
        self.hourly = hourly  # display unit per local hour (23, 24 or 25 values), None where not delivered
        self.note = note  # "" or why the day is not whole: "DCC lag: data to 03:30", "gaps"

    @property
    def date(self) -> date:
        return self.total.date

    @property
    def complete(self) -> bool:
        return self.total.complete


class ResourceReport:
    """Everything the report shows for one resource."""

    def __init__(self, name: str, classifier: str, unit: str, tariff: Tariff | None, days: list[ReportDay],
                 previous: list[ReportDay], profile: list[float | None]) -> None:
        self.name = name
        self.classifier = classifier
        self.unit = unit  # display unit: kWh, m3 or GBP
        self.tariff = tariff
        self.days = days
        self.previous = previous
        self.profile = profile  # average per local hour of day 0..23 over the complete days

    def total(self) -> float:
        return math.fsum(d.value for d in self.days if d.value is not None)

    def total_cost(self) -> float | None:
        costs = [d.cost for d in self.days if d.cost is not None]
        return math.fsum(costs) if costs else None

    def average(self, days: list[ReportDay] | None = None) -> float | None:
        """Mean of the complete days (incomplete ones would read as low use)."""
        values = [d.value for d in (self.days if days is None else days) if d.complete and d.value is not None]
        return math.fsum(values) / len(values) if values else None

    def average_cost(self) -> float | None:
        values = [d.cost for d in self.days if d.complete and d.cost is not None]
        return math.fsum(values) / len(values) if values else None

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


# -- building --------------------------------------------------------------------------------------------------


def resource_report(name: str, classifier: str, series: Series, tz: ZoneInfo, today: date, count: int,
                    now: float, tariff: Tariff | None, gas_unit: GasUnit | None) -> ResourceReport:
    """Sum the cached series into ``count`` local days to ``today`` (and the ``count`` before), with costs."""
    unit = catalog.display_unit(classifier, gas_unit)

    def display(value: float | None) -> float | None:
        return catalog.to_display(value, classifier, gas_unit)

    horizon = series.horizon(now)
    pending = series.pending_from()
    priced = tariff is not None and tariff.rate is not None and catalog.is_consumption(classifier)

    def days_of(last: date) -> list[ReportDay]:
        out = []
        for total in local_days(series, day_bounds(last, count, tz), horizon):
            hourly: list[float | None] = []
            for ts in range(total.start, total.end, series.step):
                i = (ts - series.start) // series.step
                raw = series.values[i] if 0 <= i < len(series.values) and ts < pending else None
                hourly.append(display(raw))
            if series.step != 3600:  # half-hourly cache (zones off the whole hour): one cell per hour anyway
                hourly = sparkline.resample(hourly, max(1, (total.end - total.start) // 3600))
            cost = None
            if priced and tariff is not None and tariff.rate is not None:
                cost = ((total.value or 0.0) * tariff.rate + (tariff.standing or 0.0)) / catalog.PENCE_PER_POUND
            note = ""
            if not total.complete:
                if total.end > horizon and total.start <= horizon:
                    note = "DCC lag: data to " + datetime.fromtimestamp(horizon, tz).strftime("%H:%M")
                elif total.start > horizon:
                    note = "not delivered yet"
                else:
                    note = "gaps in the data"
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
    return ResourceReport(name, classifier, unit, tariff, days, previous, profile)


def build(ctx: Context, names: list[str], count: int, gas_unit: GasUnit | None) -> Report:
    """Refresh each resource's cache for twice ``count`` days (this period and the one before) and sum it up."""
    resources = []
    horizons = []
    for name in names:
        classifier = RESOURCES[name]
        series = refresh(ctx.site_key, classifier, 2 * count, ctx.tz_name, now=ctx.now, session=ctx.session).series
        tariff = ctx.tariff(name) if catalog.is_consumption(classifier) else None
        resources.append(resource_report(name, classifier, series, ctx.tz, ctx.today, count, ctx.now, tariff,
                                         gas_unit))
        horizons.append(f"{name} to {datetime.fromtimestamp(series.horizon(ctx.now), ctx.tz):%a %H:%M}")
    first = ctx.today - timedelta(days=count - 1)
    return Report(ctx.site.name, ctx.tz_name, first, ctx.today, resources, ", ".join(horizons))


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


def render(report: Report, out: IO[str], width: int, color: bool | None = None, rows: int = 1) -> None:
    """Draw the report on ``out`` within ``width`` columns, its hourly charts ``rows`` high; no ANSI unless ``out``
    is a colour terminal.

    Piped or redirected, the text is drawn into a buffer first and written without rich's trailing padding.
    """
    import io

    from rich.console import Console

    options: dict[str, Any] = {
        "width": width, "highlight": False, "markup": False, "emoji": False, "soft_wrap": False,
        "no_color": bool(os.environ.get("NO_COLOR")), "force_terminal": color,
        "color_system": "auto" if color is not False else None, "legacy_windows": False,
    }
    console = Console(file=out, **options)
    if console.is_terminal:
        _draw(report, console, width, styled=not options["no_color"], rows=rows)
        return
    buffer = io.StringIO()
    _draw(report, Console(file=buffer, **{**options, "force_terminal": False}), width, styled=False, rows=rows)
    out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


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


def _draw_heading(report: Report, console: Any, style: _Style) -> None:
    res = report.resources
    console.print(_text(f"glowline report · {report.site} · {report.first:%a %d %b} to {report.last:%a %d %b %Y} · "
                        f"{report.tz_name}", style.bold), overflow="ellipsis", no_wrap=True)
    for r in res:
        if r.tariff is not None:
            what = r.tariff.describe() if r.tariff.usable else f"no cost: {r.tariff.source}"
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
            table.add_column("\nGBP+SC" if r.tariff is not None else "", justify="right", no_wrap=True, width=cost_w)
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
    if any(r.tariff is not None for r in res):
        legend += "; GBP+SC: energy at the tariff's unit rate plus the day's standing charge"
    if any(catalog.is_cost(r.classifier) for r in res):
        legend += "; cost resources (GBP): the meter's own priced half-hours, energy only, no standing charge"
    console.print(_text(legend, style.dim), overflow="fold")
    for note in notes:
        console.print(_text("  " + note, style.dim), overflow="fold")


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


def run(args: argparse.Namespace, conf: dict[str, object], out: IO[str] | None = None) -> int:
    """``glowline report``: refresh, sum and draw."""
    return maybe_demo(args, lambda: _report(args, conf, out or sys.stdout))


def _report(args: argparse.Namespace, conf: dict[str, object], out: IO[str]) -> int:
    unit = gas_unit(conf, getattr(args, "gas_unit", None))
    names, explicit = resource_names(args.resource)
    count = args.days or DEFAULT_DAYS
    with Context(args, conf, RESOURCES[names[0]]) as ctx:
        names = ctx.available(names, explicit)
        report = build(ctx, names, count, unit)
    render(report, out, terminal_width(out, getattr(args, "width", None)), rows=getattr(args, "rows", 1))
    return EXIT_OK
