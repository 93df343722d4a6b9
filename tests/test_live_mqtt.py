"""Live power through a REAL mosquitto on a free loopback port (never a mock broker): `glowline live` prints what the
emulated IHD publishes, recorded payloads come out as the documented numbers, the error value is dropped, the daemon
keeps the live file current (single instance, SIGTERM, reconnect after the broker is killed and restarted), `watch`
redraws within 1 s of a message and at most once a second, TLS is refused when the certificate does not verify,
and doctor reports the broker and the IHD."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glowline.emulator import Emulator
from glowline.status import live as live_file
from tests.helpers import ROOT, cache_dir, glowline_env, run, wait_until
from tests.live_broker import Broker, Repeater, broker, popen, read_line, stop  # noqa: F401  (broker: the fixture)
from tests.test_live import M1_DOCUMENT, M1_ELECTRICITY, MAC, electricity

TOPIC = f"glow/{MAC}/SENSOR/electricitymeter"


@pytest.fixture
def ihd(broker: Broker) -> Iterator[Emulator]:  # noqa: F811
    """The emulator, its Glow IHD publishing to the broker every 0.2 s."""
    emu = Emulator(mqtt=broker.url, mqtt_interval=0.2)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


def live_env(home: Path, emu: Any, broker: Broker, **extra: str) -> dict[str, str]:  # noqa: F811
    return glowline_env(home, emu, GLOWLINE_MQTT_URL=broker.url, **extra)


def epoch(iso: str) -> float:
    import calendar

    return float(calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")))


# -- glowline live ----------------------------------------------------------------------------------------------------


def test_live_prints_the_power_the_emulated_ihd_publishes(home: Path, ihd: Emulator, broker: Broker) -> None:  # noqa: F811
    env = live_env(home, ihd, broker)
    proc = run(env, "live", "--format", "json", timeout=30)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert list(doc)[:9] == list(M1_DOCUMENT)
    assert doc["source"] == "mqtt" and doc["device"] == ihd.glow_mac
    assert abs(doc["power_w"] - ihd.live_power_w(epoch(doc["at"]))) <= 1  # the household's current half-hour
    assert doc["import_kwh_total"] > doc["import_kwh_today"] > 0 and doc["export_kwh_total"] == 0.0
    assert (doc["unit_rate_gbp"], doc["standing_charge_gbp"]) == (0.245, 0.5335)
    plain = run(env, "live", timeout=30)
    assert plain.returncode == 0 and plain.stdout.endswith(" W\n") and plain.stdout.split()[0].lstrip("-").isdigit()
    gas = run(env, "live", "--resource", "gas", "--format", "json", timeout=30)
    gas_doc = json.loads(gas.stdout)
    assert "power_w" not in gas_doc and gas_doc["volume_m3_total"] > 0 and gas_doc["import_kwh_total"] > 0
    assert run(env, "live", "--resource", "gas", timeout=30).stdout.startswith("gas: ")


def test_registers_grow_by_what_the_rest_readings_say(ihd: Emulator) -> None:
    publisher = ihd.publisher
    assert publisher is not None
    start = (int(time.time()) // 1800 - 4) * 1800
    first = json.loads(publisher.electricity_payload(start))["electricitymeter"]["energy"]["import"]["cumulative"]
    later = json.loads(publisher.electricity_payload(start + 3600))["electricitymeter"]["energy"]["import"]
    rid = ihd.resource_id("Holiday Cottage", "electricity.consumption")
    rest = sum(v for _, v in ihd.half_hours(rid, start, start + 3600) if v is not None)
    assert later["cumulative"] - first == pytest.approx(rest, abs=0.002)


def test_follow_prints_one_line_per_message_and_sigterm_exits_0(home: Path, ihd: Emulator, broker: Broker) -> None:  # noqa: F811
    proc = popen(live_env(home, ihd, broker), "live", "--follow")
    try:
        lines = [read_line(proc, 15) for _ in range(4)]
    finally:
        code = stop(proc)
    assert all(line and line.endswith(" W\n") for line in lines), lines
    assert code == 0


def test_recorded_payloads_through_the_broker_come_out_as_documented(home: Path, broker: Broker) -> None:  # noqa: F811
    env = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=broker.url)
    repeater = Repeater(broker.port, TOPIC, [M1_ELECTRICITY])
    try:
        proc = run(env, "live", "--format", "json", timeout=30)
    finally:
        repeater.stop()
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    age = doc.pop("age_seconds")
    assert doc == M1_DOCUMENT and age > 3 * 365 * 86400  # recorded in 2022: old, and said so
    # the recorded message is years old: printed with its age, never as the house's power now
    repeater = Repeater(broker.port, TOPIC, [M1_ELECTRICITY])
    try:
        plain = run(env, "live", timeout=30).stdout
    finally:
        repeater.stop()
    assert plain.startswith("425 W ·") and plain.endswith(" old\n")
    live = live_file.current(time.time(), 60, path=str(cache_dir(home) / "live.power"))
    assert live is None  # stale: the status line omits it


def test_the_error_value_is_dropped(home: Path, broker: Broker) -> None:  # noqa: F811
    env = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=broker.url)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    bad = electricity(-8388.608, timestamp=now)
    repeater = Repeater(broker.port, TOPIC, [bad])
    try:
        proc = run(env, "live", "--timeout", "2", timeout=30)
    finally:
        repeater.stop()
    assert proc.returncode == 9 and proc.stdout == ""
    assert "no reading" in proc.stderr and "8388" not in proc.stderr
    assert not (cache_dir(home) / "live.power").exists()
    repeater = Repeater(broker.port, TOPIC, [bad, bad, electricity(0.612, timestamp=now)])
    try:
        follow = popen(env, "live", "--follow")
        lines = [read_line(follow, 15) for _ in range(3)]
        stop(follow)
    finally:
        repeater.stop()
    assert lines == ["612 W\n"] * 3


def test_no_message_within_the_timeout_is_one_line_exit_9(home: Path, broker: Broker) -> None:  # noqa: F811
    env = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=broker.url)
    started = time.monotonic()
    proc = run(env, "live", "--timeout", "1", timeout=30)
    assert proc.returncode == 9 and len(proc.stderr.splitlines()) == 1 and "within 1 s" in proc.stderr
    assert time.monotonic() - started < 8
    closed = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=f"mqtt://127.0.0.1:{broker.port + 1}")
    refused = run(closed, "live", "--timeout", "2", timeout=30)
    assert refused.returncode == 5 and "cannot reach the broker" in refused.stderr


# -- the daemon and the status line -----------------------------------------------------------------------------------


def written(home: Path) -> float:
    path = cache_dir(home) / "live.power"
    try:
        text = path.read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("written\t"):
            return float(line.split("\t")[1])
    return 0.0


def test_daemon_keeps_the_live_file_current_and_survives_a_broker_restart(
    home: Path, ihd: Emulator, broker: Broker  # noqa: F811
) -> None:
    env = live_env(home, ihd, broker)
    assert run(env, "fetch").returncode == 0
    daemon = popen(env, "live", "--daemon")
    try:
        assert wait_until(lambda: written(home) > 0, 15), daemon.stderr
        waybar = json.loads(run(env, "--live", "--format", "waybar").stdout)
        power = int(waybar["text"].split(" W ")[0])
        assert abs(power - ihd.live_power_w()) < 0.2 * ihd.live_power_w() + 2
        assert "Live " in waybar["tooltip"]
        second = run(env, "live", "--daemon", timeout=15)  # one per user
        assert second.returncode == 0 and "already running" in second.stderr
        # kill the broker: the file stops moving; restart it on the same port: the daemon reconnects by itself
        broker.stop()
        time.sleep(1.0)
        frozen = written(home)
        time.sleep(1.5)
        assert written(home) == frozen
        broker.start()
        assert wait_until(lambda: written(home) > frozen, 20), "no reconnect after the broker came back"
        assert daemon.poll() is None
    finally:
        code = stop(daemon)
    assert code == 0
    assert daemon.stderr is not None and "reconnecting" in daemon.stderr.read()


def test_daemon_without_a_broker_polls_rest_current(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    daemon = popen(env, "live", "--daemon")
    try:
        assert wait_until(lambda: written(home) > 0, 20)
        time.sleep(2)
    finally:
        assert stop(daemon) == 0
    assert emulator.count("current") <= 4  # one read per resource tried, then nothing faster than every 10 s


# -- watch -------------------------------------------------------------------------------------------------------------


def test_watch_redraws_within_a_second_of_a_message_and_at_most_once_a_second(
    home: Path, broker: Broker, emulator: Emulator  # noqa: F811
) -> None:
    env = live_env(home, emulator, broker)
    assert run(env, "fetch").returncode == 0
    watch = popen(env, "watch", "--format", "i3bar", "--interval", "300")
    try:
        assert read_line(watch, 15) == '{"version":1,"click_events":true}\n'
        assert read_line(watch, 5) == "[\n"
        assert read_line(watch, 15) is not None  # the first draw
        repeater = Repeater(broker.port, TOPIC, [b"{}"], every=5)  # a client only to publish with
        try:
            time.sleep(1.5)  # the watch has subscribed meanwhile
            for watts in (4321, 4400):
                stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                sent = time.monotonic()
                repeater.publish_once(electricity(watts / 1000, timestamp=stamp))
                line = read_line(watch, 5)
                assert line is not None and f'"full_text":"{watts} W ' in line, line
                assert time.monotonic() - sent <= 1.2
            # a burst of messages, ten a second: redraws at most once a second
            time.sleep(1.1)
            burst = Repeater(broker.port, TOPIC, [electricity((5000 + i) / 1000, timestamp=stamp) for i in range(9)],
                             every=0.1)
            times: list[float] = []
            try:
                deadline = time.monotonic() + 3.5
                while time.monotonic() < deadline:
                    if read_line(watch, 0.1) is not None:
                        times.append(time.monotonic())
            finally:
                burst.stop()
            assert 3 <= len(times) <= 5, times
            assert all(b - a >= 0.9 for a, b in itertools.pairwise(times)), times
        finally:
            repeater.stop()
    finally:
        assert stop(watch) == 0


def test_watch_shows_live_stale_while_the_broker_is_away_and_recovers(
    home: Path, ihd: Emulator, broker: Broker  # noqa: F811
) -> None:
    config = home / ".config" / "glowline"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("[live]\nmax_age = 2\n")
    env = live_env(home, ihd, broker)
    assert run(env, "fetch").returncode == 0
    watch = popen(env, "watch", "--format", "waybar", "--interval", "300")
    try:
        assert wait_until(lambda: (line := read_line(watch, 3)) is not None and " W " in line and "·" not in
                          json.loads(line)["text"].split(" W")[1][:3], 20)
        broker.stop()
        seen_stale = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not seen_stale:
            line = read_line(watch, 1)
            seen_stale = line is not None and " W ·" in json.loads(line)["text"]
        assert seen_stale, "the live part was not marked stale while the broker was away"
        broker.start()
        recovered = False
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not recovered:
            line = read_line(watch, 1)
            recovered = line is not None and " W ·" not in json.loads(line)["text"] and " W " in line
        assert recovered, "no fresh live value after the broker came back"
        assert watch.poll() is None
    finally:
        assert stop(watch) == 0


# -- TLS ---------------------------------------------------------------------------------------------------------------


def test_tls_is_refused_when_the_certificate_does_not_verify(home: Path, tmp_path: Path) -> None:
    from tests.test_leaks import self_signed

    folder = tmp_path / "tls"
    folder.mkdir()
    cert, key = self_signed(folder)
    tls = Broker(folder, extra=f"certfile {cert}\nkeyfile {key}\n").start()
    try:
        env = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=f"mqtts://127.0.0.1:{tls.port}")
        proc = run(env, "live", "--timeout", "3", timeout=30)
        assert proc.returncode == 5, proc.stderr
        assert "TLS certificate not verified" in proc.stderr and len(proc.stderr.splitlines()) == 1
        trusted = run({**env, "SSL_CERT_FILE": str(cert)}, "live", "--timeout", "1", timeout=30)
        assert trusted.returncode == 9 and "no electricity message" in trusted.stderr  # connected: TLS verified
    finally:
        tls.stop()


# -- doctor -----------------------------------------------------------------------------------------------------------


def test_doctor_reports_the_broker_and_the_ihd(home: Path, ihd: Emulator, broker: Broker) -> None:  # noqa: F811
    env = live_env(home, ihd, broker)
    proc = run(env, "doctor", "--format", "json", "--timeout", "5", timeout=60)
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    assert checks["broker"]["level"] == "OK", checks["broker"]
    assert "reachable, subscribed" in checks["broker"]["text"] and ihd.glow_mac in checks["broker"]["text"]
    ihd_line = checks["ihd"]
    assert ihd_line["level"] == "OK"
    for part in (ihd.glow_mac, "GLOW-IHD-02-1v4-SMETS2", "v2.0.2", "HAN joined", "RSSI -88 dBm", "LQI 48"):
        assert part in ihd_line["text"]
    down = {**env, "GLOWLINE_MQTT_URL": f"mqtt://127.0.0.1:{broker.port + 1}"}
    checks = {c["name"]: c for c in json.loads(run(down, "doctor", "--format", "json", timeout=60).stdout)["checks"]}
    assert checks["broker"]["level"] == "FAIL" and "cannot reach" in checks["broker"]["text"]


def test_the_emulator_command_publishes(home: Path, broker: Broker) -> None:  # noqa: F811
    emu = subprocess.Popen([sys.executable, "-m", "glowline", "emulator", "--port", "0", "--mqtt", broker.url,
                            "--mqtt-interval", "0.2"], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert emu.stdout is not None
        banner = [emu.stdout.readline() for _ in range(5)]
        assert any("publishes to" in line for line in banner), banner
        url = banner[0].split(" at ")[1].strip()
        proc = run(glowline_env(home, type("E", (), {"url": url})(), GLOWLINE_MQTT_URL=broker.url), "live",
                   timeout=30)
        assert proc.returncode == 0 and proc.stdout.endswith(" W\n"), proc.stderr
    finally:
        emu.terminate()
        emu.wait(10)
