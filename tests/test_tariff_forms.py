"""Tariff lists as the real service sends them (glowmarkt-api.md 4.1 and 8; issue 19 finding 4, issue 20 item 6):
dates as local strings, epoch seconds or ISO with Z all become the meter's local date (a change at London midnight in
BST, 23:00Z the day before, prices from the right day, to the penny); a dynamic entry gives "no rate known", never an
older rate; a time-of-use entry's bands price the half-hours they cover; implausible values are left out and said;
a list of 45k entries is sorted once and looked up by bisection."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glowline.catalog import GasUnit
from glowline.commands import report
from glowline.commands.context import Context
from glowline.data.costs import ESTIMATED, day_costs
from glowline.data.readings import Series, day_bounds, local_days
from glowline.data.tariff import TariffHistory, effective_date, parse_list, read_list
from glowline.emulator import Emulator
from tests.helpers import frozen_emulator
from tests.test_tariff import parse_args

LONDON = ZoneInfo("Europe/London")
HOME, COTTAGE = "DCC Sourced", "Holiday Cottage"
#: the emulator's price change then falls on a London midnight in BST (early October 2026)
AUTUMN = datetime(2026, 11, 5, 9, 0, 7, tzinfo=timezone.utc).timestamp()


#: ... and on a London midnight in GMT (mid-March 2026)
SPRING = datetime(2026, 4, 12, 15, 6, 11, tzinfo=timezone.utc).timestamp()


@pytest.fixture
def clocked(home: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Emulator]:
    now = float(getattr(request, "param", AUTUMN))
    with frozen_emulator(now, monkeypatch) as emu:
        yield emu


def report_json(emu: Emulator, *argv: str, names: tuple[str, ...] = ("electricity", "gas"),
                days: int = 40) -> dict[str, Any]:
    args = parse_args("report", "--format", "json", "--days", str(days), *argv)
    with Context(args, {}, "electricity.consumption") as ctx:
        ctx.now = emu.now()
        doc = report.as_json(report.build(ctx, ctx.available(list(names), False), days, GasUnit()))
    return json.loads(json.dumps(doc))


def midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=LONDON).timestamp())


# -- the three date forms --------------------------------------------------------------------------------------------


def test_every_date_form_is_the_meters_local_date() -> None:
    bst_midnight = midnight(date(2026, 10, 1))  # 2026-09-30T23:00:00Z
    assert effective_date("2026-10-01 00:00:00") == date(2026, 10, 1)
    assert effective_date(bst_midnight) == date(2026, 10, 1)
    assert effective_date(str(bst_midnight)) == date(2026, 10, 1)
    assert effective_date(bst_midnight * 1000) == date(2026, 10, 1)  # milliseconds
    assert effective_date("2026-09-30T23:00:00Z") == date(2026, 10, 1)
    assert effective_date("2026-09-30T23:00:00.000Z") == date(2026, 10, 1)
    assert effective_date("2026-10-01T00:00:00+01:00") == date(2026, 10, 1)
    assert effective_date("2026-12-01T00:00:00Z") == date(2026, 12, 1)  # GMT: the same wall date
    assert effective_date("2026-10-01T00:00:00") == date(2026, 10, 1)  # no zone: local already
    assert effective_date(bst_midnight, ZoneInfo("UTC")) == date(2026, 9, 30)  # the meter's zone decides
    for junk in (True, None, "soon", "", "2026-13-01", float("nan"), -5, 1e30, {"date": 1}):
        assert effective_date(junk) is None


@pytest.mark.parametrize("clocked", [AUTUMN, SPRING], indirect=True, ids=["bst", "gmt"])
@pytest.mark.parametrize("form", ["local", "epoch", "iso"])
def test_a_change_dated_by_its_instant_prices_from_the_right_day(clocked: Emulator, form: str) -> None:
    """Finding 4: epoch seconds of London midnight in BST priced the day before the change at the new rates
    (30 Sep: 3.74 GBP instead of 3.71). Each day's total is its priced half-hours plus that day's standing charge."""
    clocked.play_tariff_dates(form)
    change = datetime.fromtimestamp(clocked.price_change, LONDON)
    bst = clocked.now() == AUTUMN
    assert change.utcoffset() == timedelta(hours=1 if bst else 0)  # a change at a BST (or GMT) midnight
    change_day = change.date()
    doc = report_json(clocked, names=("electricity",))
    days = {d["date"]: d for d in doc["resources"]["electricity"]["days"]}
    rid = clocked.resource_id(HOME, "electricity.consumption")
    for day in (change_day - timedelta(days=1), change_day, change_day + timedelta(days=1)):
        d = days[day.isoformat()]
        start, end = midnight(day), midnight(day + timedelta(days=1))
        pence = math.fsum(v or 0.0 for _, v in clocked.half_hours(
            clocked.resource_id(HOME, "electricity.consumption.cost"), start, end))
        standing = clocked.standing_pence(rid, start)
        assert d["standing_gbp"] == pytest.approx(standing / 100, abs=1e-9), (form, day)
        assert round(d["total_gbp"], 2) == round((pence + standing) / 100, 2), (form, day)  # to the penny
    before, after = days[(change_day - timedelta(days=1)).isoformat()], days[change_day.isoformat()]
    assert before["standing_gbp"] == 0.4897 and after["standing_gbp"] == 0.5335


@pytest.mark.parametrize("form", ["epoch", "iso"])
def test_estimated_costs_take_the_rate_of_the_right_day(clocked: Emulator, form: str) -> None:
    """Without a cost resource the day before the change is priced at the old unit rate, whatever the date form."""
    clocked.play_tariff_dates(form)
    change_day = datetime.fromtimestamp(clocked.price_change, LONDON).date()
    doc = report_json(clocked, "--site", COTTAGE, names=("electricity",))
    days = {d["date"]: d for d in doc["resources"]["electricity"]["days"]}
    rid = clocked.resource_id(COTTAGE, "electricity.consumption")
    for day, rate in ((change_day - timedelta(days=1), 22.36), (change_day, 24.50)):
        start, end = midnight(day), midnight(day + timedelta(days=1))
        kwh = math.fsum(v or 0.0 for _, v in clocked.half_hours(rid, start, end))
        assert days[day.isoformat()]["energy_gbp"] == pytest.approx(kwh * rate / 100, abs=1e-4), (form, day)


# -- dynamic and time-of-use entries ----------------------------------------------------------------------------------


def flat(day: str, rate: float, standing: float) -> dict[str, Any]:
    return {"effectiveDate": f"{day} 00:00:00", "plan": [{"planDetail": [{"standing": standing}, {"rate": rate}]}]}


def test_a_dynamic_entry_has_no_rate_never_an_older_one() -> None:
    doc = {"data": [flat("2026-01-01", 24.5, 50.0),
                    {"effectiveDate": "2026-06-01 00:00:00", "dynamic": "AGILE-24-10-01",
                     "plan": [{"planDetail": [{"standing": 45.0}, {"dynamic": "AGILE-24-10-01"}]}]}]}
    history = TariffHistory(parse_list(doc), "list")
    assert history.rate_on(date(2026, 5, 31)) == (24.5, date(2026, 1, 1))
    assert history.rate_on(date(2026, 6, 1)) == (None, date(2026, 6, 1))
    assert history.standing_on(date(2026, 6, 2)) == 45.0
    start = midnight(date(2026, 5, 31))
    series = Series(start, 1800, [0.5] * 96)
    bounds = day_bounds(date(2026, 6, 1), 2, LONDON)
    costs = day_costs(local_days(series, bounds, start + 2 * 86400), None, history, series, LONDON)
    assert costs[0].energy == pytest.approx(24 * 24.5) and costs[0].source == ESTIMATED
    assert costs[1].energy is None and "no rate known" in costs[1].why and "dynamic" in costs[1].why
    assert costs[1].total is None  # never the older rate


def test_a_dynamic_entry_over_http_says_no_rate_known(clocked: Emulator) -> None:
    rid = clocked.resource_id(COTTAGE, "electricity.consumption")
    today = datetime.fromtimestamp(clocked.now(), LONDON).date()
    switch = today - timedelta(days=3)
    clocked.serve_tariff_list(rid, [
        flat((today - timedelta(days=100)).isoformat(), 24.5, 50.0),
        {"effectiveDate": midnight(switch), "dynamic": "AGILE", "plan": [{"planDetail": [{"standing": 45.0}]}]},
    ])
    doc = report_json(clocked, "--site", COTTAGE, names=("electricity",), days=6)
    days = {d["date"]: d for d in doc["resources"]["electricity"]["days"]}
    assert days[(switch - timedelta(days=1)).isoformat()]["energy_gbp"] is not None
    for n in range(3):
        d = days[(switch + timedelta(days=n)).isoformat()]
        assert d["energy_gbp"] is None and d["total_gbp"] is None and d["standing_gbp"] == 0.45
        assert "no rate known" in d["estimated_from"]


def test_time_of_use_bands_price_the_half_hours_they_cover() -> None:
    """Economy 7 from 00:30 to 07:30 (GMT), half-hourly energy: each half-hour at its band's rate, exactly."""
    doc = {"data": [{"effectiveDate": "2026-01-01 00:00:00", "structure": [{"planDetail": [
        {"standing": 40.0}, {"tier": 1, "rate": 30.0, "time": "07:30-00:30"},
        {"tier": 2, "rate": 10.0, "time": "00:30-07:30"}]}]}]}
    entries = parse_list(doc)
    assert len(entries[0].bands) == 2 and entries[0].flat is None
    history = TariffHistory(entries, "list")
    assert history.rate_on(date(2026, 1, 5)) == (None, date(2026, 1, 1))  # no single rate: never the first
    start = midnight(date(2026, 1, 5))
    values = [float(n % 7 + 1) / 10 for n in range(48)]
    series = Series(start, 1800, list(values))
    days = local_days(series, day_bounds(date(2026, 1, 5), 1, LONDON), start + 86400)
    cost = day_costs(days, None, history, series, LONDON)[0]
    expected = math.fsum(v * (10.0 if 1 <= n < 15 else 30.0) for n, v in enumerate(values))
    assert cost.energy == pytest.approx(expected, abs=1e-9) and cost.why == "time-of-use rates"


def test_bands_that_leave_hours_uncovered_give_no_rate() -> None:
    doc = {"data": [{"effectiveDate": "2026-01-01", "plan": [{"planDetail": [
        {"tourate": 30.0, "time": "07:00-20:00"}, {"tourate": 10.0, "time": "00:00-06:00"}]}]}]}
    history = TariffHistory(parse_list(doc), "list")
    start = midnight(date(2026, 1, 5))
    series = Series(start, 3600, [1.0] * 24)
    days = local_days(series, day_bounds(date(2026, 1, 5), 1, LONDON), start + 86400)
    cost = day_costs(days, None, history, series, LONDON)[0]
    assert cost.energy is None and "no rate known" in cost.why


# -- implausible values: left out and said ----------------------------------------------------------------------------


def test_negative_rates_are_kept_and_absurd_ones_left_out_and_said() -> None:
    """Issue 20 item 6: negative rates made "the tariff list is empty" and every cost vanished without a word."""
    doc = {"data": [flat("2026-01-01", -2.5, 40.0), flat("2026-02-01", 1e300, 40.0), flat("2026-03-01", 20.0, -5),
                    flat("2026-04-01", "abc", 40.0), flat("2026-05-01", 19.0, 41.0)]}
    listed = read_list(doc)
    assert [(e.effective.isoformat(), e.rate) for e in listed.entries] == [("2026-01-01", -2.5), ("2026-05-01", 19.0)]
    assert listed.left_out == ["from 2026-02-01: unit rate not plausible",
                               "from 2026-03-01: standing charge not plausible",
                               "from 2026-04-01: unit rate is not a number"]
    assert "3 entries with implausible values left out" in listed.note()
    assert "e+300" not in listed.note() and "\n" not in listed.note()


def test_the_days_of_an_entry_left_out_have_no_rate_not_the_one_before() -> None:
    listed = read_list({"data": [flat("2026-01-01", 20.0, 40.0), flat("2026-02-01", 1e300, 45.0),
                                 flat("2026-03-01", 22.0, 50.0)]})
    history = TariffHistory(listed.history(), "list")
    assert history.rate_on(date(2026, 1, 31)) == (20.0, date(2026, 1, 1))
    assert history.rate_on(date(2026, 2, 10))[0] is None and history.standing_on(date(2026, 2, 10)) is None
    entry = history.entry_on(date(2026, 2, 10))
    assert entry is not None and "implausible" in entry.why_no_rate()
    assert history.rate_on(date(2026, 3, 1))[0] == 22.0 and history.standing_on(date(2026, 3, 1)) == 50.0
    assert "50.00 p/day since 2026-03-01, 40.00 before" in history.describe()


def test_absurd_rates_never_reach_the_report(clocked: Emulator) -> None:
    rid = clocked.resource_id(COTTAGE, "electricity.consumption")
    today = datetime.fromtimestamp(clocked.now(), LONDON).date()
    clocked.serve_tariff_list(rid, [flat((today - timedelta(days=50)).isoformat(), 1e300, 40.0),
                                    flat((today - timedelta(days=10)).isoformat(), -3.0, 40.0)])
    doc = report_json(clocked, "--site", COTTAGE, names=("electricity",), days=5)
    res = doc["resources"]["electricity"]
    assert "1 entry with implausible values left out" in res["standing_source"]
    text = json.dumps(doc)
    assert "e+300" not in text and "1e300" not in text
    assert all(d["energy_gbp"] is None or d["energy_gbp"] <= 0 for d in res["days"])  # a negative rate prices


def test_a_list_of_only_absurd_entries_is_not_called_empty(clocked: Emulator) -> None:
    for classifier in ("electricity.consumption", "electricity.consumption.cost"):
        clocked.serve_tariff_list(clocked.resource_id(HOME, classifier), [flat("2026-01-01", 1e300, 40.0)])
    doc = report_json(clocked, names=("electricity",), days=3)
    source = doc["resources"]["electricity"]["standing_source"]
    assert "the tariff list is empty" not in source and "implausible values left out" in source


# -- big lists --------------------------------------------------------------------------------------------------------


class Untouchable(list):  # type: ignore[type-arg]
    """A list no look-up may walk: bisection indexes it, a scan of it (days x entries) fails the test."""

    def __iter__(self) -> Iterator[Any]:
        raise AssertionError("a tariff look-up walked the whole list")


def test_45k_entries_are_sorted_once_and_bisected() -> None:
    """Issue 20 item 6: 45k entries took `report --year` 34 s (each day scanned every entry)."""
    first = date(1900, 1, 1)
    doc = {"data": [flat((first + timedelta(days=n)).isoformat(), 10.0 + n % 7, 40.0 + n % 3)
                    for n in reversed(range(45_000))]}
    history = TariffHistory(parse_list(doc), "list")
    history.entries = Untouchable(history.entries)
    for n in range(0, 45_000, 97):
        day = first + timedelta(days=n)
        assert history.rate_on(day)[0] == 10.0 + n % 7
        assert history.standing_on(day) == 40.0 + n % 3
        entry = history.entry_on(day)
        assert entry is not None and entry.effective == day
    assert history.rate_on(date(1800, 1, 1))[0] == 10.0  # before the first: the oldest known


# -- export: each half-hour at its band's rate ------------------------------------------------------------------------


def test_export_prices_estimated_half_hours_at_their_band(account: Emulator) -> None:
    """Without priced half-hours, a time-of-use tariff's export rows are estimated at the rate of the band each
    half-hour falls in (Economy 7 from 00:30: the bands split hours), never the first rate for all."""
    from tests.test_export import number, run_export, table

    rid = account.resource_id(COTTAGE, "electricity.consumption")
    account.serve_tariff_list(rid, [{"effectiveDate": "2020-01-01 00:00:00", "structure": [{"planDetail": [
        {"standing": 40.0}, {"tier": 1, "rate": 30.0, "time": "07:30-00:30"},
        {"tier": 2, "rate": 10.0, "time": "00:30-07:30"}]}]}])
    day = datetime.now(LONDON).date() - timedelta(days=2)
    _header, rows = table(run_export("--site", COTTAGE, "--from", day.isoformat(), "--to", day.isoformat(),
                                     "--resource", "electricity"))
    assert len(rows) >= 46
    rates = set()
    for row in rows:
        start = datetime.fromisoformat(row["time"]) if "time" in row else datetime.fromisoformat(
            next(iter(row.values())))
        minute = start.hour * 60 + start.minute
        rate = 10.0 if 30 <= minute < 450 else 30.0
        kwh, gbp = number(row["electricity_kwh"]), number(row["electricity_gbp"])
        assert kwh is not None and gbp == pytest.approx(kwh * rate / 100, abs=2e-6), row
        rates.add(rate)
    assert rates == {10.0, 30.0}


@pytest.mark.parametrize("price", [b"1e300", b"1e12", b"-0.5", b"6.5"])
def test_a_devices_absurd_price_never_reaches_the_json(price: bytes) -> None:
    """Issue 20 item 3: a unit rate of 1e300 from the IHD went into `live --format json`; prices pass the same
    gate as tariffs (glowline.gate.unit_rate and standing, in pence)."""
    from glowline.data import live
    from tests.test_live import M1_ELECTRICITY, parse

    message = M1_ELECTRICITY.replace(b'"unitrate": 0.16401', b'"unitrate": ' + price)
    message = message.replace(b'"standingcharge": 0.19383', b'"standingcharge": ' + price)
    reading = parse("SENSOR/electricitymeter", message)
    assert isinstance(reading, live.Electricity) and reading.unit_rate_gbp is None  # 6.5 GBP/kWh: not a tariff
    assert reading.standing_charge_gbp == (6.5 if price == b"6.5" else None)  # 6.50 GBP a day can be
    text = json.dumps(reading.document())
    assert "e+300" not in text and "1000000000000" not in text
    fine = parse("SENSOR/electricitymeter", M1_ELECTRICITY)
    assert fine.unit_rate_gbp == 0.16401 and fine.standing_charge_gbp is not None


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                 st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
                 st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))))
def test_effective_date_never_raises(value: Any) -> None:
    for tz in (None, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("America/Adak")):
        day = effective_date(value, tz)
        assert day is None or isinstance(day, date)


@pytest.mark.parametrize("form", ["local", "epoch", "iso"])
def test_the_current_tariffs_start_is_a_local_date_in_every_form(clocked: Emulator, form: str) -> None:
    clocked.play_tariff_dates(form)
    change_day = datetime.fromtimestamp(clocked.price_change, LONDON).date()
    args = parse_args("tariff", "--site", COTTAGE)
    with Context(args, {}, "electricity.consumption") as ctx:
        tariff = ctx.tariff("electricity")
    assert tariff.since == change_day.isoformat() and f"since {change_day}" in tariff.origin()
