"""The report's days in the terminal: heading, daily totals, costs and price bands, the insights (always-on load,
the same day last week, other tariffs), the average day by hour and each day by hour, within the width."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from glowline import catalog
from glowline.report.cells import (
    DAY_W,
    Style,
    bar,
    cell,
    change_text,
    day_label,
    hour_chart,
    money,
    new_table,
    number,
)
from glowline.report.model import Report
from glowline.report.terminal_insights import draw_baseload, draw_compare, draw_last_week
from glowline.status import formats


def draw_days(report: Report, console: Any, width: int, styled: bool, rows: int = 1) -> None:
    style = Style(styled)
    draw_heading(report, console, style)
    draw_totals(report, console, width, style)
    draw_costs(report, console, style)
    draw_baseload(report, console, style)
    draw_last_week(report, console, width, style)
    draw_compare(report, console, width, style)
    draw_profile(report, console, width, style, rows)
    draw_each_day(report, console, width, style, rows)
    console.print()
    console.print(cell(f"delivered: {report.horizon_text}", style.dim), overflow="fold")


def span_text(first: date, last: date) -> str:
    """ "Mon 01 Dec to Thu 04 Dec 2026"; the first day's year too when it is another ("Fri 31 Oct 2025 to ...")."""
    start = f"{first:%a %d %b}" if first.year == last.year else f"{first:%a %d %b %Y}"
    return f"{start} to {last:%a %d %b %Y}"


def draw_heading(report: Report, console: Any, style: Style) -> None:
    res = report.resources
    console.print(cell(f"glowline report · {report.site} · {span_text(report.first, report.last)} · "
                        f"{report.tz_name}", style.bold), overflow="ellipsis", no_wrap=True)
    for r in res:
        if r.tariffs is not None:
            what = f"{r.cost_note()}; {r.tariffs.describe()} ({r.tariffs.source})"
            console.print(cell(f"{r.name}: {what}", style.dim), overflow="fold")
    if any(r.unit == "m3" for r in res):
        console.print(cell("gas volume: m3 = kWh x 3.6 / calorific value / correction factor (config [gas])",
                            style.dim), overflow="fold")


def draw_totals(report: Report, console: Any, width: int, style: Style) -> None:
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
        table = new_table(style.bold)
        table.add_column("daily\ntotals", no_wrap=True, width=DAY_W)
        for r in group:
            table.add_column(f"\n{r.unit}", justify="right", no_wrap=True, width=9, style=style.of(r))
            # the cost column says what it holds: energy plus the standing charge; a cost resource's own column is
            # already GBP (the meter's priced half-hours, energy only), so it has none
            table.add_column("\nGBP+SC" if r.tariffs is not None else "", justify="right", no_wrap=True, width=cost_w)
            table.add_column(f"{r.name}\n", no_wrap=True, width=bar_w, overflow="crop", style=style.of(r))
        tops = [max([d.value for d in r.days if d.value is not None] or [0.0]) for r in group]
        for i in range(days_count):
            cells: list[Any] = [cell(day_label(group[0].days[i].date))]
            for r, top in zip(group, tops, strict=True):
                d = r.days[i]
                value = number(d.value) + ("" if d.complete else "~") + ("m" if d.from_meter else "")
                cells += [cell(value), cell(money(d.cost)), cell(bar(d.value, top, bar_w))]
            table.add_row(*cells)
        table.add_row(*([cell("")] * (1 + 3 * len(group))))
        summary = [
            ("total", [(number(r.total()), money(r.total_cost())) for r in group]),
            ("daily avg", [(number(r.average()), money(r.average_cost())) for r in group]),
            (f"vs prev {days_count}d", [(change_text(r.change()), "") for r in group]),
        ]
        for label, pairs in summary:
            row: list[Any] = [cell(label, style.bold)]
            for a, b in pairs:
                row += [cell(a), cell(b), cell("")]
            table.add_row(*row)
        console.print(table)
        console.print()
    notes = [f"{r.name} {d.date:%a %d}: {d.note}" for r in res for d in r.days if d.note]
    legend = (f"* weekend  ~ not a whole day (left out of averages); daily avg: complete days; vs prev "
              f"{days_count}d: daily average against the {days_count} days before")
    if any(d.from_meter for r in res for d in r.days):
        legend += "; m: with the meter's register for the hours the DCC has not delivered yet (its cost is not)"
    if any(r.tariffs is not None for r in res):
        legend += ("; GBP+SC: the day's energy (the meter's priced half-hours, or estimated where said) plus that "
                   "day's standing charge")
    if any(catalog.is_cost(r.classifier) for r in res):
        legend += "; cost resources (GBP): the meter's own priced half-hours, energy only, no standing charge"
    console.print(cell(legend, style.dim), overflow="fold")
    for note in notes:
        console.print(cell("  " + note, style.dim), overflow="fold")


def draw_costs(report: Report, console: Any, style: Style) -> None:
    """Each priced resource's days in GBP: energy, standing charge, total and the effective p/kWh; then its price
    bands when prices differ by time of day."""
    for r in report.resources:
        if r.tariffs is None:
            continue
        console.print()
        console.print(cell(f"{r.name} costs: {r.cost_note()}, plus the standing charge in force each day",
                            style.bold), overflow="fold")
        table = new_table(style.bold)
        table.add_column("", no_wrap=True, width=DAY_W)
        base = r.baseload_w() is not None  # each day's always-on load beside its costs
        columns = [("kWh", 9), ("energy", 8), ("standing", 8), ("total", 8), ("p/kWh", 6)] + \
            ([("base W", 7)] if base else [])
        for header, width in columns:
            table.add_column(header, justify="right", no_wrap=True, width=width)
        for d in r.days:
            c = d.costs
            if c is None:
                continue
            mark = "" if d.complete else "~"
            table.add_row(cell(day_label(d.date)), cell(number(c.kwh) + mark),
                          cell(money(catalog.pence_to_pounds(c.energy))),
                          cell(money(catalog.pence_to_pounds(c.standing))),
                          cell(money(catalog.pence_to_pounds(c.total)) + mark),
                          cell(number(c.effective, 1) if c.effective is not None else ""),
                          *([cell(number(d.baseload_w, 0))] if base else []))
        table.add_row(*([cell("")] * (1 + len(columns))))
        effective = r.effective()
        kwh = math.fsum(d.costs.kwh for d in r.days if d.costs is not None and d.costs.kwh is not None)
        table.add_row(cell("total", style.bold), cell(number(kwh)),
                      cell(money(r.total_of("energy"))), cell(money(r.total_of("standing"))),
                      cell(money(r.total_of("total"))), cell("" if effective is None else number(effective, 1)),
                      *([cell(number(r.baseload_w(), 0))] if base else []))
        console.print(table)
        if r.bands:
            kwh = math.fsum(b.kwh for b in r.bands)
            pence = math.fsum(b.pence for b in r.bands)
            console.print(cell("  price bands (time of use):", style.dim))
            for band in r.bands:
                console.print(cell("    " + band.describe(kwh, pence), style.dim), overflow="fold")


def draw_profile(report: Report, console: Any, width: int, style: Style, rows: int = 1) -> None:
    """The average day by hour of day."""
    console.print()
    console.print(cell("average day by hour (complete days)", style.bold))
    table = new_table(style.bold, show_header=False)
    table.add_column(no_wrap=True, width=DAY_W)
    table.add_column(no_wrap=True, width=24)
    table.add_column(no_wrap=True, overflow="ellipsis", max_width=max(10, width - DAY_W - 24 - 2))
    table.add_row(cell(""), cell("0     6     12    18    ", style.dim), cell(""))
    for r in report.resources:
        peak = r.peak()
        where = "no complete day yet" if peak is None else \
            f"peak {peak[0]:02d}:00–{(peak[0] + 1) % 24:02d}:00, {number(peak[1])} {r.unit}/h"
        chart = formats.bars(r.profile) if rows == 1 else hour_chart(list(r.profile), rows)
        table.add_row(cell(r.name), cell(chart, style.of(r)), cell(where))
    console.print(table)


def draw_each_day(report: Report, console: Any, width: int, style: Style, rows: int = 1) -> None:
    """Small multiples: every day by hour, one shared scale per resource so days compare."""
    res = report.resources
    console.print()
    console.print(cell("each day by hour (00:00 to 24:00; gaps are not delivered yet)", style.bold))
    spark_w = 25
    side = DAY_W + 1 + len(res) * (spark_w + 1) <= width
    for group in ([res] if side else [[r] for r in res]):
        table = new_table(style.bold)
        table.add_column("", no_wrap=True, width=DAY_W)
        for r in group:
            table.add_column(r.name, no_wrap=True, width=spark_w, style=style.of(r))
        tops = [max([v for d in r.days for v in d.hourly if v is not None] or [0.0]) for r in group]
        for i in range(len(res[0].days)):
            row = [cell(day_label(group[0].days[i].date))]
            for r, top in zip(group, tops, strict=True):
                row.append(cell(hour_chart(r.days[i].hourly, rows, top)))
            table.add_row(*row)
        console.print(table)
