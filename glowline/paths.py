"""Where glowline keeps things: XDG config, cache and data folders (platform folders elsewhere). os only, no I/O."""

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
        return {"XDG_CACHE_HOME": "/var/cache", "XDG_DATA_HOME": "/var/lib"}.get(env, "/etc")
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


def data_dir() -> str:
    """``$XDG_DATA_HOME/glowline`` (``~/.local/share/glowline``): the history, data the user would not want to fetch
    again (not cache); ``GLOWLINE_DATA_DIR`` overrides."""
    override = os.environ.get("GLOWLINE_DATA_DIR")
    if override:
        return override
    return os.path.join(_base("XDG_DATA_HOME", ".local/share", "Library/Application Support", "LOCALAPPDATA"),
                        "glowline")


def history_file() -> str:
    """The history store (SQLite): every half-hour ``glowline sync`` fetched."""
    return os.path.join(data_dir(), "history.sqlite")


def config_file() -> str:
    """The user's own settings (TOML); glowline reads it and never rewrites it."""
    return os.path.join(config_dir(), "config.toml")


def account_file() -> str:
    """What ``glowline login`` saved: the username and API URL (JSON; never the password)."""
    return os.path.join(config_dir(), "account.json")


def token_file() -> str:
    """The API token and its expiry, mode 0600 (the password is only ever in the keyring)."""
    return os.path.join(cache_dir(), "token.json")


def password_file() -> str:
    """Passwords `glowline login --insecure-storage` keeps where no keyring exists: JSON, mode 0600, not encrypted."""
    return os.path.join(config_dir(), "passwords.json")
