"""Logging in where no keyring exists (issue 21, findings 2 and 3): `glowline login --insecure-storage` keeps the
password in a 0600 file of the config folder and says so; `logout` removes it; without the flag the error names the
flag and the environment route; the emulator's printed hint works on such a machine; installing keyrings.alt (the test
extra does) never turns a plain `glowline login` into a password in a plain file."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from glowline import paths
from glowline.data import credentials
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from glowline.errors import EXIT_KEYRING, EXIT_OK
from tests.fixtures_keyring import PLAINTEXT_BACKEND, KeyringSetup, client_env, reset_keyring_cache
from tests.helpers import files_under


def headless_env(home: Path, **extra: str) -> dict[str, str]:
    """A server's environment: no session bus, no display, no backend chosen (keyrings.alt is installed here)."""
    env = client_env(home, **extra)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.pop("GLOWLINE_NO_KEYRING", None)
    return env


def glowline(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "glowline", *args], input=stdin, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def keyrings_alt_files(home: Path) -> list[Path]:
    return [p for p in (home / ".local/share").rglob("*") if "python_keyring" in str(p)]


def test_insecure_storage_logs_in_without_a_keyring_and_logout_removes_the_file(
    home: Path, emulator: Emulator
) -> None:
    env = headless_env(home, GLOWLINE_API_URL=emulator.url)
    done = glowline(env, "login", "--insecure-storage", "--username", DEMO_USERNAME, "--password-stdin",
                    stdin=DEMO_PASSWORD + "\n")
    password_file = home / ".config/glowline/passwords.json"
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.count("\n") == 1 and str(password_file) in done.stdout and "not encrypted" in done.stdout
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(password_file.parent.stat().st_mode) == 0o700
    # the password is in that file and nowhere else under HOME (not in account.json, not in keyrings.alt's file)
    for path in files_under([home], [password_file]):
        assert DEMO_PASSWORD.encode() not in path.read_bytes(), path
    assert keyrings_alt_files(home) == []

    # the lookup reads it: a refresh that must authenticate again (token gone) works from the file
    os.remove(home / ".cache/glowline/token.json")
    before = emulator.count("auth")
    fetched = glowline(env, "fetch")
    assert fetched.returncode == 0, fetched.stderr
    assert emulator.count("auth") == before + 1
    line = glowline(env, "--format", "plain", "--cached-only")
    assert "kWh" in line.stdout, (line.stdout, line.stderr)

    out = glowline(env, "logout")
    assert out.returncode == EXIT_OK, out.stderr
    assert str(password_file) in out.stdout
    assert not password_file.exists()
    assert not (home / ".config/glowline/account.json").exists()


def test_without_the_flag_the_error_names_it_and_the_environment_route(home: Path, emulator: Emulator) -> None:
    env = headless_env(home, GLOWLINE_API_URL=emulator.url)
    done = glowline(env, "login", "--username", DEMO_USERNAME, "--password-stdin", stdin=DEMO_PASSWORD + "\n")
    assert done.returncode == EXIT_KEYRING
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "--insecure-storage" in done.stderr and "GLOWLINE_USERNAME" in done.stderr
    assert "GLOWLINE_PASSWORD" in done.stderr
    assert emulator.count() == 0
    # keyrings.alt is installed in this venv: the login did not fall back to its plaintext file
    assert keyrings_alt_files(home) == []
    assert not (home / ".config/glowline/account.json").exists()


def test_auto_detection_never_picks_a_keyrings_alt_file_backend(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyrings.alt.file  # noqa: F401  (installed by the test extra: the situation of the finding)

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    reset_keyring_cache()
    try:
        info = credentials.backend_info()
        assert info.kind == "none", info
        with pytest.raises(credentials.KeyringError):
            credentials.store_password("someone@example.com", "never-stored-pw")
        assert keyrings_alt_files(home) == []
        # named explicitly, it is the user's choice: honoured, with its warning
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAINTEXT_BACKEND)
        reset_keyring_cache()
        assert credentials.backend_info().kind == "plaintext"
    finally:
        reset_keyring_cache()


def test_insecure_storage_beside_a_real_keyring_leaves_the_keyring_alone(
    real_keyring: KeyringSetup, emulator: Emulator
) -> None:
    """The flag forces the file (as gh's does); the lookup finds it after the keyring, which holds nothing."""
    import io

    from glowline.sign_in import login
    from tests.test_login import run_login

    out, err = io.StringIO(), io.StringIO()
    code = login(DEMO_USERNAME, True, emulator.url, out=out, err=err, stdin=io.StringIO(DEMO_PASSWORD + "\n"),
                 insecure_storage=True)
    assert (code, err.getvalue()) == (EXIT_OK, "")
    assert credentials.fetch_password(DEMO_USERNAME) is None  # nothing in the Secret Service
    assert credentials.resolve_credentials() == (DEMO_USERNAME, DEMO_PASSWORD)
    # logging in again without the flag moves it into the keyring and leaves no copy in the file
    again = run_login(emulator.url, DEMO_PASSWORD + "\n")
    assert again.code == EXIT_OK, again.err
    assert credentials.fetch_password(DEMO_USERNAME) == DEMO_PASSWORD
    assert not os.path.exists(paths.password_file())
    assert credentials.delete_password(DEMO_USERNAME)


def test_a_stale_keyring_password_does_not_shadow_the_file(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    """After `login --insecure-storage`, an older password of the same user in the keyring is not used."""
    import io

    from glowline.sign_in import login

    credentials.store_password(DEMO_USERNAME, "an-old-wrong-password")
    code = login(DEMO_USERNAME, True, emulator.url, out=io.StringIO(), err=io.StringIO(),
                 stdin=io.StringIO(DEMO_PASSWORD + "\n"), insecure_storage=True)
    assert code == EXIT_OK
    assert credentials.resolve_credentials() == (DEMO_USERNAME, DEMO_PASSWORD)
    assert credentials.delete_password(DEMO_USERNAME)


def test_the_emulators_printed_hint_works_on_a_machine_without_a_keyring(home: Path) -> None:
    env = headless_env(home)
    emu = subprocess.Popen([sys.executable, "-m", "glowline", "emulator", "--port", "0"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert emu.stdout is not None
        hint = ""
        for _ in range(10):
            line = emu.stdout.readline()
            if line.startswith("try: "):
                hint = line[len("try: "):].strip()
                break
        assert "--insecure-storage" in hint, hint
        words = shlex.split(hint)
        assignments = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-"))
        command = [w for w in words if w not in {f"{k}={v}" for k, v in assignments.items()}]
        assert command[0] == "glowline"
        # as printed (the password typed at the prompt here comes through --password-stdin: no terminal in a test)
        done = glowline({**env, **assignments}, *command[1:], "--password-stdin", stdin=DEMO_PASSWORD + "\n")
        assert done.returncode == EXIT_OK, done.stderr
        assert "logged in as" in done.stdout
    finally:
        emu.terminate()
        emu.wait(timeout=10)
        for stream in (emu.stdout, emu.stderr):
            if stream is not None:
                stream.close()


def test_doctor_says_which_store_is_in_use(home: Path, emulator: Emulator) -> None:
    env = headless_env(home, GLOWLINE_API_URL=emulator.url)
    assert glowline(env, "login", "--insecure-storage", "--username", DEMO_USERNAME, "--password-stdin",
                    stdin=DEMO_PASSWORD + "\n").returncode == EXIT_OK
    done = glowline(env, "doctor", "--no-launcher")
    password_file = str(home / ".config/glowline/passwords.json")
    lines = {line.split()[1]: line for line in done.stdout.splitlines() if len(line.split()) > 1}
    assert lines["keyring"].startswith("WARN") and password_file in lines["keyring"], done.stdout
    assert lines["account"].startswith("OK") and password_file in lines["account"], done.stdout
    assert lines["token"].startswith("OK") and lines["api"].startswith("OK"), done.stdout
    assert DEMO_PASSWORD not in done.stdout + done.stderr
