"""The data a status line is drawn from: local days, the total, freshness, and each one's level against the
household's typical day (``judge``). Plain slotted classes and pure functions, no imports.

Formats (glowline/status/formats/) are functions of (Line, RenderOptions) -> text; they know nothing of where the
numbers came from. Built by glowline.status.line from the cache; kept import-free for the fast path.
"""

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy treats this name as true
if TYPE_CHECKING:
    from collections.abc import Sequence

# Levels a day or the total can have, relative to the household's own typical day (``judge`` below).
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
        self.icons = icons if icons is not None else {}  # the config's [icons], for {icon} (glowline.status.template)
        self.site = site  # --site as asked (for {cost_today}'s days file)


class Shape:
    """The line in a shape of the user's (glowline.status.template.Template draws it): formats ask it for the text
    or the coloured runs without importing it."""

    __slots__ = ()

    def text(self, line: Line, opts: RenderOptions, short: bool = False) -> str:
        raise NotImplementedError

    def segments(self, line: Line, opts: RenderOptions, short: bool = False) -> list[tuple[str, str]]:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------------- levels
# Judge days and the total as low/normal/high against the household's own typical day (status-line path: no imports).
#
# The typical day is the median of recent COMPLETE days (robust to one holiday or one party). A day is LOW below
# ``low`` x typical and HIGH above ``high`` x typical. Incomplete days (today so far, DCC lag) are PARTIAL and can
# never make anything look low: for the total, an incomplete day is expected to be exactly what it is so far, unless
# it already exceeds a typical day, in which case the excess counts (see ``expected_total``).

#: Fewer complete days than this and there is no typical day (levels are then all NORMAL).
MIN_HISTORY = 3


def _finite(values: "Sequence[float | None]") -> list[float]:
    return [float(v) for v in values if v is not None and float(v) - float(v) == 0.0]


def typical(values: "Sequence[float | None]") -> float | None:
    """Median of the given complete-day values (None, NaN, inf ignored); None with fewer than 3 of them."""
    present = sorted(_finite(values))
    count = len(present)
    if count < MIN_HISTORY:
        return None
    middle = count // 2
    return present[middle] if count % 2 else (present[middle - 1] + present[middle]) / 2.0


def level_of(
    value: float | None,
    typical: float | None,
    complete: bool,
    low: float = 0.8,
    high: float = 1.25,
) -> str:
    """NONE for no value, PARTIAL for an incomplete day, NORMAL without a typical day, else LOW/NORMAL/HIGH."""
    if value is None or value - value != 0.0:
        return NONE
    if not complete:
        return PARTIAL
    if typical is None:
        return NORMAL
    if typical <= 0.0:
        return HIGH if value > 0.0 else NORMAL
    ratio = value / typical
    if ratio < low:
        return LOW
    if ratio > high:
        return HIGH
    return NORMAL


def expected_total(line: Line, typical: float | None) -> float | None:
    """What the line's total would be in a typical household window; None without a typical day or data.

    typical x (complete days with data) + for each incomplete day with data: min(its value, typical).
    So an incomplete day below typical is neutral, and one already above typical pushes the total towards HIGH.
    """
    if typical is None:
        return None
    expected = 0.0
    seen = False
    for day in line.days:
        if day.value is None:
            continue
        seen = True
        expected += typical if day.complete else min(day.value, typical)
    return expected if seen else None


def total_ratio(line: Line) -> float | None:
    """line.total / expected_total(line, line.typical), or None when there is nothing to compare."""
    expected = expected_total(line, line.typical)
    if expected is None:
        return None
    if expected <= 0.0:
        return None if line.total <= 0.0 else float("inf")
    return line.total / expected


def judge(line: Line, history: "Sequence[float | None]", low: float = 0.8, high: float = 1.25) -> None:
    """Set line.typical, each day's level and line.level.

    ``history``: recent complete daily values to judge against (e.g. the 28 days before the window, same unit).
    With fewer than 3 usable values there, the line's own complete days are used instead.
    The total's level is LOW/NORMAL/HIGH by ``total_ratio`` with the same thresholds; NONE without any data.
    """
    base = typical(history)
    if base is None:
        base = typical([d.value for d in line.days if d.complete])
    line.typical = base
    for day in line.days:
        day.level = level_of(day.value, base, day.complete, low, high)
    if not line.has_data:
        line.level = NONE
        return
    ratio = total_ratio(line)
    if ratio is None:
        line.level = NORMAL
    elif ratio < low:
        line.level = LOW
    elif ratio > high:
        line.level = HIGH
    else:
        line.level = NORMAL
