"""`glowline doctor` as a real process: the real emulator over HTTP and real keyring backends (a Secret Service on a
private bus, a plaintext file, none); one OK/WARN/FAIL line per check, the fix, and the exit code of the worst line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.data import credentials
from glowline.diagnosis import EXIT_WARN
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from glowline.errors import EXIT_CONFIG, EXIT_KEYRING, EXIT_NOT_FOUND, EXIT_OK, EXIT_UNAVAILABLE
from tests.fixtures_keyring import KeyringSetup
from tests.helpers import age_cache, cache_dir, glowline_env, run

CHECKS = ["config", "keyring", "account", "token", "api", "sites", "cache", "history", "files", "launcher"]


def doctor(
    env: dict[str, str], *args: str, launcher: bool = False, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m glowline doctor ARGS``."""
    extra = [] if launcher else ["--no-launcher"]
    proc = subprocess.run([sys.executable, "-m", "glowline", "doctor", *extra, *args], env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert DEMO_PASSWORD not in proc.stdout + proc.stderr
    return proc


def lines(proc: subprocess.CompletedProcess[str]) -> dict[str, tuple[str, str]]:
    """{check name: (level, rest of the line)} from plain output; every line is LEVEL NAME TEXT."""
    out: dict[str, tuple[str, str]] = {}
    for line in proc.stdout.splitlines():
        level, name, text = line.split(None, 2)
        assert level in ("OK", "WARN", "FAIL"), line
        out[name] = (level, text)
    return out


def login(env: dict[str, str]) -> None:
    proc = run(env, "login", "--username", DEMO_USERNAME, "--password-stdin", input=DEMO_PASSWORD + "\n")
    assert proc.returncode == 0, proc.stderr


def no_keyring_env(home: Path, emu: Emulator) -> dict[str, str]:
    """Credentials in the environment, keyring's fail backend (a headless machine)."""
    return glowline_env(home, emu, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")


def keyring_env(setup: KeyringSetup, emu: Emulator, **extra: str) -> dict[str, str]:
    return {**setup.env, "GLOWLINE_API_URL": emu.url, **extra}


def write_config(env: dict[str, str], text: str) -> Path:
    path = Path(env["XDG_CONFIG_HOME"]) / "glowline" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(text, encoding="utf-8")
    return path


# -- all OK --------------------------------------------------------------------------------------------------------


def test_all_ok_with_a_real_secret_service(real_keyring: KeyringSetup, emulator: Emulator, home: Path) -> None:
    env = keyring_env(real_keyring, emulator)
    login(env)
    assert run(env, "fetch").returncode == 0
    proc = doctor(env, launcher=True)
    found = lines(proc)
    assert list(found) == CHECKS
    assert all(level == "OK" for level, _ in found.values()), proc.stdout
    assert proc.returncode == EXIT_OK and proc.stderr == ""
    assert "Secret Service" in found["keyring"][1] and "secure" in found["keyring"][1]
    assert DEMO_USERNAME in found["account"][1] and "password in Secret Service" in found["account"][1]
    assert "7.0 more days" in found["token"][1]
    assert emulator.url in found["api"][1] and " ms" in found["api"][1]
    # every site and its classifiers, as the emulator has them; a duplicated classifier is noted
    for site in emulator._state.household.sites:
        assert repr(site.name) in found["sites"][1]
        classifiers = [r.classifier for r in site.resources]
        for classifier in set(classifiers):
            count = classifiers.count(classifier)
            assert (f"{classifier} x{count}" if count > 1 else classifier) in found["sites"][1]
    assert "electricity.consumption (DCC Sourced, Europe/London)" in found["cache"][1]
    assert "none of requests, keyring, rich" in found["launcher"][1]


def test_json_format_matches_the_plain_lines(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    env = keyring_env(real_keyring, emulator)
    login(env)
    proc = doctor(env, "--format", "json")
    doc = json.loads(proc.stdout)
    assert doc["worst"] == "WARN" and doc["exit_code"] == EXIT_WARN == proc.returncode  # nothing cached yet
    names = [c["name"] for c in doc["checks"]]
    assert names == CHECKS[:-1]
    cache = next(c for c in doc["checks"] if c["name"] == "cache")
    assert cache["level"] == "WARN" and "glowline fetch" in cache["fix"]
    assert {c["level"] for c in doc["checks"] if c["name"] != "cache"} == {"OK"}


# -- keyring -------------------------------------------------------------------------------------------------------


def test_plaintext_keyring_is_a_warning_naming_the_file(plaintext_keyring: KeyringSetup, emulator: Emulator) -> None:
    env = keyring_env(plaintext_keyring, emulator)
    login(env)
    run(env, "fetch")
    proc = doctor(env)
    found = lines(proc)
    level, text = found["keyring"]
    assert level == "WARN" and "UNENCRYPTED" in text
    store = plaintext_keyring.store[0]
    assert str(store) in text  # the file the password is in
    assert "gnome-keyring" in text  # the fix
    assert found["account"][0] == "OK"
    assert proc.returncode == EXIT_WARN


@pytest.mark.parametrize("backend", ["fail_keyring", "null_keyring"])
def test_no_usable_backend_fails_with_the_fix(
    backend: str, request: pytest.FixtureRequest, emulator: Emulator, home: Path
) -> None:
    setup: KeyringSetup = request.getfixturevalue(backend)
    env = keyring_env(setup, emulator)
    proc = doctor(env)
    found = lines(proc)
    level, text = found["keyring"]
    assert level == "FAIL" and "-- fix:" in text and "GLOWLINE_PASSWORD" in text
    if backend == "fail_keyring":
        assert "no keyring backend" in text and "gnome-keyring" in text
    else:
        assert "disabled" in text
    assert found["account"][0] == "FAIL" and "glowline login" in found["account"][1]
    assert proc.returncode == EXIT_KEYRING  # the first FAIL decides


def test_no_backend_with_env_credentials_is_only_a_warning(fail_keyring: KeyringSetup, emulator: Emulator) -> None:
    env = keyring_env(fail_keyring, emulator, GLOWLINE_USERNAME=DEMO_USERNAME, GLOWLINE_PASSWORD=DEMO_PASSWORD)
    run(env, "fetch")
    proc = doctor(env)
    found = lines(proc)
    assert found["keyring"][0] == "WARN" and "from the environment" in found["keyring"][1]
    assert found["account"][0] == "OK" and found["api"][0] == "OK"
    assert proc.returncode == EXIT_WARN


def test_locked_keyring_fails_within_the_timeout(locked_keyring: KeyringSetup, emulator: Emulator) -> None:
    env = keyring_env(locked_keyring, emulator)
    credentials.save_account(DEMO_USERNAME, emulator.url)
    started = time.monotonic()
    proc = doctor(env, "--timeout", "2")
    assert time.monotonic() - started < 10
    found = lines(proc)
    assert found["keyring"][0] == "FAIL" and "locked" in found["keyring"][1] and "unlock" in found["keyring"][1]
    assert proc.returncode == EXIT_KEYRING


# -- token ---------------------------------------------------------------------------------------------------------


def test_expired_token_warns_it_will_renew_then_is_renewed(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    env = keyring_env(real_keyring, emulator)
    login(env)
    credentials.save_token(DEMO_USERNAME, emulator.url, "stale-token", int(time.time()) - 3600)
    proc = doctor(env)
    level, text = lines(proc)["token"]
    assert level == "OK" and "expired" in text and "renewed by this check" in text
    logins = [r for r in emulator.requests if r.kind == "auth" and r.method == "POST"]
    assert len(logins) == 2  # the login, and the doctor's renewal
    loaded = credentials.load_token(DEMO_USERNAME, emulator.url)
    assert loaded is not None and loaded[0] != "stale-token" and loaded[1] > time.time() + 6 * 86400


def test_expired_token_without_api_is_a_warning(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    env = keyring_env(real_keyring, emulator)
    login(env)
    credentials.save_token(DEMO_USERNAME, emulator.url, "stale-token", int(time.time()) - 3 * 86400)
    emulator.fault("500")
    level, text = lines(doctor(env))["token"]
    assert level == "WARN" and "expired 3.0 days ago" in text and "will renew" in text


# -- API -----------------------------------------------------------------------------------------------------------


def test_hung_api_fails_at_the_timeout_with_its_latency(home: Path, emulator: Emulator) -> None:
    env = no_keyring_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    emulator.fault("hang")
    started = time.monotonic()
    proc = doctor(env, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed
    found = lines(proc)
    level, text = found["api"]
    assert level == "FAIL" and "did not answer within 1 s" in text
    ms = int(text.split("(after ")[1].split(" ms")[0])
    assert 900 <= ms <= 3000
    assert "check the network" in text
    # the sites still come from the cache, marked as such
    assert found["sites"][0] == "OK" and "from the cache" in found["sites"][1]
    assert proc.returncode == EXIT_UNAVAILABLE


@pytest.mark.parametrize("fault", ["500", "html", "drop"])
def test_failing_api_is_one_fail_line(home: Path, emulator: Emulator, fault: str) -> None:
    env = no_keyring_env(home, emulator)
    emulator.fault(fault)
    proc = doctor(env, "--timeout", "2")
    found = lines(proc)
    level, text = found["api"]
    assert level == "FAIL" and "ms)" in text
    assert {"500": "HTTP 500", "html": "HTTP 502", "drop": "dropped"}[fault] in text
    assert found["sites"][0] == "WARN" and found["cache"][0] == "WARN"
    assert proc.returncode == EXIT_UNAVAILABLE


def test_wrong_password_in_env_is_an_auth_failure(home: Path, emulator: Emulator) -> None:
    env = {**no_keyring_env(home, emulator), "GLOWLINE_PASSWORD": "not-the-password-9c1e"}
    proc = doctor(env)
    level, text = lines(proc)["api"]
    assert level == "FAIL" and "login refused" in text and "glowline login" in text
    assert "not-the-password-9c1e" not in proc.stdout
    assert proc.returncode == 3


def test_plain_http_to_a_remote_host_is_refused(home: Path, emulator: Emulator) -> None:
    env = {**no_keyring_env(home, emulator), "GLOWLINE_API_URL": "http://example.invalid/api/v0-1/"}
    proc = doctor(env)
    found = lines(proc)
    assert found["token"][0] == "FAIL" and "refusing plain http://" in found["token"][1]
    assert found["api"][0] == "FAIL"
    assert proc.returncode == 2 and emulator.count() == 0


# -- sites, cache, config ------------------------------------------------------------------------------------------


def test_missing_resource_fails_naming_it(home: Path, emulator: Emulator) -> None:
    env = no_keyring_env(home, emulator)
    write_config(env, 'site = "Holiday Cottage"\nresource = "export"\n')
    proc = doctor(env)
    level, text = lines(proc)["sites"]
    assert level == "FAIL" and "no electricity.export resource" in text and "--resource" in text
    assert proc.returncode == EXIT_NOT_FOUND


def test_stale_cache_and_last_error_are_warnings(home: Path, emulator: Emulator) -> None:
    env = no_keyring_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    age_cache(home, 3 * 3600)
    level, text = lines(doctor(env))["cache"]
    assert level == "WARN" and "3.0 h old STALE" in text and "glowline fetch" in text
    emulator.fault("500", path="/readings")
    assert run(env, "fetch").returncode == EXIT_UNAVAILABLE
    level, text = lines(doctor(env))["cache"]
    assert level == "WARN" and "last refresh failed" in text and "HTTP 500" in text


def test_loose_file_modes_are_a_warning(home: Path, emulator: Emulator) -> None:
    env = no_keyring_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    token = cache_dir(home) / "token.json"
    token.chmod(0o644)
    found = lines(doctor(env))
    assert found["files"][0] == "WARN" and f"{token} 0644" in found["files"][1]
    assert found["token"][0] == "WARN" and "chmod 600" in found["token"][1]


@pytest.mark.parametrize(
    ("text", "key"),
    [('days = "ten"\n', "days"), ("colour = 1\n", "colour"), ("[thresholds]\nlow = 'x'\n", "thresholds.low"),
     ("days = [\n", "not valid TOML")],
)
def test_corrupt_config_fails_naming_the_key(home: Path, emulator: Emulator, text: str, key: str) -> None:
    env = no_keyring_env(home, emulator)
    path = write_config(env, text)
    proc = doctor(env)
    found = lines(proc)
    level, line = found["config"]
    assert level == "FAIL" and key in line and str(path) in line and "-- fix:" in line
    assert list(found) == CHECKS[:-1]  # the other checks still ran
    assert found["api"][0] == "OK"
    assert proc.returncode == EXIT_CONFIG


def test_glowline_doctor_is_wired_into_the_cli(home: Path, emulator: Emulator) -> None:
    env = no_keyring_env(home, emulator)
    if run(env, "doctor", "--help").returncode != 0:
        pytest.skip("`glowline doctor` is not wired into glowline/cli.py yet (the lead adds it; see the report)")
    write_config(env, 'days = "ten"\n')
    proc = run(env, "doctor", "--no-launcher", "--format", "json")
    doc: dict[str, Any] = json.loads(proc.stdout)
    assert proc.returncode == EXIT_CONFIG == doc["exit_code"]  # a broken config is a doctor line, not a CLI error
    assert doc["checks"][0]["level"] == "FAIL" and "days" in doc["checks"][0]["text"]
