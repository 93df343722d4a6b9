"""``glowline config path|show|init|check``: where the files live, the effective settings and where each came from,
a commented example config (never overwriting one), and validation with one line per problem."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from glowline import paths
from glowline.catalog import DEFAULT_CALORIFIC_VALUE, DEFAULT_CORRECTION_FACTOR
from glowline.data.live import DEFAULT_MAX_AGE, DEFAULT_PREFIX
from glowline.errors import ConfigError, ExitStatus, UsageError
from glowline.status import argv, settings

ACTIONS = ("path", "show", "init", "check")

#: the settings an environment variable decides, over the config file
ENVIRONMENT = {"api_url": "GLOWLINE_API_URL", "live.mqtt": "GLOWLINE_MQTT_URL"}

#: defaults of the table keys (the top-level ones are glowline.status.argv.DEFAULTS)
TABLE_DEFAULTS: dict[str, dict[str, object]] = {
    "colors": {"low": "#a3be8c", "normal": "#88c0d0", "high": "#d08770", "partial": "#959fb2", "stale": "#b09fac",
               "error": "#e8838b", "background": "#1d2128"},
    "thresholds": {"low": 0.8, "high": 1.25},
    "gas": {"unit": "kwh", "calorific_value": DEFAULT_CALORIFIC_VALUE,
            "correction_factor": DEFAULT_CORRECTION_FACTOR},
    "live": {"mqtt": None, "topic_prefix": DEFAULT_PREFIX, "device": "+", "max_age": DEFAULT_MAX_AGE, "show": False,
             "stale": "hide"},
}

EXAMPLE = f"""\
# glowline's settings (written by `glowline config init`). Every line is commented out: the defaults apply
# until you remove a '#'. Command-line options win over this file; `glowline config check` validates it and
# `glowline config show` prints what is in effect and where each value came from.

# days = 10                   # how many local days, today included (1 to 400)
# resource = "electricity"    # electricity, gas, electricity-cost, gas-cost, export
# site = ""                   # a site name or veId when the account has several ("" = the first)
# tz = "Europe/London"        # the meter's time zone
# format = "plain"            # plain, ansi, json, tmux, i3blocks, i3bar, waybar, polybar, xbar, conky, prompt, motd
# width = 10                  # resample the sparkline to this many cells
# short = false               # the short form for narrow bars
# ascii = false               # ASCII instead of block characters
# color = "auto"              # auto, always, never, 16, 256, truecolor
# max_age = 30.0              # minutes before cached data is refreshed (at least 5)
# timeout = 2.0               # seconds: the hard deadline for printing a line
# on_error = "show"           # show a degraded line on errors, or hide (the host's hide form)
# api_url = "https://api.glowmarkt.com/api/v0-1/"
# template = "{{spark}} {{total}}"   # the line's shape: fields in braces (docs/line.md, "Templates")

# [colors]                    # "#rrggbb" for each level
# low = "#a3be8c"
# normal = "#88c0d0"
# high = "#d08770"
# partial = "#959fb2"
# stale = "#b09fac"
# error = "#e8838b"
# background = "#1d2128"      # tmux only: the colour the line is drawn on

# [thresholds]                # a day is low below low x typical, high above high x typical
# low = 0.8
# high = 1.25

# [gas]
# unit = "kwh"                # or "m3"
# calorific_value = {DEFAULT_CALORIFIC_VALUE}       # MJ/m3, from your gas bill
# correction_factor = {DEFAULT_CORRECTION_FACTOR}

# [templates]                 # one format's own shape
# prompt = "{{icon}} {{today}} today"
# [icons]
# set = "none"                # none, emoji, nerd (Nerd Font glyphs)
# [scale_max]                 # a fixed top for the bars, per resource, in its unit
# electricity = 20.0
# [files]                     # keep these formats' lines in files a prompt reads with a shell builtin
# formats = ["prompt"]
# [hooks]                     # run after a refresh that changed the line: a command and its arguments
# on_refresh = ["pkill", "-RTMIN+8", "waybar"]
"""


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "config",
        help="the config file: path, show, init, check",
        description="path: where each file lives. show: the effective settings and where each came from "
        "(default, config file, environment). init: write a commented example config (never overwrites). "
        "check: validate the config, one line per problem (exit 8 when there is one).",
    )
    p.add_argument("action", choices=ACTIONS, help="path, show, init or check")


def run(args: argparse.Namespace, conf: object) -> int:
    return int({"path": show_paths, "show": show, "init": init, "check": check}[args.action]())


# ---------------------------------------------------------------------------------------------------------- path


def show_paths() -> int:
    rows = [
        ("config", paths.config_file(), "your settings (TOML); `glowline config init` writes an example"),
        ("account", paths.account_file(), "the username and API URL `glowline login` saved"),
        ("cache", paths.cache_dir(), "fetched readings, per-day files, the token"),
        ("compiled", settings.compiled_path(), "the validated copy of config the status line reads"),
        *_line_files(),
    ]
    for name, path, what in rows:
        state = "exists" if os.path.exists(path) else "not there"
        print(f"{name:<9}{path}  ({state}: {what})")
    return ExitStatus.OK


def _line_files() -> list[tuple[str, str, str]]:
    """The pre-rendered lines [files] formats asks for (the config's resource), for a prompt to read."""
    from glowline.status.argv import Options
    from glowline.status.line import prerendered_formats, prerendered_path

    try:
        from glowline import config

        opts = Options(config.load())
    except Exception:  # an invalid config: `config check` says why; the paths above still print
        return []
    return [("line", prerendered_path(opts.site, opts.classifier, fmt), f"the pre-rendered --format {fmt} line")
            for fmt in prerendered_formats(opts)]


# ---------------------------------------------------------------------------------------------------------- show


def _read() -> tuple[dict[str, object], list[str]]:
    """The config file's document and its problems (one line each); ({}, []) when there is no file. The bytes are
    read and parsed exactly as the runtime reads them (glowline.config.parse), so what it refuses is refused here."""
    from glowline import config

    path = paths.config_file()
    if not os.path.lexists(path):
        return {}, []
    try:
        doc = config.parse(path)
    except ConfigError as exc:
        return {}, [str(exc)]
    return doc, problems(doc, path)


def problems(doc: dict[str, object], path: str) -> list[str]:
    """Every invalid key of ``doc``, one line each (glowline.config.validate stops at the first)."""
    from glowline import config

    found: list[str] = []
    for key, value in doc.items():
        if key in config.TABLES and isinstance(value, dict):
            for name, item in value.items():
                try:
                    config.check_item(key, name, item, path)  # the key alone: the table's rules come next, once
                except ConfigError as exc:
                    found.append(str(exc))
            try:  # rules across a table's keys
                config.validate({key: value}, path)
            except ConfigError as exc:
                if str(exc) not in found:
                    found.append(str(exc))
        else:
            try:
                config.validate({key: value}, path)
            except ConfigError as exc:
                found.append(str(exc))
    return found


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        from glowline import redact

        value = redact.url(value)  # a URL's userinfo (a password) is never shown
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "(unset)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def show() -> int:
    """``key = value  # source`` for every setting: TOML a user can paste, with where each value came from."""
    from glowline import config

    doc, found = _read()
    path = paths.config_file()
    file_label = f"config file {path}"
    rows: list[tuple[str, str, str]] = []
    for key in config.TOP_LEVEL:
        value: object = argv.DEFAULTS.get(key)
        source = "default"
        if key == "api_url":
            from glowline.data.endpoint import DEFAULT_URL

            value = DEFAULT_URL
        if key in doc and not isinstance(doc[key], dict):
            value, source = doc[key], file_label
        variable = ENVIRONMENT.get(key)
        if variable and os.environ.get(variable):
            value, source = os.environ[variable], f"environment {variable}"
        rows.append((key, _toml(value), source))
    for table, keys in config.TABLES.items():
        given = doc.get(table) if isinstance(doc.get(table), dict) else {}
        assert isinstance(given, dict)
        for name in keys:
            variable = ENVIRONMENT.get(f"{table}.{name}")
            if variable and os.environ.get(variable):
                rows.append((f"{table}.{name}", _toml(os.environ[variable]), f"environment {variable}"))
            elif name in given:
                rows.append((f"{table}.{name}", _toml(given[name]), file_label))
            elif name in TABLE_DEFAULTS.get(table, {}):
                rows.append((f"{table}.{name}", _toml(TABLE_DEFAULTS[table][name]), "default"))
    width = max(len(k) + len(v) for k, v, _ in rows) + 3
    for key, value, source in rows:
        print(f"{f'{key} = {value}':<{width}} # {source}")
    tariffs = doc.get("tariffs")
    for name, table in (tariffs.items() if isinstance(tariffs, dict) else ()):  # report --compare's other tariffs
        print(f"tariffs.{name} = {_toml(table)}  # {file_label}")
    if os.environ.get("NO_COLOR") or os.environ.get("FORCE_COLOR"):
        names = [v for v in ("NO_COLOR", "FORCE_COLOR") if os.environ.get(v)]
        print(f"# environment {', '.join(names)} set: decides colour when color = \"auto\"")
    for problem in found:
        sys.stderr.write(f"glowline: {problem}\n")
    return ExitStatus.CONFIG if found else ExitStatus.OK


# ---------------------------------------------------------------------------------------------------------- init


def init() -> int:
    """Write EXAMPLE to the config path, refusing (exit 2) when a file is already there, even in a race."""
    path = paths.config_file()
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise UsageError(f"{path} already exists: not overwritten (`glowline config check` validates it)") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(EXAMPLE)
    print(f"wrote {path} (every setting commented out: remove a '#' to change one)")
    return ExitStatus.OK


# --------------------------------------------------------------------------------------------------------- check


def check() -> int:
    """One line per problem on stdout and exit 8, or "OK" with the path and exit 0."""
    path = paths.config_file()
    if not os.path.lexists(path):
        print(f"OK: no config file at {path}: the defaults apply (`glowline config init` writes an example)")
        return ExitStatus.OK
    _doc, found = _read()
    for problem in found:
        print(problem)
    if found:
        return ExitStatus.CONFIG
    print(f"OK: {path} is valid")
    return ExitStatus.OK
