"""Tariff: every documented shape (numbers, numeric strings, planDetail, empty data) and `glowline tariff` against
the emulator over HTTP."""

from __future__ import annotations

import argparse
import io
from typing import Any

import pytest

from glowline.commands import export as export_command
from glowline.commands import report as report_command
from glowline.commands import tariff as tariff_command
from glowline.data.tariff import NO_TARIFF, parse
from glowline.emulator.household import (
    ELECTRICITY_RATE_CENTIPENCE,
    ELECTRICITY_STANDING_CENTIPENCE,
    GAS_RATE_CENTIPENCE,
    GAS_STANDING_CENTIPENCE,
)
from glowline.errors import MalformedResponse


def parse_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    for command in (report_command, tariff_command, export_command):
        command.add_parser(sub)
    return parser.parse_args(list(argv))


def test_current_rates_numbers() -> None:
    t = parse({"data": [{"currentRates": {"rate": 24.5, "standingCharge": 53.35}, "name": "TariffFromMeter",
                         "from": "2025-04-01 00:00:00"}]})
    assert (t.rate, t.standing) == (24.5, 53.35)
    assert "currentRates" in t.origin() and "TariffFromMeter" in t.origin() and "2025-04-01" in t.origin()


def test_legacy_plan_with_strings() -> None:
    # pyglowmarkt#15 (glowmarkt-api.md 4.1): strings, standing first, ratem3 next to rate
    t = parse({"data": [{"plan": [{"planDetail": [{"standing": "27.47"}, {"ratem3": 116.021, "rate": "10.34"}]}]}]})
    assert (t.rate, t.standing) == (10.34, 27.47)
    assert "plan planDetail" in t.source


def test_structure_with_tiers_and_value_objects() -> None:
    t = parse({"data": [{"structure": [{"planDetail": [{"standing": {"value": 44.4}}, {"tier": 1, "rate": 34.22},
                                                       {"tier": 2, "rate": "20.1"}]}]}]})
    assert (t.rate, t.standing) == (34.22, 44.4)
    assert "first of 2 rates" in t.source


def test_newest_entry_wins() -> None:
    t = parse({"data": [{"from": "2024-01-01 00:00:00", "currentRates": {"rate": 1, "standingCharge": 2}},
                        {"from": "2025-01-01 00:00:00", "currentRates": {"rate": 3, "standingCharge": 4}}]})
    assert (t.rate, t.standing) == (3.0, 4.0)


def test_empty_data_is_no_tariff() -> None:
    t = parse({"status": "OK", "data": []})
    assert t.rate is None and t.standing is None and not t.usable
    assert t.source == NO_TARIFF


@pytest.mark.parametrize("doc", [[], "x", {"status": "OK"}])
def test_malformed(doc: Any) -> None:
    with pytest.raises(MalformedResponse):
        parse(doc)


def test_unusable_strings_are_not_numbers() -> None:
    t = parse({"data": [{"currentRates": {"rate": "n/a", "standingCharge": "12"}}]})
    assert not t.usable


@pytest.mark.parametrize("variant", ["numbers", "strings"])
def test_tariff_command(account: Any, variant: str) -> None:
    for classifier in ("electricity.consumption", "gas.consumption"):
        account.set_tariff(account.resource_id("DCC Sourced", classifier), variant)
    out = io.StringIO()
    assert tariff_command.run(parse_args("tariff"), {}, out) == 0
    text = out.getvalue()
    assert f"electricity: unit rate {ELECTRICITY_RATE_CENTIPENCE / 100:.2f} p/kWh, standing charge " \
           f"{ELECTRICITY_STANDING_CENTIPENCE / 100:.2f} p/day" in text
    assert f"gas: unit rate {GAS_RATE_CENTIPENCE / 100:.2f} p/kWh, standing charge " \
           f"{GAS_STANDING_CENTIPENCE / 100:.2f} p/day" in text
    assert "from the meter's tariff" in text
    assert account.count("tariff") >= 2


def test_tariff_command_empty_data(account: Any) -> None:
    for classifier in ("gas.consumption", "gas.consumption.cost"):
        account.set_tariff(account.resource_id("DCC Sourced", classifier), "empty")
    out = io.StringIO()
    assert tariff_command.run(parse_args("tariff", "--resource", "gas"), {}, out) == 0
    assert "gas: no tariff from the meter" in out.getvalue()
    assert "unit rate" not in out.getvalue()


def test_tariff_falls_back_to_the_cost_resource(account: Any) -> None:
    account.set_tariff(account.resource_id("DCC Sourced", "electricity.consumption"), "empty")
    account.set_tariff(account.resource_id("DCC Sourced", "electricity.consumption.cost"), "strings")
    out = io.StringIO()
    assert tariff_command.run(parse_args("tariff", "--resource", "electricity"), {}, out) == 0
    assert f"unit rate {ELECTRICITY_RATE_CENTIPENCE / 100:.2f} p/kWh" in out.getvalue()
    assert "electricity.consumption.cost resource" in out.getvalue()


def test_tariff_command_server_error(account: Any) -> None:
    for classifier in ("gas.consumption", "gas.consumption.cost"):
        account.set_tariff(account.resource_id("DCC Sourced", classifier), "error")
    out = io.StringIO()
    assert tariff_command.run(parse_args("tariff", "--resource", "gas"), {}, out) == 5
    assert "gas: tariff unavailable: the Glowmarkt API is having problems (HTTP 500)" in out.getvalue()
