"""Signing in: read the username and password (a terminal or stdin), check them against the API, keep the password
in the OS keyring (or, only when asked with --insecure-storage, in a 0600 file in the config folder); the same for
the MQTT broker's password.

Order matters: the keyring is proven usable before the API is asked, the password is stored before anything else is
written, so a failure at any step leaves nothing half-saved. The password is never printed or logged, and written to a
file only with --insecure-storage.
"""

from __future__ import annotations

import sys
import time

from glowline.data import credentials
from glowline.errors import EXIT_OK, GlowlineError, KeyringError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO


def say(stream: TextIO, line: str) -> None:
    """One line on ``stream``, flushed."""
    stream.write(line + "\n")
    stream.flush()


def _is_tty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _read_username(username: str | None, stdin: TextIO | None, err: TextIO) -> str:
    if username is None:
        if not _is_tty(stdin):
            raise UsageError("no username: pass --username U (there is no terminal to ask on)")
        assert stdin is not None
        err.write("Glowmarkt username (e-mail): ")
        err.flush()
        username = stdin.readline(1024).rstrip("\r\n")
    username = username.strip()
    if not username:
        raise UsageError("the username is empty")
    return username


def _read_password(username: str, password_stdin: bool, stdin: TextIO | None) -> str:
    if password_stdin:
        if stdin is None:
            raise UsageError("--password-stdin: there is no standard input")
        line = credentials.password_line(stdin)  # one bounded line, never the whole stream
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


class FileStore:
    """Where `--insecure-storage` keeps a password, in the shape of credentials.BackendInfo (label, kind)."""

    kind = "file"

    def __init__(self, path: str) -> None:
        self.label = path
        self.message = (f"the password is in {path}: not encrypted, readable only by you (mode 0600); "
                        "`glowline logout` removes it")


#: the environment route for the broker's password (the account's is credentials.ENV_HINT)
MQTT_ENV_HINT = "set GLOWLINE_MQTT_PASSWORD"


def _routes(text: str, mqtt: bool) -> str:
    """A keyring message ending in credentials.ENV_HINT, ending instead in the routes that fit this password: the
    password file (`--insecure-storage`) and its environment variable (the account's, or the broker's)."""
    if text.endswith(credentials.ENV_HINT):
        flag = "glowline login --mqtt --insecure-storage" if mqtt else "glowline login --insecure-storage"
        env = MQTT_ENV_HINT if mqtt else credentials.ENV_HINT
        return text[: -len(credentials.ENV_HINT)] + f"run `{flag}` (the password in a file only you can read), or {env}"
    return text.replace(credentials.ENV_HINT, MQTT_ENV_HINT) if mqtt else text


def _check_keyring(timeout: float, mqtt: bool = False) -> credentials.BackendInfo:
    """The keyring, proven usable; without one, the error names the other routes (the file, the environment)."""
    try:
        return credentials.check_keyring(timeout)
    except KeyringError as exc:
        raise KeyringError(_routes(str(exc), mqtt)) from None


def _authenticate(api_url: str, username: str, password: str) -> tuple[str, int]:
    from glowline.data.source import open_source

    source = open_source(api_url)
    try:
        token = source.authenticate(username, password)
    finally:
        source.close()
    return token.token, int(token.exp)


def login(
    username: str | None,
    password_stdin: bool,
    api_url: str,
    timeout: float = 10.0,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
    insecure_storage: bool = False,
) -> int:
    """Ask for the credentials, check them against the API, keep them; one line out, the exit code back.

    With ``insecure_storage`` the password goes to the password file (0600) and the keyring is never touched.

    ``out``/``err``/``stdin`` default to the process's streams (the username prompt and --password-stdin read stdin).
    The account and token are saved under the API URL as normalised by ``glowline.data.endpoint.check_base_url``.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    stdin = stdin if stdin is not None else sys.stdin
    from glowline.data.endpoint import check_base_url
    from glowline.data.store import default_store

    password: str | None = None
    backend: credentials.BackendInfo | FileStore
    try:
        if not insecure_storage:
            backend = _check_keyring(timeout)  # before the API: no keyring means nothing to keep it in
        api_url = check_base_url(api_url)  # before the prompts: a refused URL should not cost the user a password
        username = _read_username(username, stdin, err)
        password = _read_password(username, password_stdin, stdin)
        token, exp = _authenticate(api_url, username, password)
        # first write: failing here saves nothing
        if insecure_storage:
            backend = FileStore(credentials.store_file_password(username, password))
        else:
            backend = credentials.store_password(username, password, timeout)
            credentials.delete_file_password(username)  # the keyring holds it now: no copy left in a plain file
        previous = credentials.load_account()
        notes: list[str] = []
        if previous is not None and (previous["username"], previous["api_url"]) != (username, api_url):
            if previous["username"] != username:
                credentials.delete_file_password(previous["username"])
                try:
                    if previous.get("store") != credentials.STORE_FILE:
                        credentials.delete_password(previous["username"], timeout)
                except KeyringError as exc:
                    notes.append(f"note: the old password of {previous['username']} was not removed: {exc}")
            default_store().clear()  # readings of another account or API (this also drops its token)
        credentials.save_account(username, api_url, credentials.STORE_FILE if insecure_storage else "")
        credentials.save_token(username, api_url, token, exp)
    except GlowlineError as exc:
        say(err, "glowline: " + _redact(str(exc), password))
        return exc.exit_code
    except OSError as exc:
        say(err, f"glowline: cannot save the login: {exc.strerror or exc} ({exc.filename or ''})")
        return GlowlineError.exit_code
    if isinstance(backend, FileStore):
        say(out, f"logged in as {username} (password in {backend.label}: not encrypted, readable only by you)")
    else:
        say(out, f"logged in as {username} (password in {backend.label})")
    if backend.kind == "plaintext":
        say(err, backend.message)
    for note in notes:
        say(err, note)
    return EXIT_OK


def _redact(text: str, secret: str | None) -> str:
    """A safety net for foreign error text: the one redaction rule (whole values only, URLs without userinfo)."""
    from glowline import redact

    return redact.mask(text, [secret] if secret else [])


def login_mqtt(
    conf: dict[str, object],
    password_stdin: bool,
    timeout: float = 10.0,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
    insecure_storage: bool = False,
) -> int:
    """`glowline login --mqtt`: the broker password, checked by logging in to the broker, kept in the keyring under
    "mqtt:USER@HOST:PORT" (service glowline), or with ``insecure_storage`` in the password file under that key.
    Never printed or logged."""
    out = out or sys.stdout
    err = err or sys.stderr
    stdin = stdin if stdin is not None else sys.stdin
    from glowline.data import live

    password: str | None = None
    try:
        settings = live.settings(conf)
        if settings is None:
            raise UsageError("no broker configured: set [live] mqtt = \"mqtt://USER@HOST:1883\" in config.toml "
                             "(or GLOWLINE_MQTT_URL) first")
        if settings.username is None:
            raise UsageError(f"the broker URL {settings.where} names no user: write it as mqtt://USER@HOST:PORT "
                             "(an anonymous broker needs no password)")
        backend: credentials.BackendInfo | FileStore
        if not insecure_storage:
            backend = _check_keyring(timeout, mqtt=True)  # before the prompt: no keyring, nothing to keep it in
        if password_stdin:
            password = _read_password(settings.where, True, stdin)
        else:
            if not _is_tty(stdin):
                raise UsageError("no terminal to ask for the password: pipe it in with --password-stdin")
            import getpass

            password = getpass.getpass(f"MQTT broker password for {settings.where}: ")
            if not password:
                raise UsageError("the password is empty")
        sub = live.Subscriber(settings, password, lambda message: None)
        try:
            sub.start(timeout)
            sub.wait_connected(time.monotonic() + timeout)
        finally:
            sub.stop()
        if insecure_storage:
            backend = FileStore(credentials.store_file_password(settings.keyring_key, password))
        else:
            backend = credentials.store_password(settings.keyring_key, password, timeout)
            credentials.delete_file_password(settings.keyring_key)
    except GlowlineError as exc:
        say(err, "glowline: " + _redact(str(exc), password))
        return exc.exit_code
    except OSError as exc:
        say(err, f"glowline: cannot save the broker password: {exc.strerror or exc} ({exc.filename or ''})")
        return GlowlineError.exit_code
    where = f"{backend.label}: not encrypted, readable only by you" if isinstance(backend, FileStore) else backend.label
    say(out, f"broker password for {settings.where} saved (in {where}); the broker accepted it")
    if backend.kind == "plaintext":
        say(err, backend.message.replace(credentials.ENV_HINT, MQTT_ENV_HINT))  # the broker's variable
    return EXIT_OK
