"""`report --heatmap`: days by local wall-clock hour as shaded cells, each cell held against the emulator's own
half-hours across both clock changes (the repeated hour at the mean of its two, the skipped hour marked), within 80
columns, plain ASCII when piped and shades on a terminal."""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime, timedelta

import pytest
from rich.cells import cell_len

from glowline.emulator import Emulator
from glowline.errors import UsageError
from tests.test_costs import AUTUMN, HOME, LONDON, SPRING, midnight
from tests.test_insights import clocked_emulator, run_report
from tests.test_tariff import parse_args

_clocked = pytest.fixture(clocked_emulator, name="clocked")

ROW = re.compile(r"^(\w\w\w \d\d \w\w\w)(?: \*|  ) (.{48})\s+([\d.,]+)~?$")


def wall_hours(emu: Emulator, day: date) -> list[float | None]:
    """The test's own: kWh per local wall-clock hour from the emulator's half-hours; a repeated hour's mean, None
    for a skipped one."""
    rid = emu.resource_id(HOME, "electricity.consumption")
    by_hour: dict[int, list[float]] = {}
    for ts, value in emu.half_hours(rid, midnight(day), midnight(day + timedelta(days=1))):
        assert value is not None
        local = datetime.fromtimestamp(ts, LONDON)
        by_hour.setdefault(local.hour, []).append(value)
    return [None if h not in by_hour else math.fsum(by_hour[h]) / (len(by_hour[h]) / 2) for h in range(24)]


def expected_row(hours: list[float | None], low: float, top: float) -> str:
    out = []
    for value in hours:
        if value is None:
            out.append("xx")
            continue
        level = next((n for n in range(1, 5) if value <= low + (top - low) * n / 4 + 1e-9), 4)
        out.append(" .:+#"[level] * 2 if value > 0 else "  ")
    return "".join(out)


@pytest.mark.parametrize("clocked, month, clock_day", [(AUTUMN, "2026-10", date(2026, 10, 25)),
                                                       (SPRING, "2026-03", date(2026, 3, 29))],
                         indirect=["clocked"], ids=["october", "march"])
def test_each_cell_is_the_wall_clock_hour(clocked: Emulator, month: str, clock_day: date) -> None:
    text = run_report("--month", month, "--heatmap", "--resource", "electricity", "--width", "80")
    assert "\x1b" not in text
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    heatmap = text.split("by hour of day", 1)[1].split("delivered:", 1)[0]
    assert heatmap.isascii()  # piped: plain characters
    rows = {m.group(1): (m.group(2), m.group(3)) for m in map(ROW.match, text.splitlines()) if m}
    first = date.fromisoformat(month + "-01")
    days = [first + timedelta(days=n) for n in range(31)]
    truth = {day: wall_hours(clocked, day) for day in days}
    used = [v for hours in truth.values() for v in hours if v is not None and v > 0]
    low, top = min(used), max(used)
    assert len(rows) == 31
    for day in days:
        cells, total = rows[f"{day:%a %d %b}"]
        assert cells == expected_row(truth[day], low, top), day
        rid = clocked.resource_id(HOME, "electricity.consumption")
        kwh = math.fsum(v or 0.0 for _, v in clocked.half_hours(rid, midnight(day), midnight(day + timedelta(days=1))))
        assert abs(float(total.replace(",", "")) - kwh) <= 0.005 + 1e-9  # the day's kWh, to the 2 decimals shown
    clock_cells = rows[f"{clock_day:%a %d %b}"][0]
    words = " ".join(text.split())
    if clock_day.month == 3:
        assert clock_cells[2:4] == "xx" and "no such hour" in words  # 01:00 did not happen
    else:
        assert "x" not in clock_cells and "mean of its two hours" in words  # 01:00 happened twice


@pytest.mark.parametrize("clocked", [SPRING], indirect=True)
def test_a_terminal_gets_shades_and_narrow_widths_fit(clocked: Emulator) -> None:
    from glowline.report.terminal import render
    from glowline.report.terminal_heatmap import draw_heatmap

    out = io.StringIO()
    from glowline.catalog import GasUnit
    from glowline.commands.context import Context
    from glowline.report.build import build

    with Context(parse_args("report"), {}, "electricity.consumption") as ctx:
        rep = build(ctx, ["electricity", "gas"], 16, GasUnit(), half_hourly=False)
    render(rep, out, 80, color=True, draw=draw_heatmap)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert "█" in plain and "░" in plain and "×" in plain  # the skipped hour of 29 March
    for width in (40, 60, 80):
        out = io.StringIO()
        render(rep, out, width, draw=draw_heatmap)
        lines = out.getvalue().splitlines()
        assert max(cell_len(line) for line in lines) <= width, width
        assert sum(1 for line in lines if line.startswith("Sun 29 Mar")) == 2  # electricity and gas


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
def test_heatmap_is_for_days(clocked: Emulator) -> None:
    with pytest.raises(UsageError, match="--heatmap draws days"):
        run_report("--year", "2026", "--heatmap")
