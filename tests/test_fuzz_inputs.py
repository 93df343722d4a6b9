"""Issue 20, property-based (hypothesis), like tests/test_fuzz.py for the CLI: the MQTT parser and the config reader
take anything a broker or a disk can hold and answer only values that pass the gate, or nothing, or one
ConfigError line; never another exception, never a number outside the documented limits, never a control character
in device text."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glowline import config, gate, printable, redact
from glowline.data import live
from glowline.errors import ConfigError
from tests.test_live import M1_ELECTRICITY, M1_GAS, M1_STATE, MAC

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

numbers = (st.none() | st.booleans() | st.integers(-(2**80), 2**80) | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from([-8388.608, 1e306, 1e12, -1e12, 1e308, 0, -0.0, 70.0, 70.001])
           | st.text(max_size=8) | st.lists(st.integers(), max_size=2))
stamps = st.none() | st.integers() | st.text(max_size=25) | st.sampled_from(
    ["2022-11-07T09:20:08Z", "2099-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2022-11-07T09:20:08.5Z",
     "9999-12-31T23:59:59Z"])
texts = st.none() | st.integers() | st.text(max_size=300) | st.sampled_from(
    ["\x1b]0;t\x07\x1b[2J", "v" * 3000, "\u202egnp.exe", "read pending", "EMPTY"])


def _set(doc: Any, path: tuple[str, ...], value: object) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


ELECTRICITY_FIELDS = [("electricitymeter", "timestamp"), ("electricitymeter", "power", "value"),
                      ("electricitymeter", "power", "units"),
                      ("electricitymeter", "energy", "import", "cumulative"),
                      ("electricitymeter", "energy", "import", "day"),
                      ("electricitymeter", "energy", "export", "cumulative"),
                      ("electricitymeter", "energy", "import", "price", "unitrate"),
                      ("electricitymeter", "energy", "import", "price", "standingcharge")]


def _check_electricity(reading: Any, now: float) -> None:
    assert isinstance(reading, live.Electricity)
    if reading.power_w is not None:
        assert gate.power_w(reading.power_w) == reading.power_w and reading.power_problem is None
        assert gate.stamp(reading.at, now) is not None
    for value in (reading.import_kwh_total, reading.import_kwh_today, reading.export_kwh_total):
        assert value is None or gate.register_kwh(value) == value
    assert reading.unit_rate_gbp is None or gate.unit_rate(reading.unit_rate_gbp * 100) is not None
    assert reading.standing_charge_gbp is None or gate.standing(reading.standing_charge_gbp * 100) is not None
    json.dumps(reading.document(now), allow_nan=False)  # every number finite, no OverflowError


@FAST
@given(st.lists(st.tuples(st.sampled_from(ELECTRICITY_FIELDS), numbers | stamps), max_size=6))
def test_electricity_fields_pass_the_gate_or_are_left_out(changes: list[tuple[tuple[str, ...], object]]) -> None:
    doc = json.loads(M1_ELECTRICITY)
    for path, value in changes:
        _set(doc, path, value)
    payload = json.dumps(doc).encode()
    now = time.time()
    reading = live.parse_message(f"glow/{MAC}/SENSOR/electricitymeter", payload, "glow", live.Registers())
    if reading is not None:
        _check_electricity(reading, now)


@FAST
@given(st.lists(st.tuples(st.sampled_from([("gasmeter", "timestamp"), ("gasmeter", "energy", "import", "cumulative"),
                                           ("gasmeter", "energy", "import", "cumulativevol"),
                                           ("gasmeter", "energy", "import", "price", "unitrate")]), numbers | stamps),
                max_size=4))
def test_gas_fields_pass_the_gate_or_are_left_out(changes: list[tuple[tuple[str, ...], object]]) -> None:
    doc = json.loads(M1_GAS)
    for path, value in changes:
        _set(doc, path, value)
    reading = live.parse_message(f"glow/{MAC}/SENSOR/gasmeter", json.dumps(doc).encode(), "glow", live.Registers())
    if reading is not None:
        assert isinstance(reading, live.Gas) and gate.stamp(reading.at, time.time()) is not None
        for value in (reading.import_kwh_total, reading.volume_m3_total, reading.import_kwh_today):
            assert value is None or gate.register_kwh(value) == value
        json.dumps(reading.document(time.time()), allow_nan=False)


@FAST
@given(st.dictionaries(st.sampled_from(["hardware", "software", "wifistamac", "ethmac", "smetsversion", "zigbee",
                                        "timestamp"]), texts, max_size=7),
       st.dictionaries(st.sampled_from(["status", "rssi", "lqi"]), texts | numbers, max_size=3))
def test_device_text_is_printable_and_bounded(fields: dict[str, object], han: dict[str, object]) -> None:
    doc = json.loads(M1_STATE)
    doc.update(fields)
    doc["han"] = han
    state = live.parse_message(f"glow/{MAC}/STATE", json.dumps(doc).encode(), "glow", live.Registers())
    assert isinstance(state, live.DeviceState)
    for text in (state.device, state.hardware, state.software, state.han_status, state.smets, state.zigbee):
        assert text is None or (text.isprintable() and len(text) <= printable.MAX_CHARS)
    for number in (state.rssi, state.lqi):
        assert number is None or (isinstance(number, int) and abs(number) <= 1000)


@FAST
@given(st.binary(max_size=400), st.text(max_size=40))
def test_any_payload_on_any_topic_is_a_message_or_nothing(payload: bytes, topic: str) -> None:
    for where in (topic, f"glow/{MAC}/SENSOR/electricitymeter", f"glow/{MAC}/STATE", f"glow/{topic}/SENSOR/gasmeter"):
        reading = live.parse_message(where, payload, "glow", live.Registers())
        assert reading is None or isinstance(reading, (live.Electricity, live.Gas, live.DeviceState))
        if isinstance(reading, live.Electricity):
            _check_electricity(reading, time.time())
        if reading is not None:
            assert reading.device.isprintable() and len(reading.device) <= printable.MAX_CHARS


def test_deep_and_huge_payloads_are_nothing() -> None:
    for payload in (b"[" * 100_000, b'{"electricitymeter":' * 50_000, b"{" + b" " * (live.MAX_PAYLOAD + 1) + b"}"):
        assert live.parse_message(f"glow/{MAC}/SENSOR/electricitymeter", payload, "glow", live.Registers()) is None


# -- the config reader ------------------------------------------------------------------------------------------------

toml_bits = st.sampled_from(['days = 7\n', '[live]\n', 'mqtt = "mqtt://h:1883"\n', 'x = [', ']', '{', '}', '"', "'",
                             '"""', "#", "\n", "[[a]]\n", "a = {b = [1, {c = 2}]}\n", "\\", "= ", "days = nan\n",
                             "[", "\x00", "\udcff"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(toml_bits | st.text(max_size=10), max_size=40), st.integers(0, 3000))
def test_the_config_reader_answers_a_document_or_one_config_error(tmp_path: Path, bits: list[str],
                                                                  depth: int) -> None:
    path = tmp_path / "config.toml"
    text = "".join(bits) + ("x = " + "[" * depth + "]" * depth + "\n" if depth else "")
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    try:
        doc = config.parse(str(path))
    except ConfigError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return
    assert isinstance(doc, dict)
    assert config._nesting(text) <= config.MAX_NESTING
    try:
        config.validate(doc, str(path))
    except ConfigError as exc:
        assert "\n" not in str(exc)


@FAST
@given(st.text(max_size=60), st.text(min_size=1, max_size=12))
def test_redaction_never_shows_a_urls_password(text: str, secret: str) -> None:
    secret = "".join(c for c in secret if c not in "@/?#'\"<>") or "pw"  # what ends a URL's authority
    for url in (f"mqtt://user:{secret}@{text}", f"{text} https://{secret}@host/{text}"):
        shown = redact.url(url)
        assert f":{secret}@" not in shown and f"//{secret}@" not in shown
    masked = redact.mask(f"{text} {secret} {text}", [secret])
    assert f" {secret} " not in masked or secret in text
    assert math.isfinite(len(masked))
