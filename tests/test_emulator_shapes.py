"""The emulator plays the real service's other shapes (glowmarkt-api.md 8), each off by default, each from its source:
/current without units or in kWh, kW, a 400 or the meter's error value; tariff-list dates as epoch or ISO; cost
P1D/P1W/P1M buckets that include the standing charge while PT30M/PT1H do not; a 403. Both in process and through
`glowline emulator`'s flags."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Any

import pytest

from glowline.commands import emulator as emulator_command
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator, shapes
from glowline.emulator.routes import CURRENT_SHAPES
from tests.helpers import stop_process

HOME, COTTAGE = "DCC Sourced", "Holiday Cottage"
#: a day well away from the emulator's price change (30 days before its first "now")
NOW = datetime(2026, 11, 5, 9, 0, 7, tzinfo=timezone.utc).timestamp()


def token(url: str) -> str:
    request = urllib.request.Request(url + "auth", data=json.dumps(
        {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}).encode(),
        headers={"applicationId": shapes.APPLICATION_ID, "Content-Type": "application/json"})
    return str(json.loads(urllib.request.urlopen(request, timeout=10).read())["token"])


def get(url: str, path: str, tok: str) -> tuple[int, Any]:
    request = urllib.request.Request(url + path, headers={"applicationId": shapes.APPLICATION_ID, "token": tok})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


@pytest.fixture
def emu() -> Any:
    with Emulator(now=lambda: NOW, token_lifetime=10 * 365 * 86400) as emulator:
        yield emulator


@pytest.mark.parametrize("shape, units, scale", [("W", "W", 1.0), ("no-units", None, 1.0), ("kWh", "kWh", 1.0),
                                                 ("kW", "kW", 0.001)])
def test_current_shapes(emu: Emulator, shape: str, units: str | None, scale: float) -> None:
    emu.play_current(shape)
    tok = token(emu.url)
    status, doc = get(emu.url, f"resource/{emu.resource_id(COTTAGE, 'electricity.consumption')}/current", tok)
    assert status == 200 and doc.get("units") == units and ("units" in doc) == (units is not None)
    at, value = doc["data"][0]
    assert value == pytest.approx(round(emu.live_power_w(at)) * scale, abs=0.001)
    status, dcc = get(emu.url, f"resource/{emu.resource_id(HOME, 'electricity.consumption')}/current", tok)
    assert status == 200 and dcc["data"] == []  # a DCC-only site: no data whatever the units say


def test_current_400_and_the_error_value(emu: Emulator) -> None:
    tok = token(emu.url)
    path = f"resource/{emu.resource_id(COTTAGE, 'electricity.consumption')}/current"
    emu.play_current("400")
    assert get(emu.url, path, tok)[0] == 400
    emu.play_current("error-value")
    status, doc = get(emu.url, path, tok)
    assert status == 200 and doc["units"] == "kW" and doc["data"][0][1] == -8388.608
    with pytest.raises(ValueError):
        emu.play_current("MW")


@pytest.mark.parametrize("form", ["local", "epoch", "iso"])
def test_tariff_dates(emu: Emulator, form: str) -> None:
    emu.play_tariff_dates(form)
    tok = token(emu.url)
    status, doc = get(emu.url, f"resource/{emu.resource_id(HOME, 'gas.consumption')}/tariff-list", tok)
    dates = sorted(e["effectiveDate"] for e in doc["data"])
    newest = dates[-1]
    assert status == 200
    if form == "epoch":
        assert newest == emu.price_change
    elif form == "iso":
        assert newest == datetime.fromtimestamp(emu.price_change, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert newest.endswith("T23:00:00Z")  # the change is at a London midnight in BST
    else:
        assert newest.endswith(" 00:00:00")


def readings(emu: Emulator, tok: str, rid: str, start: str, end: str, period: str) -> list[list[Any]]:
    status, doc = get(emu.url, f"resource/{rid}/readings?from={start}&to={end}&period={period}&function=sum"
                               "&offset=0&nulls=1", tok)
    assert status == 200, doc
    return list(doc["data"])


def test_cost_day_week_month_buckets_include_the_standing_charge(emu: Emulator) -> None:
    """NJWILKS live contract: PT30M and PT1H cost buckets are energy only, P1D, P1W and P1M include the standing."""
    rid = emu.resource_id(HOME, "gas.consumption.cost")
    tok = token(emu.url)
    day = ("2026-10-20T00:00:00", "2026-10-20T23:59:59")
    halves = readings(emu, tok, rid, *day, "PT30M")
    energy = math.fsum(v for _, v in halves)
    start = int(datetime(2026, 10, 20, tzinfo=timezone.utc).timestamp())
    standing = emu.standing_pence(emu.resource_id(HOME, "gas.consumption"), start)
    assert readings(emu, tok, rid, *day, "P1D")[0][1] == pytest.approx(energy, abs=1e-4)  # off: energy only
    emu.play_standing_in_days()
    assert math.fsum(v for _, v in readings(emu, tok, rid, *day, "PT30M")) == pytest.approx(energy, abs=1e-9)
    assert math.fsum(v for _, v in readings(emu, tok, rid, *day, "PT1H")) == pytest.approx(energy, abs=1e-4)
    assert readings(emu, tok, rid, *day, "P1D")[0][1] == pytest.approx(energy + standing, abs=1e-4)
    week = readings(emu, tok, rid, "2026-10-12T00:00:00", "2026-10-18T23:59:59", "P1W")  # a Monday to Sunday
    week_energy = math.fsum(v for _, v in readings(emu, tok, rid, "2026-10-12T00:00:00", "2026-10-18T23:59:59",
                                                   "PT30M"))
    assert week[0][1] == pytest.approx(week_energy + 7 * standing, abs=1e-4)
    month = readings(emu, tok, rid, "2026-10-01T00:00:00", "2026-10-31T23:59:59", "P1M")
    assert month[0][1] > 31 * standing  # every day of the month carries its charge


def test_the_client_never_adds_day_buckets_standing_charges_twice(home: Any, emu: Emulator,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """glowline reads cost in half-hours and hours only: the report's days stay the priced half-hours plus one
    standing charge with the habit on."""
    from tests.test_tariff_forms import midnight, report_json

    monkeypatch.setenv("GLOWLINE_API_URL", emu.url)
    monkeypatch.setenv("GLOWLINE_USERNAME", DEMO_USERNAME)
    monkeypatch.setenv("GLOWLINE_PASSWORD", DEMO_PASSWORD)
    emu.play_standing_in_days()
    doc = report_json(emu, names=("gas",), days=5)
    rid = emu.resource_id(HOME, "gas.consumption.cost")
    for d in (d for d in doc["resources"]["gas"]["days"] if d["complete"]):
        day = datetime.fromisoformat(d["date"]).date()
        start, end = midnight(day), midnight(day.fromordinal(day.toordinal() + 1))
        pence = math.fsum(v or 0.0 for _, v in emu.half_hours(rid, start, end))
        assert d["energy_gbp"] == pytest.approx(pence / 100, abs=1e-4)


def test_the_flags_of_glowline_emulator(tmp_path: Any) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    emulator_command.add_parser(parser.add_subparsers())
    choices = {a.dest: a.choices for sub in parser._subparsers._group_actions  # type: ignore[union-attr]
               for p in sub.choices.values() for a in p._actions}  # type: ignore[union-attr]
    assert tuple(choices["current_shape"]) == CURRENT_SHAPES  # the CLI offers what the emulator plays
    assert tuple(choices["tariff_dates"]) == shapes.TARIFF_DATE_FORMS
    for flags, check in ((["--current-shape", "no-units", "--tariff-dates", "epoch", "--standing-in-days"], "shapes"),
                         (["--forbidden"], "forbidden")):
        proc = subprocess.Popen([sys.executable, "-m", "glowline", "emulator", "--port", "0", *flags],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split(" at ", 1)[1].strip()
            tok = token(url)
            status, listing = get(url, "virtualentity", tok)
            site = next(s for s in listing if s["name"] == COTTAGE)
            status, resources = get(url, f"virtualentity/{site['veId']}/resources", tok)
            rid = next(r["resourceId"] for r in resources["resources"] if r["classifier"] == "electricity.consumption")
            status, doc = get(url, f"resource/{rid}/current", tok)
            if check == "forbidden":
                assert status == 403
                continue
            assert status == 200 and "units" not in doc and doc["data"]
            status, tariffs = get(url, f"resource/{rid}/tariff-list", tok)
            assert all(isinstance(e["effectiveDate"], int) for e in tariffs["data"])
        finally:
            stop_process(proc)
