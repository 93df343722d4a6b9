"""The status line's options, declared once: a light parser for the fast path and the table argparse is built from.

``glowline [options]`` is what status bars run every few seconds, so its arguments are parsed here without
argparse (~11 ms to import). Anything this parser does not fully understand (a subcommand, --help, a bad value)
returns None and the full argparse CLI takes over, which then also gives the proper error message.
"""

from glowline.catalog import FORMATS, GAS_UNITS, RESOURCES

COLOR_MODES = ("auto", "always", "never", "16", "256", "truecolor")
MAX_ROWS = 4  # --rows: the MOTD's sparkline in up to 4 rows (drawn by the sparklines package, off the one-row path)
ON_ERROR = ("show", "hide")
LIVE_STALE = ("hide", "show")
MAX_DAYS = 400
MIN_MAX_AGE = 5  # minutes: Glowmarkt asks clients not to poll more often

# (flag, dest, kind, help). kind: "int", "float", "str", a tuple of choices, or "flag".
OPTIONS: tuple[tuple[str, str, object, str], ...] = (
    ("--days", "days", "int", "how many local days, today included (default 10)"),
    ("--resource", "resource", tuple(RESOURCES), "what to show (default electricity)"),
    ("--site", "site", "str", "site name or veId when the account has several"),
    ("--tz", "tz", "str", "the meter's time zone (default Europe/London)"),
    ("--format", "format", FORMATS, "output format (default plain)"),
    ("--width", "width", "int", "resample the sparkline to N cells"),
    ("--short", "short", "flag", "a short form for narrow bars"),
    ("--ascii", "ascii", "flag", "ASCII instead of block characters"),
    ("--color", "color", COLOR_MODES, "colour for plain/ansi/prompt: auto (a terminal whose TERM is not dumb), "
     "always, never, or force a depth: 16, 256, truecolor"),
    ("--rows", "rows", "int", "the sparkline's height in rows, 1 to 4, for --format motd (default 1)"),
    ("--prompt-wrap", "prompt_wrap", "flag", "wrap ANSI in \\001...\\002 for bash/zsh prompts"),
    ("--cached-only", "cached_only", "flag", "never touch the network (MOTD, prompts)"),
    ("--max-age", "max_age", "float", "minutes before cached data is refreshed (default 30, at least 5)"),
    ("--timeout", "timeout", "float", "hard deadline in seconds for printing a line (default 2)"),
    ("--on-error", "on_error", ON_ERROR, "on error: show a degraded line, or hide (the host's hide form)"),
    ("--gas-unit", "gas_unit", GAS_UNITS, "gas in kWh as delivered (default) or m3 (config [gas] sets the CV)"),
    ("--live", "live_show", "flag", "the live power before the sparkline, from the live file (config [live] show)"),
    ("--live-stale", "live_stale", LIVE_STALE, "a live value older than [live] max_age: hide it (default) or show it "
     "marked with its age"),
    ("--template", "template", "str", "the line's shape: fields in braces, e.g. '{icon} {today} today, {spark}' "
     "(spark total unit today yesterday typical age live cost_today icon resource site level)"),
    ("--scale-max", "scale_max", "float", "a fixed top for the bars (in the line's unit, e.g. kWh a day), so that "
     "weeks compare; a day above it draws a full bar (config [scale_max] per resource)"),
)
DEFAULTS: dict[str, object] = {
    "days": 10,
    "resource": "electricity",
    "site": "",
    "tz": "Europe/London",
    "format": "plain",
    "width": None,
    "short": False,
    "ascii": False,
    "color": "auto",
    "rows": 1,
    "prompt_wrap": False,
    "cached_only": False,
    "max_age": 30.0,
    "timeout": 2.0,
    "on_error": "show",
    "gas_unit": None,
    "live_show": False,
    "live_stale": None,
    "template": None,
    "scale_max": None,
}


class Options:
    """Settled status-line options: defaults, then the config file, then the command line."""

    __slots__ = (*DEFAULTS, "colors", "thresholds", "api_url", "gas", "live", "live_max_age", "icons", "files",
                 "hooks", "given")

    def __init__(self, values: dict[str, object]) -> None:
        merged = {**DEFAULTS, **values}
        self.days = int(_number(merged["days"]))
        self.resource = str(merged["resource"])
        self.site = str(merged["site"])
        self.tz = str(merged["tz"])
        self.format = str(merged["format"])
        width = merged["width"]
        self.width = None if width is None else int(_number(width))
        self.short = merged["short"] is True
        self.ascii = merged["ascii"] is True
        self.color = str(merged["color"])
        self.rows = int(_number(merged["rows"]))
        self.prompt_wrap = merged["prompt_wrap"] is True
        # the MOTD runs at every login with no timeout: it reads the cache only, whatever else is asked
        self.cached_only = merged["cached_only"] is True or self.format == "motd"
        self.max_age = max(_number(merged["max_age"]), MIN_MAX_AGE)
        self.timeout = _number(merged["timeout"])
        self.on_error = str(merged["on_error"])
        self.gas = _table(merged.get("gas"))
        unit = merged["gas_unit"] or self.gas.get("unit")
        self.gas_unit = None if unit is None else str(unit)
        self.colors = {str(k): str(v) for k, v in _table(merged.get("colors")).items()}
        self.thresholds = {str(k): _number(v) for k, v in _table(merged.get("thresholds")).items()}
        self.api_url = str(merged.get("api_url") or "")
        self.live = _table(merged.get("live"))  # the config's [live] table (glowline.data.live reads the rest)
        self.live_show = merged["live_show"] is True or self.live.get("show") is True
        self.live_stale = str(merged["live_stale"] or self.live.get("stale") or "hide")
        max_age = self.live.get("max_age")
        self.live_max_age = 60.0 if max_age is None else _number(max_age)  # seconds
        # issue 23: --template, else [templates] <format>, else the config's template (compiled tokens or text)
        # (the command line's is text, the config's compiled tokens: so the command line's is known to win)
        shape = merged["template"]
        if not isinstance(shape, str):
            shape = _table(merged.get("templates")).get(self.format) or shape
        self.template = _tokens(shape)
        scale = merged["scale_max"]  # --scale-max, else the config's [scale_max] for this resource
        if isinstance(scale, dict):
            scale = scale.get(self.resource)
        self.scale_max = None if scale is None else _number(scale)
        self.icons = {str(k): str(v) for k, v in _table(merged.get("icons")).items()}
        self.files = _table(merged.get("files"))  # [files] formats: the pre-rendered lines (glowline.status.line)
        self.hooks = _table(merged.get("hooks"))  # [hooks] on_refresh (glowline.data.hooks)
        self.given: tuple[str, ...] | None = None  # the options given on the command line, when the caller knows

    @property
    def classifier(self) -> str:
        return RESOURCES[self.resource]


def _number(value: object) -> float:
    """A number from already-validated settings (argv or config); anything else is a bug, never user input."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


def _tokens(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    from glowline.status.template import tokens_of

    return tokens_of(value)


def _table(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def check(dest: str, value: object) -> str | None:
    """Why ``value`` is not acceptable for ``dest``, or None when it is (shared by argparse and the config)."""
    if dest == "days" and not (isinstance(value, int) and 1 <= value <= MAX_DAYS):
        return f"must be a whole number from 1 to {MAX_DAYS}"
    if dest == "rows" and not (isinstance(value, int) and 1 <= value <= MAX_ROWS):
        return f"must be a whole number from 1 to {MAX_ROWS}"
    if dest == "width" and value is not None and not (isinstance(value, int) and 1 <= value <= 400):
        return "must be a whole number from 1 to 400"
    if dest == "timeout" and not (isinstance(value, (int, float)) and 0.1 <= value <= 600):
        return "must be a number of seconds from 0.1 to 600"
    if dest == "template" and isinstance(value, str):
        from glowline.status.template import problem

        return problem(value)
    if dest == "scale_max" and not (isinstance(value, (int, float)) and 0 < value <= 1e9):
        return "must be a number above 0"
    if dest == "max_age" and not (isinstance(value, (int, float)) and 0 <= value <= 10080):
        return "must be a number of minutes from 5 to 10080 (smaller values are raised to 5)"
    return None


def parse_fast(argv: list[str]) -> dict[str, object] | None:
    """The options in ``argv`` if it is a plain status-line invocation, else None (argparse takes over)."""
    table = {flag: (dest, kind) for flag, dest, kind, _ in OPTIONS}
    out: dict[str, object] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        flag, eq, inline = arg.partition("=")
        if flag not in table:
            return None
        dest, kind = table[flag]
        if kind == "flag":
            if eq:
                return None
            out[dest] = True
            i += 1
            continue
        if eq:
            text = inline
            i += 1
        elif i + 1 < len(argv):
            text = argv[i + 1]
            i += 2
        else:
            return None
        value = convert(kind, text)
        if value is None or check(dest, value) is not None:
            return None
        out[dest] = value
    return out


def convert(kind: object, text: str) -> object:
    """``text`` as the option's type, or None when it does not parse."""
    # plain ASCII digits only: int() and float() also take "٣", "10_0", " 5 " and "nan", which no one means
    if kind == "int":
        return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
    if kind == "float":
        body = text[1:] if text[:1] in "+-" else text
        if not (body.isascii() and body and all(c in "0123456789." for c in body) and body.count(".") <= 1
                and body != "."):
            return None
        return float(text)
    if isinstance(kind, tuple):
        return text if text in kind else None
    return text
