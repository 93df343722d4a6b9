"""Leak suite for live power: the MQTT broker password goes into the real keyring (`glowline login --mqtt`) and
never into argv, environment, config, cache, logs or output, across login (right and wrong), `glowline live`, the
daemon, the --live status line, watch and doctor, with -vv debug logging; a password in the URL is refused unseen."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from tests.fixtures_keyring import KeyringSetup
from tests.helpers import cache_dir, wait_until
from tests.live_broker import Broker, popen, read_line, stop, unread
from tests.test_leaks import Outputs, assert_argv_clean, assert_not_in_files, our_processes

BROKER_PASSWORD = "mqtt-LEAK-CANARY-51c9e"
WRONG_BROKER_PASSWORD = "mqtt-WRONG-CANARY-0b77"
IHD_PASSWORD = "ihd-publisher-pw"


@pytest.fixture
def private_broker(tmp_path: Path) -> Broker:
    """mosquitto that wants a login: alice (glowline) and ihd (the emulated device)."""
    folder = tmp_path / "private-broker"
    folder.mkdir()
    passwd = folder / "passwd"
    passwd.write_text("".join(f"{user}:{mosquitto_hash(password)}\n"
                              for user, password in (("alice", BROKER_PASSWORD), ("ihd", IHD_PASSWORD))))
    return Broker(folder, extra=f"password_file {passwd}\n", anonymous=False)


def mosquitto_hash(password: str) -> str:
    """A mosquitto password-file hash ($6$: SHA-512 of password + salt, both base64), as mosquitto_passwd writes
    without -H; made here so no password goes through a tool's argv."""
    import base64
    import hashlib

    salt = os.urandom(12)
    digest = hashlib.sha512(password.encode() + salt).digest()
    return f"$6${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_the_broker_password_never_leaks(real_keyring: KeyringSetup, home: Path, private_broker: Broker) -> None:
    broker = private_broker.start()
    emu = Emulator(mqtt=f"mqtt://ihd:{IHD_PASSWORD}@127.0.0.1:{broker.port}", mqtt_interval=0.2).start()
    out = Outputs()
    try:
        env = {**real_keyring.env, "GLOWLINE_API_URL": emu.url, "GLOWLINE_USERNAME": DEMO_USERNAME,
               "GLOWLINE_PASSWORD": DEMO_PASSWORD}
        config = home / ".config" / "glowline"
        config.mkdir(parents=True, exist_ok=True)
        (config / "config.toml").write_text(f'[live]\nmqtt = "mqtt://alice@127.0.0.1:{broker.port}"\nmax_age = 30\n')
        # no password yet: the broker says no, in one line
        refused = out.run(env, "-vv", "live", "--timeout", "5", timeout=60)
        assert refused.returncode == 3 and "glowline login --mqtt" in refused.stderr
        wrong = out.run(env, "-vv", "login", "--mqtt", "--password-stdin", input=WRONG_BROKER_PASSWORD + "\n",
                        timeout=60)
        assert wrong.returncode == 3 and "refused the login" in wrong.stderr
        right = out.run(env, "-vv", "login", "--mqtt", "--password-stdin", input=BROKER_PASSWORD + "\n", timeout=60)
        assert right.returncode == 0 and "saved" in right.stdout, right.stderr
        proc = out.run(env, "-vv", "live", "--format", "json", timeout=60)
        assert proc.returncode == 0 and json.loads(proc.stdout)["power_w"] is not None, proc.stderr
        assert out.run(env, "fetch").returncode == 0
        daemon = popen(env, "-vv", "live", "--daemon")
        watch = popen(env, "-vv", "watch", "--format", "i3blocks", "--interval", "300")
        try:
            assert wait_until(lambda: (cache_dir(home) / "live.power").exists(), 20)
            line = out.run(env, "-vv", "--live", "--format", "waybar")
            assert " W " in json.loads(line.stdout)["text"], line.stdout
            assert read_line(watch, 20) is not None
            time.sleep(1.5)
            assert assert_argv_clean(home, BROKER_PASSWORD, WRONG_BROKER_PASSWORD) >= 2
            for pid, _argv, environ in our_processes(home):
                assert BROKER_PASSWORD.encode() not in environ, f"broker password in the environment of {pid}"
            doctor = out.run(env, "-vv", "doctor", "--format", "json", timeout=60)
            checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
            assert checks["broker"]["level"] == "OK", checks["broker"]
        finally:
            for proc_ in (daemon, watch):
                stop(proc_)
                assert proc_.stdout is not None and proc_.stderr is not None
                out.texts += [unread(proc_), proc_.stdout.read(), proc_.stderr.read()]
        # a password in the URL is refused without being repeated
        in_url = {**env, "GLOWLINE_MQTT_URL": f"mqtt://alice:{BROKER_PASSWORD}@127.0.0.1:{broker.port}"}
        refused_url = out.run(in_url, "live", timeout=60)
        assert refused_url.returncode == 2 and "keyring" in refused_url.stderr
        out.assert_clean(BROKER_PASSWORD, WRONG_BROKER_PASSWORD)
        assert assert_not_in_files(real_keyring.roots, real_keyring.store, BROKER_PASSWORD,
                                   WRONG_BROKER_PASSWORD) > 3
        # logout forgets the broker's password too: the broker then refuses, as before login --mqtt
        bye = out.run(env, "logout", timeout=60)
        assert bye.returncode == 0 and "broker password for mqtt://alice@" in bye.stdout, bye.stdout + bye.stderr
        again = out.run(env, "live", "--timeout", "5", timeout=60)
        assert again.returncode == 3 and "glowline login --mqtt" in again.stderr
    finally:
        emu.stop()
        broker.stop()
