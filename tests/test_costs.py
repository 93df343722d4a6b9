"""Costs that match the bill, over real HTTP against the emulator: each day's total_gbp is the emulator's priced
half-hours plus the standing charge in force that day, to the penny, across a price change and both BST changes;
an account without cost resources is labelled estimated; the tariff list's shapes and its /tariff fallback; the
price bands of the time-of-use household; the report's JSON shape."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from glowline import gate
from glowline.catalog import GasUnit
from glowline.commands import report
from glowline.commands.context import Context
from glowline.data.tariff import TariffHistory, effective_date, parse_list
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from glowline.errors import MalformedResponse
from glowline.report import as_json as report_as_json
from glowline.report import build as report_build
from glowline.report import terminal as report_terminal
from tests.helpers import frozen_emulator
from tests.test_tariff import parse_args

LONDON = ZoneInfo("Europe/London")
HOME, COTTAGE = "DCC Sourced", "Holiday Cottage"
#: fake clocks whose last 40 days hold the price change (30 days back) and a clock change
AUTUMN = datetime(2026, 11, 5, 9, 0, 7, tzinfo=timezone.utc).timestamp()  # 25 Oct: 25 hours
SPRING = datetime(2026, 4, 12, 15, 6, 11, tzinfo=timezone.utc).timestamp()  # 29 Mar: 23 hours


@pytest.fixture
def clocked(home: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """An emulator whose clock stands still at ``request.param``, logged in through GLOWLINE_* variables."""
    now = float(request.param)
    with frozen_emulator(now, monkeypatch) as emu:
        yield emu


def report_json(*argv: str, now: float | None = None, names: tuple[str, ...] = ("electricity", "gas"),
                days: int = 40) -> dict[str, Any]:
    """``glowline report --format json`` in process, its clock at ``now`` (glowline.data.sync.refresh's now=)."""
    args = parse_args("report", "--format", "json", "--days", str(days), *argv)
    with Context(args, {}, "electricity.consumption") as ctx:
        if now is not None:
            ctx.now = now
        names_found = ctx.available(list(names), False)
        doc = report_as_json.as_json(report_build.build(ctx, names_found, days, GasUnit()))
    return json.loads(json.dumps(doc))  # exactly what --format json prints


def midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=LONDON).timestamp())


def truth(emu: Emulator, site: str, classifier: str, day: date) -> tuple[float, float, int]:
    """(the day's priced half-hours in GBP, its standing charge in GBP, half-hours) from the emulator itself."""
    start, end = midnight(day), midnight(day + timedelta(days=1))
    priced = emu.half_hours(emu.resource_id(site, f"{classifier}.cost"), start, end)
    assert all(v is not None for _, v in priced)
    pence = math.fsum(v for _, v in priced if v is not None)
    return pence / 100, emu.standing_pence(emu.resource_id(site, classifier), start) / 100, len(priced)


@pytest.mark.parametrize("clocked", [AUTUMN, SPRING], indirect=True, ids=["october", "march"])
def test_each_complete_day_is_the_priced_half_hours_plus_that_days_standing_charge(clocked: Emulator) -> None:
    now = clocked.now()
    doc = report_json(now=now)
    change = datetime.fromtimestamp(clocked.price_change, LONDON).date()
    assert doc["tz"] == "Europe/London" and doc["to"] == datetime.fromtimestamp(now, LONDON).date().isoformat()
    for name in ("electricity", "gas"):
        res = doc["resources"][name]
        days = res["days"]
        assert len(days) == 40 and res["unit"] == "kWh"
        assert {d["cost_source"] for d in days} == {"priced"}
        complete = [d for d in days if d["complete"]]
        assert len(complete) >= 38  # today (and at most yesterday) wait for the DCC
        half_hours = set()
        standing = set()
        for d in complete:
            day = date.fromisoformat(d["date"])
            energy, charge, count = truth(clocked, HOME, f"{name}.consumption", day)
            half_hours.add(count)
            standing.add((day >= change, charge))
            assert abs(d["total_gbp"] - (energy + charge)) < 0.005, d  # to the penny (within half a penny)
            assert d["total_gbp"] == pytest.approx(energy + charge, abs=1e-4)  # in fact to 1/100 p
            assert d["energy_gbp"] == pytest.approx(energy, abs=1e-4)
            assert d["standing_gbp"] == pytest.approx(charge, abs=1e-9)
        assert half_hours == {48, 46 if now == SPRING else 50}  # the clock change's day is in the window
        assert len(standing) == 2 and {after for after, _ in standing} == {False, True}  # across the price change
        assert res["total_gbp"] == pytest.approx(
            math.fsum(d["total_gbp"] for d in days if d["total_gbp"] is not None), abs=1e-3)


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
def test_the_json_shape_is_exactly_the_documented_one(clocked: Emulator) -> None:
    doc = report_json(now=clocked.now(), days=3)
    assert list(doc)[:4] == ["tz", "from", "to", "resources"]
    assert doc["from"] == (date.fromisoformat(doc["to"]) - timedelta(days=2)).isoformat()
    electricity = doc["resources"]["electricity"]
    assert list(electricity)[:4] == ["unit", "days", "total_kwh", "total_gbp"]
    for day in electricity["days"]:
        assert list(day)[:7] == ["date", "kwh", "energy_gbp", "standing_gbp", "total_gbp", "complete", "cost_source"]
        for key in ("energy_gbp", "standing_gbp", "total_gbp"):
            assert day[key] is None or round(day[key], 4) == day[key]  # 1/100 p
        assert day["kwh"] is None or round(day["kwh"], 3) == day["kwh"]
        assert isinstance(day["complete"], bool) and day["cost_source"] in ("priced", "estimated")
    assert electricity["days"][-1]["complete"] is False  # today


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
def test_an_account_without_cost_resources_is_labelled_estimated(clocked: Emulator) -> None:
    now = clocked.now()
    doc = report_json("--site", COTTAGE, now=now)
    change = datetime.fromtimestamp(clocked.price_change, LONDON).date()
    for name in ("electricity", "gas"):
        res = doc["resources"][name]
        assert res["cost_source"] == "estimated"
        rid = clocked.resource_id(COTTAGE, f"{name}.consumption")
        for d in res["days"]:
            assert d["cost_source"] == "estimated"
            day = date.fromisoformat(d["date"])
            started = [p for p in (change,) if p <= day]
            assert d["estimated_from"].startswith("estimated from the unit rate of ")
            if started:
                assert d["estimated_from"] == f"estimated from the unit rate of {change}"
            if not d["complete"]:
                continue
            start, end = midnight(day), midnight(day + timedelta(days=1))
            kwh = math.fsum(v or 0.0 for _, v in clocked.half_hours(rid, start, end))
            rate = json.loads(json.dumps(clocked_tariff_list(clocked, rid)))
            expected_rate = rate_on(rate, day)
            assert d["energy_gbp"] == pytest.approx(kwh * expected_rate / 100, abs=1e-4)
            assert d["standing_gbp"] == pytest.approx(clocked.standing_pence(rid, start) / 100, abs=1e-9)
    args = parse_args("report", "--site", COTTAGE, "--days", "3", "--width", "80")
    out = io.StringIO()
    with Context(args, {}, "electricity.consumption") as ctx:
        ctx.now = now
        report_terminal.render(report_build.build(ctx, ["electricity", "gas"], 3, GasUnit()), out, 80)
    assert f"estimated from the unit rate of {change}" in out.getvalue()


def clocked_tariff_list(emu: Emulator, rid: str) -> Any:
    """The emulator's own tariff-list answer, fetched over HTTP like any client."""
    import urllib.request

    from glowline.emulator import shapes

    token = json.loads(urllib.request.urlopen(urllib.request.Request(
        emu.url + "auth", data=json.dumps({"username": DEMO_USERNAME, "password": DEMO_PASSWORD}).encode(),
        headers={"applicationId": shapes.APPLICATION_ID, "Content-Type": "application/json"})).read())["token"]
    request = urllib.request.Request(emu.url + f"resource/{rid}/tariff-list",
                                     headers={"applicationId": shapes.APPLICATION_ID, "token": token})
    return json.loads(urllib.request.urlopen(request).read())


def rate_on(doc: Any, day: date) -> float:
    entries = sorted(doc["data"], key=lambda e: e["effectiveDate"])
    chosen = entries[0]
    for entry in entries:
        if entry["effectiveDate"][:10] <= day.isoformat():
            chosen = entry
    return float(next(d["rate"] for d in chosen["plan"][0]["planDetail"] if "rate" in d))


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
@pytest.mark.parametrize("variant", ["empty", "error"])
def test_without_a_tariff_list_the_standing_charge_comes_from_tariff_and_says_so(
    clocked: Emulator, variant: str
) -> None:
    for classifier in ("electricity.consumption", "electricity.consumption.cost"):
        clocked.set_tariff_list(clocked.resource_id(HOME, classifier), variant)
    doc = report_json(now=clocked.now(), names=("electricity",), days=5)
    res = doc["resources"]["electricity"]
    assert "for every day" in res["standing_source"]
    assert ("the tariff list is empty" if variant == "empty" else "tariff list unavailable") in res["standing_source"]
    assert {d["standing_gbp"] for d in res["days"]} == {0.5335}  # /tariff: today's tariff for every day
    assert {d["cost_source"] for d in res["days"]} == {"priced"}  # the energy is still the priced half-hours


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
def test_string_values_in_the_tariff_list(clocked: Emulator) -> None:
    clocked.set_tariff_list(clocked.resource_id(HOME, "gas.consumption"), "strings")
    doc = report_json(now=clocked.now(), names=("gas",), days=40)
    assert doc["resources"]["gas"]["standing_source"] == "the meter's tariff list"
    assert {d["standing_gbp"] for d in doc["resources"]["gas"]["days"]} == {0.296, 0.3165}


@pytest.mark.parametrize("clocked", [AUTUMN], indirect=True)
def test_price_bands_show_the_cheap_night_hours(clocked: Emulator) -> None:
    now = clocked.now()
    doc = report_json(now=now, days=10)
    bands = doc["resources"]["electricity"]["bands"]
    assert [(b["name"], b["p_per_kwh"]) for b in bands] == [("night", 9.0), ("day", 24.5)]
    assert math.fsum(b["kwh_share"] for b in bands) == pytest.approx(1.0, abs=1e-3)
    night = bands[0]
    assert night["cost_share"] < night["kwh_share"]  # the cheap hours' share of the cost is smaller
    assert doc["resources"]["gas"]["bands"] == []  # one price all day: no bands
    args = parse_args("report", "--days", "10", "--width", "80")
    out = io.StringIO()
    with Context(args, {}, "electricity.consumption") as ctx:
        ctx.now = now
        report_terminal.render(report_build.build(ctx, ["electricity", "gas"], 10, GasUnit()), out, 80)
    text = out.getvalue()
    share = f"night 9.0p: {night['kwh_share']:.0%} of kWh, {night['cost_share']:.0%} of cost"
    assert share in text
    assert max(cell_len(line) for line in text.splitlines()) <= 80 and "\x1b" not in text
    for word in ("energy", "standing", "total", "p/kWh"):
        assert word in text


def test_report_json_from_the_command_line(account: Emulator) -> None:
    out = io.StringIO()
    assert report.run(parse_args("report", "--format", "json", "--days", "2"), {}, out) == 0
    doc = json.loads(out.getvalue())
    assert set(doc["resources"]) == {"electricity", "gas"}
    assert all(d["cost_source"] == "priced" for d in doc["resources"]["electricity"]["days"])


# -- the tariff list's parser: tolerant of strings, missing fields, unsorted entries ---------------------------------


def test_parse_list_sorts_and_tolerates() -> None:
    doc = {"data": [
        {"effectiveDate": "2026-11-02 00:00:00", "plan": [{"planDetail": [{"rate": "24.50"}, {"standing": "53.35"}]}]},
        {"effectiveDate": "2018-12-12 00:00:00", "plan": [{"planDetail": [{"rate": 11.88}, {"standing": 30.66}]}]},
        {"from": "2024-04-01T00:00:00Z", "currentRates": {"rate": {"value": 20.0}, "standingCharge": "45.1"}},
        {"effectiveDate": 1700000000, "structure": [{"planDetail": [{"standing": 40.0}, {"tier": 1, "rate": 30},
                                                                    {"tier": 2, "rate": 9}]}]},
        {"plan": [{"planDetail": [{"rate": 1.0}]}]},  # no date: cannot be placed
        {"effectiveDate": "soon", "plan": []},
        {"effectiveDate": "2025-01-01"},  # no numbers
        "junk", None,
    ]}
    entries = parse_list(doc)
    assert [(e.effective.isoformat(), e.rate, e.standing) for e in entries] == [
        ("2018-12-12", 11.88, 30.66), ("2023-11-14", 30.0, 40.0), ("2024-04-01", 20.0, 45.1),
        ("2026-11-02", 24.5, 53.35)]
    assert entries[1].rates == 2
    history = TariffHistory(entries, "list")
    assert history.standing_on(date(2026, 11, 1)) == 45.1 and history.standing_on(date(2026, 11, 2)) == 53.35
    assert history.standing_on(date(2010, 1, 1)) == 30.66  # before the first entry: the oldest known
    assert history.rate_on(date(2025, 6, 1)) == (20.0, date(2024, 4, 1))
    assert parse_list({"data": []}) == []
    with pytest.raises(MalformedResponse):
        parse_list([])
    with pytest.raises(MalformedResponse):
        parse_list({"status": "OK"})
    assert effective_date(True) is None and effective_date("2026-13-01") is None


def test_the_emulators_tariff_answers_carry_every_field_a_client_reads(account: Emulator) -> None:
    """pyglowmarkt reads name, commodity, cid, type and currentRates; the list has effectiveDate and displayName."""
    for classifier in ("electricity.consumption", "gas.consumption.cost"):
        rid = account.resource_id(HOME, classifier)
        for variant in ("numbers", "strings"):
            account.set_tariff(rid, variant)
            account.set_tariff_list(rid, variant)
            tariff = fetch(account, f"resource/{rid}/tariff")["data"][0]
            assert {"name", "commodity", "cid", "type", "currentRates", "plan", "from"} <= set(tariff)
            assert float(tariff["currentRates"]["rate"]) > 0 and float(tariff["currentRates"]["standingCharge"]) > 0
            listed = fetch(account, f"resource/{rid}/tariff-list")["data"]
            assert len(listed) == 2
            assert all({"id", "plan", "effectiveDate", "displayName", "type"} <= set(e) for e in listed)
        assert tariff["type"] == ("TOU" if classifier.startswith("electricity") else "FLAT")


def fetch(emu: Emulator, path: str) -> Any:
    import urllib.request

    from glowline.emulator import shapes

    token = json.loads(urllib.request.urlopen(urllib.request.Request(
        emu.url + "auth", data=json.dumps({"username": DEMO_USERNAME, "password": DEMO_PASSWORD}).encode(),
        headers={"applicationId": shapes.APPLICATION_ID, "Content-Type": "application/json"})).read())["token"]
    request = urllib.request.Request(emu.url + path, headers={"applicationId": shapes.APPLICATION_ID, "token": token})
    return json.loads(urllib.request.urlopen(request).read())


# -- export: the same cost columns -------------------------------------------------------------------------------------


def test_export_day_rows_carry_energy_standing_and_total(account: Emulator) -> None:
    from tests.test_export import number, run_export, table

    change = datetime.fromtimestamp(account.price_change, LONDON).date()
    first, last = change - timedelta(days=2), change + timedelta(days=1)
    header, rows = table(run_export("--from", first.isoformat(), "--to", last.isoformat(), "--period", "day"))
    assert header == ["timestamp", "timestamp_utc", "electricity_kwh", "gas_kwh", "electricity_gbp",
                      "electricity_standing_gbp",
                      "electricity_total_gbp", "gas_gbp", "gas_standing_gbp", "gas_total_gbp"]
    assert len(rows) == 4
    for name in ("electricity", "gas"):
        standing = set()
        for row in rows:
            day = date.fromisoformat(row["timestamp"][:10])
            energy, charge, _ = truth(account, HOME, f"{name}.consumption", day)
            standing.add(charge)
            assert number(row[f"{name}_gbp"]) == pytest.approx(energy, abs=1e-6)
            assert number(row[f"{name}_standing_gbp"]) == pytest.approx(charge, abs=1e-9)
            assert number(row[f"{name}_total_gbp"]) == pytest.approx(energy + charge, abs=1e-6)
        assert len(standing) == 2  # the price change is inside the range


def test_export_without_cost_resources_is_estimated_and_says_so(account: Emulator) -> None:
    from tests.test_export import run_export

    change = datetime.fromtimestamp(account.price_change, LONDON).date()
    text = run_export("--site", COTTAGE, "--from", (change - timedelta(days=1)).isoformat(), "--to",
                      change.isoformat(), "--period", "hour", "--format", "json")
    doc = json.loads(text)
    assert doc["cost_source"] == {"electricity": "estimated", "gas": "estimated"}
    assert [e["from"] for e in doc["tariffs"]["gas"]["history"]][-1] == change.isoformat()
    rid = account.resource_id(COTTAGE, "gas.consumption")
    for row in doc["rows"]:
        stamp = datetime.fromisoformat(row["timestamp_utc"])  # the instant; "timestamp" is the local wall clock
        rate = 6.30 if date.fromisoformat(row["timestamp"][:10]) >= change else 5.89  # the tariff in force that day
        kwh = math.fsum(v or 0.0 for _, v in account.half_hours(rid, stamp.timestamp(), stamp.timestamp() + 3600))
        assert row["gas_kwh"] == pytest.approx(kwh, abs=1e-7)
        assert row["gas_gbp"] == pytest.approx(kwh * rate / 100, abs=1e-6)


def test_tariff_command_shows_the_history_and_the_cost_source(account: Emulator) -> None:
    from glowline.commands import tariff as tariff_command

    change = datetime.fromtimestamp(account.price_change, LONDON).date()
    out = io.StringIO()
    assert tariff_command.run(parse_args("tariff"), {}, out) == 0
    text = out.getvalue()
    assert f"from {change}: 24.50 p/kWh (first of 2 rates), 53.35 p/day; time of use 00:00-07:00 9.00 p, " \
        "07:00-00:00 24.50 p" in text
    assert "22.36 p/kWh (first of 2 rates), 48.97 p/day" in text
    assert "energy cost: the meter's priced half-hours (electricity.consumption.cost)" in text
    out = io.StringIO()
    assert tariff_command.run(parse_args("tariff", "--site", COTTAGE), {}, out) == 0
    assert "energy cost: estimated from the unit rate" in out.getvalue()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True) | st.text(max_size=24),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from(["effectiveDate", "from"]))
def test_parse_list_never_raises_anything_else(doc: Any, key: str) -> None:
    for candidate in (doc, {"data": doc}, {"data": [doc]}, {"data": [{key: doc, "plan": doc}]},
                      {"data": [{key: "2026-01-01", "currentRates": {"rate": doc, "standingCharge": doc}}]},
                      {"data": [{key: doc, "structure": [{"planDetail": [doc, {"standing": doc}]}]}]}):
        try:
            entries = parse_list(candidate)
        except MalformedResponse as exc:
            assert "\n" not in str(exc)
            continue
        assert [e.effective for e in entries] == sorted(e.effective for e in entries)
        for entry in entries:  # through the gate: a rate may be negative (agile tariffs), a standing charge not
            assert entry.rate is None or (math.isfinite(entry.rate) and abs(entry.rate) <= gate.MAX_PENCE_PER_KWH)
            assert entry.standing is None or (math.isfinite(entry.standing) and
                                              0 <= entry.standing <= gate.MAX_STANDING_PENCE)
        history = TariffHistory(entries, "fuzz")
        history.standing_on(date(2026, 1, 1))
        history.rate_on(date(2026, 1, 1))
        assert "\n" not in history.describe()


def test_priced_half_hours_that_fail_leave_an_estimate_that_says_so(
    account: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    cost = account.resource_id(HOME, "electricity.consumption.cost")
    account.fault("500", path=f"/resource/{cost}/readings")
    out = io.StringIO()
    assert report.run(parse_args("report", "--format", "json", "--days", "3", "--resource", "electricity"), {},
                      out) == 0
    res = json.loads(out.getvalue())["resources"]["electricity"]
    assert {d["cost_source"] for d in res["days"]} == {"estimated"}
    # the household's electricity is time of use: each hour at its band's rate (never the first rate for all)
    assert res["cost_note"].startswith("estimated from the time-of-use rates of ")
    for d in (d for d in res["days"] if d["complete"]):
        assert d["energy_gbp"] == pytest.approx(truth(account, HOME, "electricity.consumption", date.fromisoformat(
            d["date"]))[0], abs=1e-4)  # the bands price what the meter's priced half-hours do
    assert "the priced half-hours are unavailable" in capsys.readouterr().err


def test_hours_that_straddle_two_prices_are_summed_as_other() -> None:
    """Economy 7 from 00:30 to 07:30 read as hourly buckets: 00:00 and 07:00 mix both prices, a different mix each
    day; they go to "other", and night and day keep their own prices."""
    from glowline.data.costs import price_bands
    from glowline.data.readings import Series

    start = midnight(date(2026, 1, 5))  # winter: London is UTC
    used: list[float | None] = []
    paid: list[float | None] = []
    for day in range(4):
        for hour in range(24):
            first, second = 0.2 + 0.05 * day, 0.3 + 0.01 * hour  # kWh in each half-hour
            rate = [24.5 if not 0.5 <= hour + h / 2 < 7.5 else 9.0 for h in (0, 1)]
            used.append(first + second)
            paid.append(first * rate[0] + second * rate[1])
    energy = Series(start, 3600, used, start + 4 * 86400)
    cost = Series(start, 3600, paid, start + 4 * 86400)
    bands = price_bands(energy, cost, start, start + 4 * 86400, LONDON)
    assert [(b.name, b.price) for b in bands] == [("night", 9.0), ("day", 24.5), ("other", 0.0)]
    total_kwh = math.fsum(v or 0.0 for v in used)
    assert math.fsum(b.kwh for b in bands) == pytest.approx(total_kwh)
    assert bands[-1].describe(total_kwh, math.fsum(b.pence for b in bands)).startswith("other prices: ")
