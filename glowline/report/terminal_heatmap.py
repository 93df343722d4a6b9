"""``report --heatmap``: days (rows) by hour of the day (columns, local wall time) as shaded cells with a legend,
within the width; plain ASCII characters when not drawn on a terminal (piped, redirected).

Hours are the meter's local wall-clock hours: on the 25-hour day the hour the clocks repeat (01:00) holds two real
hours and is drawn at their mean rate; on the 23-hour day the skipped hour is marked as not there, never as zero.
An hour not delivered yet is marked apart from an hour of no use.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from glowline.report.cells import DAY_W, Style, cell, day_label, number
from glowline.report.model import Report, ReportDay, ResourceReport
from glowline.report.terminal_days import draw_heading

#: no use, then four shades up to the largest hour shown
SHADES = " ░▒▓█"
PLAIN_SHADES = " .:+#"
#: an hour not delivered yet; an hour that did not exist (clocks went forward)
UNDELIVERED, PLAIN_UNDELIVERED = "·", "?"
SKIPPED, PLAIN_SKIPPED = "×", "x"
NO_SUCH_HOUR = math.nan


def wall_hours(day: ReportDay, tz: ZoneInfo) -> list[float | None]:
    """The day's use per local wall-clock hour 00..23 (display unit per hour): a repeated hour at the mean of its
    two, None where not delivered, NO_SUCH_HOUR (nan) for an hour the clocks skipped."""
    seen: dict[int, list[float | None]] = {}
    for n, value in enumerate(day.hourly):
        hour = datetime.fromtimestamp(day.total.start + n * 3600, tz).hour
        seen.setdefault(hour, []).append(value)
    out: list[float | None] = []
    for hour in range(24):
        values = seen.get(hour)
        if values is None:
            out.append(NO_SUCH_HOUR)
        elif any(v is None for v in values):
            out.append(None)
        else:
            out.append(math.fsum(v for v in values if v is not None) / len(values))
    return out


def levels(low: float, top: float, count: int) -> list[float]:
    """The upper bounds of the ``count`` shades from the quietest hour ``low`` to the busiest ``top`` (in equal
    steps: the always-on floor is the lightest shade, the peak the darkest)."""
    return [low + (top - low) * n / count for n in range(1, count + 1)]


def shade(value: float | None, bounds: list[float], plain: bool) -> str:
    """The cell's character: blank for no use, else the first shade whose bound holds it; the marks for an
    undelivered and a skipped hour."""
    if value is None:
        return PLAIN_UNDELIVERED if plain else UNDELIVERED
    if math.isnan(value):
        return PLAIN_SKIPPED if plain else SKIPPED
    ramp = PLAIN_SHADES if plain else SHADES
    if value <= 0:
        return ramp[0]
    for n, bound in enumerate(bounds, 1):
        if value <= bound + 1e-12:
            return ramp[n]
    return ramp[-1]


def draw_heatmap(report: Report, console: Any, width: int, style: Style) -> None:
    draw_heading(report, console, style)
    tz = ZoneInfo(report.tz_name)
    plain = not console.is_terminal
    for r in report.resources:
        _draw_one(r, console, width, style, tz, plain)
    console.print()
    console.print(cell(f"delivered: {report.horizon_text}", style.dim), overflow="fold")


def _draw_one(r: ResourceReport, console: Any, width: int, style: Style, tz: ZoneInfo, plain: bool) -> None:
    cell_w = 2 if width >= DAY_W + 1 + 48 else 1
    with_total = DAY_W + 1 + 24 * cell_w + 10 <= width
    rows = [(d, wall_hours(d, tz)) for d in r.days]
    used = [v for _, hours in rows for v in hours if v is not None and not math.isnan(v) and v > 0]
    ramp = PLAIN_SHADES if plain else SHADES
    bounds = levels(min(used, default=0.0), max(used, default=0.0), len(ramp) - 1)
    console.print()
    console.print(cell(f"{r.name} by hour of day ({r.unit} per hour, local time)", style.bold), overflow="fold")
    every = 3 if cell_w == 2 else 6  # a label every 6 columns
    labels = "".join(f"{h:02d}".ljust(6) for h in range(0, 24, every))
    header = " " * (DAY_W + 1) + labels.rstrip()
    if with_total:
        header = header.ljust(DAY_W + 1 + 24 * cell_w) + f"{r.unit:>10}"
    console.print(cell(header, style.dim), overflow="crop", no_wrap=True)
    for d, hours in rows:
        line = day_label(d.date).ljust(DAY_W) + " " + "".join(shade(v, bounds, plain) * cell_w for v in hours)
        if with_total:
            line += f"{number(d.value) + ('' if d.complete else '~'):>10}"
        console.print(cell(line, style.of(r)), overflow="crop", no_wrap=True)
    low = min(used, default=0.0)
    dash = "-" if plain else "–"
    legend = "  ".join(f"{c} {number(a)}{dash}{number(b)}" for c, a, b in zip(ramp[1:], [low, *bounds], bounds,
                                                                              strict=False))
    legend += f" {r.unit}/h  (blank: none)"
    hours_seen = [v for _, hours in rows for v in hours]
    if any(v is None for v in hours_seen):
        legend += f"  {PLAIN_UNDELIVERED if plain else UNDELIVERED} not delivered yet"
    if any(v is not None and math.isnan(v) for v in hours_seen):
        legend += f"  {PLAIN_SKIPPED if plain else SKIPPED} no such hour (the clocks went forward)"
    console.print(cell(legend, style.dim), overflow="fold")
    if any(len(d.hourly) > 24 for d, _ in rows):
        console.print(cell("the hour the clocks went back is drawn at the mean of its two hours", style.dim),
                      overflow="fold")
