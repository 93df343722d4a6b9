"""`glowline login` / `logout` end to end: real emulator over HTTP, real keyring backends, in-process and as a
subprocess fed through a stdin pipe; nothing half-saved, and the password nowhere but in the keyring's store."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glowline import paths
from glowline.commands.logout import logout
from glowline.data import credentials
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from glowline.errors import EXIT_AUTH, EXIT_KEYRING, EXIT_OK, EXIT_USAGE
from glowline.sign_in import login
from tests.fixtures_keyring import KeyringSetup, reset_keyring_cache
from tests.helpers import files_under

LOGGED_IN = f"logged in as {DEMO_USERNAME} (password in Secret Service)\n"
LOGGED_OUT = f"logged out {DEMO_USERNAME} (password removed from the keyring)\n"
LOGIN = "import sys; from glowline.sign_in import login; sys.exit(login(sys.argv[1], True, sys.argv[2]))"
LOGOUT = "import sys; from glowline.commands.logout import logout; sys.exit(logout())"
FETCH = "import sys; from glowline.data.credentials import fetch_password; print(fetch_password(sys.argv[1]))"


class Run:
    """The result of one in-process login()/logout(): exit code and what it printed."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run_login(
    url: str, stdin_text: str, username: str | None = DEMO_USERNAME, stdin_flag: bool = True, timeout: float = 10.0
) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = login(username, stdin_flag, url, timeout=timeout, out=out, err=err, stdin=io.StringIO(stdin_text))
    return Run(code, out.getvalue(), err.getvalue())


def run_logout() -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = logout(out=out, err=err)
    return Run(code, out.getvalue(), err.getvalue())


def assert_password_only_in_store(setup: KeyringSetup, *outputs: str, password: str = DEMO_PASSWORD) -> int:
    """The password is in no file under the test HOME/XDG or the daemon's HOME except the store, nor in outputs."""
    scanned = 0
    for path in files_under(setup.roots, setup.store):
        scanned += 1
        assert password.encode() not in path.read_bytes(), f"password leaked into {path}"
    for text in outputs:
        assert password not in text
    return scanned


def assert_nothing_saved() -> None:
    assert not os.path.exists(paths.account_file())
    assert not os.path.exists(paths.token_file())


# -- success and round trips ---------------------------------------------------------------------------------------


def test_login_then_logout_in_process(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    before = time.time()
    done = run_login(emulator.url, DEMO_PASSWORD + "\n")
    assert (done.code, done.out, done.err) == (EXIT_OK, LOGGED_IN, "")
    assert emulator.count("auth") == 1
    assert credentials.load_account() == {"username": DEMO_USERNAME, "api_url": emulator.url}
    token = credentials.load_token(DEMO_USERNAME, emulator.url)
    assert token is not None and token[1] > before
    assert stat.S_IMODE(os.stat(paths.token_file()).st_mode) == 0o600
    assert credentials.fetch_password(DEMO_USERNAME) == DEMO_PASSWORD
    assert assert_password_only_in_store(real_keyring, done.out, done.err) >= 2  # account + token were scanned

    gone = run_logout()
    assert (gone.code, gone.out, gone.err) == (EXIT_OK, LOGGED_OUT, "")
    assert_nothing_saved()
    assert credentials.fetch_password(DEMO_USERNAME) is None

    again = run_logout()  # everything already absent: still fine
    assert again.code == EXIT_OK and "no saved login" in again.out


def test_login_and_logout_as_subprocesses_through_a_stdin_pipe(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    env = real_keyring.env
    done = subprocess.run(
        [sys.executable, "-c", LOGIN, DEMO_USERNAME, emulator.url],
        input=DEMO_PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (EXIT_OK, LOGGED_IN, "")
    assert_password_only_in_store(real_keyring, done.stdout, done.stderr)
    # this process and a third one both read the password that the login process stored
    assert credentials.load_account() == {"username": DEMO_USERNAME, "api_url": emulator.url}
    assert credentials.fetch_password(DEMO_USERNAME) == DEMO_PASSWORD
    read = subprocess.run(
        [sys.executable, "-c", FETCH, DEMO_USERNAME], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert read.stdout.strip() == DEMO_PASSWORD

    out = subprocess.run(
        [sys.executable, "-c", LOGOUT], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert (out.returncode, out.stderr) == (EXIT_OK, "")
    assert out.stdout == LOGGED_OUT
    assert_nothing_saved()
    assert credentials.fetch_password(DEMO_USERNAME) is None


def test_login_with_a_plaintext_backend_warns_and_names_the_file(
    plaintext_keyring: KeyringSetup, emulator: Emulator
) -> None:
    done = run_login(emulator.url, DEMO_PASSWORD + "\n")
    store_file = plaintext_keyring.store[0] / "keyring_pass.cfg"
    assert done.code == EXIT_OK
    assert done.out == f"logged in as {DEMO_USERNAME} (password in plaintext file)\n"
    assert "UNENCRYPTED" in done.err and str(store_file) in done.err and len(done.err.splitlines()) == 1
    assert credentials.fetch_password(DEMO_USERNAME) == DEMO_PASSWORD
    assert_password_only_in_store(plaintext_keyring, done.out, done.err)
    assert run_logout().code == EXIT_OK
    assert credentials.fetch_password(DEMO_USERNAME) is None


def test_a_new_username_removes_the_old_password_and_the_cache(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    old_user, old_password = "previous@example.com", "previous-account-pw"
    credentials.store_password(old_user, old_password)
    credentials.save_account(old_user, emulator.url)
    cache = Path(paths.cache_dir())
    (cache / "readings").mkdir(parents=True)
    (cache / "readings" / "day.json").write_text("{}")
    (cache / "last.json").write_text("{}")

    done = run_login(emulator.url, DEMO_PASSWORD + "\n")
    assert done.code == EXIT_OK, done.err
    assert credentials.fetch_password(old_user) is None
    assert credentials.load_account() == {"username": DEMO_USERNAME, "api_url": emulator.url}
    assert sorted(os.listdir(cache)) == ["token.json"]  # the folder stays, the old account's data is gone
    assert run_logout().code == EXIT_OK


def test_password_stdin_strips_only_the_newline(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    assert run_login(emulator.url, DEMO_PASSWORD + " \n").code == EXIT_AUTH  # a trailing space is part of it
    assert_nothing_saved()
    crlf = run_login(emulator.url, DEMO_PASSWORD + "\r\n")
    assert crlf.code == EXIT_OK, crlf.err
    assert credentials.fetch_password(DEMO_USERNAME) == DEMO_PASSWORD
    assert run_logout().code == EXIT_OK


# -- failures leave nothing behind ---------------------------------------------------------------------------------


def test_bad_password_exits_3_and_saves_nothing(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    wrong = "not-the-password-" + DEMO_PASSWORD[::-1]
    done = run_login(emulator.url, wrong + "\n")
    assert done.code == EXIT_AUTH
    assert done.out == "" and len(done.err.splitlines()) == 1 and DEMO_USERNAME in done.err
    assert emulator.count("auth") == 1
    assert_nothing_saved()
    assert credentials.fetch_password(DEMO_USERNAME) is None
    assert_password_only_in_store(real_keyring, done.out, done.err, password=wrong)


def test_bad_password_through_a_subprocess(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    wrong = "wrong-" + DEMO_PASSWORD
    done = subprocess.run(
        [sys.executable, "-c", LOGIN, DEMO_USERNAME, emulator.url],
        input=wrong + "\n",
        env=real_keyring.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_AUTH and done.stdout == ""
    assert wrong not in done.stderr and "Traceback" not in done.stderr
    assert_nothing_saved()


@pytest.mark.parametrize("backend_fixture", ["fail_keyring", "null_keyring"])
def test_no_usable_backend_exits_4_before_asking_the_api(
    backend_fixture: str, request: pytest.FixtureRequest, emulator: Emulator
) -> None:
    setup: KeyringSetup = request.getfixturevalue(backend_fixture)
    done = run_login(emulator.url, DEMO_PASSWORD + "\n")
    assert done.code == EXIT_KEYRING
    assert done.out == "" and len(done.err.splitlines()) == 1
    assert "GLOWLINE_USERNAME" in done.err and "GLOWLINE_PASSWORD" in done.err
    assert emulator.count() == 0  # the keyring is checked before the API is contacted
    assert_nothing_saved()
    assert_password_only_in_store(setup, done.out, done.err)


def test_glowline_no_keyring_exits_4_in_a_subprocess(home: Path, emulator: Emulator) -> None:
    from tests.fixtures_keyring import client_env

    done = subprocess.run(
        [sys.executable, "-c", LOGIN, DEMO_USERNAME, emulator.url],
        input=DEMO_PASSWORD + "\n",
        env=client_env(home, GLOWLINE_NO_KEYRING="1"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_KEYRING and "GLOWLINE_NO_KEYRING" in done.stderr
    assert emulator.count() == 0
    assert_nothing_saved()


def test_locked_keyring_exits_4_fast_and_saves_nothing(locked_keyring: KeyringSetup, emulator: Emulator) -> None:
    started = time.monotonic()
    done = run_login(emulator.url, DEMO_PASSWORD + "\n")
    assert time.monotonic() - started < 5
    assert done.code == EXIT_KEYRING and "locked" in done.err
    assert emulator.count() == 0
    assert_nothing_saved()


def test_hung_keyring_exits_4_within_the_deadline(hung_keyring: KeyringSetup, emulator: Emulator) -> None:
    started = time.monotonic()
    done = run_login(emulator.url, DEMO_PASSWORD + "\n", timeout=1.0)
    assert time.monotonic() - started < 2.0
    assert done.code == EXIT_KEYRING and "did not answer within 1 s" in done.err
    assert emulator.count() == 0
    assert_nothing_saved()


def test_store_failing_after_auth_saves_nothing(plaintext_keyring: KeyringSetup, emulator: Emulator) -> None:
    """A keyring that reads fine but cannot write (its folder is a file): the login is not half-saved."""
    plaintext_keyring.store[0].parent.mkdir(parents=True, exist_ok=True)
    plaintext_keyring.store[0].write_text("not a folder")
    done = run_login(emulator.url, DEMO_PASSWORD + "\n")
    assert done.code == EXIT_KEYRING and len(done.err.splitlines()) == 1
    assert emulator.count("auth") == 1  # the API said yes ...
    assert_nothing_saved()  # ... but with no password stored, neither the account nor the token is kept
    assert DEMO_PASSWORD not in done.err


def test_no_terminal_and_no_password_stdin_is_a_usage_error(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    done = run_login(emulator.url, "", stdin_flag=False)
    assert done.code == EXIT_USAGE and "--password-stdin" in done.err
    no_user = run_login(emulator.url, DEMO_PASSWORD + "\n", username=None)
    assert no_user.code == EXIT_USAGE and "--username" in no_user.err
    empty = run_login(emulator.url, "\n")
    assert empty.code == EXIT_USAGE
    assert emulator.count() == 0
    assert_nothing_saved()


def test_unreachable_api_exits_with_its_code_and_saves_nothing(real_keyring: KeyringSetup) -> None:
    from glowline.errors import EXIT_UNAVAILABLE

    done = run_login("http://127.0.0.1:9/api/v0-1/", DEMO_PASSWORD + "\n")
    assert done.code == EXIT_UNAVAILABLE and len(done.err.splitlines()) == 1
    assert_nothing_saved()
    assert credentials.fetch_password(DEMO_USERNAME) is None


def test_refused_api_url_is_reported_before_the_password_is_read(real_keyring: KeyringSetup) -> None:
    stdin = io.StringIO(DEMO_PASSWORD + "\n")
    err = io.StringIO()
    code = login(DEMO_USERNAME, True, "http://api.example.com/api/v0-1/", err=err, stdin=stdin)
    assert code == EXIT_USAGE and "http" in err.getvalue()
    assert stdin.tell() == 0  # the password was never read
    assert_nothing_saved()


def test_account_and_token_use_the_normalised_api_url(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    bare = emulator.url.rstrip("/")
    assert run_login(bare, DEMO_PASSWORD + "\n").code == EXIT_OK
    assert credentials.load_account() == {"username": DEMO_USERNAME, "api_url": emulator.url}
    assert credentials.load_token(DEMO_USERNAME, emulator.url) is not None
    assert run_logout().code == EXIT_OK


# -- logout when the keyring fails ---------------------------------------------------------------------------------


def test_logout_with_a_broken_keyring_still_forgets_the_rest(
    real_keyring: KeyringSetup, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_login(emulator.url, DEMO_PASSWORD + "\n").code == EXIT_OK
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    reset_keyring_cache()
    gone = run_logout()
    assert gone.code == EXIT_KEYRING
    assert "could not be removed" in gone.err and len(gone.err.splitlines()) == 1
    assert_nothing_saved()
    # the message is true: the password is still in the real keyring; remove it there
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", real_keyring.backend)
    reset_keyring_cache()
    assert credentials.fetch_password(DEMO_USERNAME) == DEMO_PASSWORD
    assert credentials.delete_password(DEMO_USERNAME) is True


# -- interactive, on a real pseudo-terminal --------------------------------------------------------------------------


def read_until(fd: int, needle: bytes, deadline: float) -> bytes:
    """Read the terminal until ``needle`` shows up (or the child exits, or the deadline passes)."""
    import select

    seen = b""
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_interactive_login_prompts_on_a_terminal_without_echoing_the_password(
    real_keyring: KeyringSetup, emulator: Emulator
) -> None:
    import pty

    code = "import sys; from glowline.sign_in import login; sys.exit(login(None, False, sys.argv[1]))"
    pid, fd = pty.fork()
    if pid == 0:  # the child: a glowline login whose stdin/stdout/stderr and /dev/tty are the pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-c", code, emulator.url], real_keyring.env)
    deadline = time.monotonic() + 30
    try:
        screen = read_until(fd, b"username", deadline)
        os.write(fd, DEMO_USERNAME.encode() + b"\n")
        screen += read_until(fd, b"password for", deadline)
        os.write(fd, DEMO_PASSWORD.encode() + b"\n")
        screen += read_until(fd, b"logged in as", deadline)
        screen += read_until(fd, b"\n", deadline)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = screen.decode(errors="replace")
    assert os.WEXITSTATUS(status) == EXIT_OK, text
    assert f"logged in as {DEMO_USERNAME} (password in Secret Service)" in text
    assert DEMO_USERNAME in text  # the username is echoed as typed ...
    assert DEMO_PASSWORD not in text  # ... the password is not
    assert credentials.fetch_password(DEMO_USERNAME) == DEMO_PASSWORD
    assert_password_only_in_store(real_keyring)
    assert run_logout().code == EXIT_OK
