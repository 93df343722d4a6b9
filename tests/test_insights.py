"""The report's insights, each number held against the emulator's own half-hours across a clock change: the always-on
load (each complete day's lowest half-hour as watts, their median, its cost a year), each day beside the same weekday
a week before, and what other tariffs from config.toml would have cost, to the penny, in local wall time."""

from __future__ import annotations

import io
import json
import math
import statistics
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.cells import cell_len

from glowline.commands import report
from glowline.emulator import Emulator, household
from glowline.errors import ConfigError, UsageError
from tests.helpers import frozen_emulator
from tests.test_costs import AUTUMN, HOME, LONDON, SPRING, midnight
from tests.test_tariff import parse_args

TARIFFS = {
    "cheapnight": {"standing": 45.0, "bands": [{"from": "00:30", "to": "05:30", "rate": 8.5},
                                               {"from": "05:30", "to": "00:30", "rate": 29.0}]},
    "flat30": {"standing": 40.0, "rate": 30.0},
}
CONF: dict[str, object] = {"tariffs": TARIFFS}


def clocked_emulator(home: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
                     ) -> Iterator[Emulator]:
    """An emulator whose clock stands still at ``request.param``, logged in through GLOWLINE_* variables; the
    report's own clock is patched to the same instant."""
    now = float(request.param)
    monkeypatch.setattr("glowline.commands.context.time", SimpleNamespace(time=lambda: now))  # Context's clock only
    with frozen_emulator(now, monkeypatch) as emu:
        yield emu


_clocked = pytest.fixture(clocked_emulator, name="clocked")


def run_report(*argv: str, conf: dict[str, object] | None = None) -> str:
    out = io.StringIO()
    assert report.run(parse_args("report", *argv), CONF if conf is None else conf, out) == 0
    return out.getvalue()


def report_json(*argv: str) -> dict[str, Any]:
    return json.loads(run_report("--format", "json", *argv))


def halves(emu: Emulator, classifier: str, day: date) -> list[tuple[int, float | None]]:
    rid = emu.resource_id(HOME, classifier)
    return emu.half_hours(rid, midnight(day), midnight(day + timedelta(days=1)))


def wall_rate(ts: int, bands: list[tuple[int, int, float]]) -> float:
    """The test's own band lookup: minutes since local midnight on the wall clock, bands [from, to) wrapping."""
    local = datetime.fromtimestamp(ts, LONDON)
    minute = local.hour * 60 + local.minute
    for a, b, rate in bands:
        if (a <= minute < b) if a < b else (minute >= a or minute < b):
            return rate
    raise AssertionError(minute)


CHEAPNIGHT = [(30, 330, 8.5), (330, 30, 29.0)]
FLAT30 = [(0, 1440, 30.0)]


@pytest.mark.parametrize("clocked", [AUTUMN, SPRING], indirect=True, ids=["october", "march"])
def test_baseload_and_last_week_are_the_half_hours(clocked: Emulator) -> None:
    doc = report_json("--days", "40")
    clock_day = date(2026, 10, 25) if clocked.now() == AUTUMN else date(2026, 3, 29)
    for name in ("electricity", "gas"):
        res = doc["resources"][name]
        per_day = []
        for d in res["days"]:
            day = date.fromisoformat(d["date"])
            truth = halves(clocked, f"{name}.consumption", day)
            if d["complete"]:
                assert all(v is not None for _, v in truth)
                expected = min(v for _, v in truth if v is not None) * 2000
                assert d["baseload_w"] == pytest.approx(expected, abs=1e-6)
                per_day.append(expected)
                if day == clock_day:
                    assert len(truth) == (50 if clocked.now() == AUTUMN else 46)
            else:
                assert d["baseload_w"] is None
            before = day - timedelta(days=7)
            week = halves(clocked, f"{name}.consumption", before)
            last = d["same_day_last_week"]
            assert last["date"] == before.isoformat() and last["complete"] is True
            kwh = math.fsum(v for _, v in week if v is not None)
            assert last["kwh"] == pytest.approx(round(kwh, 3), abs=1e-9)
            if d["complete"]:
                now_kwh = math.fsum(v for _, v in truth if v is not None)
                assert last["change"] == pytest.approx(round((now_kwh - kwh) / kwh, 4), abs=1e-4)
            else:
                assert last["change"] is None
        assert clock_day in {date.fromisoformat(d["date"]) for d in res["days"] if d["baseload_w"] is not None}
        assert len(per_day) >= 38
        assert res["baseload_w"] == pytest.approx(statistics.median(per_day), abs=1e-6)
        assert res["baseload_days"] == len(per_day)
        # the tariff in force on the last day (after the price change); the time-of-use electricity's two rates
        # averaged over the day's hours (cheap NIGHT_HOURS), as an always-on load draws alike all day
        night = household.NIGHT_HOURS[1] - household.NIGHT_HOURS[0]
        rate = (night * household.ELECTRICITY_NIGHT_RATE_CENTIPENCE + (24 - night) *
                household.ELECTRICITY_RATE_CENTIPENCE) / 24 / 100 if name == "electricity" else \
            household.GAS_RATE_CENTIPENCE / 100
        assert res["baseload_rate_p_per_kwh"] == pytest.approx(round(rate, 4), abs=1e-9)
        assert res["baseload_gbp_per_year"] == pytest.approx(
            round(statistics.median(per_day) / 1000 * 8760 * rate / 100, 2), abs=0.006)


@pytest.mark.parametrize("clocked", [AUTUMN, SPRING], indirect=True, ids=["october", "march"])
def test_compare_prices_each_complete_day_to_the_penny_in_wall_time(clocked: Emulator) -> None:
    doc = report_json("--days", "40", "--compare", "cheapnight,flat30")
    clock_day = date(2026, 10, 25) if clocked.now() == AUTUMN else date(2026, 3, 29)
    res = doc["resources"]["electricity"]
    assert "compare" not in doc["resources"]["gas"]  # both tariffs are electricity's (the default)
    compared = [d for d in res["days"] if d["compare"] is not None]
    assert len(compared) >= 38 and clock_day.isoformat() in {d["date"] for d in compared}
    assert all(d["complete"] for d in compared)
    assert all(d["compare"] is None for d in res["days"] if not d["complete"])
    sums = {"cheapnight": 0.0, "flat30": 0.0}
    for d in compared:
        truth = halves(clocked, "electricity.consumption", date.fromisoformat(d["date"]))
        for name, bands, standing in (("cheapnight", CHEAPNIGHT, 45.0), ("flat30", FLAT30, 40.0)):
            energy = math.fsum(v * wall_rate(ts, bands) for ts, v in truth if v is not None) / 100
            got = d["compare"][name]
            assert abs(got["total_gbp"] - (energy + standing / 100)) < 0.005  # to the penny
            assert got["energy_gbp"] == pytest.approx(energy, abs=1e-4)
            assert got["standing_gbp"] == standing / 100
            assert got["total_gbp"] == pytest.approx(energy + standing / 100, abs=1e-4)
            sums[name] += energy + standing / 100
    night = [ts for ts, _ in halves(clocked, "electricity.consumption", clock_day)
             if wall_rate(ts, CHEAPNIGHT) == 8.5]
    assert len(night) == (12 if clocked.now() == AUTUMN else 8)  # 01:00-02:00 twice, or not at all
    actual = math.fsum(d["total_gbp"] for d in compared)
    for name, total in sums.items():
        summary = res["compare"][name]
        assert summary["days"] == len(compared)
        assert summary["total_gbp"] == pytest.approx(total, abs=1e-3)
        assert summary["actual_gbp"] == pytest.approx(actual, abs=1e-3)
        assert summary["difference_gbp"] == pytest.approx(total - actual, abs=1e-3)


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
def test_the_terminal_shows_the_insights_within_80_columns(clocked: Emulator) -> None:
    text = run_report("--days", "14", "--compare", "cheapnight,flat30", "--width", "80")
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert "\x1b" not in text
    doc = report_json("--days", "14", "--compare", "cheapnight,flat30")
    electricity = doc["resources"]["electricity"]
    assert f"electricity: {electricity['baseload_w']:,.0f} W" in text
    assert "each day beside the same day last week" in text
    assert "cheapnight" in text and "flat30" in text and "difference" in text
    costs = text.split("electricity costs:", 1)[1].split("gas costs:", 1)[0].splitlines()
    for d in electricity["days"]:  # each day's always-on load beside its costs ("base W")
        day = date.fromisoformat(d["date"])
        (line,) = [c for c in costs if c.startswith(f"{day:%a %d %b}")]
        assert line.endswith(" –" if d["baseload_w"] is None else f" {d['baseload_w']:,.0f}"), line
    diff = electricity["compare"]["flat30"]["difference_gbp"]
    assert f"{'+' if diff >= 0 else '-'}£{abs(diff):,.2f}" in text


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
def test_month_json_has_the_insights_and_year_keeps_its_columns(clocked: Emulator) -> None:
    doc = report_json("--month", "2026-10", "--compare", "flat30")
    electricity = doc["resources"]["electricity"]
    assert len(electricity["days"]) == 31 and electricity["baseload_w"] is not None
    assert all(d["same_day_last_week"] is not None for d in electricity["days"])
    assert electricity["compare"]["flat30"]["days"] == 31
    year = report_json("--year", "2026")
    assert {"month", "value", "last_year", "change"} <= set(year["resources"]["electricity"]["months"][0])
    with pytest.raises(UsageError, match="not --year"):
        run_report("--year", "2026", "--compare", "flat30")


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
def test_compare_names_a_missing_tariff(clocked: Emulator) -> None:
    with pytest.raises(UsageError, match=r"no \[tariffs.cheap\].*cheapnight, flat30"):
        run_report("--compare", "cheap")
    with pytest.raises(UsageError, match=r"no \[tariffs.NAME\] table"):
        run_report("--compare", "cheap", conf={})
    gas_only = {"tariffs": {"gasflat": {"standing": 30.0, "rate": 6.0, "resource": "gas"}}}
    with pytest.raises(UsageError, match="a gas tariff"):
        run_report("--compare", "gasflat", "--resource", "electricity", conf=gas_only)
    doc = json.loads(run_report("--format", "json", "--compare", "gasflat", conf=gas_only))
    assert "compare" in doc["resources"]["gas"] and "compare" not in doc["resources"]["electricity"]


@pytest.mark.parametrize("bad, message", [
    ({"x": {"rate": 30.0}}, "tariffs.x.standing"),
    ({"x": {"standing": 40.0}}, "either rate"),
    ({"x": {"standing": 40.0, "rate": 30.0, "bands": []}}, "not both"),
    ({"x": {"standing": 40.0, "rate": "30"}}, "tariffs.x.rate"),
    ({"x": {"standing": 40.0, "rate": math.inf}}, "tariffs.x.rate"),
    ({"x": {"standing": -1.0, "rate": 30.0}}, "tariffs.x.standing"),
    ({"x": {"standing": 40.0, "rate": 30.0, "colour": "red"}}, "unknown key 'colour'"),
    ({"x": {"standing": 40.0, "rate": 30.0, "resource": "water"}}, "tariffs.x.resource"),
    ({"bad name": {"standing": 40.0, "rate": 30.0}}, "a tariff's name"),
    ({"x": 3}, "must be a table"),
    ({"x": {"standing": 40.0, "bands": [{"from": "00:30", "to": "05:30", "rate": 8.5}]}}, "leave 00:00 without a rate"),
    ({"x": {"standing": 40.0, "bands": [{"from": "00:00", "to": "12:00", "rate": 8.5},
                                        {"from": "11:00", "to": "00:00", "rate": 9.0}]}}, "overlaps"),
    ({"x": {"standing": 40.0, "bands": [{"from": "00:15", "to": "00:15", "rate": 8.5}]}}, "on the half-hour"),
    ({"x": {"standing": 40.0, "bands": [{"from": "24:00", "to": "00:00", "rate": 8.5}]}}, "bands\\[1\\].from"),
    ({"x": {"standing": 40.0, "bands": [{"from": "00:00", "to": "00:00"}]}}, "bands\\[1\\] must be"),
])
def test_config_tariffs_are_validated_naming_the_key(bad: dict[str, object], message: str) -> None:
    from glowline import config

    with pytest.raises(ConfigError, match=message):
        config.validate({"tariffs": bad})


def test_config_tariffs_parse_and_the_whole_day_band(home: Path) -> None:
    from glowline import config
    from glowline.data.other_tariffs import parse

    whole = {"standing": 1.0, "bands": [{"from": "07:30", "to": "07:30", "rate": 12.0}]}
    conf = config.validate({"tariffs": {**TARIFFS, "whole": whole}, "days": 7})
    tariffs = parse(conf)
    assert tariffs["whole"].rates == [12.0] * 48
    night = tariffs["cheapnight"].rates
    assert night[:1] == [29.0] and night[1:11] == [8.5] * 10 and night[11:] == [29.0] * 37
    assert tariffs["flat30"].rates == [30.0] * 48 and tariffs["flat30"].resource == "electricity"
    # the status line's compiled copy of the config leaves the tariffs out (it never reads them)
    path = Path(home / ".config" / "glowline" / "config.toml")
    path.parent.mkdir(parents=True)
    path.write_text('days = 7\n[tariffs.flat30]\nstanding = 40.0\nrate = 30.0\n', encoding="utf-8")
    assert config.load()["tariffs"] == {"flat30": {"standing": 40.0, "rate": 30.0}}
    from glowline.status.settings import load_fast

    assert load_fast() == {"days": 7}


def test_the_half_hours_are_asked_once_then_read_from_the_history(home: Path, emulator: Emulator) -> None:
    """Polite: a cold report asks for its complete days' half-hours (windows of at most 10 days) and keeps them in
    the history; the next report asks only for the refresh's newest hours."""
    from tests.helpers import glowline_env, run
    from tests.test_history_feed import readings_requests

    env = glowline_env(home, emulator)
    rid = emulator.resource_id(HOME, "electricity.consumption")
    first = run(env, "report", "--days", "14", "--resource", "electricity", "--format", "json")
    assert first.returncode == 0, first.stderr
    cold = [start for period, start in readings_requests(emulator, rid) if period == "PT30M"]
    assert 2 <= len(cold) <= 3  # 13 complete days: two windows (and the refresh's own tail, if it read one)
    emulator.reset_counts()
    second = run(env, "report", "--days", "14", "--resource", "electricity", "--format", "json")
    assert second.returncode == 0, second.stderr
    assert len(readings_requests(emulator, rid)) == 1  # the refresh's newest hours; the half-hours: the history's
    assert json.loads(second.stdout)["resources"]["electricity"]["baseload_w"] == \
        json.loads(first.stdout)["resources"]["electricity"]["baseload_w"]


def test_the_docs_tariff_blocks_are_valid_config() -> None:
    """Every TOML block in the docs that describes [tariffs.NAME] passes the config's validation as written."""
    import re

    import tomllib

    from glowline import config
    from glowline.data.other_tariffs import parse
    from tests.helpers import ROOT

    blocks = [b for doc in ("report.md", "configuration.md")
              for b in re.findall(r"```toml\n(.*?)```", (ROOT / "docs" / doc).read_text(encoding="utf-8"), re.S)
              if "[tariffs." in b]
    assert len(blocks) == 2
    for block in blocks:
        tariffs = parse(config.validate(tomllib.loads(block)))
        assert tariffs and all(len(t.rates) == 48 for t in tariffs.values())
    # the report's block is the tariffs these tests price days under
    assert parse(config.validate(tomllib.loads(blocks[0])))["cheapnight"].rates == \
        parse({"tariffs": TARIFFS})["cheapnight"].rates


def test_config_show_and_check_name_the_tariffs(home: Path) -> None:
    from tests.helpers import env_for, run

    path = home / ".config" / "glowline" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[tariffs.flat30]\nstanding = 40.0\nrate = 30.0\n', encoding="utf-8")
    shown = run(env_for(home), "config", "show")
    assert shown.returncode == 0, shown.stderr
    assert "tariffs.flat30 = {standing = 40.0, rate = 30.0}  # config file" in shown.stdout
    path.write_text('[tariffs.flat30]\nstanding = 40.0\nrate = 30.0\nbands = []\n', encoding="utf-8")
    checked = run(env_for(home), "config", "check")
    assert checked.returncode == 8 and "tariffs.flat30: give either rate" in checked.stdout + checked.stderr


def test_a_day_missing_one_half_hour_has_no_always_on_load_nor_comparison() -> None:
    """Undelivered is not zero: one missing half-hour and the day counts for neither insight (it is not low use)."""
    from glowline.data.other_tariffs import parse
    from glowline.data.readings import DayTotal, Series
    from glowline.report.insights import add_half_hour_insights
    from glowline.report.model import ReportDay, ResourceReport

    day = date(2026, 10, 25)  # 25 hours: 50 half-hours
    start, end = midnight(day), midnight(day + timedelta(days=1))
    values: list[float | None] = [0.05 + (n % 7) / 100 for n in range((end - start) // 1800)]
    assert len(values) == 50
    tariffs = list(parse({"tariffs": TARIFFS}).values())

    def report_of(halves: list[float | None]) -> ReportDay:
        total = DayTotal(day, start, end, math.fsum(v or 0.0 for v in halves), True, 25)
        d = ReportDay(total, total.value, None, [], "")
        r = ResourceReport("electricity", "electricity.consumption", "kWh", None, [d], [], [None] * 24)
        add_half_hour_insights(r, Series(start, 1800, halves), LONDON, tariffs)
        return d

    whole = report_of(values)
    assert whole.baseload_w == pytest.approx(0.05 * 2000) and whole.compare is not None
    night = [start + n * 1800 for n in range(50) if wall_rate(start + n * 1800, CHEAPNIGHT) == 8.5]
    assert len(night) == 12  # 00:30-05:30 on the wall clock, 01:00-02:00 twice
    expected = math.fsum(v * wall_rate(start + n * 1800, CHEAPNIGHT) for n, v in enumerate(values) if v is not None)
    assert whole.compare["cheapnight"].energy == pytest.approx(expected, abs=1e-9)
    holed = list(values)
    holed[7] = None  # a half-hour the API did not deliver: zero would make it the day's lowest
    missing = report_of(holed)
    assert missing.baseload_w is None and missing.compare is None
