"""Days that are right, end to end: the real CLI against the emulator over HTTP, checked to the Wh against the
emulator's own half-hours summed over Europe/London days (computed here with zoneinfo, not with glowline's code)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from glowline.emulator import Emulator
from tests.helpers import LONDON, env_for, expected_day, glowline_env, local_day_bounds, run, run_json

WH = 0.0005 + 1e-9  # JSON values are kWh rounded to 3 decimals: within half a Wh


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def check_days(doc: dict[str, Any], emu: Any, classifier: str, scale: float = 1.0) -> int:
    rid = emu.resource_id("DCC Sourced", classifier)
    complete = 0
    for day in doc["days"]:
        if day["complete"]:
            expected, _ = expected_day(emu, rid, date.fromisoformat(day["date"]))
            assert abs(day["value"] - expected * scale) <= WH * max(1.0, scale * 100), (day, expected)
            complete += 1
    assert abs(doc["total"] - sum(d["value"] or 0 for d in doc["days"])) <= WH * len(doc["days"])  # each rounded
    return complete


@pytest.mark.parametrize("days", [10, 40])
def test_days_and_total_equal_the_emulators_half_hours(home: Path, emulator: Any, days: int) -> None:
    doc = run_json(glowline_env(home, emulator), "--days", str(days), "--timeout", "30")
    assert [set(d) >= {"date", "value", "complete"} for d in doc["days"]] == [True] * days
    assert list(doc)[:7] == ["resource", "unit", "tz", "days", "total", "fetched_at", "stale"]
    assert doc["resource"] == "electricity.consumption" and doc["unit"] == "kWh" and doc["tz"] == "Europe/London"
    assert doc["stale"] is False and doc["fetched_at"].endswith("Z")
    today = datetime.now(LONDON).date()
    assert doc["days"][-1]["date"] == today.isoformat()
    assert doc["days"][0]["date"] == (today - timedelta(days=days - 1)).isoformat()
    assert doc["days"][-1]["complete"] is False  # today so far
    assert check_days(doc, emulator, "electricity.consumption") >= days - 2


def test_gas_days(home: Path, emulator: Any) -> None:
    doc = run_json(glowline_env(home, emulator), "--days", "40", "--resource", "gas", "--timeout", "30")
    assert doc["resource"] == "gas.consumption" and doc["unit"] == "kWh"
    assert check_days(doc, emulator, "gas.consumption") >= 38


def test_cost_is_in_pounds(home: Path, emulator: Any) -> None:
    doc = run_json(glowline_env(home, emulator), "--days", "5", "--resource", "electricity-cost", "--timeout", "30")
    assert doc["unit"] == "GBP" and doc["resource"] == "electricity.consumption.cost"
    check_days(doc, emulator, "electricity.consumption.cost", scale=0.01)


def test_windows_across_both_clock_changes(home: Path, emulator: Any) -> None:
    """A 23-hour day (last Sunday of March) and a 25-hour day (last Sunday of October), summed to the Wh."""
    today = datetime.now(LONDON).date()
    march = last_sunday(today.year if today.month > 3 else today.year - 1, 3)
    october = last_sunday(today.year if today.month > 10 else today.year - 1, 10)
    days = (today - min(march, october)).days + 3
    doc = run_json(glowline_env(home, emulator), "--days", str(days), "--timeout", "60")
    by_date = {d["date"]: d for d in doc["days"]}
    rid = emulator.resource_id("DCC Sourced", "electricity.consumption")
    for sunday, half_hours in ((march, 46), (october, 50)):
        expected, count = expected_day(emulator, rid, sunday)
        assert count == half_hours
        assert by_date[sunday.isoformat()]["complete"] is True
        assert abs(by_date[sunday.isoformat()]["value"] - expected) <= WH
        start, end = local_day_bounds(sunday)
        assert (end - start) // 1800 == half_hours
    assert check_days(doc, emulator, "electricity.consumption") >= days - 2


def test_lagged_zeros_are_not_usage(home: Path) -> None:
    """At 00:20 local the DCC has not delivered yesterday's last half-hours: yesterday is incomplete, not low."""
    now = datetime.now(LONDON)
    midnight = datetime(now.year, now.month, now.day, tzinfo=LONDON)
    if (now - midnight).total_seconds() < 3600:
        midnight -= timedelta(days=1)
    clock = midnight.timestamp() + 20 * 60
    with Emulator(now=lambda: clock) as emu:
        doc = run_json(glowline_env(home, emu), "--days", "3", "--timeout", "30")
        rid = emu.resource_id("DCC Sourced", "electricity.consumption")
        yesterday = midnight.date() - timedelta(days=1)
        day = {d["date"]: d for d in doc["days"]}[yesterday.isoformat()]
        assert day["complete"] is False
        start, end = local_day_bounds(yesterday)
        delivered = emu.delivered(rid, start, end)
        assert delivered[-1][1] == 0 and delivered[-2][1] == 0  # the lag the API really shows
        expected = sum(v for _, v in delivered if v)
        assert abs(day["value"] - expected) <= WH
        assert day["level"] == "partial"


def test_unknown_site_and_bad_tz_are_one_line(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    proc = run(env, "--site", "Nowhere", "--timeout", "10")
    assert proc.returncode == 7 and proc.stderr.count("\n") == 1 and "Nowhere" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run(env, "--tz", "Mars/Olympus", "--timeout", "10")
    assert proc.returncode == 2 and "Mars/Olympus" in proc.stderr and "Traceback" not in proc.stderr


def test_second_site_by_name_and_by_id(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    by_name = run_json(env, "--site", "holiday cottage", "--days", "3", "--timeout", "30")
    by_id = run_json(env, "--site", emulator.site_ids()[1], "--days", "3", "--timeout", "30")
    assert by_name["days"] == by_id["days"]
    rid = emulator.resource_id("Holiday Cottage", "electricity.consumption")
    first = by_name["days"][0]
    assert abs(first["value"] - expected_day(emulator, rid, date.fromisoformat(first["date"]))[0]) <= WH


def test_demo_prints_a_line(home: Path) -> None:
    started = time.monotonic()
    proc = run(env_for(home), "demo")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip()
    assert line.endswith("kWh") and any(c in line for c in "▁▂▃▄▅▆▇█")
    assert time.monotonic() - started < 20


def test_done_when_login_then_json_to_the_wh(real_keyring: Any, emulator: Any) -> None:
    """The issue's own acceptance run: GLOWLINE_API_URL=<url> glowline login --username U --password-stdin, then
    --days 10, --days 40 and --resource gas as JSON, with the password in a real Secret Service."""
    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME

    env = {**real_keyring.env, "GLOWLINE_API_URL": emulator.url}
    login = run(env, "login", "--username", DEMO_USERNAME, "--password-stdin", input=DEMO_PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    for args, classifier in ((("--days", "10"), "electricity.consumption"),
                             (("--days", "40"), "electricity.consumption"),
                             (("--days", "40", "--resource", "gas"), "gas.consumption")):
        doc = run_json(env, *args, "--timeout", "30")
        assert len(doc["days"]) == int(args[1]) and doc["resource"] == classifier
        assert check_days(doc, emulator, classifier) >= int(args[1]) - 2
