"""Credentials: the password in the OS keyring (guarded against hangs), the account and token files, env fallback.

``keyring`` is imported only inside the functions that talk to it (it costs ~105 ms to import), so importing this
module is cheap. Every keyring call runs under a deadline; every failure becomes one ``KeyringError`` line that says
what to do. The password is never written to any file, message or log by this module.
"""

from __future__ import annotations

import os

from glowline import paths
from glowline.errors import KeyringError, NotLoggedIn
from glowline.files import atomic_write, read_text, remove_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    T = TypeVar("T")

SERVICE = "glowline"

ENV_HINT = "set GLOWLINE_USERNAME and GLOWLINE_PASSWORD"
INSTALL_HINT = f"install and start a Secret Service (e.g. gnome-keyring), or {ENV_HINT}"
NOT_LOGGED_IN = "not logged in: run `glowline login` (or set GLOWLINE_USERNAME and GLOWLINE_PASSWORD)"

_FAIL = "keyring.backends.fail.Keyring"
_NULL = "keyring.backends.null.Keyring"
_CHAINER = "keyring.backends.chainer.ChainerBackend"
_SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
_LABELS = {
    _SECRET_SERVICE: "Secret Service",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.libsecret.Keyring": "libsecret",
    "keyrings.alt.file.PlaintextKeyring": "plaintext file",
}
#: backends auto-detection never picks (a user may still name one in PYTHON_KEYRING_BACKEND or keyringrc.cfg): files
#: that keep the password readable (keyrings.alt's plaintext, and its encrypted file that prompts for a key)
_FILE_BACKEND_MODULES = ("keyrings.alt.file", "keyrings.cryptfile")


class BackendInfo:
    """Which keyring backend is in use and whether a password is safe in it.

    ``kind`` is "secure", "plaintext", "none" (the fail backend: nothing found) or "disabled" (null backend or
    GLOWLINE_NO_KEYRING); ``message`` is one line saying what it is and, when it is not secure, what to do.
    """

    __slots__ = ("file", "kind", "label", "message", "name")

    def __init__(self, name: str, kind: str, message: str, label: str = "", file: str | None = None) -> None:
        self.name = name  # dotted class path, as PYTHON_KEYRING_BACKEND spells it
        self.kind = kind
        self.message = message
        self.label = label or name  # short human name ("Secret Service")
        self.file = file  # where a plaintext backend keeps the passwords

    @property
    def usable(self) -> bool:
        """True when a password stored there can be read back (secure or plaintext)."""
        return self.kind in ("secure", "plaintext")

    def __repr__(self) -> str:
        return f"BackendInfo(name={self.name!r}, kind={self.kind!r}, message={self.message!r})"


# -- standard input ------------------------------------------------------------------------------------------------

#: the longest password read from standard input (`--password-stdin`); a longer first line is no password
MAX_PASSWORD_CHARS = 1024


def password_line(stream: Any, what: str = "--password-stdin") -> str:
    """The first line of ``stream`` (a text stream) without its line ending, read as one bounded line: at most
    MAX_PASSWORD_CHARS, never the whole stream (`head -c 300M /dev/zero | ...` costs nothing). "" when the stream
    is empty; UsageError (one line, exit 2) for a line too long, a NUL or bytes that are not UTF-8."""
    from glowline.errors import UsageError

    try:
        line = str(stream.readline(MAX_PASSWORD_CHARS + 2))
    except UnicodeDecodeError:
        raise UsageError(f"{what}: standard input is not UTF-8 text") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{what}: standard input cannot be read ({type(exc).__name__})") from None
    if line.endswith("\n"):
        line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
    elif len(line) > MAX_PASSWORD_CHARS:
        raise UsageError(f"{what}: the first line of standard input is longer than {MAX_PASSWORD_CHARS} "
                         "characters: not a password")
    if "\0" in line:
        raise UsageError(f"{what}: standard input holds a NUL character: not a password")
    return line


# -- environment ---------------------------------------------------------------------------------------------------


def env_credentials() -> tuple[str, str] | None:
    """GLOWLINE_USERNAME + GLOWLINE_PASSWORD when both are set and non-empty (headless machines, CI)."""
    username = os.environ.get("GLOWLINE_USERNAME", "")
    password = os.environ.get("GLOWLINE_PASSWORD", "")
    if username and password:
        return username, password
    return None


def keyring_disabled() -> bool:
    """GLOWLINE_NO_KEYRING=1 (or true/yes): never touch the keyring."""
    return os.environ.get("GLOWLINE_NO_KEYRING", "").strip().lower() in ("1", "true", "yes", "on")


# -- backend classification ----------------------------------------------------------------------------------------


def _class_path(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _disabled_info(why: str) -> BackendInfo:
    return BackendInfo("disabled", "disabled", f"keyring disabled ({why}): {ENV_HINT}", "keyring disabled")


def _none_info(why: str = "no keyring backend available") -> BackendInfo:
    return BackendInfo(_FAIL, "none", f"{why}: {INSTALL_HINT}", "no keyring")


def _not_a_file_backend(backend: object) -> bool:
    """The limit glowline's auto-detection applies: no keyrings.alt / cryptfile file backend, nothing "plaintext"."""
    name = _class_path(backend)
    return not name.startswith(_FILE_BACKEND_MODULES) and "plaintext" not in name.lower()


def _select_backend() -> Any:
    """The backend to use: PYTHON_KEYRING_BACKEND or keyringrc.cfg when the user named one, else keyring's
    auto-detection without the file backends. Installing keyrings.alt (e.g. through the test extra) therefore never
    turns a plain `glowline login` into a password kept in a plain file."""
    import keyring.core

    keyring.core.init_backend(_not_a_file_backend)  # env and config first, the limit only for auto-detection
    return keyring.get_keyring()


def classify(backend: object) -> BackendInfo:
    """Sort a keyring backend instance into secure / plaintext / none / disabled, with a one-line message."""
    name = _class_path(backend)
    if name == _FAIL:
        return _none_info()
    if name == _NULL:
        return _disabled_info("the null backend is selected, e.g. by PYTHON_KEYRING_BACKEND or `keyring --disable`")
    if name == _CHAINER:
        chained = list(getattr(backend, "backends", []))
        if not chained:
            return _none_info()
        target = classify(chained[0])  # the chainer writes to its highest-priority backend
        return BackendInfo(target.name, target.kind, target.message, target.label, target.file)
    label = _LABELS.get(name, name)
    if "plaintext" in name.lower():
        file = getattr(backend, "file_path", None)
        where = f" in {file}" if isinstance(file, str) else ""
        return BackendInfo(
            name,
            "plaintext",
            f"WARNING: {label} ({name}) keeps the password UNENCRYPTED{where}; for real protection {INSTALL_HINT}",
            label,
            file if isinstance(file, str) else None,
        )
    return BackendInfo(name, "secure", f"{label} ({name}): the password is kept by the OS keyring", label)


# -- the guard -----------------------------------------------------------------------------------------------------


def _one_line(text: str, secret: str | None) -> str:
    from glowline import redact  # the one redaction rule: whole values, URLs without userinfo

    text = redact.mask(text, [secret] if secret else [])
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."


def _translate(exc: BaseException, label: str, secret: str | None) -> KeyringError:
    """One clear KeyringError line for anything a backend (or keyring's detection) raised."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    detail = _one_line(str(exc), secret) or type(exc).__name__
    where = f" ({label})" if label else ""
    if "KeyringLocked" in names:
        return KeyringError(
            f"keyring locked{where}: unlock it (over SSH the unlock prompt may be on a display nobody sees), "
            f"or {ENV_HINT}"
        )
    if "TimeoutError" in names:  # an unlock prompt nobody answers, or a D-Bus peer that never finishes its handshake
        return KeyringError(
            f"keyring did not answer in time{where}: locked with an unlock prompt nobody sees, or a D-Bus service "
            f"that does not answer; unlock it or restart it, or {ENV_HINT}"
        )
    if "NoKeyringError" in names:
        return KeyringError(f"no keyring backend available: {INSTALL_HINT}")
    if "InitError" in names:
        return KeyringError(
            f"keyring could not open its collection{where}: {detail}; start and unlock it "
            f"(e.g. `gnome-keyring-daemon --unlock`), or {ENV_HINT}"
        )
    if "ImportError" in names:
        return KeyringError(f"keyring backend not found ({detail}): check PYTHON_KEYRING_BACKEND, or {ENV_HINT}")
    if "EOFError" in names:
        return KeyringError(f"keyring backend{where} wanted to prompt for its own password (no terminal): {ENV_HINT}")
    return KeyringError(f"keyring failed{where} ({type(exc).__name__}: {detail}): {INSTALL_HINT}")


def _guarded(
    action: Callable[[Any], T], timeout: float, secret: str | None = None, require_usable: bool = True
) -> tuple[T | None, BackendInfo]:
    """Detect the backend and run ``action(backend)`` in a daemon thread; give up after ``timeout`` seconds.

    A thread is the only guard that covers every backend and every blocking D-Bus call (a locked keyring whose
    prompt sits on an invisible display, a Secret Service that never answers). The abandoned thread is a daemon,
    so it never keeps the process alive. With ``require_usable`` a fail/null backend is a KeyringError and
    ``action`` never runs on it.
    """
    import threading
    import time

    box: dict[str, Any] = {}
    deadline = time.monotonic() + timeout * 0.8

    def run() -> None:
        try:
            backend = _select_backend()
            info = classify(backend)
            box["info"] = info
            if not info.usable:
                return
            # the unlock prompt gets 80 % of the budget: a pending prompt then ends as "locked", before the deadline
            box["value"] = action(_with_unlock_timeout(backend, deadline))
        except BaseException as exc:  # reported to the caller below, as one line
            box["error"] = exc

    worker = threading.Thread(target=run, name="glowline-keyring", daemon=True)
    worker.start()
    worker.join(timeout)
    info: BackendInfo | None = box.get("info")
    label = info.label if info is not None else ""
    if worker.is_alive():
        where = f" ({label})" if label else ""
        raise KeyringError(
            f"keyring did not answer within {timeout:g} s{where}: it may be waiting for an unlock prompt on a display "
            f"nobody sees (e.g. over SSH) or D-Bus is stuck; unlock it, or {ENV_HINT}"
        )
    error = box.get("error")
    if error is not None:
        raise _translate(error, label, secret) from None
    assert info is not None
    if not info.usable and require_usable:
        raise KeyringError(info.message)
    return box.get("value"), info


def _with_unlock_timeout(backend: Any, deadline: float) -> Any:
    """For the Secret Service backend: a copy that stops waiting for the unlock prompt at ``deadline`` (monotonic).

    keyring 25 calls ``collection.unlock()`` with no timeout; SecretStorage >= 3.5 can wait with one.
    """
    if _class_path(backend) != _SECRET_SERVICE:
        return backend
    try:
        import copy
        import time

        import secretstorage
        from keyring.errors import InitError, KeyringLocked
        from secretstorage.defines import SS_PATH, SS_PREFIX
        from secretstorage.exceptions import SecretStorageException
        from secretstorage.util import DBusAddressWrapper, exec_prompt
    except ImportError:
        return backend
    if tuple(getattr(secretstorage, "__version_tuple__", (0,)))[:2] < (3, 5):  # no prompt timeout before 3.5
        return backend  # the thread guard still bounds the call

    def get_preferred_collection() -> Any:  # keyring's own method, with a deadline on the unlock prompt
        bus = secretstorage.dbus_init()
        try:
            if hasattr(backend, "preferred_collection"):
                collection = secretstorage.Collection(bus, backend.preferred_collection)
            else:
                collection = secretstorage.get_default_collection(bus)
        except SecretStorageException as exc:
            raise InitError(f"Failed to create the collection: {exc}.") from exc
        if collection.is_locked():
            service = DBusAddressWrapper(SS_PATH, SS_PREFIX + "Service", bus)
            _unlocked, prompt = service.call("Unlock", "ao", [collection.collection_path])
            if len(prompt) > 1:
                try:
                    exec_prompt(bus, prompt, timeout=max(0.05, deadline - time.monotonic()))
                except TimeoutError:
                    # Leave the prompt pending: Prompt.Dismiss on a pending unlock prompt makes gnome-keyring 42.1
                    # abort (gkd-secret-unlock.c:243 assertion, measured), which would kill the user's keyring.
                    bus.close()
                    raise KeyringLocked("the unlock prompt was not answered in time") from None
            if collection.is_locked():
                raise KeyringLocked("Failed to unlock the collection!")
        return collection

    # A copy with an instance attribute, not a subclass: keyring registers every KeyringBackend subclass as a
    # candidate backend for auto-detection.
    guarded = copy.copy(backend)
    guarded.get_preferred_collection = get_preferred_collection
    return guarded


# -- the keyring API -----------------------------------------------------------------------------------------------


def backend_info(timeout: float = 5.0) -> BackendInfo:
    """The backend keyring would use, classified; never raises (a detection failure is reported as kind "none")."""
    if keyring_disabled():
        return _disabled_info("GLOWLINE_NO_KEYRING is set")
    try:
        _value, info = _guarded(lambda backend: None, timeout, require_usable=False)
    except KeyringError as exc:
        return BackendInfo(_FAIL, "none", str(exc), "no keyring")
    return info


def check_keyring(timeout: float = 10.0) -> BackendInfo:
    """The backend, proven usable by a harmless lookup (which also unlocks it); KeyringError when it is not.

    ``glowline login`` runs this before asking the API, so a locked or missing keyring fails before anything else.
    """
    if keyring_disabled():
        raise KeyringError(_disabled_info("GLOWLINE_NO_KEYRING is set").message)
    _value, info = _guarded(lambda backend: backend.get_password(SERVICE, "glowline-probe"), timeout)
    return info


def store_password(username: str, password: str, timeout: float = 10.0) -> BackendInfo:
    """Keep the password in the keyring; refuse the fail/null backends (nothing would really be stored)."""
    if keyring_disabled():
        raise KeyringError(_disabled_info("GLOWLINE_NO_KEYRING is set").message)
    _value, info = _guarded(lambda backend: backend.set_password(SERVICE, username, password), timeout, password)
    return info


def fetch_password(username: str, timeout: float = 10.0) -> str | None:
    """The stored password for ``username``, or None when there is none; KeyringError when the keyring fails."""
    if keyring_disabled():
        raise KeyringError(_disabled_info("GLOWLINE_NO_KEYRING is set").message)
    value, _info = _guarded(lambda backend: backend.get_password(SERVICE, username), timeout)
    return value if isinstance(value, str) else None


def delete_password(username: str, timeout: float = 10.0) -> bool:
    """Remove the stored password: True if one was removed, False if there was none."""
    if keyring_disabled():
        raise KeyringError(_disabled_info("GLOWLINE_NO_KEYRING is set").message)

    def delete(backend: Any) -> bool:
        from keyring.errors import PasswordDeleteError

        try:
            backend.delete_password(SERVICE, username)
        except PasswordDeleteError:
            return False
        return True

    removed, _info = _guarded(delete, timeout)
    return bool(removed)


def lookup_password(key: str, timeout: float = 10.0, file_first: bool = False) -> str | None:
    """The password stored under ``key``: the keyring's, else the file's (`glowline login --insecure-storage`).

    A keyring that fails is no error when the file holds the password; ``file_first`` (the account says the password
    went to the file) reads the file before touching the keyring at all, so an old keyring item cannot win.
    """
    if file_first:
        found = file_password(key)
        if found:
            return found
    try:
        password = fetch_password(key, timeout)
    except KeyringError:
        found = file_password(key)
        if found:
            return found
        raise
    return password or file_password(key)


def resolve_credentials(timeout: float = 10.0) -> tuple[str, str]:
    """(username, password): both env vars first; else the username (GLOWLINE_USERNAME alone, or the saved account's)
    with its password from the keyring, else from the password file (`glowline login --insecure-storage`)."""
    from_env = env_credentials()
    if from_env is not None:
        return from_env
    username = os.environ.get("GLOWLINE_USERNAME", "")
    account = load_account()
    if not username:
        if account is None:
            raise NotLoggedIn(NOT_LOGGED_IN)
        username = account["username"]
    in_file = account is not None and account.get("store") == STORE_FILE and account["username"] == username
    password = lookup_password(username, timeout, file_first=in_file)
    if not password:
        raise NotLoggedIn(f"no password for {username} in the keyring: {NOT_LOGGED_IN.split(': ', 1)[1]}")
    return username, password


# -- the password file (`glowline login --insecure-storage`) ---------------------------------------------------------

#: the account's "store" when the password went to the password file
STORE_FILE = "file"


def _file_passwords() -> dict[str, str]:
    doc = _read_json(paths.password_file())
    found = doc.get("passwords") if doc is not None else None
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str) and v}


def file_password(key: str) -> str | None:
    """The password the password file keeps under ``key``, or None."""
    return _file_passwords().get(key)


def store_file_password(key: str, password: str) -> str:
    """Keep the password in the password file (0600 from creation, in the 0700 config folder); returns its path."""
    import json

    passwords = _file_passwords()
    passwords[key] = password
    path = paths.password_file()
    atomic_write(path, json.dumps({"passwords": passwords}) + "\n")
    return path


def delete_file_password(key: str) -> bool:
    """Remove ``key``'s password from the password file (the file goes when it is empty); True if one was there."""
    import json

    passwords = _file_passwords()
    if key not in passwords:
        return False
    del passwords[key]
    path = paths.password_file()
    if passwords:
        atomic_write(path, json.dumps({"passwords": passwords}) + "\n")
    else:
        remove_file(path)
    return True


# -- account and token files ---------------------------------------------------------------------------------------


def _read_json(path: str) -> dict[str, Any] | None:
    import json

    text = read_text(path, 65536)
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


def load_account() -> dict[str, str] | None:
    """What `glowline login` saved: {"username", "api_url"} and "store" ("file" when the password is in the password
    file); None when absent or corrupt."""
    doc = _read_json(paths.account_file())
    if doc is None:
        return None
    username, api_url = doc.get("username"), doc.get("api_url")
    if not isinstance(username, str) or not username or not isinstance(api_url, str) or not api_url:
        return None
    account = {"username": username, "api_url": api_url}
    if doc.get("store") == STORE_FILE:
        account["store"] = STORE_FILE
    return account


def save_account(username: str, api_url: str, store: str = "") -> None:
    """Remember the username and API URL (never the password) and where the password went; atomic, 0600."""
    import json

    doc = {"username": username, "api_url": api_url}
    if store:
        doc["store"] = store
    atomic_write(paths.account_file(), json.dumps(doc) + "\n")


def clear_account() -> None:
    """Forget the saved account (no error when there is none)."""
    remove_file(paths.account_file())


def load_token(username: str, api_url: str) -> tuple[str, int] | None:
    """The cached API token and its expiry (epoch s), only if it was issued for this username and API URL."""
    doc = _read_json(paths.token_file())
    if doc is None or doc.get("username") != username or doc.get("api_url") != api_url:
        return None
    token, exp = doc.get("token"), doc.get("exp")
    if not isinstance(token, str) or not token or not isinstance(exp, int) or isinstance(exp, bool):
        return None
    return token, exp


def save_token(username: str, api_url: str, token: str, exp: int) -> None:
    """Cache the token for this username and API URL; the file is 0600 from the moment it exists."""
    import json

    doc = {"username": username, "api_url": api_url, "token": token, "exp": int(exp)}
    atomic_write(paths.token_file(), json.dumps(doc) + "\n")


def clear_token() -> None:
    """Forget the cached token (no error when there is none)."""
    remove_file(paths.token_file())
