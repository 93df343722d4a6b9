"""`glowline report` against the emulator: its numbers equal the export's, it fits the width, and piped or with
NO_COLOR it carries no ANSI."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from glowline.catalog import GasUnit
from glowline.commands import report
from glowline.commands.context import Context
from glowline.report import build as report_build
from glowline.report import terminal as report_terminal
from glowline.report.model import Report
from tests.test_export import number, run_export, table
from tests.test_tariff import parse_args


def build(days: int = 10) -> Report:
    args = parse_args("report", "--days", str(days))
    with Context(args, {}, "electricity.consumption") as ctx:
        return report_build.build(ctx, ["electricity", "gas"], days, GasUnit())


def draw(rep: Report, width: int = 80, color: bool | None = None) -> str:
    out = io.StringIO()
    report_terminal.render(rep, out, width, color)
    return out.getvalue()


def test_report_numbers_equal_the_export(account: Any) -> None:
    rep = build(10)
    _, rows = table(run_export("--days", "10", "--period", "day"))
    assert len(rows) == 10
    text = draw(rep)
    for r in rep.resources:
        assert [d.date.isoformat() for d in r.days] == [row["timestamp"][:10] for row in rows]
        for d, row in zip(r.days, rows, strict=True):
            exported = number(row[f"{r.name}_kwh"])
            if d.complete:
                assert d.value == pytest.approx(exported, abs=1e-7)
                assert f"{d.value:,.2f}" in text
            gbp = number(row[f"{r.name}_gbp"])
            standing = number(row[f"{r.name}_standing_gbp"])
            assert d.costs is not None and standing is not None
            assert d.costs.standing == pytest.approx(standing * 100, abs=1e-7)
            if d.complete and gbp is not None:  # the report adds the day's standing charge to the energy cost
                assert d.cost == pytest.approx(gbp + standing, abs=1e-5)
                assert d.cost == pytest.approx(number(row[f"{r.name}_total_gbp"]), abs=1e-5)
        assert f"{r.total():,.2f}" in text
        assert not r.days[-1].complete  # today: the DCC lags
        assert "DCC lag" in r.days[-1].note
        assert r.previous and r.change() is not None
        peak = r.peak()
        assert peak is not None
        assert f"peak {peak[0]:02d}:00" in text


def test_true_values_per_day(account: Any) -> None:
    rep = build(4)
    for r, classifier in zip(rep.resources, ("electricity.consumption", "gas.consumption"), strict=True):
        rid = account.resource_id("DCC Sourced", classifier)
        for d in r.days[:-1]:
            start = int(datetime(d.date.year, d.date.month, d.date.day, tzinfo=report_tz()).timestamp())
            truth = account.half_hours(rid, start, start + 86400)
            assert d.complete
            assert d.value == pytest.approx(sum(v for _, v in truth if v), abs=1e-7)


def report_tz() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


@pytest.mark.parametrize("width", [80, 60, 120])
def test_fits_the_width_and_has_no_ansi_when_piped(account: Any, width: int) -> None:
    text = draw(build(14), width)
    lines = text.splitlines()
    assert len(lines) > 30
    assert max(cell_len(line) for line in lines) <= width
    assert "\x1b" not in text
    assert "electricity" in text and "gas" in text and "Sat" in text and " *" in text


def test_no_color_even_on_a_terminal(account: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rep = build(5)
    assert "\x1b[" in draw(rep, 80, color=True)  # a terminal does get styles...
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in draw(rep, 80, color=True)  # ...unless NO_COLOR is set


def test_run_with_demo(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--demo``: the in-process emulator and throwaway folders, undone afterwards."""
    import os

    args = parse_args("report", "--demo", "--days", "7", "--width", "80")
    assert report.run(args, {}) == 0
    text = capsys.readouterr().out
    assert "glowline report · DCC Sourced" in text
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert "\x1b" not in text
    assert "GLOWLINE_API_URL" not in os.environ
    assert not any((home / ".cache").iterdir())  # nothing written to the user's cache
