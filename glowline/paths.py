"""Where glowline keeps things: the XDG config, cache and data folders (platform folders elsewhere) and the name of
every file in them: the one module that knows glowline's on-disk layout. os only, no I/O but ``files_ending``.

The cache folder, per site and resource: ``<site>--<classifier>.json`` (the series, glowline.data.store),
``...--<tz>.days`` (the status line's per-day totals), ``.error`` (the last failed refresh) and ``.lock`` (one
refresher at a time). For the account: ``sites.json`` (discovery), ``token.json`` and ``config.compiled`` (the
validated config). For live power: ``live.power`` (the latest live reading, glowline.status.live), ``live.lock`` (one
``glowline live --daemon``) and ``live.registers`` (the meter's registers at half-hour boundaries,
glowline.status.registers).
"""

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


# ---------------------------------------------------------------------------------------- the cache folder's files

DAYS_SUFFIX = ".days"
ERROR_SUFFIX = ".error"


#: the longest name part kept as it is; a longer one (a --site of 300 characters) is cut and given a hash
MAX_NAME = 64


def safe_name(text: str) -> str:
    """A file-name-safe form of a site, resource or zone name: ASCII letters, digits and ``._-``, at most MAX_NAME
    characters plus a hash of the whole (so two long names never share a file, and no name is too long)."""
    name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in text) or "_"
    if name.strip(".") == "":
        name = "_" + name  # never "." or ".."
    return name if len(name) <= MAX_NAME else f"{name[:MAX_NAME]}-{_fnv1a(text):016x}"


def _fnv1a(text: str) -> int:
    """A 64-bit FNV-1a hash: stable across runs and machines (hash() is not), with no import."""
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8", "surrogatepass"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def entry_base(site: str, classifier: str) -> str:
    """Path prefix of every cache file of one site and resource."""
    return os.path.join(cache_dir(), f"{safe_name(site or 'default')}--{safe_name(classifier)}")


def days_path(site: str, classifier: str, tz: str) -> str:
    return f"{entry_base(site, classifier)}--{safe_name(tz)}{DAYS_SUFFIX}"


def error_path(site: str, classifier: str, tz: str) -> str:
    """The failure record of one exact request: a typo in one bar's --tz never stalls another's line."""
    return f"{entry_base(site, classifier)}--{safe_name(tz)}{ERROR_SUFFIX}"


def lock_path(site: str, classifier: str) -> str:
    return entry_base(site, classifier) + ".lock"


def series_path(site: str, classifier: str) -> str:
    return entry_base(site, classifier) + ".json"


def sites_path() -> str:
    return os.path.join(cache_dir(), "sites.json")


def live_path() -> str:
    """The latest live power reading (plain text), written by `glowline live --daemon` or a live `watch`."""
    return os.path.join(cache_dir(), "live.power")


def live_lock_path() -> str:
    """Held by the one `glowline live --daemon` of this user (single instance)."""
    return os.path.join(cache_dir(), "live.lock")


def registers_path() -> str:
    """The meter's registers at half-hour boundaries (glowline.status.registers), written by the IHD's subscriber."""
    return os.path.join(cache_dir(), "live.registers")


def compiled_config_path() -> str:
    return os.path.join(cache_dir(), "config.compiled")


def files_ending(suffix: str) -> list[str]:
    """Every file in the cache folder whose name ends with ``suffix``, sorted; [] without a folder."""
    folder = cache_dir()
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, name) for name in names if name.endswith(suffix)]
