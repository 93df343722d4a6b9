"""REST /current in the real service's shapes (glowmarkt-api.md 8; issue 19 finding 3, issue 20 item 9): no ``units``
key and ``W`` are watts, ``kW`` is x1000, anything else is refused with one line; ``data: []`` and a 400 are "no live
data"; every value passes glowline.gate.power_w; the meter's "no reading" value is said as such, never "DCC-only"."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.data.live import RestCurrent, rest_power_w
from glowline.errors import MalformedResponse, NoLiveData
from tests.helpers import glowline_env, run

COTTAGE, HOME = "Holiday Cottage", "DCC Sourced"


def live_json(home: Path, emu: Any, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    proc = run(glowline_env(home, emu), "live", "--format", "json", *args)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else None, proc.stderr


def served(emu: Any, doc: dict[str, Any]) -> float:
    """The W the emulator served for the reading's 10-second stamp (it rounds to whole watts)."""
    at = time.mktime(time.strptime(doc["at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    return float(round(emu.live_power_w(at)))


def test_425_without_units_is_425_watts() -> None:
    """The finding: `[[now, 425]]` with no units read as kW, power_w 425000."""
    assert rest_power_w(425, "") == 425.0
    assert rest_power_w(425, "W") == 425.0
    assert rest_power_w(0.425, "kW") == 425.0


@pytest.mark.parametrize("units", ["kWh", "m3", "Wh", "pence", "\x1b[2Jevil"])
def test_other_units_are_refused_in_one_line(units: str) -> None:
    with pytest.raises(MalformedResponse) as caught:
        rest_power_w(425, units)
    text = str(caught.value)
    assert "refused" in text and "\n" not in text and "\x1b" not in text


@pytest.mark.parametrize("value, units", [(1e12, "kW"), (1e306, "kW"), (1e306, ""), (-1e9, "W"), (70001, "W")])
def test_power_no_household_draws_is_no_live_data(value: float, units: str) -> None:
    with pytest.raises(NoLiveData) as caught:
        rest_power_w(value, units)
    assert "DCC-only" not in str(caught.value)


@pytest.mark.parametrize("value, units", [(-8388.608, "kW"), (-8388608, "W"), (-8388608, ""), (-8388.608, "W")])
def test_the_meters_error_value_is_said_as_such(value: float, units: str) -> None:
    with pytest.raises(NoLiveData) as caught:
        rest_power_w(value, units)
    assert "no reading" in str(caught.value) and "DCC-only" not in str(caught.value)


def test_no_units_over_http_reads_watts(home: Path, emulator: Any) -> None:
    emulator.play_current("no-units")
    code, doc, err = live_json(home, emulator)
    assert code == 0, err
    assert doc is not None and doc["source"] == "rest" and doc["power_w"] == served(emulator, doc)
    assert doc["power_w"] < 10_000  # a few hundred W, never x1000


def test_kw_over_http_is_times_1000(home: Path, emulator: Any) -> None:
    emulator.play_current("kW")
    code, doc, err = live_json(home, emulator)
    assert code == 0, err
    assert doc is not None and abs(doc["power_w"] - served(emulator, doc)) <= 1  # kW to 3 decimals: 1 W


def test_kwh_units_with_data_are_refused(home: Path, emulator: Any) -> None:
    emulator.play_current("kWh")
    code, doc, err = live_json(home, emulator)
    assert code == 6 and doc is None
    assert "'kWh'" in err and "refused" in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_kwh_units_without_data_are_no_live_data(home: Path, emulator: Any) -> None:
    """ColinRobbins#7: a DCC-only account's `data: []` with `units: "kWh"` is simply no live data."""
    emulator.play_current("kWh")
    code, _doc, err = live_json(home, emulator, "--site", HOME)
    assert code == 9 and "DCC-only" in err and len(err.splitlines()) == 1


def test_a_400_is_no_live_data_not_malformed(home: Path, emulator: Any) -> None:
    emulator.play_current("400")
    code, _doc, err = live_json(home, emulator)
    assert code == 9, err
    assert "malformed" not in err.lower() and "refused the current" not in err


def test_the_error_value_over_rest_is_not_called_dcc_only(home: Path, emulator: Any) -> None:
    emulator.play_current("error-value")
    code, doc, err = live_json(home, emulator)
    assert code == 9 and doc is None
    assert "no reading" in err and "DCC-only" not in err and len(err.splitlines()) == 1


def test_rest_current_in_process_goes_through_the_gate(account: Any) -> None:
    account.play_current("no-units")
    reading = RestCurrent({}, COTTAGE).read()
    assert reading.source == "rest" and reading.power_w is not None and 0 < reading.power_w < 10_000


def test_a_reading_stamped_in_the_future_is_not_current(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A /current stamped an hour ahead of our clock (its clock or ours is wrong) is never shown as now."""
    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator

    with Emulator(now=lambda: time.time() + 3600) as emu:
        monkeypatch.setenv("GLOWLINE_API_URL", emu.url)
        monkeypatch.setenv("GLOWLINE_USERNAME", DEMO_USERNAME)
        monkeypatch.setenv("GLOWLINE_PASSWORD", DEMO_PASSWORD)
        with pytest.raises(NoLiveData, match="stamped"):
            RestCurrent({}, COTTAGE).read()
