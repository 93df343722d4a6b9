"""The Glowmarkt emulator over real HTTP: capture shapes, the API's rules, the household's numbers and faults."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from glowline.emulator import APPLICATION_ID, DEMO_PASSWORD, DEMO_USERNAME, Emulator

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
HOME = "DCC Sourced"
CAPTURE_NOW = datetime(2026, 4, 12, 15, 6, 11, tzinfo=timezone.utc).timestamp()  # resource-electricity.json's Date


CAPTURES = ROOT / "tests" / "captures"  # the recorded live responses (copied from ../shared/glowmarkt-captures)



class Clock:
    """A settable clock for the emulator (epoch seconds)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Api:
    """A logged-in session against one emulator."""

    def __init__(self, emu: Emulator, login: bool = True) -> None:
        self.emu = emu
        self.session = requests.Session()
        self.session.headers["applicationId"] = APPLICATION_ID
        if login:
            reply = self.session.post(emu.url + "auth", json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
            assert reply.status_code == 200, reply.text
            self.session.headers["token"] = reply.json()["token"]

    def get(self, path: str, params: dict[str, str] | None = None, timeout: float = 5.0) -> requests.Response:
        return self.session.get(self.emu.url + path, params=params, timeout=timeout)

    def readings(self, resource_id: str, start: str, end: str, period: str, **extra: str) -> requests.Response:
        params = {"from": start, "to": end, "period": period, "function": "sum", **extra}
        return self.get(f"resource/{resource_id}/readings", params)


@pytest.fixture
def clock() -> Clock:
    return Clock(CAPTURE_NOW)


@pytest.fixture
def emu(clock: Clock) -> Iterator[Emulator]:
    with Emulator(now=clock) as emulator:
        yield emulator


@pytest.fixture
def api(emu: Emulator) -> Api:
    return Api(emu)


def shape(value: Any) -> Any:
    """A JSON value's structure: objects keep key order, arrays become the set of their element shapes."""
    if isinstance(value, dict):
        return ("object", tuple((key, shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("array", frozenset(shape(item) for item in value))
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "null" if value is None else type(value).__name__


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def wall(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def total(pairs: list[tuple[int, float | None]]) -> float:
    return sum(v for _, v in pairs if v is not None)


# --- the captures ------------------------------------------------------------------------------------------------


def _capture_request(name: str, emu: Emulator) -> tuple[str, str, dict[str, str], Any]:
    """(method, path, params, json body) of the request each capture recorded."""
    april = {"from": "2026-04-01T00:00:00", "to": "2026-04-30T23:59:59", "period": "P1D", "function": "sum",
             "nulls": "1"}
    return {
        "authentication.json": ("POST", "auth", {}, {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}),
        "failed-authentication.json": ("POST", "auth", {}, {"username": DEMO_USERNAME, "password": "wrong"}),
        "virtual-entities.json": ("GET", "virtualentity", {}, None),
        "virtual-entity.json": ("GET", f"virtualentity/{emu.site_ids()[0]}/resources", {}, None),
        "virtual-entity-not-found.json": ("GET", "virtualentity/00000000-0000-0000-0000-000000000000/resources", {},
                                          None),
        "resource-electricity.json": ("GET", f"resource/{emu.resource_id(HOME, 'electricity.consumption')}/readings",
                                      april, None),
        "resource-gas.json": ("GET", f"resource/{emu.resource_id(HOME, 'gas.consumption')}/readings", april, None),
        "resource-not-found.json": ("GET", "resource/00000000-0000-0000-0000-000000000000/readings", april, None),
    }[name]


CAPTURE_NAMES = ["authentication.json", "failed-authentication.json", "virtual-entities.json", "virtual-entity.json",
                 "virtual-entity-not-found.json", "resource-electricity.json", "resource-gas.json",
                 "resource-not-found.json"]


@pytest.mark.parametrize("name", CAPTURE_NAMES)
def test_answers_have_the_shape_status_and_headers_of_the_capture(name: str) -> None:
    assert CAPTURES is not None
    capture = json.loads((CAPTURES / name).read_text())
    clock = Clock(parsedate_to_datetime(capture["headers"]["Date"]).timestamp())
    with Emulator(now=clock) as emu:
        api = Api(emu)
        method, path, params, body = _capture_request(name, emu)
        reply = api.session.request(method, emu.url + path, params=params, json=body, timeout=5)
    assert reply.status_code == capture["statusCode"]
    assert reply.headers["Server"] == "openresty"
    assert reply.headers["x-powered-by"] == "Express"
    assert reply.headers["Content-Length"] == str(len(reply.content))
    assert reply.headers.get("Content-Type") == (capture["headers"].get("Content-Type") and "application/json")
    if not capture["data"]:
        assert reply.content == b""
        return
    expected, got = json.loads(capture["data"]), reply.json()
    assert shape(got) == shape(expected)
    if name.startswith("resource-") and reply.status_code == 200:
        # same query at the same moment: the same bucket starts, and null exactly where the real API had null
        assert [ts for ts, _ in got["data"]] == [ts for ts, _ in expected["data"]]
        assert [v is None for _, v in got["data"]] == [v is None for _, v in expected["data"]]
        assert got["query"] == expected["query"]
    if name == "virtual-entity.json":
        real = {(r["classifier"], r["name"], r["description"], r["dataSourceType"]) for r in expected["resources"]}
        assert real <= {(r["classifier"], r["name"], r["description"], r["dataSourceType"]) for r in got["resources"]}


# --- auth and access -----------------------------------------------------------------------------------------------


def test_login_issues_a_token_that_expires_after_the_lifetime(clock: Clock) -> None:
    with Emulator(now=clock, token_lifetime=3600) as emu:
        session = requests.Session()
        session.headers["applicationId"] = APPLICATION_ID
        reply = session.post(emu.url + "auth", json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
        assert reply.status_code == 200
        document = reply.json()
        assert list(document) == ["valid", "token", "exp", "userGroups", "functionalGroupAccounts", "accountId",
                                  "isTempAuth", "name"]
        assert document["valid"] is True and document["exp"] == int(CAPTURE_NOW) + 3600
        session.headers["Token"] = document["token"]  # header names are case-insensitive
        check = session.get(emu.url + "auth")
        assert check.status_code == 200
        assert list(check.json()) == ["accountId", "applicationId", "valid", "exp"]
        assert check.json()["exp"] == document["exp"]
        assert session.get(emu.url + "virtualentity").status_code == 200
        clock.now += 3600
        expired = session.get(emu.url + "virtualentity")
        assert (expired.status_code, expired.json()) == (401, {"error": "Access denied"})


@pytest.mark.parametrize("credentials", [{"username": DEMO_USERNAME, "password": "nope"},
                                         {"username": "someone@else", "password": DEMO_PASSWORD}])
def test_bad_credentials_get_401_valid_false(emu: Emulator, credentials: dict[str, str]) -> None:
    reply = requests.post(emu.url + "auth", json=credentials, headers={"applicationId": APPLICATION_ID}, timeout=5)
    assert (reply.status_code, reply.content) == (401, b'{"valid":false}')


@pytest.mark.parametrize("app_id", [None, "b576fdb0-0000-0000-0000-000000000000"])
def test_missing_or_wrong_application_id_is_400(api: Api, app_id: str | None) -> None:
    headers = {"token": api.session.headers["token"]}
    if app_id:
        headers["applicationId"] = app_id
    get = requests.get(api.emu.url + "virtualentity", headers=headers, timeout=5)
    assert (get.status_code, get.json()) == (400, {"error": "bad request", "message": "bad request"})
    post = requests.post(api.emu.url + "auth", headers=headers, timeout=5,
                         json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
    assert (post.status_code, post.json()) == (400, {"message": "Bad request missing info"})


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_data_endpoints_need_a_valid_token(emu: Emulator, token: str | None) -> None:
    headers = {"applicationId": APPLICATION_ID}
    if token is not None:
        headers["token"] = token
    for path in ("virtualentity", "resource", f"resource/{emu.resource_id(HOME, 'electricity.consumption')}/tariff"):
        reply = requests.get(emu.url + path, headers=headers, timeout=5)
        assert (reply.status_code, reply.json()) == (401, {"error": "Access denied"})


def test_expire_tokens_denies_old_tokens_and_a_new_login_works(api: Api) -> None:
    assert api.get("virtualentity").status_code == 200
    api.emu.expire_tokens()
    assert api.get("virtualentity").status_code == 401
    assert Api(api.emu).get("virtualentity").status_code == 200


# --- discovery -----------------------------------------------------------------------------------------------------


def test_sites_and_the_duplicate_classifier(api: Api) -> None:
    sites = api.get("virtualentity").json()
    assert [s["name"] for s in sites] == ["DCC Sourced", "Holiday Cottage"]
    assert [s["veId"] for s in sites] == api.emu.site_ids()
    assert all("classifier" not in r for s in sites for r in s["resources"])
    home = api.get(f"virtualentity/{sites[0]['veId']}/resources").json()
    electricity = [r for r in home["resources"] if r["classifier"] == "electricity.consumption"]
    assert [r["dataSourceType"] for r in electricity] == ["ADHOC", "AMRAPI"]  # the wrong one comes first
    assert electricity[1]["resourceId"] == api.emu.resource_id(HOME, "electricity.consumption")
    assert electricity[0]["resourceId"] == api.emu.resource_id(HOME, "electricity.consumption", source="ADHOC")
    day = {"start": "2026-04-10T00:00:00", "end": "2026-04-10T23:59:59", "period": "P1D"}
    values = [api.readings(r["resourceId"], **day).json()["data"][0][1] for r in electricity]
    assert values[0] != values[1]  # a wrong pick is detectable
    cottage = api.get(f"virtualentity/{sites[1]['veId']}/resources").json()
    assert sorted(r["classifier"] for r in cottage["resources"]) == ["electricity.consumption", "gas.consumption"]
    flat = api.get("resource").json()
    assert [r["resourceId"] for r in flat] == [r["resourceId"] for r in home["resources"] + cottage["resources"]]
    one = api.get(f"resource/{electricity[1]['resourceId']}")
    assert one.json() == electricity[1]


def test_unknown_ids_are_404(api: Api) -> None:
    ve = api.get("virtualentity/nope/resources")
    assert (ve.status_code, ve.content, ve.headers["Content-Length"]) == (404, b"", "0")
    assert "Content-Type" not in ve.headers
    for path in ("resource/nope", "resource/nope/readings", "resource/nope/tariff", "resource/nope/first-time"):
        reply = api.get(path)
        assert (reply.status_code, reply.json()) == (404, {"error": "Not found"})


def test_small_endpoints(api: Api) -> None:
    rid = api.emu.resource_id(HOME, "gas.consumption")
    first = api.get(f"resource/{rid}/first-time").json()
    assert first["data"] == {"firstTs": api.emu.first_time}
    assert CAPTURE_NOW - 801 * 86400 < api.emu.first_time < CAPTURE_NOW - 799 * 86400
    last = api.get(f"resource/{rid}/last-time").json()["data"]["lastTs"]
    assert api.emu.delivered(rid, last, last + 1800)[0][1] == api.emu.half_hours(rid, last, last + 1800)[0][1]
    assert api.emu.delivered(rid, last + 1800, last + 3600)[0][1] == 0
    assert api.get(f"resource/{rid}/catchup").json()["data"] == {"valid": True}
    current = api.get(f"resource/{rid}/current").json()
    assert current["data"] == [] and current["status"] == "OK"


@pytest.mark.parametrize("variant", ["numbers", "strings", "empty", "error"])
def test_tariff_variants(api: Api, variant: str) -> None:
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    api.emu.set_tariff(rid, variant)
    reply = api.get(f"resource/{rid}/tariff")
    if variant == "error":
        assert (reply.status_code, reply.json()) == (500, {"error": "An error has occurred"})
        return
    document = reply.json()
    assert document["status"] == "OK"
    if variant == "empty":
        assert document["data"] == []
        return
    entry = document["data"][0]
    assert {"currentRates", "plan", "from", "name", "commodity", "cid"} <= set(entry)
    rate = entry["currentRates"]["rate"]
    assert isinstance(rate, str if variant == "strings" else float)
    assert float(rate) == 24.5 and float(entry["currentRates"]["standingCharge"]) > 0


# --- readings: the rules -------------------------------------------------------------------------------------------

SPAN_LIMITS = [("PT1M", "2025-03-03T00:00:00", 2), ("PT30M", "2025-03-03T00:00:00", 10),
               ("PT1H", "2025-03-03T00:00:00", 31), ("P1D", "2025-03-03T00:00:00", 31),
               ("P1W", "2025-03-03T00:00:00", 42), ("P1M", "2025-03-01T00:00:00", 366),
               ("P1Y", "2025-03-01T00:00:00", 366)]


@pytest.mark.parametrize(("period", "start", "days"), SPAN_LIMITS)
def test_span_limit_per_period(api: Api, period: str, start: str, days: int) -> None:
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    end = utc(start) + days * 86400
    assert api.readings(rid, start, wall(end), period).status_code == 200
    over = api.readings(rid, start, wall(end + 1), period)
    assert (over.status_code, over.json()) == (400, {"error": "incorrect elements"})


@pytest.mark.parametrize(("period", "start"), [("P1W", "2025-03-04T00:00:00"), ("P1M", "2025-03-02T00:00:00")])
def test_weeks_start_on_monday_and_months_on_the_first(api: Api, period: str, start: str) -> None:
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    reply = api.readings(rid, start, wall(utc(start) + 20 * 86400), period)
    assert (reply.status_code, reply.json()) == (400, {"error": "incorrect elements"})


@pytest.mark.parametrize(
    ("start", "end", "extra"),
    [
        ("2026-04-10T00:00:00", "2026-04-10T00:00:00", {}),  # from == to
        ("2026-04-10T01:00:00", "2026-04-10T00:00:00", {}),  # from > to
        ("2026-04-10", "2026-04-11T00:00:00", {}),
        ("2026-04-10T00:00:00Z", "2026-04-11T00:00:00", {}),
        ("2026-04-10T00:00:00.000", "2026-04-11T00:00:00", {}),
        ("2026-04-10 00:00:00", "2026-04-11T00:00:00", {}),
        ("2026-02-30T00:00:00", "2026-03-01T00:00:00", {}),
        ("2026-04-10T00:00:00", "2026-04-11T00:00:00", {"period": "PT15M"}),
        ("2026-04-10T00:00:00", "2026-04-11T00:00:00", {"function": "median"}),
        ("2026-04-10T00:00:00", "2026-04-11T00:00:00", {"offset": "-1h"}),
    ],
)
def test_incorrect_elements(api: Api, start: str, end: str, extra: dict[str, str]) -> None:
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    params = {"period": "PT30M", **extra}
    period = params.pop("period")
    reply = api.readings(rid, start, end, period, **params)
    assert (reply.status_code, reply.json()) == (400, {"error": "incorrect elements"})


def test_minute_readings_are_for_electricity_only(api: Api) -> None:
    gas = api.readings(api.emu.resource_id(HOME, "gas.consumption"), "2026-04-10T00:00:00", "2026-04-10T01:00:00",
                       "PT1M")
    assert gas.status_code == 400
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    minutes = api.readings(rid, "2026-04-10T00:00:00", "2026-04-10T01:00:00", "PT1M").json()["data"]
    assert len(minutes) == 61
    assert math.isclose(sum(v for _, v in minutes[:60]), total(api.emu.half_hours(rid, utc("2026-04-10T00:00:00"),
                                                                                   utc("2026-04-10T01:00:00"))))


def test_from_in_the_future(api: Api) -> None:
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    soon = wall(CAPTURE_NOW + 1800)
    reply = api.readings(rid, soon, wall(CAPTURE_NOW + 7200), "PT30M")
    assert (reply.status_code, reply.json()) == (400, {"error": "incorrect elements -from in the future"})
    # the same wall time in BST (offset -60) is half an hour ago: allowed
    assert api.readings(rid, soon, wall(CAPTURE_NOW + 7200), "PT30M", offset="-60").status_code == 200


@pytest.mark.parametrize(("end", "count"), [("2026-04-10T10:00:00", 21), ("2026-04-10T09:59:59", 20)])
def test_to_includes_the_bucket_starting_at_it(api: Api, end: str, count: int) -> None:
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    data = api.readings(rid, "2026-04-10T00:00:00", end, "PT30M").json()["data"]
    assert len(data) == count and data[-1][0] == utc(end) // 1800 * 1800


# --- readings: the numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("classifier", ["electricity.consumption", "gas.consumption", "electricity.consumption.cost",
                                        "gas.consumption.cost", "electricity.export"])
def test_half_hour_and_hour_buckets_agree_with_half_hours(api: Api, classifier: str) -> None:
    rid = api.emu.resource_id(HOME, classifier)
    start, end = utc("2026-04-01T00:00:00"), utc("2026-04-03T00:00:00")
    truth = api.emu.half_hours(rid, start, end)
    halves = api.readings(rid, wall(start), wall(end - 1), "PT30M", nulls="1").json()
    assert halves["units"] == ("pence" if classifier.endswith("cost") else "kWh")
    assert [(ts, v) for ts, v in halves["data"]] == [(ts, pytest.approx(v, abs=1e-9)) for ts, v in truth]
    hours = api.readings(rid, wall(start), wall(end - 1), "PT1H", nulls="1").json()["data"]
    assert len(hours) == 48
    for index, (ts, value) in enumerate(hours):
        assert ts == truth[2 * index][0]
        assert value == pytest.approx(total(truth[2 * index : 2 * index + 2]), abs=1e-9)


def test_cost_is_consumption_times_the_rate_in_force(emu: Emulator) -> None:
    """The cost resources price each half-hour with the tariff in force then: the home's electricity is time of use
    (cheap 00:00-07:00 local), gas one rate; both changed price at ``price_change``."""
    london = ZoneInfo("Europe/London")
    rates = {"electricity": ((22.36, 8.5), (24.5, 9.0)), "gas": ((5.89, 5.89), (6.3, 6.3))}
    for start in (emu.price_change - 86400 * 3, emu.price_change + 86400 * 3):
        for commodity, ((old_day, old_night), (new_day, new_night)) in rates.items():
            used = emu.half_hours(emu.resource_id(HOME, f"{commodity}.consumption"), start, start + 86400)
            cost = emu.half_hours(emu.resource_id(HOME, f"{commodity}.consumption.cost"), start, start + 86400)
            assert len([u for _, u in used if u is not None]) == 48
            for (t, u), (_, c) in zip(used, cost, strict=True):
                night = datetime.fromtimestamp(t, london).hour < 7
                day_rate, night_rate = (new_day, new_night) if t >= emu.price_change else (old_day, old_night)
                assert u is not None and c == pytest.approx(u * (night_rate if night else day_rate), abs=1e-5)


@pytest.mark.parametrize(
    ("now", "start", "end", "offset"),
    [
        ("2026-04-12T15:06:11", "2026-03-27T00:00:00", "2026-03-31T23:59:59", -60),  # last Sunday of March
        ("2026-04-12T15:06:11", "2026-03-27T00:00:00", "2026-03-31T23:59:59", 0),
        ("2026-11-05T09:00:00", "2026-10-23T00:00:00", "2026-10-27T23:59:59", 0),  # last Sunday of October
        ("2026-11-05T09:00:00", "2026-10-23T00:00:00", "2026-10-27T23:59:59", -60),
    ],
)
def test_offset_aligns_days_to_local_midnight_and_encodes_wall_clock(now: str, start: str, end: str,
                                                                      offset: int) -> None:
    with Emulator(now=Clock(utc(now))) as emu:
        api = Api(emu)
        rid = emu.resource_id(HOME, "electricity.consumption")
        data = api.readings(rid, start, end, "P1D", offset=str(offset), nulls="1").json()["data"]
        assert [ts for ts, _ in data] == [utc(start) + day * 86400 for day in range(5)]  # wall midnights as UTC
        for ts, value in data:
            instant = ts + offset * 60
            assert value == pytest.approx(total(emu.half_hours(rid, instant, instant + 86400)), abs=1e-9)
            local = datetime.fromtimestamp(instant, LONDON)
            # Europe/London midnight exactly on the days whose UTC offset the request used
            assert (local.hour == 0) == (local.utcoffset() == timedelta(minutes=-offset))


def test_lagged_half_hours_are_zero_even_with_nulls_and_the_future_is_null(api: Api) -> None:
    current = int(CAPTURE_NOW) // 1800 * 1800
    start, end = current - 8 * 1800, current + 4 * 1800
    for classifier, lag in (("electricity.consumption", 2), ("gas.consumption", 6)):
        rid = api.emu.resource_id(HOME, classifier)
        data = dict(api.readings(rid, wall(start), wall(end), "PT30M", nulls="1").json()["data"])
        truth = dict(api.emu.half_hours(rid, start, end + 1800))
        for ts, value in data.items():
            if ts > CAPTURE_NOW:
                assert value is None and truth[ts] is None
            elif ts >= current - lag * 1800:
                assert value == 0 and isinstance(value, int)  # not delivered yet: 0 even with nulls=1
                assert dict(api.emu.delivered(rid, ts, ts + 1))[ts] == 0
            else:
                assert value == pytest.approx(truth[ts])
        assert sum(1 for ts, v in data.items() if v == 0 and truth[ts]) == lag + 1
        zeros = dict(api.readings(rid, wall(start), wall(end), "PT30M").json()["data"])
        assert [zeros[ts] for ts in data if ts > CAPTURE_NOW] == [0, 0, 0, 0]
        today = api.readings(rid, "2026-04-12T00:00:00", "2026-04-12T23:59:59", "P1D", nulls="1").json()["data"]
        assert today[0][1] == pytest.approx(total(api.emu.delivered(rid, utc("2026-04-12T00:00:00"), CAPTURE_NOW)))


def test_before_the_first_reading_is_null(api: Api) -> None:
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    first = api.emu.first_time
    data = api.readings(rid, wall(first - 3 * 86400), wall(first + 86400 - 1), "P1D", nulls="1").json()["data"]
    assert [v is None for _, v in data] == [True, True, True, False]
    assert api.emu.half_hours(rid, first - 1800, first + 1800)[0] == (first - 1800, None)


def test_the_household_is_deterministic_and_seasonal(clock: Clock) -> None:
    one, two = Emulator(now=clock), Emulator(now=clock)
    rid = one.resource_id(HOME, "gas.consumption")
    winter, summer = utc("2026-01-14T00:00:00"), utc("2025-07-14T00:00:00")
    assert one.half_hours(rid, winter, winter + 86400) == two.half_hours(rid, winter, winter + 86400)
    assert total(one.half_hours(rid, winter, winter + 86400)) > 3 * total(one.half_hours(rid, summer, summer + 86400))
    summer_night = one.half_hours(rid, summer, summer + 4 * 3600)  # 01:00-05:00 BST
    assert [v for _, v in summer_night] == [0.0] * 8  # genuine zeros
    export = one.half_hours(one.resource_id(HOME, "electricity.export"), summer, summer + 86400)
    assert export[0][1] == 0 and max(v or 0 for _, v in export) > 0  # dark at midnight, sun by day
    cottage = one.resource_id("Holiday Cottage", "electricity.consumption")
    home = one.resource_id(HOME, "electricity.consumption")
    assert total(one.half_hours(cottage, winter, winter + 7 * 86400)) < total(one.half_hours(home, winter,
                                                                                             winter + 7 * 86400))
    assert all(len(str(v).split(".")[-1]) <= 3 for _, v in one.half_hours(home, winter, winter + 86400))


# --- faults --------------------------------------------------------------------------------------------------------


def test_faults_answer_badly_then_recover(api: Api) -> None:
    emu = api.emu
    emu.fault("500", times=1)
    reply = api.get("virtualentity")
    assert (reply.status_code, reply.json()) == (500, {"error": "An error has occurred"})
    assert api.get("virtualentity").status_code == 200
    emu.fault("html", times=1)
    reply = api.get("virtualentity")
    assert reply.status_code == 502 and reply.headers["Content-Type"] == "text/html" and "<html>" in reply.text
    emu.fault("badjson", times=1)
    reply = api.get("virtualentity")
    assert reply.status_code == 200
    with pytest.raises(ValueError):
        json.loads(reply.text)
    emu.fault("expired", times=1)
    reply = api.get("virtualentity")
    assert (reply.status_code, reply.json()) == (401, {"error": "Access denied"})
    emu.fault("drop", times=1)
    with pytest.raises(requests.ConnectionError):
        api.get("virtualentity")
    assert api.get("virtualentity").status_code == 200
    assert [r.status for r in emu.requests[-7:]] == [500, 200, 502, 200, 401, 0, 200]


def test_faults_follow_path_and_times_and_clear(api: Api) -> None:
    rid = api.emu.resource_id(HOME, "electricity.consumption")
    api.emu.fault("500", path="/readings")
    for _ in range(2):
        assert api.readings(rid, "2026-04-10T00:00:00", "2026-04-10T23:59:59", "P1D").status_code == 500
    assert api.get("virtualentity").status_code == 200
    api.emu.clear_faults()
    assert api.readings(rid, "2026-04-10T00:00:00", "2026-04-10T23:59:59", "P1D").status_code == 200
    assert api.emu.count("readings") == 3 and api.emu.count("virtualentity") == 1 and api.emu.count("auth") == 1
    assert api.emu.requests[-1].query["period"] == "P1D"
    api.emu.reset_counts()
    assert api.emu.count() == 0


def test_slow_and_hung_replies(api: Api) -> None:
    api.emu.fault("slow", times=1, delay=0.3)
    started = time.monotonic()
    assert api.get("virtualentity").status_code == 200
    assert time.monotonic() - started >= 0.3
    api.emu.fault("hang", times=1)
    with pytest.raises(requests.ReadTimeout):
        api.get("virtualentity", timeout=0.3)
    api.emu.clear_faults()
    assert Api(api.emu).get("virtualentity").status_code == 200
    api.emu.fault("hang", delay=0.2, times=1)  # a hang with a limit ends by itself and then answers
    assert api.get("virtualentity", timeout=3).status_code == 200


def test_stop_returns_promptly_while_a_request_hangs(clock: Clock) -> None:
    emu = Emulator(now=clock).start()
    api = Api(emu)
    emu.fault("hang")
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            outcome.append(api.get("virtualentity", timeout=10).status_code)
        except requests.RequestException as error:
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 3
    while emu.count("virtualentity") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < 2
    caller.join(timeout=3)
    assert not caller.is_alive() and isinstance(outcome[0], requests.ConnectionError)


def test_unknown_fault_kind_is_refused(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        emu.fault("teapot")


# --- the command line ----------------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="sends POSIX signals, which Windows cannot deliver to a child")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_url_and_credentials_and_stops_cleanly_on_a_signal(signum: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "glowline.emulator", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[0].split()[-1]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v0-1/")
        assert DEMO_USERNAME in lines[1] and DEMO_PASSWORD in lines[2]
        reply = requests.post(url + "auth", json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
                              headers={"applicationId": APPLICATION_ID}, timeout=5)
        assert reply.status_code == 200
        process.send_signal(signum)
        assert process.wait(timeout=5) == 0
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
