"""Where glowline keeps things: XDG config and cache folders (platform folders elsewhere). os only, no I/O."""

from __future__ import annotations

import os
import sys


def _base(env: str, posix_default: str, mac: str, win_env: str) -> str:
    value = os.environ.get(env)
    if value and os.path.isabs(value):
        return value
    if sys.platform == "win32":
        return os.environ.get(win_env) or os.path.join(os.path.expanduser("~"), "AppData", "Local")
    home = os.environ.get("HOME", "")  # not expanduser: with HOME unset that reads the passwd entry instead
    if sys.platform == "darwin" and not value:
        return os.path.join(home, mac)
    if home == "~" or not home:  # no HOME at all (e.g. update-motd under env -i)
        return os.path.join("/var/cache" if env == "XDG_CACHE_HOME" else "/etc")
    return os.path.join(home, posix_default)


def config_dir() -> str:
    """``$XDG_CONFIG_HOME/glowline`` (``~/.config/glowline``); ``GLOWLINE_CONFIG_DIR`` overrides."""
    override = os.environ.get("GLOWLINE_CONFIG_DIR")
    if override:
        return override
    return os.path.join(_base("XDG_CONFIG_HOME", ".config", "Library/Application Support", "APPDATA"), "glowline")


def cache_dir() -> str:
    """``$XDG_CACHE_HOME/glowline`` (``~/.cache/glowline``); ``GLOWLINE_CACHE_DIR`` overrides."""
    override = os.environ.get("GLOWLINE_CACHE_DIR")
    if override:
        return override
    return os.path.join(_base("XDG_CACHE_HOME", ".cache", "Library/Caches", "LOCALAPPDATA"), "glowline")


def config_file() -> str:
    """The user's own settings (TOML); glowline reads it and never rewrites it."""
    return os.path.join(config_dir(), "config.toml")


def account_file() -> str:
    """What ``glowline login`` saved: the username and API URL (JSON; never the password)."""
    return os.path.join(config_dir(), "account.json")


def token_file() -> str:
    """The API token and its expiry, mode 0600 (the password is only ever in the keyring)."""
    return os.path.join(cache_dir(), "token.json")
