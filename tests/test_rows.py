"""Taller sparklines where there is room: `--format motd --rows 1..4` and `report --rows`, drawn by the sparklines
package with its input cleaned (NaN and all-zero series), in real processes; one row never imports it."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from glowline import tall
from tests.helpers import ROOT, glowline_env, run

BLOCKS = set(" ▁▂▃▄▅▆▇█")


@pytest.fixture
def warm(home: Path, emulator: Any) -> dict[str, str]:
    env = glowline_env(home, emulator)
    assert run(env, "fetch", "--days", "10").returncode == 0
    return env


def imports(env: dict[str, str], *args: str) -> tuple[str, set[str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "bin" / "glowline"), *args], env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return proc.stdout, modules


@pytest.mark.parametrize("rows", [2, 3, 4])
def test_motd_rows(warm: dict[str, str], rows: int) -> None:
    out, modules = imports(warm, "--format", "motd", "--rows", str(rows))
    lines = out.split("\n")
    assert lines[0] == "" and lines[-1] == "" and len(lines) == 2 + 1 + rows, out
    assert lines[1].startswith("Electricity, last 10 days: ") and "kWh" in lines[1]
    bars = lines[2:2 + rows]
    assert all(row.startswith("  ") and set(row[2:].rstrip("…")) <= BLOCKS for row in bars), bars
    assert max(len(row[2:].rstrip("…")) for row in bars) == 10  # one column per day
    assert "█" in "".join(bars) and "\x1b" not in out
    assert "sparklines" in modules


def test_one_row_keeps_glowlines_own_scaler(warm: dict[str, str]) -> None:
    for fmt in ("motd", "plain", "tmux"):
        _out, modules = imports(warm, "--format", fmt, "--rows", "1")
        assert "sparklines" not in modules and "glowline.tall" not in modules, fmt
    single, _ = imports(warm, "--format", "motd")
    assert single.count("\n") == 2 and imports(warm, "--format", "motd", "--rows", "1")[0] == single


def test_rows_out_of_range_is_one_line(warm: dict[str, str]) -> None:
    proc = run(warm, "--rows", "5")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "from 1 to 4" in proc.stderr


def test_report_rows(warm: dict[str, str]) -> None:
    one = run(warm, "report", "--days", "3", "--rows", "1", "--width", "80")
    three = run(warm, "report", "--days", "3", "--rows", "3", "--width", "80")
    assert one.returncode == 0 and three.returncode == 0, three.stderr

    def profile(text: str) -> list[str]:
        section = text.split("average day by hour (complete days)\n", 1)[1].split("\n\n", 1)[0]
        return section.splitlines()[1:]  # below the hour axis

    assert len(profile(one.stdout)) == 2 and len(profile(three.stdout)) == 6  # electricity, gas: 1 or 3 rows each
    assert profile(three.stdout)[0].startswith("electricity") and "peak" in profile(three.stdout)[0]
    assert profile(three.stdout)[3].startswith("gas")


def test_the_package_needs_clean_input_and_gets_it() -> None:
    from sparklines import sparklines

    with pytest.raises(ValueError):
        sparklines([1.0, math.nan, 2.0], num_lines=2)  # why glowline.tall cleans its input
    assert sparklines([0.0, 0.0], num_lines=2, minimum=0.0)[-1].strip() != "▁▁"  # draws zeros as bars
    assert tall.rows([1.0, math.nan, None, 2.0], 2)[-1][1:3] == "  "  # gaps are blank columns
    assert tall.rows([0.0, None, 0.0], 3) == ["   ", "   ", "▁ ▁"]  # all zero: a flat baseline
    assert tall.rows([0.0, 0.0], 2, ascii=True) == ["  ", "__"]
    assert tall.rows([1.0, 1.0], 2, top=2.0)[0] == "  " and tall.rows([1.0, 1.0], 2)[0] == "██"  # a shared top
    assert all(len(row) == 4 for row in tall.rows([1, 2, 3, 4], 4))
