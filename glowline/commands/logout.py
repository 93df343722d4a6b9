"""`glowline logout`: forget the account: the password in the keyring, the token, the username and the store."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from glowline import paths
from glowline.data import credentials
from glowline.data.store import default_store
from glowline.errors import EXIT_KEYRING, EXIT_OK, GlowlineError, KeyringError
from glowline.sign_in import say


def add_parser(subparsers: Any) -> None:
    subparsers.add_parser("logout", help="remove the password, the token, the username, the cache and the broker "
                                         "password of [live]")


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    return logout(conf=conf)


def logout(out: TextIO | None = None, err: TextIO | None = None, timeout: float = 10.0,
           conf: dict[str, object] | None = None) -> int:
    """Remove the password, the token, the account and the cache, and the broker password `glowline login --mqtt`
    kept for the configured [live] broker; exit 0 even when some were already gone.

    A keyring failure still removes the rest and exits 4 saying the password is still stored.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    account = credentials.load_account()
    problem: str | None = None
    removed = False
    in_file = False
    if account is not None:
        try:
            in_file = credentials.delete_file_password(account["username"])  # `login --insecure-storage`'s file
            if account.get("store") != credentials.STORE_FILE:
                removed = credentials.delete_password(account["username"], timeout)
        except KeyringError as exc:
            problem = str(exc)
        except OSError as exc:
            problem = f"{exc.strerror or exc} ({exc.filename or ''})"
    had_token = os.path.exists(paths.token_file())
    try:
        credentials.clear_token()
        credentials.clear_account()
        default_store().clear()
    except OSError as exc:
        say(err, f"glowline: cannot remove the saved login: {exc.strerror or exc} ({exc.filename or ''})")
        return GlowlineError.exit_code
    broker, broker_problem = _forget_broker(conf or {}, timeout)
    if broker_problem is not None:
        say(err, f"glowline: the broker password could not be removed from the keyring: {broker_problem}")
    elif broker:
        say(out, f"broker password for {broker} removed from the keyring")
    if account is None:
        say(out, "logged out (no saved login" + (", removed a cached token)" if had_token else ")"))
        return EXIT_KEYRING if broker_problem is not None else EXIT_OK
    username = account["username"]
    if problem is not None:
        say(err, f"glowline: logged out {username}, but the password could not be removed from the keyring: {problem}")
        return EXIT_KEYRING
    what = "password removed from the keyring" if removed else "no password was in the keyring"
    if in_file:
        what = f"password removed from {paths.password_file()}"
        if removed:
            what += " and from the keyring"
    say(out, f"logged out {username} ({what})")
    return EXIT_KEYRING if broker_problem is not None else EXIT_OK


def _forget_broker(conf: dict[str, object], timeout: float) -> tuple[str, str | None]:
    """Delete the [live] broker's password from the keyring: (the broker it was for, or "" when there was none to
    delete; the keyring's one-line problem, or None)."""
    from glowline.data import live

    try:
        settings = live.settings(conf)
    except GlowlineError:
        return "", None
    if settings is None or settings.username is None:
        return "", None
    try:
        in_file = credentials.delete_file_password(settings.keyring_key)
    except OSError:
        in_file = False
    try:
        in_keyring = credentials.delete_password(settings.keyring_key, timeout)
        return (settings.where if in_keyring or in_file else ""), None
    except KeyringError as exc:
        if in_file:
            return settings.where, None
        return settings.where, str(exc)
