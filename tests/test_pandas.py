"""The pandas block of docs/report.md on real exports (`--time local`, `utc`, `naive`) across the March clock change:
every column `parse_dates` names is a real datetime (pandas 3 leaves a column of mixed offsets as text), the daily
totals equal `glowline report`'s, and the autumn's repeated hour is told apart."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.helpers import ROOT
from tests.test_export import run_export
from tests.test_report import build

FIRST, LAST = date(2026, 3, 27), date(2026, 3, 31)  # 29 March 2026: the clocks go forward


def readme_block() -> str:
    readme = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "march.csv" in b]
    return block


def is_datetime(column: Any, zone: str | None) -> bool:
    dtype = str(column.dtype)
    return dtype.startswith("datetime64[") and (zone in dtype if zone else column.dt.tz is None)


def test_the_readmes_pandas_block_gives_datetimes_and_the_reports_totals(
        account: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if date.today() <= LAST:
        pytest.fail("the emulator's history must reach back past the March clock change")
    assert int(pd.__version__.split(".")[0]) >= 3  # the pandas that leaves mixed offsets as text
    for line in readme_block().splitlines():  # the block's own export commands, run for real
        if line.startswith("# glowline export"):
            args = line.split("# glowline export ")[1].split("#")[0].split()
            name = args[args.index("-o") + 1]
            del args[args.index("-o"):args.index("-o") + 2]
            (tmp_path / name).write_text(run_export(*args), encoding="utf-8")
    local_text = (tmp_path / "march.csv").read_text()
    assert local_text.splitlines()[0].startswith("timestamp,timestamp_utc,")
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {}
    exec(compile(readme_block(), "docs/report.md", "exec"), scope)  # the doc's own block
    df, utc, naive, daily = scope["df"], scope["utc"], scope["naive"], scope["daily"]
    assert is_datetime(df["timestamp"], None) and is_datetime(df["timestamp_utc"], "UTC")
    assert is_datetime(df["at"], "Europe/London")
    assert is_datetime(utc["timestamp"], "UTC") and is_datetime(naive["timestamp"], None)
    assert len(df) == len(utc) == len(naive) == 5 * 48 - 2  # 29 March has 23 hours
    assert (df["timestamp_utc"] == utc["timestamp"]).all()
    assert (df["timestamp"] == naive["timestamp"]).all()
    assert (df["at"].dt.tz_localize(None) == df["timestamp"]).all()  # the wall clock is the zone's own

    rep = build((date.today() - FIRST).days + 1)
    for resource in rep.resources:
        for day in resource.days:
            if FIRST <= day.date <= LAST:
                got = daily.loc[day.date, f"{resource.name}_kwh"]
                assert day.complete and got == pytest.approx(day.value, abs=1e-6), (resource.name, day.date)


def test_the_autumn_hour_that_repeats_parses_and_stays_apart(account: Any) -> None:
    text = run_export("--from", "2026-10-24", "--to", "2026-10-26")
    df = pd.read_csv(io.StringIO(text), parse_dates=["timestamp", "timestamp_utc"])
    assert is_datetime(df["timestamp"], None) and is_datetime(df["timestamp_utc"], "UTC")
    assert len(df) == 3 * 48 + 2
    assert df["timestamp"].duplicated().sum() == 2  # 01:00 and 01:30 on the wall clock, twice
    assert not df["timestamp_utc"].duplicated().any()  # two instants each
    assert df["timestamp_utc"].diff().dropna().eq(pd.Timedelta(minutes=30)).all()


@pytest.mark.parametrize("mode", ["local", "utc", "naive"])
def test_the_json_rows_parse_as_datetimes_across_the_clock_change_too(account: Any, mode: str) -> None:
    import json

    doc = json.loads(run_export("--from", "2026-03-28", "--to", "2026-03-30", "--format", "json", "--time", mode))
    df = pd.DataFrame(doc["rows"])
    keys = ["timestamp", "timestamp_utc"] if mode == "local" else ["timestamp"]
    assert [k for k in df.columns if k.startswith("timestamp")] == keys
    for key in keys:  # pandas 3 raises on a column of mixed offsets: none is written
        parsed = pd.to_datetime(df[key])
        assert str(parsed.dtype).startswith("datetime64[")
    assert len(df) == 3 * 48 - 2
