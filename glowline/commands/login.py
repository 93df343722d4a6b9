"""`glowline login` and `glowline logout`: check credentials against the API, keep the password in the OS keyring.

Order matters: the keyring is proven usable before the API is asked, the password is stored before anything else is
written, so a failure at any step leaves nothing half-saved. The password is never printed, logged or written to a file.
"""

from __future__ import annotations

import os
import sys

from glowline import paths
from glowline.data import credentials
from glowline.errors import EXIT_KEYRING, EXIT_OK, GlowlineError, KeyringError, UsageError
from glowline.files import remove_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO


def _say(stream: TextIO, line: str) -> None:
    stream.write(line + "\n")
    stream.flush()


def _is_tty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def clear_cache_folder() -> None:
    """Remove everything inside the cache folder (data of a previous account), keeping the folder itself."""
    import shutil

    folder = paths.cache_dir()
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            remove_file(entry.path)


def _read_username(username: str | None, stdin: TextIO | None, err: TextIO) -> str:
    if username is None:
        if not _is_tty(stdin):
            raise UsageError("no username: pass --username U (there is no terminal to ask on)")
        assert stdin is not None
        err.write("Glowmarkt username (e-mail): ")
        err.flush()
        username = stdin.readline().rstrip("\r\n")
    username = username.strip()
    if not username:
        raise UsageError("the username is empty")
    return username


def _read_password(username: str, password_stdin: bool, stdin: TextIO | None) -> str:
    if password_stdin:
        if stdin is None:
            raise UsageError("--password-stdin: there is no standard input")
        line = stdin.readline()
        if line.endswith("\n"):
            line = line[:-1]
            if line.endswith("\r"):
                line = line[:-1]
        if not line:
            raise UsageError("--password-stdin: standard input had no password on its first line")
        return line
    if not _is_tty(stdin):
        raise UsageError("no terminal to ask for the password: pipe it in with --password-stdin")
    import getpass

    password = getpass.getpass(f"Glowmarkt password for {username}: ")
    if not password:
        raise UsageError("the password is empty")
    return password


def _checked_url(api_url: str) -> str:
    from glowline.data.glowmarkt import check_base_url

    return check_base_url(api_url)


def _authenticate(api_url: str, username: str, password: str) -> tuple[str, int]:
    from glowline.data.glowmarkt import GlowmarktClient

    client = GlowmarktClient(api_url)
    try:
        token = client.authenticate(username, password)
    finally:
        client.close()
    return token.token, int(token.exp)


def login(
    username: str | None,
    password_stdin: bool,
    api_url: str,
    timeout: float = 10.0,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Ask for the credentials, check them against the API, keep them; one line out, the exit code back.

    ``out``/``err``/``stdin`` default to the process's streams (the username prompt and --password-stdin read stdin).
    The account and token are saved under the API URL as normalised by ``glowline.data.glowmarkt.check_base_url``.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    stdin = stdin if stdin is not None else sys.stdin
    password: str | None = None
    try:
        backend = credentials.check_keyring(timeout)  # before the API: no keyring means nothing to keep it in
        api_url = _checked_url(api_url)  # before the prompts: a refused URL should not cost the user a password
        username = _read_username(username, stdin, err)
        password = _read_password(username, password_stdin, stdin)
        token, exp = _authenticate(api_url, username, password)
        backend = credentials.store_password(username, password, timeout)  # first write: failing here saves nothing
        previous = credentials.load_account()
        notes: list[str] = []
        if previous is not None and (previous["username"], previous["api_url"]) != (username, api_url):
            if previous["username"] != username:
                try:
                    credentials.delete_password(previous["username"], timeout)
                except KeyringError as exc:
                    notes.append(f"note: the old password of {previous['username']} was not removed: {exc}")
            clear_cache_folder()  # readings of another account or API (this also drops its token)
        credentials.save_account(username, api_url)
        credentials.save_token(username, api_url, token, exp)
    except GlowlineError as exc:
        _say(err, "glowline: " + _redact(str(exc), password))
        return exc.exit_code
    except OSError as exc:
        _say(err, f"glowline: cannot save the login: {exc.strerror or exc} ({exc.filename or ''})")
        return GlowlineError.exit_code
    _say(out, f"logged in as {username} (password in {backend.label})")
    if backend.kind == "plaintext":
        _say(err, backend.message)
    for note in notes:
        _say(err, note)
    return EXIT_OK


def logout(
    api_url: str | None = None, out: TextIO | None = None, err: TextIO | None = None, timeout: float = 10.0
) -> int:
    """Remove the password, the token, the account and the cache; exit 0 even when some were already gone.

    A keyring failure still removes the rest and exits 4 saying the password is still stored. ``api_url`` is
    accepted for symmetry with login; logout always forgets everything.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    account = credentials.load_account()
    problem: str | None = None
    removed = False
    if account is not None:
        try:
            removed = credentials.delete_password(account["username"], timeout)
        except KeyringError as exc:
            problem = str(exc)
    had_token = os.path.exists(paths.token_file())
    try:
        credentials.clear_token()
        credentials.clear_account()
        clear_cache_folder()
    except OSError as exc:
        _say(err, f"glowline: cannot remove the saved login: {exc.strerror or exc} ({exc.filename or ''})")
        return GlowlineError.exit_code
    if account is None:
        _say(out, "logged out (no saved login" + (", removed a cached token)" if had_token else ")"))
        return EXIT_OK
    username = account["username"]
    if problem is not None:
        _say(err, f"glowline: logged out {username}, but the password could not be removed from the keyring: {problem}")
        return EXIT_KEYRING
    what = "password removed from the keyring" if removed else "no password was in the keyring"
    _say(out, f"logged out {username} ({what})")
    return EXIT_OK


def _redact(text: str, secret: str | None) -> str:
    """A safety net for foreign error text; a very short password would only mangle our own words ("wrong")."""
    return text.replace(secret, "***") if secret and len(secret) >= 8 else text
