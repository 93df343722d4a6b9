"""Issue 20, items 3, 4 and 9: every number from the IHD's MQTT messages passes glowline.gate, device text passes
glowline.printable. Absurd, non-finite and future values never reach a number shown; the words say why a message
carried no power ("not a number" is not the meter's "no reading" value); a STATE's escape sequences never reach the
terminal. In-process through the parser, and end to end through a real mosquitto."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from glowline import gate, printable
from glowline.data import live
from glowline.emulator import Emulator
from glowline.status import live as live_file
from tests.helpers import cache_dir, glowline_env, run
from tests.live_broker import Broker, Repeater, broker, popen, read_line, stop  # noqa: F401  (broker: the fixture)
from tests.test_live import M1_ELECTRICITY, M1_GAS, M1_STATE, MAC, electricity

TOPIC = f"glow/{MAC}/SENSOR/electricitymeter"
NOW = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def parse(leaf: str, payload: bytes) -> Any:
    return live.parse_message(f"glow/{MAC}/{leaf}", payload, "glow", live.Registers())


def with_power(value: str, timestamp: str = "2022-11-07T09:20:08Z") -> bytes:
    return M1_ELECTRICITY.replace(b'"value": 0.425', b'"value": ' + value.encode()).replace(
        b"2022-11-07T09:20:08Z", timestamp.encode())


# -- item 3: power ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kw", ["1e306", "1e12", "-1e12", "71", "1e308"])
def test_absurd_power_is_left_out_and_said(kw: str) -> None:
    """3.1 1e306 kW was an OverflowError (exit 1); 3.2 1e12 kW printed 1000000000000000 W."""
    reading = parse("SENSOR/electricitymeter", with_power(kw))
    assert isinstance(reading, live.Electricity)
    assert reading.power_w is None and reading.power_problem == live.OUT_OF_RANGE
    json.dumps(reading.document(time.time()))  # no OverflowError on the way out
    assert reading.document()["power_w"] is None


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", '"425"', '"read pending"', "true", "[1]", "{}"])
def test_not_a_number_is_not_the_meters_no_reading_value(value: str) -> None:
    """9.1: NaN, Infinity and strings were all reported as the meter's "no reading" value."""
    reading = parse("SENSOR/electricitymeter", with_power(value))
    assert reading.power_w is None and reading.power_problem == live.NOT_A_NUMBER
    error = parse("SENSOR/electricitymeter", with_power("-8388.608"))
    assert error.power_w is None and error.power_problem == live.NO_READING


def test_the_household_range_passes() -> None:
    for kw, watts in (("0.425", 425.0), ("-3.2", -3200.0), ("69.9", 69900.0), ("0", 0.0)):
        assert parse("SENSOR/electricitymeter", with_power(kw)).power_w == pytest.approx(watts)


# -- item 3: registers and prices -------------------------------------------------------------------------------------


def test_absurd_registers_and_prices_are_left_out() -> None:
    """3.3 registers of 1e308 printed 309-digit totals; 3.4 a unit rate of 1e300 went into JSON."""
    doc = M1_ELECTRICITY.replace(b'"cumulative": 15254.827', b'"cumulative": 1e308').replace(
        b'"day": 3.717', b'"day": 1e300').replace(b'"unitrate": 0.16401', b'"unitrate": 1e300').replace(
        b'"standingcharge": 0.19383', b'"standingcharge": 1e300').replace(b'"cumulative": 0.0', b'"cumulative": -5')
    reading = parse("SENSOR/electricitymeter", doc)
    out = reading.document(time.time())
    assert out["power_w"] == 425
    for key in ("import_kwh_total", "import_kwh_today", "export_kwh_total", "unit_rate_gbp", "standing_charge_gbp"):
        assert out[key] is None, key
    gas = M1_GAS.replace(b'"cumulative": 66589.57', b'"cumulative": 1e308').replace(
        b'"cumulativevol": 5995.276', b'"cumulativevol": Infinity').replace(
        b'"unitrate": 0.03623', b'"unitrate": 1e300')
    gas_doc = parse("SENSOR/gasmeter", gas).document()
    assert gas_doc["import_kwh_total"] is None and gas_doc["volume_m3_total"] is None
    assert gas_doc["unit_rate_gbp"] is None and gas_doc["import_kwh_today"] == 17.326


def test_registers_and_prices_within_the_gate_pass() -> None:
    reading = parse("SENSOR/electricitymeter", M1_ELECTRICITY)
    assert reading.import_kwh_total == 15254.827 and reading.unit_rate_gbp == 0.16401
    assert gate.unit_rate(reading.unit_rate_gbp * 100) is not None


# -- item 3: stamps ---------------------------------------------------------------------------------------------------


def test_a_message_stamped_in_the_future_is_never_current() -> None:
    """3.5 a message stamped 2099 was shown as current forever."""
    reading = parse("SENSOR/electricitymeter", with_power("0.425", "2099-01-01T00:00:00Z"))
    assert reading.power_w is None and reading.power_problem == live.FUTURE
    assert live.write_live_file_problem(reading) is None  # nothing to write: no power
    assert parse("SENSOR/gasmeter", M1_GAS.replace(b"2022-11-07T09:35:38Z", b"2099-01-01T00:00:00Z")) is None
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))  # a clock a minute fast: fine
    assert parse("SENSOR/electricitymeter", with_power("0.425", soon)).power_w == 425.0


def test_a_clock_set_back_makes_the_live_file_stale_not_current(tmp_path: Path) -> None:
    """3.5 (a clock set back): the live file written an hour "ahead" of the clock is stale, never age 0 forever."""
    path = tmp_path / "live.power"
    now = time.time()
    path.write_text(live_file.encode(425.0, now + 3600, "mqtt", MAC, now + 3600))
    assert live_file.current(now, 60.0, path=str(path)) is None
    shown = live_file.current(now, 60.0, show_stale=True, path=str(path))
    assert shown is not None and shown.stale
    path.write_text(live_file.encode(425.0, now - 5, "mqtt", MAC, now))
    current = live_file.current(now, 60.0, path=str(path))
    assert current is not None and not current.stale


# -- item 4: device text ----------------------------------------------------------------------------------------------

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[HGLOW\x9b31m-IHD\u202e\r\n\x00"


def test_state_text_is_sanitised_and_bounded() -> None:
    """4.1 escape sequences in hardware cleared the terminal; 4.2 3000 characters of software were printed whole."""
    doc = json.loads(M1_STATE)
    doc["hardware"], doc["software"], doc["han"]["status"] = HOSTILE, "v" * 3000, "joined\x1bc"
    doc["wifistamac"] = "BCDD\x1b[2JC2C6A91C"
    state = parse("STATE", json.dumps(doc).encode())
    for text in (state.hardware, state.software, state.han_status, state.device):
        assert text is not None and text.isprintable() and "\x1b" not in text and len(text) <= printable.MAX_CHARS
    assert state.hardware == "GLOW-IHD" and state.han_status == "joined" and state.device == "BCDDC2C6A91C"
    assert len(state.software) == printable.MAX_CHARS and state.software.endswith("…")
    assert parse("STATE", M1_STATE).hardware == "GLOW-IHD-02-1v4-SMETS2"


def test_doctor_prints_no_escape_sequence_from_the_device(home: Path, broker: Broker) -> None:  # noqa: F811
    doc = json.loads(M1_STATE)
    doc["hardware"], doc["software"] = HOSTILE, "s" * 3000
    repeater = Repeater(broker.port, f"glow/{MAC}/STATE", [json.dumps(doc).encode()], every=0.2)
    power = Repeater(broker.port, TOPIC, [electricity(0.5, timestamp=NOW)], every=0.2)
    try:
        env = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=broker.url)
        proc = run(env, "doctor", "--timeout", "4", timeout=60)
    finally:
        repeater.stop()
        power.stop()
    assert "hardware GLOW-IHD" in proc.stdout, proc.stdout
    assert "\x1b" not in proc.stdout + proc.stderr and "pwned" not in proc.stdout and "s" * 100 not in proc.stdout


# -- end to end -------------------------------------------------------------------------------------------------------


def test_live_says_why_no_power_came_and_follow_outlives_absurd_values(home: Path, broker: Broker) -> None:  # noqa: F811
    """3.1 `live --follow` ended on 1e306 kW; 9.1 NaN was called the meter's "no reading" value."""
    env = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=broker.url)
    repeater = Repeater(broker.port, TOPIC, [with_power("NaN", NOW), with_power("1e306", NOW)])
    try:
        proc = run(env, "live", "--timeout", "2", timeout=30)
    finally:
        repeater.stop()
    assert proc.returncode == 9 and proc.stdout == "", proc.stderr
    assert "not a number" in proc.stderr and "beyond any household's power" in proc.stderr
    assert "no reading" not in proc.stderr and "internal error" not in proc.stderr
    repeater = Repeater(broker.port, TOPIC, [with_power("NaN", NOW)])
    try:
        verbose = run(env, "-v", "live", "--timeout", "2", timeout=30)
    finally:
        repeater.stop()
    assert "power left out (not a number)" in verbose.stderr, verbose.stderr  # -v says each one
    repeater = Repeater(broker.port, TOPIC, [with_power("1e306", NOW), with_power("1e12", NOW),
                                             with_power("0.612", NOW)])
    try:
        follow = popen(env, "live", "--follow")
        lines = [read_line(follow, 15) for _ in range(3)]
        assert follow.poll() is None
        stop(follow)
    finally:
        repeater.stop()
    assert lines == ["612 W\n"] * 3
    assert not (cache_dir(home) / "live.power").read_text().count("1e")


# -- item 4: server text ----------------------------------------------------------------------------------------------


def test_server_text_is_sanitised_and_bounded() -> None:
    """Site names and the API's error words pass the same sanitiser as device text."""
    from glowline.data.glowmarkt import GlowmarktClient
    from glowline.data.models import Token
    from glowline.errors import MalformedResponse
    from tests.test_fuzz import Answering

    server = Answering()
    listing = json.dumps([{"veId": "v1", "name": HOSTILE}]).encode()
    resources = json.dumps({"name": "\x1b[2JHome\x1b]0;x\x07" + "h" * 3000, "resources": []}).encode()
    error = json.dumps({"error": "\x1b]0;pwned\x07bad request\x1b[2J" + "e" * 3000}).encode()
    server.answer = lambda path, *_: ((200, "application/json", resources) if path.endswith("/resources") else
                                      (200, "application/json", listing) if "virtualentity" in path else
                                      (400, "application/json", error))
    client = GlowmarktClient(server.url, token=Token("t", 2**40), timeout=(2.0, 5.0))
    try:
        [site] = client.sites()
        assert site.name.startswith("Home") and site.name.isprintable() and len(site.name) <= 80
        with pytest.raises(MalformedResponse) as raised:
            client.readings("r", 1_700_000_000 // 1800 * 1800, 1_700_000_000 // 1800 * 1800 + 1800, "PT30M")
    finally:
        client.close()
        server.close()
    message = str(raised.value)
    assert "\x1b" not in message and "pwned" not in message and "bad request" in message and len(message) < 200


def test_doctor_says_which_mqtt_values_were_left_out(home: Path, broker: Broker) -> None:  # noqa: F811
    """The gate's rejections are said in doctor, not only dropped."""
    repeater = Repeater(broker.port, TOPIC, [with_power("NaN", NOW), with_power("0.4", "2099-01-01T00:00:00Z")],
                        every=0.1)
    try:
        env = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=broker.url)
        proc = run(env, "doctor", "--format", "json", "--timeout", "3", timeout=60)
    finally:
        repeater.stop()
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    text = checks["broker"]["text"]
    assert checks["broker"]["level"] == "WARN" and "not a number" in text and "stamped in the future" in text, text
