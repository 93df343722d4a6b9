"""Issue 23: pre-rendered lines ([files] formats) a prompt reads with a shell builtin, and refresh hooks ([hooks]
on_refresh), against the emulator with real processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.redact import foreign_environment, is_credential_name
from tests.helpers import age_cache, cache_dir, glowline_env, run, wait_until
from tests.test_config import write_config

FORMATS = ("prompt", "tmux", "plain", "waybar")


def line_file(home: Path, fmt: str, resource: str = "electricity.consumption") -> Path:
    return cache_dir(home) / f"default--{resource}--{fmt}.line"


def assert_files_match(env: dict[str, str], home: Path, formats: tuple[str, ...] = FORMATS) -> None:
    for fmt in formats:
        printed = run(env, "--format", fmt, "--cached-only").stdout
        assert line_file(home, fmt).read_text(encoding="utf-8") == printed, fmt


@pytest.fixture
def env(home: Path, emulator: Any) -> dict[str, str]:
    write_config(home, '[files]\nformats = ["prompt", "tmux", "plain", "waybar"]\n'
                       '[templates]\nprompt = "{icon} {today} today"\n[icons]\nset = "emoji"\n')
    return glowline_env(home, emulator)


def test_a_refresh_leaves_files_equal_to_cached_only(env: dict[str, str], home: Path) -> None:
    assert run(env, "fetch").returncode == 0
    assert_files_match(env, home)
    assert line_file(home, "prompt").read_text(encoding="utf-8").startswith("⚡ ")
    assert oct(line_file(home, "tmux").stat().st_mode & 0o777) == "0o600"


def test_a_status_line_that_sees_the_state_change_rewrites_them(env: dict[str, str], home: Path) -> None:
    assert run(env, "fetch").returncode == 0
    age_cache(home, 3 * 3600)  # fresh -> stale: no refresh has run, the files still say fresh
    assert "·3h" not in line_file(home, "plain").read_text(encoding="utf-8")
    assert run(env, "--format", "i3blocks", "--cached-only").returncode == 0  # a bar that runs anyway
    assert "·3h" in line_file(home, "plain").read_text(encoding="utf-8")
    assert_files_match(env, home)
    before = line_file(home, "tmux").stat().st_mtime_ns
    run(env, "--format", "i3blocks", "--cached-only")
    assert line_file(home, "tmux").stat().st_mtime_ns == before  # an unchanged state writes nothing
    run(env, "--format", "i3blocks", "--cached-only", "--days", "3")  # another window: not the files' line
    assert line_file(home, "tmux").stat().st_mtime_ns == before
    age_cache(home, 3600)  # now 4h old: the shown age changed
    run(env, "--format", "i3blocks", "--cached-only", "--days", "3")
    assert "·3h" in line_file(home, "plain").read_text(encoding="utf-8")  # not by this one
    run(env, "--format", "tmux", "--cached-only", "--max-age", "30", "--days", "10")  # the config's own values
    assert "·4h" in line_file(home, "plain").read_text(encoding="utf-8")
    assert_files_match(env, home)


def test_a_failed_refresh_shows_in_the_files(env: dict[str, str], home: Path, emulator: Any) -> None:
    assert run(env, "fetch").returncode == 0
    emulator.fault("500")
    age_cache(home, 3600)  # due again on the polite clock
    assert run(env, "fetch").returncode != 0
    assert_files_match(env, home)
    shown = json.loads(line_file(home, "waybar").read_text(encoding="utf-8"))
    assert "error" in shown["class"]


@pytest.mark.parametrize("shell,read", [
    ("zsh", 'x=$(<"$F"); print -rn -- "$x"'),
    ("bash", 'read -r x < "$F"; printf %s "$x"'),
    ("fish", 'read -z x < $F; printf %s $x'),
])
def test_shells_read_it_with_their_builtin(env: dict[str, str], home: Path, shell: str, read: str) -> None:
    assert run(env, "fetch").returncode == 0
    path = line_file(home, "prompt")
    done = subprocess.run([shell, "-c", read], env={**env, "F": str(path)}, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip("\n") == run(env, "--format", "prompt", "--cached-only").stdout.rstrip("\n")


# ------------------------------------------------------------------------------------------------ hooks


def hook_config(home: Path, marker: Path, code: str = "", timeout: float = 5.0) -> None:
    script = ("import json, os, sys; open(sys.argv[1], 'a').write(json.dumps({'argv': sys.argv[1:], "
              "'env': dict(os.environ)}) + '\\n')" + code)
    argv = json.dumps([sys.executable, "-c", script, str(marker), "a b; $(touch /tmp/no)"])
    write_config(home, f"[hooks]\non_refresh = {argv}\ntimeout = {timeout}\n")


def test_the_hook_runs_after_a_refresh_without_secrets(home: Path, emulator: Any, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    hook_config(home, marker)
    env = glowline_env(home, emulator, MY_API_TOKEN="t0ps3cret", GLOWLINE_MQTT_PASSWORD="mq", AWS_SECRET_ACCESS_KEY="k")
    assert run(env, "fetch").returncode == 0
    calls = [json.loads(line) for line in marker.read_text().splitlines()]
    assert len(calls) == 1 and calls[0]["argv"] == [str(marker), "a b; $(touch /tmp/no)"]  # argv, never a shell
    seen = calls[0]["env"]
    for secret in ("GLOWLINE_PASSWORD", "GLOWLINE_MQTT_PASSWORD", "MY_API_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        assert secret not in seen
    assert not any(value in ("t0ps3cret", env["GLOWLINE_PASSWORD"]) for value in seen.values())
    assert seen["HOME"] == str(home)
    # a refresh that brings nothing new to show: no hook
    age_cache(home, 600)
    assert run(env, "fetch", "--now").returncode == 0
    assert len(marker.read_text().splitlines()) == 1


def test_the_refresh_a_stale_line_starts_runs_the_hook(home: Path, emulator: Any, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    hook_config(home, marker)
    age_cache(home, 3 * 3600)
    before = (cache_dir(home) / "default--electricity.consumption--Europe_London.days").read_text()
    # a changed day: what the refresh brings back differs from the file, as after a new half-hour
    edited = before.replace("\t1\n", "\t0\n", 1)
    (cache_dir(home) / "default--electricity.consumption--Europe_London.days").write_text(edited)
    assert run(env, "--format", "tmux").returncode == 0  # stale: starts the detached refresher and returns
    assert wait_until(lambda: marker.exists(), 20)


def test_a_failing_or_hung_hook_is_logged_never_fatal(home: Path, emulator: Any, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    env = glowline_env(home, emulator)
    hook_config(home, marker, "; sys.stderr.write('bad thing'); sys.exit(3)")
    proc = run(env, "fetch")
    assert proc.returncode == 0 and marker.exists()
    assert "exited with 3: bad thing" in (cache_dir(home) / "hook.error").read_text()
    hook_config(home, marker, "; import time; time.sleep(30)", timeout=0.5)
    (cache_dir(home) / "hook.error").unlink()
    for path in cache_dir(home).glob("*.days"):
        path.unlink()  # the next refresh changes what the line shows
    started = time.monotonic()
    assert run(env, "fetch").returncode == 0
    assert time.monotonic() - started < 15
    assert "stopped" in (cache_dir(home) / "hook.error").read_text()
    write_config(home, '[hooks]\non_refresh = ["/nonexistent/hook"]\n')
    for path in cache_dir(home).glob("*.days"):
        path.unlink()
    assert run(env, "fetch").returncode == 0
    assert "could not start" in (cache_dir(home) / "hook.error").read_text()


def test_hook_config_is_an_argv_list(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    write_config(home, '[hooks]\non_refresh = "pkill -RTMIN+8 waybar"\n')
    proc = run(env)
    assert proc.returncode == 8 and "hooks.on_refresh" in proc.stderr and "list" in proc.stderr


def test_secret_names() -> None:
    for name in ("GLOWLINE_PASSWORD", "GLOWLINE_MQTT_PASSWORD", "GITHUB_TOKEN", "db_password", "SSH_PASSPHRASE",
                 "AWS_SECRET_ACCESS_KEY", "OPENAI_API_KEY", "MY_CREDENTIALS", "HTTP_AUTHORIZATION"):
        assert is_credential_name(name), name
    for name in ("HOME", "PATH", "DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "GLOWLINE_API_URL"):
        assert not is_credential_name(name), name
    assert foreign_environment({"HOME": "/h", "GLOWLINE_PASSWORD": "x", "X_TOKEN": "t"}) == {"HOME": "/h"}


def test_hook_timeout_is_bounded(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    write_config(home, '[hooks]\non_refresh = ["true"]\ntimeout = -1\n')
    proc = run(env)
    assert proc.returncode == 8 and "hooks.timeout" in proc.stderr


def test_the_live_writer_keeps_them_current(home: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`glowline live --daemon` (and a live watch) runs anyway: with [live] show its every new reading reaches the
    pre-rendered lines, equal to --cached-only at that moment."""
    from glowline.data.live import Electricity, write_live_file

    write_config(home, '[files]\nformats = ["prompt", "tmux"]\n[live]\nshow = true\n')
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    assert run(env, "--cached-only").returncode == 0  # compiles the config (the writer reads the compiled copy)
    for var in ("GLOWLINE_API_URL", "GLOWLINE_USERNAME", "GLOWLINE_PASSWORD"):
        monkeypatch.setenv(var, env[var])
    for power in (425.0, 1234.0):
        assert write_live_file(Electricity(time.time(), power))
        text = line_file(home, "prompt").read_text(encoding="utf-8")
        assert text.startswith(f"{power:.0f} W ") and text == run(env, "--format", "prompt", "--cached-only").stdout
        assert_files_match(env, home, ("prompt", "tmux"))


def test_the_hook_runs_when_a_failure_appears_or_clears(home: Path, emulator: Any, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    hook_config(home, marker)
    emulator.fault("500")
    age_cache(home, 3600)  # due again on the polite clock (fetch is a no-op while nothing is due)
    assert run(env, "fetch").returncode != 0
    assert len(marker.read_text().splitlines()) == 1  # the failure is news for the bar
    emulator.clear_faults()
    assert run(env, "fetch").returncode == 0  # a failed attempt does not hold the next one back
    assert len(marker.read_text().splitlines()) == 2  # and so is its end


def test_a_nul_in_the_hook_is_a_logged_failure(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    write_config(home, '[hooks]\non_refresh = ["true", "a\\u0000b"]\n')
    assert run(env, "fetch").returncode == 0
    assert "could not start" in (cache_dir(home) / "hook.error").read_text()


def test_config_path_names_the_files(env: dict[str, str], home: Path) -> None:
    shown = run(env, "config", "path").stdout
    for fmt in FORMATS:
        assert f"line     {line_file(home, fmt)}  (not there: the pre-rendered --format {fmt} line)" in shown
