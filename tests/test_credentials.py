"""glowline.data.credentials against real keyring backends: gnome-keyring on a private bus, plaintext, fail, null,
a locked and a hung Secret Service; plus the account and token files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from glowline import paths
from glowline.data import credentials
from glowline.errors import EXIT_KEYRING, KeyringError, NotLoggedIn
from tests.fixtures_keyring import KeyringSetup, client_env, name_owned

PASSWORD = "s3cr3t-ü-" + uuid.uuid4().hex  # unique, so a leak is unmistakable


def unique_user() -> str:
    """A fresh username: the Secret Service is shared by the whole session."""
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


def run_python(code: str, env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def assert_clean_keyring_error(exc: KeyringError, *needles: str) -> None:
    text = str(exc)
    assert "\n" not in text
    assert PASSWORD not in text
    assert exc.exit_code == EXIT_KEYRING
    for needle in needles:
        assert needle in text, text


# -- the real Secret Service -----------------------------------------------------------------------------------------


def test_secret_service_round_trip(real_keyring: KeyringSetup) -> None:
    user = unique_user()
    info = credentials.store_password(user, PASSWORD)
    assert (info.kind, info.name, info.label) == ("secure", "keyring.backends.SecretService.Keyring", "Secret Service")
    assert credentials.fetch_password(user) == PASSWORD
    assert credentials.fetch_password(unique_user()) is None
    assert credentials.delete_password(user) is True
    assert credentials.fetch_password(user) is None
    assert credentials.delete_password(user) is False


def test_secret_service_seen_from_a_second_process(real_keyring: KeyringSetup) -> None:
    user = unique_user()
    credentials.store_password(user, PASSWORD)
    read = "import sys; from glowline.data.credentials import fetch_password; print(fetch_password(sys.argv[1]))"
    done = run_python(read, real_keyring.env, user)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, PASSWORD, "")
    # keyring's own CLI (a different client of the same store) sees the same item under service "glowline"
    done = run_python("import keyring.cli; keyring.cli.main()", real_keyring.env, "get", credentials.SERVICE, user)
    assert done.stdout.strip() == PASSWORD

    # and the other way round: stored by a subprocess, read here
    other = unique_user()
    store = "import sys; from glowline.data.credentials import store_password; store_password(sys.argv[1], sys.argv[2])"
    done = run_python(store, real_keyring.env, other, PASSWORD + "-2")
    assert done.returncode == 0, done.stderr
    assert credentials.fetch_password(other) == PASSWORD + "-2"
    assert credentials.delete_password(other) and credentials.delete_password(user)


def test_backend_info_classifies_the_real_secret_service(real_keyring: KeyringSetup) -> None:
    info = credentials.backend_info()
    assert info.kind == "secure" and info.usable
    assert "Secret Service" in info.message
    assert credentials.check_keyring().kind == "secure"


def test_auto_detection_prefers_the_secret_service_over_plaintext(
    real_keyring: KeyringSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With keyrings.alt installed too, auto-detection is a chainer; it writes to the Secret Service: secure."""
    from tests.fixtures_keyring import reset_keyring_cache

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    reset_keyring_cache()
    info = credentials.backend_info()
    assert (info.kind, info.name) == ("secure", "keyring.backends.SecretService.Keyring")


# -- no usable backend -----------------------------------------------------------------------------------------------


def test_fail_backend_is_refused_with_what_to_do(fail_keyring: KeyringSetup, home: Path) -> None:
    info = credentials.backend_info()
    assert (info.kind, info.usable) == ("none", False)
    with pytest.raises(KeyringError) as caught:
        credentials.store_password(unique_user(), PASSWORD)
    assert_clean_keyring_error(caught.value, "gnome-keyring", "GLOWLINE_USERNAME", "GLOWLINE_PASSWORD")
    with pytest.raises(KeyringError):
        credentials.fetch_password("someone")
    with pytest.raises(KeyringError):
        credentials.check_keyring()


def test_null_backend_is_disabled_not_saved(null_keyring: KeyringSetup) -> None:
    info = credentials.backend_info()
    assert info.kind == "disabled"
    with pytest.raises(KeyringError) as caught:
        credentials.store_password(unique_user(), PASSWORD)
    assert_clean_keyring_error(caught.value, "disabled", "GLOWLINE_USERNAME")


def test_glowline_no_keyring_disables_without_importing_keyring(home: Path) -> None:
    code = (
        "import sys; from glowline.data import credentials as c; i = c.backend_info();"
        "print(i.kind, 'keyring' in sys.modules)\n"
        "try:\n c.store_password('u', sys.argv[1])\nexcept c.KeyringError as e:\n print(e)"
    )
    done = run_python(code, client_env(home, GLOWLINE_NO_KEYRING="1"), PASSWORD)
    kind_line, error_line = done.stdout.strip().splitlines()
    assert kind_line == "disabled False"
    assert "GLOWLINE_NO_KEYRING" in error_line and PASSWORD not in error_line


def test_secret_service_without_a_bus_is_one_clear_line(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fixtures_keyring import SECRET_SERVICE_BACKEND, use_backend

    for _setup in use_backend(monkeypatch, home, SECRET_SERVICE_BACKEND, []):
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
        with pytest.raises(KeyringError) as caught:
            credentials.store_password(unique_user(), PASSWORD)
        assert_clean_keyring_error(caught.value, "DBUS_SESSION_BUS_ADDRESS", "GLOWLINE_PASSWORD")


def test_unknown_backend_name_is_one_clear_line(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fixtures_keyring import use_backend

    for _setup in use_backend(monkeypatch, home, "no_such_module.Keyring", []):
        with pytest.raises(KeyringError) as caught:
            credentials.fetch_password("u")
        assert_clean_keyring_error(caught.value, "PYTHON_KEYRING_BACKEND")
        assert credentials.backend_info().kind == "none"


# -- plaintext -------------------------------------------------------------------------------------------------------


def test_plaintext_is_accepted_with_a_warning_naming_the_file(plaintext_keyring: KeyringSetup) -> None:
    user = unique_user()
    info = credentials.store_password(user, PASSWORD)
    store_file = plaintext_keyring.store[0] / "keyring_pass.cfg"
    assert info.kind == "plaintext"
    assert info.file == str(store_file) and store_file.exists()
    assert "UNENCRYPTED" in info.message and str(store_file) in info.message
    assert "\n" not in info.message
    assert credentials.fetch_password(user) == PASSWORD
    assert credentials.delete_password(user) is True
    assert credentials.fetch_password(user) is None


# -- locked and hung -------------------------------------------------------------------------------------------------


def test_locked_keyring_fails_fast_with_a_clear_line(locked_keyring: KeyringSetup) -> None:
    for call in (
        lambda: credentials.store_password(unique_user(), PASSWORD, timeout=10),
        lambda: credentials.fetch_password("seed", timeout=10),
        lambda: credentials.check_keyring(timeout=10),
    ):
        started = time.monotonic()
        with pytest.raises(KeyringError) as caught:
            call()
        assert time.monotonic() - started < 5
        assert_clean_keyring_error(caught.value, "locked", "unlock", "GLOWLINE_PASSWORD")


def test_unlock_prompt_nobody_answers_gives_up_at_the_deadline(unseen_prompt_keyring: KeyringSetup) -> None:
    """The prompt goes to a prompter that never answers (a display nobody sees): locked, within the deadline."""
    for timeout in (0.5, 1.5):
        started = time.monotonic()
        with pytest.raises(KeyringError) as caught:
            credentials.fetch_password("seed", timeout=timeout)
        elapsed = time.monotonic() - started
        assert elapsed < timeout + 1
        assert_clean_keyring_error(caught.value, "locked", "display nobody sees", "GLOWLINE_PASSWORD")
    # giving up must not hurt the daemon (Prompt.Dismiss on a pending unlock prompt crashes gnome-keyring 42)
    assert name_owned(unseen_prompt_keyring.env["DBUS_SESSION_BUS_ADDRESS"], "org.freedesktop.secrets")


@pytest.mark.parametrize("timeout", [0.3, 1.0])
def test_hung_secret_service_gives_up_within_the_deadline(hung_keyring: KeyringSetup, timeout: float) -> None:
    for call in (
        lambda: credentials.fetch_password("u", timeout=timeout),
        lambda: credentials.store_password(unique_user(), PASSWORD, timeout=timeout),
        lambda: credentials.delete_password("u", timeout=timeout),
    ):
        started = time.monotonic()
        with pytest.raises(KeyringError) as caught:
            call()
        elapsed = time.monotonic() - started
        assert timeout <= elapsed < timeout + 1
        assert_clean_keyring_error(caught.value, f"within {timeout:g} s", "GLOWLINE_PASSWORD")


def test_hung_secret_service_does_not_keep_a_process_alive(hung_keyring: KeyringSetup) -> None:
    """The abandoned keyring thread is a daemon: the process still exits right after its deadline."""
    code = (
        "import sys, time; t = time.monotonic()\n"
        "from glowline.data.credentials import fetch_password, KeyringError\n"
        "try:\n fetch_password('u', timeout=1.0)\nexcept KeyringError as e:\n print(e)\n"
        "print(round(time.monotonic() - t, 2))"
    )
    started = time.monotonic()
    done = run_python(code, hung_keyring.env, timeout=20)
    wall = time.monotonic() - started
    message, inside = done.stdout.strip().splitlines()
    assert "did not answer within 1 s" in message
    assert float(inside) < 2.0
    assert wall < 4.0  # interpreter start + imports + 1 s deadline; no hang at exit


# -- env, resolution -------------------------------------------------------------------------------------------------


def test_env_credentials_need_both_values(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert credentials.env_credentials() is None
    monkeypatch.setenv("GLOWLINE_USERNAME", "env-user")
    assert credentials.env_credentials() is None
    monkeypatch.setenv("GLOWLINE_PASSWORD", "")
    assert credentials.env_credentials() is None
    monkeypatch.setenv("GLOWLINE_PASSWORD", PASSWORD)
    assert credentials.env_credentials() == ("env-user", PASSWORD)


def test_resolve_credentials_order(real_keyring: KeyringSetup, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NotLoggedIn) as caught:
        credentials.resolve_credentials()
    assert str(caught.value) == credentials.NOT_LOGGED_IN

    user = unique_user()
    credentials.save_account(user, "http://127.0.0.1:9/api/v0-1/")
    with pytest.raises(NotLoggedIn) as caught:  # account saved but no password in the keyring
        credentials.resolve_credentials()
    assert user in str(caught.value) and "glowline login" in str(caught.value)

    credentials.store_password(user, PASSWORD)
    assert credentials.resolve_credentials() == (user, PASSWORD)

    other = unique_user()
    credentials.store_password(other, PASSWORD + "-other")
    monkeypatch.setenv("GLOWLINE_USERNAME", other)  # the username alone picks whose keyring password is used
    assert credentials.resolve_credentials() == (other, PASSWORD + "-other")

    monkeypatch.setenv("GLOWLINE_USERNAME", "env-user")
    monkeypatch.setenv("GLOWLINE_PASSWORD", "env-pw")
    assert credentials.resolve_credentials() == ("env-user", "env-pw")  # both env vars win over everything
    assert credentials.delete_password(user) and credentials.delete_password(other)


def test_resolve_credentials_with_no_keyring_says_what_to_do(fail_keyring: KeyringSetup) -> None:
    credentials.save_account("someone@example.com", "http://127.0.0.1:9/")
    with pytest.raises(KeyringError) as caught:
        credentials.resolve_credentials()
    assert_clean_keyring_error(caught.value, "GLOWLINE_USERNAME")


# -- account and token files -----------------------------------------------------------------------------------------


def mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_account_round_trip_is_private_and_atomic(home: Path) -> None:
    assert credentials.load_account() is None
    credentials.save_account("alice@example.com", "https://api.example/api/v0-1/")
    assert credentials.load_account() == {"username": "alice@example.com", "api_url": "https://api.example/api/v0-1/"}
    assert mode(paths.account_file()) == 0o600
    assert os.listdir(paths.config_dir()) == ["account.json"]  # no temp file left behind
    credentials.clear_account()
    credentials.clear_account()  # already gone: fine
    assert credentials.load_account() is None


def test_token_is_0600_even_under_umask_0_and_only_for_its_account(home: Path) -> None:
    url = "https://api.example/api/v0-1/"
    exp = int(time.time()) + 7 * 86400
    old = os.umask(0)
    try:
        Path(paths.cache_dir()).mkdir(parents=True, exist_ok=True)
        Path(paths.token_file()).write_text("{}")  # a pre-existing world-readable file is replaced, not reused
        os.chmod(paths.token_file(), 0o644)
        credentials.save_token("alice", url, "tok-123", exp)
    finally:
        os.umask(old)
    assert mode(paths.token_file()) == 0o600
    assert credentials.load_token("alice", url) == ("tok-123", exp)
    assert credentials.load_token("bob", url) is None
    assert credentials.load_token("alice", url.replace("api.example", "other.example")) is None
    assert os.listdir(paths.cache_dir()) == ["token.json"]
    credentials.clear_token()
    assert credentials.load_token("alice", url) is None
    credentials.clear_token()


CORRUPT = [
    b"",
    b"{not json",
    b"[]",
    b"null",
    b'"text"',
    b'{"username": 5, "api_url": "x"}',
    b'{"username": "a"}',
    b'{"username": "", "api_url": "u"}',
    b"\xff\xfe\x00garbage",
    b"[" * 100000,
]
BAD_TOKENS = [
    b'{"username": "a", "api_url": "u", "token": 7, "exp": 1}',
    b'{"username": "a", "api_url": "u", "token": "", "exp": 1}',
    b'{"username": "a", "api_url": "u", "token": "t", "exp": "soon"}',
    b'{"username": "a", "api_url": "u", "token": "t", "exp": true}',
]


@pytest.mark.parametrize("body", CORRUPT)
def test_corrupt_account_and_token_files_read_as_none(home: Path, body: bytes) -> None:
    for path in (paths.account_file(), paths.token_file()):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(body)
    assert credentials.load_account() is None
    assert credentials.load_token("a", "u") is None


@pytest.mark.parametrize("body", BAD_TOKENS)
def test_token_with_wrong_types_reads_as_none(home: Path, body: bytes) -> None:
    Path(paths.cache_dir()).mkdir(parents=True)
    Path(paths.token_file()).write_bytes(body)
    assert credentials.load_token("a", "u") is None


def test_importing_credentials_is_cheap(home: Path) -> None:
    """Nothing heavy at import: only glowline's own modules are added to what a bare interpreter has loaded."""
    code = (
        "import sys; before = set(sys.modules); import glowline.data.credentials, glowline.commands.login;"
        "print(' '.join(sorted(m for m in set(sys.modules) - before"
        " if not m.startswith('glowline') and m != '__future__')))"
    )
    done = run_python(code, client_env(home))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
