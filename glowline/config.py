"""The user's config file ``$XDG_CONFIG_HOME/glowline/config.toml``: defaults the command line overrides.

tomllib costs ~20 ms to import, too much for a status bar that runs every few seconds, so a validated copy is
kept in the cache folder as tab-separated text, tagged with the TOML file's size and mtime. The fast path reads
that copy (glowline.status.settings) or, when it is missing or out of date, hands over to the full CLI, which
parses the TOML here and re-writes the copy.
An invalid file gives one ConfigError naming the key.
"""

from __future__ import annotations

import sys

from glowline import paths
from glowline.catalog import FORMATS, RESOURCES
from glowline.errors import ConfigError
from glowline.files import NotAFile, read_bytes
from glowline.status.argv import COLOR_MODES, ON_ERROR, check
from glowline.status.settings import LIST_SEP, MAGIC, compiled_path, signature
from glowline.status.template import ICON_SETS, ICON_STATES

LEVEL_COLORS = ("low", "normal", "high", "partial", "stale", "error", "background")
#: [icons] keys besides ``set``: a resource, a state, or both ("electricity-high")
ICON_KEYS = (*RESOURCES, *ICON_STATES, *(f"{r}-{s}" for r in RESOURCES for s in ICON_STATES), "i3status_rs")
#: the largest config.toml read (a real one is a few hundred bytes)
MAX_CONFIG_BYTES = 1 << 20
# key -> expected kind: "int", "float", "str", "bool", or a tuple of choices
TOP_LEVEL: dict[str, object] = {
    "days": "int",
    "resource": tuple(RESOURCES),
    "site": "str",
    "tz": "str",
    "format": FORMATS,
    "width": "int",
    "short": "bool",
    "ascii": "bool",
    "color": COLOR_MODES,
    "max_age": "float",
    "timeout": "float",
    "on_error": ON_ERROR,
    "api_url": "str",
    "template": "template",
}
TABLES: dict[str, dict[str, object]] = {
    "colors": {name: "color" for name in LEVEL_COLORS},
    "thresholds": {"low": "float", "high": "float"},
    "gas": {"unit": ("kwh", "m3"), "calorific_value": "float", "correction_factor": "float"},
    "live": {"mqtt": "str", "topic_prefix": "str", "device": "str", "max_age": "float", "show": "bool",
             "stale": ("hide", "show")},
    "settle": {"days": "float", "export_days": "float"},
    # issue 23: the line's own shape, icons, a fixed scale, pre-rendered lines and refresh hooks
    "templates": {name: "template" for name in FORMATS},
    "icons": {"set": ICON_SETS, **{name: "str" for name in ICON_KEYS}},
    "scale_max": {name: "float" for name in RESOURCES},
    "files": {"formats": "formats"},
    "hooks": {"on_refresh": "argv", "timeout": "float"},
}


#: the deepest nesting of arrays and inline tables parsed (glowline's settings are never nested; tomllib recurses)
MAX_NESTING = 32


def load() -> dict[str, object]:
    """Parse and validate config.toml (raising ConfigError naming the key), refreshing the compiled copy."""
    path = paths.config_file()
    sig = signature(path)
    if sig is None:
        return {}
    out = validate(parse(path), path)
    _write_compiled(out, sig)
    return out


def parse(path: str) -> dict[str, object]:
    """The TOML document at ``path``, read the one way every caller reads it (the runtime, `config check`,
    `config show`): through glowline.files (a symlink is followed, the user's dotfiles may be one; a FIFO, a device
    or a directory is refused at once), at most MAX_CONFIG_BYTES (a larger file is refused, never cut short),
    nesting at most MAX_NESTING deep. ConfigError (one line, exit 8) otherwise."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = read_bytes(path, MAX_CONFIG_BYTES + 1, follow=True)
    except NotAFile:
        raise ConfigError(f"cannot read {path}: not a regular file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path} is larger than {MAX_CONFIG_BYTES // 1024} KiB: not a glowline config") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {' '.join(str(exc).split())}") from None
    if _nesting(text) > MAX_NESTING:
        raise ConfigError(f"{path} is nested more than {MAX_NESTING} deep: not a glowline config")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ConfigError(f"{path} is nested too deeply to be a glowline config") from None


def _nesting(text: str) -> int:
    """How deep arrays and inline tables nest in TOML ``text`` (brackets in strings and comments do not count; a
    table header ``[[a]]`` counts 2, harmlessly)."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and text[i : i + len(quote)] != quote:
                i += 2 if c == '"' and text[i] == "\\" else 1
            i += len(quote)
            continue
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return deepest


def check_item(table: str, name: str, value: object, path: str = "config.toml") -> None:
    """One key of a table on its own (its type and range), without the rules across the table's keys (low below
    high, ...), which validate() applies to the whole table: `config check` reports each problem once."""
    checked = _value(f"{table}.{name}", TABLES[table], name, value, path)
    if table == "thresholds" and name in ("low", "high"):
        _check_ratio(name, checked, path)


def validate(doc: dict[str, object], path: str = "config.toml") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in doc.items():
        if key == "tariffs":  # [tariffs.NAME]: other tariffs for `report --compare`, checked where they are priced
            from glowline.data.other_tariffs import validate as validate_tariffs

            out[key] = validate_tariffs(value, path)
        elif key in TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [{key}] must be a table")
            out[key] = {name: _value(f"{key}.{name}", TABLES[key], name, v, path) for name, v in value.items()}
            live = out[key]
            if key == "live" and isinstance(live, dict):
                _check_live(live, path)
            if key == "thresholds" and isinstance(live, dict):
                _check_thresholds(live, path)
            if key == "settle" and isinstance(live, dict):
                _check_settle(live, path)
            timeout = live.get("timeout") if key == "hooks" and isinstance(live, dict) else None
            if isinstance(timeout, float) and not 0.1 <= timeout <= 60:
                raise ConfigError(f"{path}: hooks.timeout = {timeout!r} must be a number of seconds from 0.1 to 60")
        elif key in TOP_LEVEL:
            out[key] = _value(key, TOP_LEVEL, key, value, path)
        else:
            raise ConfigError(f"{path}: unknown key {key!r}")
    return out


def _value(label: str, table: dict[str, object], name: str, value: object, path: str) -> object:
    if name not in table:
        raise ConfigError(f"{path}: unknown key {label!r}")
    kind = table[name]
    if kind in ("template", "formats", "argv"):
        return _listed(label, str(kind), value, path)
    ok = (
        (kind == "int" and isinstance(value, int) and not isinstance(value, bool))
        or (kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool))
        or (kind == "str" and isinstance(value, str) and "\n" not in value and "\t" not in value)
        or (kind == "bool" and isinstance(value, bool))
        or (kind == "color" and isinstance(value, str) and _is_hex_color(value))
        or (isinstance(kind, tuple) and value in kind)
    )
    if not ok:
        want = f"one of {', '.join(kind)}" if isinstance(kind, tuple) else {"color": "a colour like '#ffaa00'"}.get(
            str(kind), f"a {kind}"
        )
        raise ConfigError(f"{path}: {label} = {value!r} is not valid: expected {want}")
    if kind == "float":
        value = float(value)  # type: ignore[arg-type]
        if value - value != 0.0:  # nan and inf: TOML has them, a setting never wants them
            raise ConfigError(f"{path}: {label} = {value!r} is not valid: expected a finite number")
    problem = check(name, value) if "." not in label else None
    if problem:
        raise ConfigError(f"{path}: {label} = {value!r} {problem}")
    return value


def _check_ratio(label: str, value: object, path: str) -> None:
    """One threshold on its own: a ratio to the typical day, above 0 and at most 1000."""
    if not isinstance(value, float) or not 0.0 < value <= 1000.0:
        raise ConfigError(f"{path}: thresholds.{label} = {value!r} is not valid: expected a ratio above 0, "
                          "at most 1000")
def _listed(label: str, kind: str, value: object, path: str) -> list[str]:
    """A template (compiled to its tokens here, once: glowline.status.template), a list of status formats, or an
    argv list (a command and its arguments, never a shell line); stored in the compiled config as a list."""
    if kind == "template":
        from glowline.status import template

        if not isinstance(value, str) or any(c in value for c in "\t\n\x1f"):
            raise ConfigError(f"{path}: {label} = {value!r} is not valid: expected a template like "
                              "'{spark} {total}'")
        try:
            return list(template.parse(value))
        except template.TemplateError as exc:
            raise ConfigError(f"{path}: {label}: {exc}") from None
    items = value if isinstance(value, list) else None
    if items is None or not all(isinstance(v, str) and v and not any(c in v for c in "\t\n\x1f") for v in items):
        raise ConfigError(f"{path}: {label} = {value!r} is not valid: expected a list of strings")
    if kind == "formats":
        wrong = [v for v in items if v not in FORMATS]
        if wrong:
            raise ConfigError(f"{path}: {label}: unknown format {wrong[0]!r}; choose from {', '.join(FORMATS)}")
    elif not items:
        raise ConfigError(f"{path}: {label} = [] is not valid: expected a command and its arguments")
    return [str(v) for v in items]


def _check_thresholds(table: dict[str, object], path: str) -> None:
    """[thresholds]: low and high are ratios to the typical day, above 0 and at most 1000, low below high."""
    low, high = table.get("low", 0.8), table.get("high", 1.25)
    for label, value in (("low", low), ("high", high)):
        _check_ratio(label, value, path)
    if isinstance(low, float) and isinstance(high, float) and not low < high:
        raise ConfigError(f"{path}: thresholds.low = {low!r} must be below thresholds.high = {high!r}")


def _check_settle(table: dict[str, object], path: str) -> None:
    """[settle]: how many days half-hours may still change (glowline.data.settling): above 0, at most 9, so the
    window fits the one half-hourly request of a refresh."""
    from glowline.data.settling import MAX_SETTLE_DAYS

    for label, value in table.items():
        if not isinstance(value, float) or not 0.0 < value <= MAX_SETTLE_DAYS:
            raise ConfigError(f"{path}: settle.{label} = {value!r} is not valid: expected a number of days above 0, "
                              f"at most {MAX_SETTLE_DAYS:g}")


def _check_live(table: dict[str, object], path: str) -> None:
    """The [live] table's own rules: an mqtt:// or mqtts:// URL without a password, a topic prefix without MQTT
    wildcards, a device MAC of 12 hex digits (or + for any) and a max_age in seconds."""
    url = table.get("mqtt")
    if isinstance(url, str) and url:
        problem = mqtt_url_problem(url)
        if problem:
            raise ConfigError(f"{path}: live.mqtt is not valid: {problem}")
    prefix = table.get("topic_prefix")
    if isinstance(prefix, str) and (not prefix or any(c in prefix for c in "+#\0") or prefix.strip("/") != prefix):
        raise ConfigError(f"{path}: live.topic_prefix = {prefix!r} is not valid: expected a topic level like 'glow'")
    device = table.get("device")
    if isinstance(device, str) and device != "+" and not (len(device) == 12 and _is_hex(device)):
        raise ConfigError(f"{path}: live.device = {device!r} is not valid: expected a MAC of 12 hex digits, or '+'")
    max_age = table.get("max_age")
    if isinstance(max_age, float) and not 1 <= max_age <= 86400:
        raise ConfigError(f"{path}: live.max_age = {max_age!r} must be a number of seconds from 1 to 86400")


def mqtt_url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable broker URL (mqtt://[user@]host[:port] or mqtts://...), or None when it is.

    A password in the URL is refused: it would sit in a file or argv; `glowline login --mqtt` keeps it in the keyring.
    """
    from urllib.parse import urlsplit

    from glowline.redact import url as without_userinfo

    shown = without_userinfo(url)  # before anything that can fail: no message ever carries the userinfo
    authority = url.partition("://")[2]
    for stop in "/?#":
        authority = authority.partition(stop)[0]
    if ":" in authority.rpartition("@")[0]:
        return "a password in the URL is refused: keep it in the keyring with `glowline login --mqtt`"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"{shown!r}: {without_userinfo(str(exc))}"
    if parts.scheme not in ("mqtt", "mqtts"):
        return f"{shown!r}: use mqtt://host:1883 or mqtts://host:8883"
    if not parts.hostname:
        return f"{shown!r} has no host"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"{shown!r}: only mqtt[s]://[user@]host[:port]"
    if port == 0:
        return f"{shown!r}: port 0"
    return None


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def _is_hex_color(text: str) -> bool:
    return len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:])


def _write_compiled(values: dict[str, object], sig: str) -> None:
    from glowline.files import atomic_write

    lines = [f"{MAGIC}\t{sig}"]
    flat: list[tuple[str, object]] = []
    for key, value in values.items():
        if key == "tariffs":  # the report's alone: the status line never reads them
            continue
        if isinstance(value, dict):
            flat.extend((f"{key}.{k}", v) for k, v in value.items())
        else:
            flat.append((key, value))
    for key, value in flat:
        kind = "b" if isinstance(value, bool) else "i" if isinstance(value, int) else "f" if isinstance(
            value, float) else "l" if isinstance(value, list) else "s"
        text = ("1" if value else "0") if isinstance(value, bool) else repr(value) if kind == "f" else LIST_SEP.join(
            value) if isinstance(value, list) else str(value)
        lines.append(f"{key}\t{kind}\t{text}")
    lines.append("end")
    try:
        atomic_write(compiled_path(), "\n".join(lines) + "\n")
    except OSError:
        pass  # a read-only cache only costs speed
