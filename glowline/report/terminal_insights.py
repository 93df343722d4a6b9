"""The report's insights in the terminal: the always-on load, each day beside the same weekday a week before, and
what other tariffs would have cost, within the width."""

from __future__ import annotations

from typing import Any

from glowline import catalog
from glowline.report.cells import DAY_W, Style, cell, change_text, day_label, money, new_table, number
from glowline.report.model import Report, ResourceReport


def draw_baseload(report: Report, console: Any, style: Style) -> None:
    """One line per consumption resource: the always-on load, its range, and what it costs a year."""
    lines = []
    for r in report.resources:
        if r.tariffs is None:
            continue
        watts = r.baseload_w()
        if watts is None:
            lines.append((r, f"{r.name}: no complete day with every half-hour yet"))
            continue
        days = [d.baseload_w for d in r.baseload_days() if d.baseload_w is not None]
        text = f"{r.name}: {watts:,.0f} W (median of {len(days)} days' lowest half-hour, {min(days):,.0f}–" \
            f"{max(days):,.0f} W)"
        year = r.baseload_year()
        if year is not None and r.rate[0] is not None:
            text += f", about {money(year)} a year at {r.rate[0]:.2f}p/kWh ({r.rate[1]})"
        lines.append((r, text))
    if not lines:
        return
    console.print()
    console.print(cell("always-on load (what the house draws when nothing is switched on)", style.bold),
                  overflow="fold")
    for r, text in lines:
        console.print(cell("  " + text, style.of(r)), overflow="fold")
    console.print(cell("each complete day's lowest half-hour as average watts (kWh x 2000): base W in the costs "
                       "above, the median under total; a year: 8,760 hours of it", style.dim), overflow="fold")


def draw_last_week(report: Report, console: Any, width: int, style: Style) -> None:
    """Each day beside the same weekday a week before: side by side when the resources fit, else one table each."""
    res = report.resources
    groups = [res] if DAY_W + sum(_name_w(r) + 9 + 8 for r in res) <= width else [[r] for r in res]
    console.print()
    console.print(cell("each day beside the same day last week", style.bold), overflow="fold")
    for group in groups:
        table = new_table(style.bold)
        table.add_column("", no_wrap=True, width=DAY_W)
        for r in group:
            table.add_column(f"{r.name}\n{r.unit}", justify="right", no_wrap=True, width=_name_w(r), style=style.of(r),
                             overflow="ellipsis")
            table.add_column("\nlast wk", justify="right", no_wrap=True, width=9)
            table.add_column("\nchange", justify="right", no_wrap=True, width=7)
        for i, day in enumerate(group[0].days):
            row = [cell(day_label(day.date))]
            for r in group:
                d = r.days[i]
                before = d.last_week
                row += [cell(number(d.value) + ("" if d.complete else "~")),
                        cell("–" if before is None else number(before.value) + ("" if before.complete else "~")),
                        cell(change_text(d.change_on_last_week()))]
            table.add_row(*row)
        console.print(table)
    console.print(cell("last wk: the same weekday 7 days before; change: only between whole days", style.dim),
                  overflow="fold")


def draw_compare(report: Report, console: Any, width: int, style: Style) -> None:
    """Per consumption resource with other tariffs: each compared day's real cost beside its cost under each, the
    totals and the difference."""
    for r in report.resources:
        if r.compared:
            _compare_table(r, console, width, style)


def _compare_table(r: ResourceReport, console: Any, width: int, style: Style) -> None:
    console.print()
    console.print(cell(f"{r.name}: what other tariffs would have cost (energy plus standing charge, GBP)",
                       style.bold), overflow="fold")
    column = 9
    widths = [min(max(column, len(t.name)), 16) for t in r.compared]
    room, count = width - DAY_W - (column + 1), 0
    while count < len(widths) and room >= widths[count] + 1:
        room -= widths[count] + 1
        count += 1
    shown = r.compared[: max(1, count)]
    table = new_table(style.bold)
    table.add_column("", no_wrap=True, width=DAY_W)
    table.add_column("actual", justify="right", no_wrap=True, width=column)
    for tariff, w in zip(shown, widths, strict=False):
        table.add_column(tariff.name, justify="right", no_wrap=True, width=w, overflow="ellipsis")
    days = r.compare_days()
    for d in days:
        assert d.costs is not None and d.compare is not None
        table.add_row(cell(day_label(d.date)), cell(money(catalog.pence_to_pounds(d.costs.total))),
                      *(cell(money(catalog.pence_to_pounds(d.compare[t.name].total))) for t in shown))
    table.add_row(*([cell("")] * (2 + len(shown))))
    totals = [r.compare_total(t.name) for t in shown]
    real = totals[0][0] if totals else 0.0
    table.add_row(cell(f"total {len(days)}d", style.bold), cell(money(catalog.pence_to_pounds(real))),
                  *(cell(money(catalog.pence_to_pounds(t[3]))) for t in totals))
    table.add_row(cell("difference", style.bold), cell(""),
                  *(cell(_signed(catalog.pence_to_pounds(t[3] - t[0]))) for t in totals))
    console.print(table)
    for tariff in shown:
        console.print(cell("  " + tariff.describe(), style.dim), overflow="fold")
    if len(shown) < len(r.compared):
        console.print(cell(f"  {len(r.compared) - len(shown)} more tariffs do not fit {width} columns: see "
                           "--format json", style.dim), overflow="fold")
    actual = "the meter's priced half-hours" if r.priced else r.cost_note()
    console.print(cell(f"complete days with every half-hour, priced by their local wall time (clock changes "
                       f"included); actual: {actual} plus the standing charge; difference: above 0, the other "
                       "tariff would have cost more", style.dim), overflow="fold")


def _name_w(r: ResourceReport) -> int:
    """The kWh column is headed by the resource's name: as wide as the name, at least 9."""
    return max(9, len(r.name))


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    return f"{'+' if value >= 0 else '-'}£{abs(value):,.2f}"
