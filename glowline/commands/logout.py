"""`glowline logout`: forget the account: the password in the keyring, the token, the username and the store."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from glowline import paths
from glowline.commands.login import say
from glowline.data import credentials
from glowline.data.store import default_store
from glowline.errors import EXIT_KEYRING, EXIT_OK, GlowlineError, KeyringError


def add_parser(subparsers: Any) -> None:
    subparsers.add_parser("logout", help="remove the password, the token, the username and the cache")


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    return logout()


def logout(out: TextIO | None = None, err: TextIO | None = None, timeout: float = 10.0) -> int:
    """Remove the password, the token, the account and the cache; exit 0 even when some were already gone.

    A keyring failure still removes the rest and exits 4 saying the password is still stored.
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
        default_store().clear()
    except OSError as exc:
        say(err, f"glowline: cannot remove the saved login: {exc.strerror or exc} ({exc.filename or ''})")
        return GlowlineError.exit_code
    if account is None:
        say(out, "logged out (no saved login" + (", removed a cached token)" if had_token else ")"))
        return EXIT_OK
    username = account["username"]
    if problem is not None:
        say(err, f"glowline: logged out {username}, but the password could not be removed from the keyring: {problem}")
        return EXIT_KEYRING
    what = "password removed from the keyring" if removed else "no password was in the keyring"
    say(out, f"logged out {username} ({what})")
    return EXIT_OK
