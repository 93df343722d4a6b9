"""The report's month (--month: so far and projected to its end) and year (--year: each month beside the same
month a year before) in the terminal."""

from __future__ import annotations

import math
from typing import Any

from glowline.report.cells import Style, bar, cell, change_text, money, new_table, number
from glowline.report.model import Report
from glowline.report.terminal_days import draw_heading, draw_totals
from glowline.report.terminal_insights import draw_baseload, draw_compare


def draw_month(rep: Report, console: Any, width: int, style: Style) -> None:
    draw_heading(rep, console, style)
    draw_totals(rep, console, width, style)
    _draw_month_so_far(rep, console, style)
    draw_baseload(rep, console, style)
    draw_compare(rep, console, width, style)


def _draw_month_so_far(rep: Report, console: Any, style: Style) -> None:
    console.print()
    what = f"{rep.period}: {len(rep.resources[0].days)} days"
    console.print(cell(f"{what} so far" if rep.projections else what, style.bold), overflow="fold")
    for r in rep.resources:
        line = f"  {r.name}: {number(r.total())} {r.unit}"
        if r.total_cost() is not None:
            line += f", {money(r.total_cost())}" + (" with the standing charge" if r.tariffs else "")
        console.print(cell(line), overflow="fold")
    if not rep.projections:
        return
    end = rep.projections[0].days_in_month
    console.print(cell(f"projection to {rep.last:%B} {end}", style.bold), overflow="fold")
    for p in rep.projections:
        if p.value is None:
            console.print(cell(f"  {p.name}: no complete day yet"), overflow="fold")
            continue
        line = f"  {p.name}: {number(p.value)} {p.unit}"
        if p.cost is not None:
            line += f", {money(p.cost)}"
        console.print(cell(line), overflow="fold")
    console.print(cell(
        f"method: the average of the month's complete days ({rep.projections[0].complete_days} so far; today and "
        f"days the DCC has not delivered are left out) × the {end} days of the month, for the energy and for the "
        "cost with its standing charge", style.dim), overflow="fold")


def draw_year(rep: Report, console: Any, width: int, style: Style) -> None:
    console.print(cell(f"glowline report · {rep.site} · {rep.period} by month, beside {int(rep.period) - 1} · "
                              f"{rep.tz_name}", style.bold), overflow="ellipsis", no_wrap=True)
    bar_w = max(4, min(24, width - 51))
    for r in rep.resources:
        rows = rep.rows[r.name]
        console.print()
        table = new_table(style.bold)
        table.add_column(f"{r.name}\n", no_wrap=True, width=11, overflow="ellipsis")
        table.add_column(f"\n{r.unit}", justify="right", no_wrap=True, width=9, style=style.of(r))
        table.add_column("\nGBP+SC" if r.tariffs is not None else "", justify="right", no_wrap=True, width=9)
        table.add_column(f"{int(rep.period) - 1}\n{r.unit}", justify="right", no_wrap=True, width=9)
        table.add_column("\nchange", justify="right", no_wrap=True, width=7)
        table.add_column("", no_wrap=True, width=bar_w, overflow="crop", style=style.of(r))
        top = max([v for row in rows for v in (row.month.value, row.before.value) if v is not None] or [0.0])
        for row in rows:
            m = row.month
            value = number(m.value) + ("" if m.complete or m.value is None else "~")
            table.add_row(*(cell(c) for c in (
                f"{m.first:%b}", value, money(m.cost), number(row.before.value),
                change_text(row.change()), bar(m.value, top, bar_w))))
        values = [row.month.value for row in rows if row.month.value is not None]
        befores = [row.before.value for row in rows if row.before.value is not None]
        costs = [row.month.cost for row in rows if row.month.cost is not None]
        table.add_row(*(cell(c) for c in ("", "", "", "", "", "")))
        table.add_row(cell("total", style.bold), cell(number(math.fsum(values) if values
                                                                                  else None)),
                      cell(money(math.fsum(costs) if costs else None)),
                      cell(number(math.fsum(befores[:len(values)]) if befores else None)),
                      cell(""), cell(""))
        console.print(table)
    console.print()
    console.print(cell(
        "~ a month not over yet, or not wholly delivered; change: the month's daily average (complete days) against "
        "the same month a year before; the last year's total is of the same months; GBP+SC: energy plus the "
        "standing charge per local day", style.dim), overflow="fold")
