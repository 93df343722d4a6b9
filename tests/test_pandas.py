"""The README's pandas block run on real exports (`--time utc`, `naive`, `local`) across the October clock change:
every timestamp column is a real datetime, and the daily totals equal `glowline report`'s."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.helpers import ROOT
from tests.test_export import run_export
from tests.test_report import build

FIRST, LAST = date(2026, 10, 24), date(2026, 10, 31)  # 25 October 2026: the clocks go back


def readme_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "october.csv" in b]
    return block


def test_the_readmes_pandas_block_gives_datetimes_and_the_reports_totals(
        account: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if date.today() <= LAST:
        pytest.fail("the emulator's history must reach back past the October clock change")
    assert int(pd.__version__.split(".")[0]) >= 2  # the test extra's pandas (3 leaves mixed offsets as text)
    span = ("--from", FIRST.isoformat(), "--to", LAST.isoformat())
    for name, mode in (("october.csv", "utc"), ("october-naive.csv", "naive"), ("october-local.csv", "local")):
        (tmp_path / name).write_text(run_export(*span, "--time", mode), encoding="utf-8")
    local_text = (tmp_path / "october-local.csv").read_text()
    assert "+01:00" in local_text and "+00:00" in local_text  # the mixed file pandas 3 leaves as text
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {}
    exec(compile(readme_block(), "README.md", "exec"), scope)  # the README's own block
    df, naive, local, daily = scope["df"], scope["naive"], scope["local"], scope["daily"]
    assert str(df["timestamp"].dtype).startswith("datetime64[") and "Europe/London" in str(df["timestamp"].dtype)
    assert str(naive["timestamp"].dtype).startswith("datetime64[") and naive["timestamp"].dt.tz is None
    assert str(local["timestamp"].dtype).startswith("datetime64[") and "Europe/London" in str(local["timestamp"].dtype)
    assert len(df) == len(naive) == len(local) == 8 * 48 + 2  # 25 October has 25 hours
    assert (df["timestamp"] == local["timestamp"]).all()
    assert naive["timestamp"].duplicated().sum() == 2  # 01:00 and 01:30 twice
    assert (naive["timestamp"] == local["timestamp"].dt.tz_localize(None)).all()

    rep = build((date.today() - FIRST).days + 1)
    for resource in rep.resources:
        for day in resource.days:
            if FIRST <= day.date <= LAST:
                got = daily.loc[day.date, f"{resource.name}_kwh"]
                assert day.complete and got == pytest.approx(day.value, abs=1e-6), (resource.name, day.date)
