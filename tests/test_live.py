"""Live power without a broker: the recorded Glow messages parse to the documented numbers, the error value and
register glitches are dropped, the display rules, the [live] config, the live file (atomic, read on the fast path,
stale handling) in every --format, and the REST /current path (emulator's Glow site, DCC-only site, demo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.config import validate
from glowline.data import live
from glowline.errors import ConfigError
from glowline.status import live as live_file
from tests.helpers import cache_dir, glowline_env, run
from tests.test_fastpath import HEAVY, SLOW_STDLIB, imported

# The recorded messages of ../shared/docs/glow-mqtt.md, byte for byte (M1 fixtures, M2 comment).
M1_ELECTRICITY = b"""{"electricitymeter": {"timestamp": "2022-11-07T09:20:08Z",
   "energy": {"export": {"cumulative": 0.0, "units": "kWh"},
              "import": {"cumulative": 15254.827, "day": 3.717,
                         "week": 3.717, "month": 60.439, "units": "kWh",
                         "mpan": "abcd", "supplier": "Octopus Energy",
                         "price": {"unitrate": 0.16401,
                                   "standingcharge": 0.19383}}},
   "power": {"value": 0.425, "units": "kW"}}}"""
M2_ELECTRICITY = (b'{"electricitymeter":{"timestamp":"2022-06-11T20:38:00Z","energy":{"export":{"cumulative":0.000,'
                  b'"units":"kWh"},"import":{"cumulative":6613.405,"day":13.252,"week":141.710,"month":293.598,'
                  b'"units":"kWh","mpan":"1234","supplier":"ABC ENERGY","price":{"unitrate":0.04998,'
                  b'"standingcharge":0.24030}}},"power":{"value":0.951,"units":"kW"}}}')
M1_GAS = b"""{"gasmeter": {"timestamp": "2022-11-07T09:35:38Z",
   "energy": {"import": {"cumulative": 66589.57, "day": 17.326,
                         "week": 17.326, "month": 383.157, "units": "kWh",
                         "cumulativevol": 5995.276,
                         "cumulativevolunits": "m3",
                         "dayvol": 17.326, "weekvol": 17.326,
                         "monthvol": 383.157,
                         "dayweekmonthvolunits": "kWh",
                         "mprn": "wxyz",
                         "supplier": "---",
                         "price": {"unitrate": 0.03623,
                                   "standingcharge": 0.168}}}}}"""
M1_STATE = (b'{"timestamp": "2026-01-19T20:55:38Z", "software": "v2.0.2","hardware": "GLOW-IHD-02-1v4-SMETS2", '
            b'"wifistamac": "BCDDC2C6A91C","smetsversion": "SMETS2", "eui": "70:B3:D5:21:E0:00:8D:10","zigbee": '
            b'"1.2.5", "han": {"rssi": -88, "status": "joined", "lqi": 48}}')
MAC = "BCDDC2C6A91C"
#: the issue's --format json document for M1_ELECTRICITY, keys in this order
M1_DOCUMENT = {"power_w": 425, "at": "2022-11-07T09:20:08Z", "source": "mqtt", "device": "BCDDC2C6A91C",
               "import_kwh_today": 3.717, "import_kwh_total": 15254.827, "export_kwh_total": 0.0,
               "unit_rate_gbp": 0.16401, "standing_charge_gbp": 0.19383}


def electricity(power_kw: float, cumulative: float = 15254.827, timestamp: str = "2022-11-07T09:20:08Z") -> bytes:
    return M1_ELECTRICITY.replace(b'"value": 0.425', f'"value": {power_kw}'.encode()).replace(
        b'"cumulative": 15254.827', f'"cumulative": {cumulative}'.encode()).replace(
        b"2022-11-07T09:20:08Z", timestamp.encode())


def parse(topic_leaf: str, payload: bytes, registers: live.Registers | None = None) -> Any:
    return live.parse_message(f"glow/{MAC}/{topic_leaf}", payload, "glow", registers or live.Registers())


# -- the recorded payloads ----------------------------------------------------------------------------------------


def test_recorded_electricity_messages_parse_to_the_documented_numbers() -> None:
    reading = parse("SENSOR/electricitymeter", M1_ELECTRICITY)
    assert isinstance(reading, live.Electricity)
    assert reading.document() == M1_DOCUMENT
    assert list(reading.document()) == list(M1_DOCUMENT)  # the key order
    compact = parse("SENSOR/electricitymeter", M2_ELECTRICITY)
    assert compact.power_w == pytest.approx(951.0) and compact.document()["power_w"] == 951
    assert (compact.import_kwh_today, compact.import_kwh_total, compact.unit_rate_gbp, compact.standing_charge_gbp) \
        == (13.252, 6613.405, 0.04998, 0.24030)
    assert compact.document()["at"] == "2022-06-11T20:38:00Z"


def test_recorded_gas_and_state_messages_parse() -> None:
    gas = parse("SENSOR/gasmeter", M1_GAS)
    assert isinstance(gas, live.Gas)
    assert gas.document() == {"at": "2022-11-07T09:35:38Z", "source": "mqtt", "device": MAC,
                              "import_kwh_today": 17.326, "import_kwh_total": 66589.57, "volume_m3_total": 5995.276,
                              "unit_rate_gbp": 0.03623, "standing_charge_gbp": 0.168}
    state = parse("STATE", M1_STATE)
    assert isinstance(state, live.DeviceState)
    assert (state.device, state.hardware, state.software, state.han_status, state.rssi, state.lqi) == \
        (MAC, "GLOW-IHD-02-1v4-SMETS2", "v2.0.2", "joined", -88, 48)
    older = json.loads(M1_STATE)
    del older["wifistamac"]
    older["ethmac"] = "1234567890AB"  # older firmware (M2 comment)
    assert parse("STATE", json.dumps(older).encode()).device == "1234567890AB"


def test_other_topics_and_junk_are_nothing() -> None:
    registers = live.Registers()
    assert live.parse_message("glow/X/SENSOR/water", M1_ELECTRICITY, "glow", registers) is None
    assert live.parse_message("other/X/STATE", M1_STATE, "glow", registers) is None
    assert parse("SENSOR/electricitymeter", b"not json") is None
    assert parse("SENSOR/electricitymeter", b"[1, 2]") is None
    assert parse("SENSOR/electricitymeter", b'{"electricitymeter": {"power": {"value": 1}}}') is None  # no timestamp
    assert live.parse_message("home/glow/AB/STATE", M1_STATE, "home/glow", registers).device == MAC


# -- true or absent -------------------------------------------------------------------------------------------------


def test_the_error_value_and_placeholders_are_never_values() -> None:
    reading = parse("SENSOR/electricitymeter", electricity(-8388.608))
    assert reading.power_w is None and reading.document()["power_w"] is None
    assert reading.import_kwh_total == 15254.827  # the rest of the message is still true
    odd = M1_ELECTRICITY.replace(b'"cumulative": 15254.827', b'"cumulative": "read pending"').replace(
        b'"unitrate": 0.16401', b'"unitrate": 0').replace(b'"value": 0.425', b'"value": NaN')
    reading = parse("SENSOR/electricitymeter", odd)
    assert (reading.power_w, reading.import_kwh_total, reading.unit_rate_gbp) == (None, None, None)


def test_a_register_going_backwards_or_to_zero_is_ignored() -> None:
    registers = live.Registers()
    first = parse("SENSOR/electricitymeter", electricity(0.4, 15254.827), registers)
    back = parse("SENSOR/electricitymeter", electricity(0.4, 15200.0), registers)
    zero = parse("SENSOR/electricitymeter", electricity(0.4, 0), registers)
    on = parse("SENSOR/electricitymeter", electricity(0.4, 15255.001), registers)
    assert [r.import_kwh_total for r in (first, back, zero, on)] == [15254.827, None, None, 15255.001]
    glitch = json.loads(M1_GAS)  # M1's test_local_gas_backwards_message: all zeros with day 10
    glitch["gasmeter"]["energy"]["import"].update(cumulative=0, cumulativevol=0, day=10)
    gas = parse("SENSOR/gasmeter", json.dumps(glitch).encode())
    assert (gas.import_kwh_total, gas.volume_m3_total, gas.import_kwh_today) == (None, None, 10)


def test_negative_power_is_export_and_kept() -> None:
    assert parse("SENSOR/electricitymeter", electricity(-1.2)).power_w == pytest.approx(-1200.0)


@pytest.mark.parametrize(("watts", "shown"), [(425, "425 W"), (9876, "9876 W"), (10300, "10.3 kW"), (-1200, "-1200 W"),
                                               (0.4, "0 W"), (9999.4, "9999 W"), (9999.6, "10.0 kW"),
                                               (-10340, "-10.3 kW")])
def test_display_whole_watts_below_10_kw_then_kw(watts: float, shown: str) -> None:
    assert live_file.power_text(watts) == shown
    assert shown.isascii()  # --ascii draws the same


# -- config ---------------------------------------------------------------------------------------------------------


def test_live_config_is_validated_like_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    good = validate({"live": {"mqtt": "mqtt://192.168.1.10:1883", "topic_prefix": "glow", "device": "BCDDC2C6A91C",
                              "max_age": 60, "show": True}})
    settings = live.settings(good)
    assert settings is not None and (settings.host, settings.port, settings.tls) == ("192.168.1.10", 1883, False)
    assert settings.topics() == ["glow/BCDDC2C6A91C/SENSOR/electricitymeter", "glow/BCDDC2C6A91C/SENSOR/gasmeter",
                                 "glow/BCDDC2C6A91C/STATE"]
    tls = live.settings(validate({"live": {"mqtt": "mqtts://alice@broker.lan"}}))
    assert tls is not None and (tls.tls, tls.port, tls.username) == (True, 8883, "alice")
    for bad, word in [({"mqtt": "http://x"}, "live.mqtt"), ({"mqtt": "mqtt://"}, "no host"),
                      ({"device": "XYZ"}, "live.device"), ({"topic_prefix": "glow/#"}, "topic_prefix"),
                      ({"max_age": 0}, "live.max_age"), ({"show": "yes"}, "live.show"), ({"colour": 1}, "live.colour")]:
        with pytest.raises(ConfigError, match=word.replace(".", r"\.")):
            validate({"live": bad})
    with pytest.raises(ConfigError) as caught:
        validate({"live": {"mqtt": "mqtt://alice:pw-IN-URL-99@host:1883"}})
    assert "pw-IN-URL-99" not in str(caught.value) and "keyring" in str(caught.value)
    monkeypatch.setenv("GLOWLINE_MQTT_URL", "mqtt://127.0.0.1:1999")
    override = live.settings(good)
    assert override is not None and override.port == 1999 and override.device == "BCDDC2C6A91C"
    assert live.settings({}) is not None
    monkeypatch.delenv("GLOWLINE_MQTT_URL")
    assert live.settings({}) is None


# -- the live file ----------------------------------------------------------------------------------------------------


def write_live(home: Path, power_w: float, at: float, source: str = "mqtt") -> None:
    folder = cache_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "live.power").write_text(live_file.encode(power_w, at, source, "BCDDC2C6A91C", time.time()))


def test_live_file_round_trip_and_corruption(home: Path) -> None:
    now = time.time()
    reading = live.Electricity(now - 5, 425.0, "mqtt", MAC)
    assert live.write_live_file(reading)
    path = cache_dir(home) / "live.power"
    assert os.stat(path).st_mode & 0o777 == 0o600
    got = live_file.current(now, 60)
    assert got is not None and (got.power_w, got.source, got.device, round(got.age)) == (425.0, "mqtt", MAC, 5)
    assert not live.write_live_file(live.Electricity(now, None))  # no power: nothing written over the good value
    text = path.read_text()
    for broken in (text[:-4], text.replace("glowline-live 1", "glowline-live 0"), "", text.replace("425.0", "nan"),
                   text.replace("mqtt", "carrier-pigeon"), "\x00\xff"):
        path.write_text(broken)
        assert live_file.read() is None


def test_stale_values_are_omitted_or_marked(home: Path) -> None:
    now = time.time()
    write_live(home, 425, now - 90)
    assert live_file.current(now, 60) is None
    marked = live_file.current(now, 60, show_stale=True)
    assert marked is not None and marked.stale and round(marked.age) == 90
    assert live_file.current(now, 120) is not None


def test_the_live_file_is_replaced_atomically_never_read_half_written(home: Path) -> None:
    stop = threading.Event()

    def writer() -> None:
        watts = 0
        while not stop.is_set():
            watts = (watts + 1) % 20000
            live.write_live_file(live.Electricity(time.time(), float(watts), "mqtt", MAC))

    live.write_live_file(live.Electricity(time.time(), 1.0, "mqtt", MAC))
    thread = threading.Thread(target=writer)
    thread.start()
    reads: list[Any] = []
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline and len({r.power_w for r in reads if r is not None}) <= 10:
            reads.append(live_file.read())
            time.sleep(0.0005)
    finally:
        stop.set()
        thread.join()
    assert all(r is not None for r in reads)
    assert len({r.power_w for r in reads if r is not None}) > 10  # the writer really was writing meanwhile
    assert [p.name for p in cache_dir(home).iterdir() if p.name.endswith(".tmp")] == []


# -- --live in every format, on the fast path ------------------------------------------------------------------------


@pytest.fixture
def fetched(home: Path, emulator: Any) -> dict[str, str]:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    return env


EXPECTED = {  # how each format carries "425 W" before the sparkline
    "plain": "425 W ", "ansi": "425 W ", "tmux": "425 W ", "i3blocks": "425 W ", "i3bar": '"full_text":"425 W ',
    "waybar": '"text":"425 W ', "polybar": "425 W ", "xbar": "425 W ", "conky": "425 W ", "prompt": "425 W ",
    "motd": "Electricity now 425 W, last 10 days: ",
}


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_live_comes_before_the_sparkline_in_every_format(fetched: dict[str, str], home: Path, fmt: str) -> None:
    write_live(home, 425, time.time() - 2)
    proc = run(fetched, "--live", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert EXPECTED[fmt] in proc.stdout, proc.stdout
    plain = run(fetched, "--format", fmt).stdout
    assert "425 W" not in plain  # only when asked
    if fmt in ("tmux", "polybar", "conky"):  # coloured in the host's own syntax
        marker = {"tmux": "#[fg=#", "polybar": "%{F#", "conky": "${color #"}[fmt]
        assert proc.stdout.index(marker) < proc.stdout.index("425 W")


def test_json_gains_live_and_says_null_when_stale(fetched: dict[str, str], home: Path) -> None:
    write_live(home, 425, time.time() - 3)
    doc = json.loads(run(fetched, "--live", "--format", "json").stdout)
    assert doc["live"]["power_w"] == 425 and doc["live"]["source"] == "mqtt" and doc["live"]["age_seconds"] >= 3
    assert list(doc["live"])[:4] == ["power_w", "at", "age_seconds", "source"]
    assert "live" not in json.loads(run(fetched, "--format", "json").stdout)
    write_live(home, 425, time.time() - 3600)
    assert json.loads(run(fetched, "--live", "--format", "json").stdout)["live"] is None
    shown = json.loads(run(fetched, "--live", "--live-stale", "show", "--format", "json").stdout)["live"]
    assert shown["stale"] is True and shown["age_seconds"] >= 3600
    assert run(fetched, "--live").stdout.startswith(("▁", "▂", "▃", "▄", "▅", "▆", "▇", "█", " "))
    assert run(fetched, "--live", "--live-stale", "show").stdout.startswith("425 W ·1h ")
    assert run(fetched, "--live", "--live-stale", "show", "--ascii").stdout.startswith("425 W (1h) ")


def test_config_show_and_max_age(fetched: dict[str, str], home: Path) -> None:
    config = home / ".config" / "glowline"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('[live]\nshow = true\nmax_age = 600\n')
    write_live(home, 12345, time.time() - 300)
    assert run(fetched).stdout.startswith("12.3 kW ")  # compiles the config
    assert run(fetched).stdout.startswith("12.3 kW ")  # the fast route, from the compiled copy


@pytest.mark.parametrize("fmt", ["waybar", "plain", "tmux", "json"])
def test_live_status_line_stays_on_the_fast_path(fetched: dict[str, str], home: Path, fmt: str) -> None:
    write_live(home, 425, time.time())
    modules = imported(fetched, "--live", "--format", fmt)
    assert "glowline.status.live" in modules
    assert not modules & HEAVY, modules & HEAVY
    assert not modules & SLOW_STDLIB, modules & SLOW_STDLIB
    assert not {m for m in modules if m.startswith(("paho", "glowline.data"))}


# -- REST /current --------------------------------------------------------------------------------------------------


def test_emulator_current_has_data_only_at_the_glow_site(account: Any) -> None:
    from glowline.data.account import open_session

    with open_session() as session:
        cottage = session.source.current(account.resource_id("Holiday Cottage", "electricity.consumption"))
        home = session.source.current(account.resource_id("DCC Sourced", "electricity.consumption"))
        gas = session.source.current(account.resource_id("Holiday Cottage", "gas.consumption"))
    assert home is None  # DCC-only: empty data, as recorded
    assert cottage is not None and cottage.unit == "W" and abs(cottage.at - time.time()) < 15
    assert abs(cottage.value - account.live_power_w(cottage.at)) <= 1
    assert gas is not None and gas.unit == "m3" and gas.value > 0


def test_live_without_a_broker_falls_back_to_rest_current(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    proc = run(env, "live", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["source"] == "rest" and abs(doc["power_w"] - emulator.live_power_w(
        time.mktime(time.strptime(doc["at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone)) <= 1
    assert run(env, "live").stdout.strip().endswith(" W")
    assert (cache_dir(home) / "live.power").exists()  # so `glowline --live` shows it too
    assert "W " in run(env, "--live").stdout


def test_a_dcc_only_account_says_what_to_configure(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    proc = run(env, "live", "--site", "DCC Sourced")
    assert proc.returncode == 9 and proc.stdout == ""
    assert "DCC-only" in proc.stderr and "[live] mqtt" in proc.stderr and len(proc.stderr.splitlines()) == 1
    gas = run(env, "live", "--resource", "gas")
    assert gas.returncode == 9 and "[live] mqtt" in gas.stderr
    nobody = run({k: v for k, v in env.items() if not k.startswith("GLOWLINE_")}, "live")
    assert nobody.returncode == 3 and "[live] mqtt" in nobody.stderr and "glowline login" in nobody.stderr


def test_demo_shows_live_power_through_rest() -> None:
    proc = subprocess.run([sys.executable, "-m", "glowline", "demo", "--format", "json"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["live"]["source"] == "rest" and doc["live"]["power_w"] > 0
    plain = subprocess.run([sys.executable, "-m", "glowline", "demo"], capture_output=True, text=True, timeout=120)
    assert plain.stdout.split(" ")[1] == "W"


def test_the_example_systemd_unit_runs_the_daemon() -> None:
    import configparser

    from tests.helpers import ROOT

    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((ROOT / "examples" / "glowline-live.service").read_text(encoding="utf-8"))
    assert parser["Service"]["ExecStart"].split()[1:] == ["live", "--daemon"]
    assert parser["Service"]["ExecStart"].split()[0].endswith("/glowline")
    assert parser["Service"]["Type"] == "simple" and parser["Install"]["WantedBy"] == "default.target"


def test_the_readme_live_section_has_a_working_snippet_per_host() -> None:
    import re

    from tests.helpers import ROOT

    section = (ROOT / "docs" / "live-power.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
    for host in ("--format tmux --live", "watch --format i3blocks", "watch --format i3bar", "watch --format waybar",
                 "watch --format polybar", "--format prompt", "--format xbar --live", "--format conky --live",
                 "--format motd --cached-only --live"):
        assert any(host in body for _kind, body in blocks), host
    for kind, body in blocks:
        if kind == "jsonc":
            assert json.loads(body)["custom/glowline"]["return-type"] == "json"
        if kind in ("sh", "bash"):
            checked = subprocess.run([kind, "-n"], input=body, text=True, capture_output=True, check=False)
            assert checked.returncode == 0, (body, checked.stderr)
        if kind == "toml" and "[live]" in body:
            import tomllib

            assert validate(tomllib.loads(body))["live"]["mqtt"] == "mqtt://192.168.1.10:1883"


def test_watch_without_a_broker_polls_rest_current_for_live(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    from tests.live_broker import popen, read_line, stop

    proc = popen(env, "watch", "--format", "waybar", "--interval", "300", "--live")
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(" W " in json.loads(line)["text"] for line in lines):
            line = read_line(proc, 1)
            if line is not None:
                lines.append(line)
        assert any(" W " in json.loads(line)["text"] for line in lines), lines  # drawn once /current answered
        time.sleep(3)
        assert emulator.count("current") <= 3  # a read per resource tried, and nothing faster than every 10 s
    finally:
        assert stop(proc) == 0


def test_login_mqtt_needs_a_broker_url_with_a_user(home: Path) -> None:
    from tests.helpers import env_for

    env = env_for(home)
    proc = run(env, "login", "--mqtt", "--password-stdin", input="x\n")
    assert proc.returncode == 2 and "[live] mqtt" in proc.stderr
    anonymous = run({**env, "GLOWLINE_MQTT_URL": "mqtt://127.0.0.1:1883"}, "login", "--mqtt", "--password-stdin",
                    input="x\n")
    assert anonymous.returncode == 2 and "names no user" in anonymous.stderr


def test_without_live_the_line_does_not_even_import_the_live_reader(fetched: dict[str, str]) -> None:
    modules = imported(fetched, "--format", "tmux")
    assert "glowline.status.live" not in modules
