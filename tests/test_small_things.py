"""The issue's small things (issue 21, finding 11), each as it was met: `typical` depending on what filled the cache,
`--on-error hide` not applied to a bad option, `report` silent on a hung API, `config check` naming one threshold
twice, the broker's plaintext warning naming the account's variables, keyring skips blaming an installed
dbus-daemon."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glowline.emulator import Emulator
from tests.helpers import env_for, glowline_env, run, run_json


def test_typical_does_not_depend_on_what_filled_the_cache(home: Path, emulator: Emulator, tmp_path: Path) -> None:
    """`glowline` then `glowline --days 14 --format json` gave 13.416, the same from an empty cache 13.471."""
    after_default = glowline_env(home, emulator)
    assert run(after_default, "--timeout", "30").returncode == 0  # the default 10 days fill the cache first
    second = run_json(after_default, "--days", "14", "--timeout", "30")
    empty_home = tmp_path / "empty-home"
    for sub in (".config", ".cache", ".local/share", "run"):
        (empty_home / sub).mkdir(parents=True)
    fresh = run_json(glowline_env(empty_home, emulator), "--days", "14", "--timeout", "30")
    assert second["typical"] is not None
    assert second["typical"] == fresh["typical"], (second["typical"], fresh["typical"])
    assert [d["level"] for d in second["days"]] == [d["level"] for d in fresh["days"]]


def test_on_error_hide_applies_to_a_bad_option(home: Path) -> None:
    env = env_for(home)
    for fmt, hidden in (("waybar", "\n"), ("tmux", "\n"), ("polybar", "\n"), ("motd", "")):
        done = run(env, "--format", fmt, "--on-error", "hide", "--days", "x")
        assert (done.returncode, done.stdout) == (0, hidden), (fmt, done)
        shown = run(env, "--format", fmt, "--days", "x")
        assert shown.returncode == 0 and "usage error" in shown.stdout, (fmt, shown)
    with_equals = run(env, "--format=waybar", "--on-error=hide", "--widht", "3")
    assert (with_equals.returncode, with_equals.stdout) == (0, "\n")
    # the same class: a broken config file is an error of the line too, hidden when asked
    config = home / ".config" / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('days = "x"\n', encoding="utf-8")
    broken = run(env, "--format", "waybar", "--on-error", "hide")
    assert (broken.returncode, broken.stdout) == (0, "\n"), broken
    assert "config error" in run(env, "--format", "waybar").stdout


def test_report_says_something_within_a_second_or_two_on_a_hung_api(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("hang")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "glowline", "report", "--days", "3"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    said = b""
    started = time.monotonic()
    try:
        while time.monotonic() - started < 5 and b"\n" not in said:
            ready, _w, _x = select.select([master], [], [], 0.2)
            if ready:
                said += os.read(master, 4096)
        waited = time.monotonic() - started
    finally:
        proc.kill()
        proc.wait(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()
        os.close(master)
        emulator.clear_faults()
    assert b"waiting for the Glowmarkt API" in said, said
    assert waited < 3.5  # about a second after it started (the interpreter's own start included)


def test_report_on_a_pipe_stays_quiet_on_stderr(home: Path, emulator: Emulator) -> None:
    done = run(glowline_env(home, emulator), "report", "--days", "3")
    assert done.returncode == 0 and "waiting" not in done.stderr


def test_config_check_names_each_threshold_once(home: Path) -> None:
    config = home / ".config" / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[thresholds]\nlow = 2.0\nhigh = 1.0\n", encoding="utf-8")
    done = run(env_for(home), "config", "check")
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "thresholds" in line]
    assert len(lines) == 1 and "thresholds.high = 1.0" in lines[0], lines
    config.write_text('[thresholds]\nlow = "x"\nhigh = 0.0\n', encoding="utf-8")
    both = [line for line in (lambda d: d.stdout + d.stderr)(run(env_for(home), "config", "check")).splitlines()
            if "thresholds" in line]
    assert len(both) == 2 and "thresholds.low" in both[0] and "thresholds.high" in both[1], both


def test_keyring_skips_name_only_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fixtures_keyring import missing_message

    real = shutil.which("dbus-daemon")
    if real is None:
        pytest.skip("dbus-daemon is not installed here: nothing to mis-name")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dbus-daemon").symlink_to(real)
    monkeypatch.setenv("PATH", str(bin_dir))
    message = missing_message(("gnome-keyring-daemon", "dbus-daemon"))
    assert message.startswith("gnome-keyring-daemon not installed") and "dbus-daemon not" not in message
    assert message.endswith("apt-get install gnome-keyring")


def test_the_brokers_keyring_messages_name_the_brokers_variable(plaintext_keyring: object, home: Path,
                                                                 tmp_path: Path) -> None:
    from tests.fixtures_keyring import KeyringSetup
    from tests.live_broker import Broker
    from tests.test_live_leaks import BROKER_PASSWORD, mosquitto_hash
    from tests.tools import require

    require("mosquitto")
    assert isinstance(plaintext_keyring, KeyringSetup)
    folder = tmp_path / "broker"
    folder.mkdir()
    (folder / "passwd").write_text(f"alice:{mosquitto_hash(BROKER_PASSWORD)}\n")
    broker = Broker(folder, extra=f"password_file {folder / 'passwd'}\n", anonymous=False).start()
    try:
        config = home / ".config" / "glowline" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'[live]\nmqtt = "mqtt://alice@127.0.0.1:{broker.port}"\n', encoding="utf-8")
        env = plaintext_keyring.env
        saved = run(env, "login", "--mqtt", "--password-stdin", input=BROKER_PASSWORD + "\n")
        assert saved.returncode == 0, saved.stderr
        assert "UNENCRYPTED" in saved.stderr and "GLOWLINE_MQTT_PASSWORD" in saved.stderr, saved.stderr
        assert "GLOWLINE_USERNAME" not in saved.stderr and "GLOWLINE_PASSWORD" not in saved.stderr
        # no keyring at all: the error names the broker's routes, not the account's
        none = {**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        refused = run(none, "login", "--mqtt", "--password-stdin", input=BROKER_PASSWORD + "\n")
        assert refused.returncode == 4 and refused.stderr.count("\n") == 1, refused.stderr
        assert "GLOWLINE_MQTT_PASSWORD" in refused.stderr and "login --mqtt --insecure-storage" in refused.stderr
        assert "GLOWLINE_USERNAME" not in refused.stderr
        # and the file route works for the broker too
        kept = run(none, "login", "--mqtt", "--insecure-storage", "--password-stdin", input=BROKER_PASSWORD + "\n")
        assert kept.returncode == 0 and "not encrypted" in kept.stdout, kept.stderr
    finally:
        broker.stop()
