"""The data a status line is drawn from: local days, the total, freshness. Plain slotted classes, no imports.

Formats (glowline/formats/) are functions of (Line, RenderOptions) -> text; they know nothing of where the
numbers came from. Built by glowline.status.line from the cache; kept import-free for the fast path.
"""

# Levels a day or the total can have, relative to the household's own typical day (glowline.status.levels).
LOW, NORMAL, HIGH = "low", "normal", "high"
PARTIAL = "partial"  # an incomplete day (today so far, or DCC lag): never judged low
NONE = "none"  # no data at all for that day


class Day:
    """One calendar day in the meter's local time zone."""

    __slots__ = ("complete", "date", "end", "from_meter", "level", "meter_since", "start", "value")

    def __init__(
        self,
        date: str,
        start: int,
        end: int,
        value: float | None,
        complete: bool,
        level: str = NORMAL,
        from_meter: float = 0.0,
        meter_since: str = "",
    ) -> None:
        self.date = date  # "YYYY-MM-DD", local
        self.start = start  # epoch seconds (UTC) of local midnight
        self.end = end  # epoch seconds of the next local midnight (23 or 25 hours later on clock-change days)
        self.value = value  # in Line.unit; None when no half-hour of the day has data yet
        self.complete = complete  # False for today, for days the DCC has not fully delivered, and for gaps
        self.level = level
        self.from_meter = from_meter  # of value, what the meter's register added after the DCC's delivered half-hours
        self.meter_since = meter_since  # local "HH:MM" from which the register counts ("" when from_meter is 0)

    def __repr__(self) -> str:
        return f"Day({self.date!r}, {self.value!r}, complete={self.complete}, level={self.level!r})"


class Line:
    """Everything any output format needs to draw one status line."""

    __slots__ = (
        "days",
        "error",
        "error_kind",
        "fetched_at",
        "level",
        "live",
        "live_shown",
        "name",
        "now",
        "resource",
        "site",
        "stale",
        "total",
        "typical",
        "tz",
        "unit",
    )

    def __init__(
        self,
        resource: str,
        name: str,
        unit: str,
        tz: str,
        days: list[Day],
        now: float,
        fetched_at: float | None = None,
        stale: bool = False,
        site: str = "",
        typical: float | None = None,
        level: str = NORMAL,
        error: str | None = None,
        error_kind: str | None = None,
    ) -> None:
        self.resource = resource  # API classifier, e.g. "electricity.consumption"
        self.name = name  # the --resource name, e.g. "electricity", "gas-cost"
        self.unit = unit  # "kWh", "GBP" or "m3"
        self.tz = tz  # IANA zone the days are in, e.g. "Europe/London"
        self.site = site  # the site's (virtual entity's) name
        self.days = days  # oldest first; the last one is today (usually incomplete)
        self.total = sum(d.value for d in days if d.value is not None)
        self.level = level  # level of the total against typical * len(days)
        self.typical = typical  # the household's typical complete day, same unit; None if unknown
        self.fetched_at = fetched_at  # epoch seconds of the last successful fetch; None if never
        self.now = now  # epoch seconds at render time
        self.stale = stale  # True when the data is older than --max-age (or a refresh failed)
        self.error = error  # one-line reason when degraded (refresh failed, no data yet)
        self.error_kind = error_kind  # GlowlineError.kind of that reason
        self.live: Live | None = None  # the live power to draw before the sparkline (--live), None when there is none
        self.live_shown = False  # True when --live asked for it (JSON then has "live": {...} or null)

    @property
    def age(self) -> float | None:
        """Seconds since the data was fetched, or None if it never was."""
        return None if self.fetched_at is None else max(0.0, self.now - self.fetched_at)

    @property
    def has_data(self) -> bool:
        return any(d.value is not None for d in self.days)


class Live:
    """The latest live power (glowline.status.live reads it): W, when the device read the meter, where it came from."""

    __slots__ = ("age", "at", "device", "level", "power_w", "source", "stale")

    def __init__(self, power_w: float, at: float, source: str, device: str = "", age: float = 0.0,
                 stale: bool = False) -> None:
        self.power_w = power_w  # W; negative while exporting
        self.at = at  # epoch seconds of the meter read
        self.source = source  # "mqtt" (the IHD over local MQTT) or "rest" (the API's /current)
        self.device = device  # the Glow device's MAC (12 hex digits), "" when unknown
        self.age = age  # seconds since ``at`` when the line was built
        self.stale = stale  # older than [live] max_age (drawn only with --live-stale show)
        self.level = NORMAL  # against the household's typical day's mean power (glowline.status.live.judge)

    def __repr__(self) -> str:
        return f"Live({self.power_w!r} W, at={self.at!r}, {self.source!r}, stale={self.stale})"


class RenderOptions:
    """How to draw: chosen by the user (flags, config), never by the data."""

    __slots__ = ("ascii", "color", "color_depth", "colors", "icons", "on_error", "prompt_wrap", "rows", "scale_max",
                 "short", "site", "stale_after", "template", "width")

    def __init__(
        self,
        width: int | None = None,
        short: bool = False,
        ascii: bool = False,
        color: bool = False,
        prompt_wrap: bool = False,
        colors: dict[str, str] | None = None,
        on_error: str = "show",
        stale_after: float = 1800.0,
        color_depth: int = 1 << 24,
        rows: int = 1,
        template: "Shape | None" = None,
        scale_max: float | None = None,
        icons: dict[str, str] | None = None,
        site: str = "",
    ) -> None:
        self.width = width  # resample the sparkline to this many cells
        self.short = short  # narrow form for small bars
        self.ascii = ascii  # no block characters
        self.color = color  # for ansi/prompt: emit ANSI colour (already resolved from --color/NO_COLOR/TTY)
        self.prompt_wrap = prompt_wrap  # wrap ANSI in \001...\002 for bash/zsh prompts
        self.colors = colors if colors is not None else {}  # level -> "#rrggbb", merged over defaults
        self.on_error = on_error  # "show" a degraded line, or "hide" (the host's hide form)
        self.stale_after = stale_after  # --max-age in seconds
        self.color_depth = color_depth  # 16, 256 or 1 << 24 (truecolor): glowline.status.colors
        self.rows = rows  # --rows: the motd's sparkline height (1 = glowline's own one-row scaler)
        self.template = template  # --template, compiled (glowline.status.template.Template); None: the line's own
        self.scale_max = scale_max  # --scale-max: a fixed top for the bars, in the line's unit; None: the largest day
        self.icons = icons if icons is not None else {}  # the config's [icons] (glowline.status.icons)
        self.site = site  # --site as asked (for {cost_today}'s days file)


class Shape:
    """The line in a shape of the user's (glowline.status.template.Template draws it): formats ask it for the text
    or the coloured runs without importing it."""

    __slots__ = ()

    def text(self, line: Line, opts: RenderOptions, short: bool = False) -> str:
        raise NotImplementedError

    def segments(self, line: Line, opts: RenderOptions, short: bool = False) -> list[tuple[str, str]]:
        raise NotImplementedError
