"""The output formats, one small module each (a function from Line and RenderOptions to text), and here what they
all share: ``get`` (imports only the chosen format), the sparkline (``bars``), and the text of totals and ages, the
cells with their colours, escapes and a small JSON encoder (importing ``json`` costs ~10 ms). A new format is one new
file here and its name in glowline.catalog.FORMATS. Status-line path: imports only ``sys``, ``time`` and glowline's
import-free modules; one module, not three, because every module a warm line loads costs it about 0.1 ms.

The sparkline: energy is a quantity, so bars are scaled from 0 (not from the series minimum): a day of 9 kWh next to
a day of 10 kWh looks nearly equal, as it is. Missing values (None, NaN, inf) are gap cells; negative values are
clamped to 0 (export is a separate resource and never negative). One cell per value; ``resample`` fits a series to N
cells.

Decisions (documented in docs/hosts.md):
- Totals: kWh with 1 decimal ("103.1 kWh"), GBP as pounds ("£4.27"), m3 with 2 decimals ("12.34 m³"); --short
  rounds kWh to whole units and m3 to 1 decimal; --ascii writes "GBP 4.27" and "m3".
- Stale data gets a suffix with its age: " ·25m", " ·3h", " ·2d" (--ascii: " (3h)").
- An incomplete LAST day (today so far) keeps its bar; formats without per-cell colour (plain, waybar text, i3bar,
  i3blocks, xbar, motd, prompt without colour) follow the sparkline with "…" (--ascii: "~"); colour formats (ansi,
  tmux, polybar, conky, coloured prompt) draw incomplete days' cells in the "partial" colour instead.
- No data at all: a short degraded line, "glowline: offline" (the reason's kind), or the host's hide form when
  --on-error hide. Data with a failed refresh is NOT an error to hide: it is drawn with its stale marker.
"""

import sys
import time

from glowline.catalog import FORMATS
from glowline.status.model import HIGH, LOW, NONE, NORMAL, PARTIAL, Day, Line, RenderOptions

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy still reads the block below
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType


def get(name: str) -> "ModuleType":
    """The format module for ``name``; raises UsageError for an unknown name."""
    if name not in FORMATS:
        from glowline.errors import UsageError

        raise UsageError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    module_name = f"glowline.status.formats.{name.replace('-', '_')}"  # i3status-rs: i3status_rs.py
    __import__(module_name)
    return sys.modules[module_name]


# ---------------------------------------------------------------------------------------------------- the sparkline



#: Unicode block elements U+2581..U+2588, lowest to full.
UNICODE_RAMP = "▁▂▃▄▅▆▇█"
#: ASCII fallback (--ascii), lowest to full; every glyph has ink, so a zero day never looks like a gap.
ASCII_RAMP = "_.-=+*#"
#: A cell with no data, in both ramps: a space (the ramps never use one, so a gap stays visibly a gap).
GAP = " "


def clean(value: float | None) -> float | None:
    """None for missing, NaN or infinite values; negative values become 0.0."""
    if value is None:
        return None
    value = float(value)
    if value - value != 0.0:  # NaN and +-inf: NaN - NaN and inf - inf are NaN (no math import needed)
        return None
    return value if value > 0.0 else 0.0


def resample(values: "Sequence[float | None]", width: int) -> list[float | None]:
    """Fit ``values`` into ``width`` cells: wider repeats values (nearest sample), narrower averages buckets.

    Each cell covers the source indices ``[i*n//width, (i+1)*n//width)`` (at least one); a bucket's value is the
    mean of its present values, or None when all are missing. Bad values are cleaned first (see ``clean``).
    """
    if width <= 0:
        return []
    cleaned = [clean(v) for v in values]
    count = len(cleaned)
    if count == 0:
        return [None] * width
    cells: list[float | None] = []
    for i in range(width):
        start = i * count // width
        stop = max(start + 1, (i + 1) * count // width)
        present = [v for v in cleaned[start:stop] if v is not None]
        cells.append(sum(v / len(present) for v in present) if present else None)  # no overflow near 1e308
    return cells


def bucket_of(cell: int, count: int, width: int) -> range:
    """The source indices that ``resample`` puts into ``cell`` (for colouring a resampled cell by its days)."""
    start = cell * count // width
    return range(start, max(start + 1, (cell + 1) * count // width))


def cell(value: float | None, top: float, ramp: str) -> str:
    """One glyph for ``value`` on a 0..``top`` scale (half-up rounding); GAP for None."""
    if value is None:
        return GAP
    steps = len(ramp) - 1
    if top <= 0.0:
        return ramp[0]
    index = int(value / top * steps + 0.5)  # value <= top, so no overflow
    return ramp[min(steps, max(0, index))]


def bars(values: "Sequence[float | None]", width: int | None = None, ascii: bool = False,
         top: float | None = None) -> str:
    """The sparkline for ``values``: one cell each, or ``width`` cells when given (see ``resample``).

    Scaled from 0 to the largest present value, or to a fixed ``top`` (--scale-max: weeks compare; a value above
    it draws a full bar); an all-zero series draws the lowest bar everywhere; an empty or all-missing series draws
    gaps only.
    """
    cells = resample(values, width) if width is not None else [clean(v) for v in values]
    if top is not None and top > 0.0:
        cells = [None if v is None else min(v, top) for v in cells]
    else:
        present = [v for v in cells if v is not None]
        top = max(present) if present else 0.0
    ramp = ASCII_RAMP if ascii else UNICODE_RAMP
    return "".join(cell(v, top, ramp) for v in cells)


# ---------------------------------------------------------------------------------------------------- shared pieces
#: Default colours per level and state (#rrggbb); RenderOptions.colors is merged over these. Every colour drawn as
#: text reads at 4.5:1 (WCAG) or better on the hosts' default dark backgrounds (i3bar #000000, Polybar's default
#: config #282a2e, Waybar's #2b303b) and on "background", which tmux draws the line on (tmux's own default bar is
#: green, #00cd00, where light text reads at 1.1:1); tests/test_contrast.py computes it.
DEFAULT_COLORS: dict[str, str] = {
    LOW: "#a3be8c",  # green: below the typical day
    NORMAL: "#88c0d0",  # frost blue
    HIGH: "#d08770",  # orange: above the typical day
    PARTIAL: "#959fb2",  # slate: incomplete day, judged later
    NONE: "#4c566a",  # no data (gap cells are blank anyway)
    "stale": "#b09fac",  # muted mauve: the age marker of old data
    "error": "#e8838b",  # red: degraded line, nothing to draw
    "background": "#1d2128",  # tmux only: what the line is drawn on, whatever the bar's own colour
}
#: Number of most recent days the --short form draws.
SHORT_DAYS = 5
PARTIAL_MARK = "…"
PARTIAL_MARK_ASCII = "~"

#: A short word for each GlowlineError.kind, used on degraded lines.
REASONS = {
    "auth": "login failed",
    "nologin": "not logged in",
    "keyring": "keyring error",
    "offline": "offline",
    "malformed": "bad API reply",
    "notfound": "not found",
    "nodata": "no data yet",
    "config": "config error",
    "usage": "usage error",
    "storage": "disk error",
    "account": "see Bright app",
}


def colors(opts: RenderOptions) -> dict[str, str]:
    """DEFAULT_COLORS with the user's colours (config file) on top."""
    merged = dict(DEFAULT_COLORS)
    merged.update(opts.colors)
    return merged


def line_color(line: Line, opts: RenderOptions) -> str:
    """The one colour for hosts with a single colour per block: error without data, stale, else the total's level."""
    palette = colors(opts)
    if not line.has_data:
        return palette["error"]
    if line.stale:
        return palette["stale"]
    return palette.get(line.level, palette[NORMAL])


# ---------------------------------------------------------------------------------------------------- numbers, text


def value_text(value: float | None, unit: str, ascii: bool = False, short: bool = False) -> str:
    """One amount with its unit: "103.1 kWh", "£4.27", "12.34 m³"; "–" (ASCII "-") for None."""
    if value is None or value - value != 0.0:
        return "-" if ascii else "–"
    if unit == "GBP":
        return f"GBP {value:.2f}" if ascii else f"£{value:.2f}"
    if unit == "kWh":
        return f"{value:.0f} kWh" if short else f"{value:.1f} kWh"
    if unit == "m3":
        number = f"{value:.1f}" if short else f"{value:.2f}"
        return f"{number} m3" if ascii else f"{number} m³"
    return f"{value:.0f} {unit}" if short else f"{value:.1f} {unit}"


def total_text(line: Line, opts: RenderOptions, short: bool = False) -> str:
    """The total of the days drawn: all of them, or with ``short`` the SHORT_DAYS the short form draws."""
    days = shown_days(line, short)
    total = sum(d.value for d in days if d.value is not None) if short else line.total
    return value_text(total, line.unit, opts.ascii, short)


def age_text(seconds: float, compact: bool = True) -> str:
    """An age. Compact, for status lines: "25m" under an hour, "3h" under two days, else "2d" (minimum "1m").
    Long, for doctor: "45 s", "25 min", "3.0 h", "2.1 days"."""
    if not compact:
        if seconds < 90:
            return f"{seconds:.0f} s"
        if seconds < 5400:
            return f"{seconds / 60:.0f} min"
        if seconds < 172800:
            return f"{seconds / 3600:.1f} h"
        return f"{seconds / 86400:.1f} days"
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))}m"
    if seconds < 172800:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def stale_marker(line: Line, opts: RenderOptions) -> str:
    """ " ·3h" when the line is stale and its age is known, else ""."""
    age = line.age
    if not line.stale or age is None:
        return ""
    return f" ({age_text(age)})" if opts.ascii else f" ·{age_text(age)}"


def updated_text(line: Line) -> str:
    """ "Updated 3h ago" for dropdowns and tooltips."""
    age = line.age
    if age is None:
        return "Never updated"
    if age < 60:
        return "Updated just now"
    return f"Updated {age_text(age)} ago"


def iso_utc(timestamp: float | None) -> str | None:
    """ISO-8601 UTC ("2026-11-20T06:00:00Z") without importing datetime; None stays None."""
    if timestamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def title(line: Line) -> str:
    """Human name of the resource: "electricity" -> "Electricity", "gas-cost" -> "Gas cost"."""
    name = (line.name or line.resource).replace("-", " ").replace(".", " ")
    return name[:1].upper() + name[1:]


def reason(line: Line) -> str:
    """Why there is nothing to draw, in two or three words."""
    if line.error_kind in REASONS:
        return REASONS[line.error_kind]
    return "error" if line.error else "no data yet"


def degraded(line: Line, opts: RenderOptions) -> str:
    """The short line drawn when there is no data: "glowline: offline"."""
    return f"glowline: {reason(line)}"


def hidden(line: Line, opts: RenderOptions) -> bool:
    """True when the host's hide form should be printed: --on-error hide and nothing to draw."""
    return opts.on_error == "hide" and not line.has_data


def day_lines(line: Line, opts: RenderOptions) -> list[str]:
    """One line per day, newest last: "2026-11-20  12.3 kWh", incomplete days marked " so far"."""
    out = []
    for day in line.days:
        text = f"{day.date}  {value_text(day.value, line.unit, opts.ascii)}"
        if not day.complete:
            text += " so far" if day.value is not None else " (no data yet)"
        out.append(text)
    return out


def meter_lines(line: Line, opts: RenderOptions) -> list[str]:
    """The days the meter's register completed: "today from the meter since 07:30 (0.706 kWh)" (glowline.status
    .tail), so a tooltip says which part of a day is not yet the DCC's."""
    out = []
    for back, day in enumerate(reversed(line.days)):
        if day.from_meter:
            name = "today" if back == 0 else "yesterday" if back == 1 else day.date
            out.append(f"{name} from the meter since {day.meter_since} "
                       f"({value_text(day.from_meter, line.unit, opts.ascii)})")
    return out[::-1]


def summary_lines(line: Line, opts: RenderOptions) -> list[str]:
    """Total, typical day, freshness and error: the detail under the per-day lines."""
    out = [f"Total {total_text(line, opts)} over {len(line.days)} days"] if line.days else ["No data yet"]
    if line.typical is not None:
        out.append(f"Typical day {value_text(line.typical, line.unit, opts.ascii)} ({line.level})")
    out.append(updated_text(line) + (" (stale)" if line.stale else ""))
    if line.error:
        out.append(f"Error: {line.error}")
    return out


# ---------------------------------------------------------------------------------------------------- sparkline


def shown_days(line: Line, short: bool = False) -> list[Day]:
    return line.days[-SHORT_DAYS:] if short else line.days


def spark(line: Line, opts: RenderOptions, short: bool = False) -> str:
    """The bars only: every day (resampled to --width) or, for --short, the last SHORT_DAYS days."""
    days = shown_days(line, short)
    width = None if short else opts.width
    return bars([d.value for d in days], width, opts.ascii, opts.scale_max)


def partial_mark(line: Line, opts: RenderOptions) -> str:
    """ "…" (ASCII "~") when the last day is incomplete, else ""."""
    if line.days and not line.days[-1].complete:
        return PARTIAL_MARK_ASCII if opts.ascii else PARTIAL_MARK
    return ""


def text(line: Line, opts: RenderOptions, short: bool = False) -> str:
    """The uncoloured status text: "▂▃▅▂▇█▆▃▂▄… 103.1 kWh ·3h", or the degraded line without data."""
    prefix = live_prefix(line, opts)
    if not line.has_data:
        return prefix + degraded(line, opts)
    if opts.template is not None:  # the user's own shape (glowline.status.template)
        return opts.template.text(line, opts, short)
    bars = spark(line, opts, short) + partial_mark(line, opts)
    return f"{prefix}{bars} {total_text(line, opts, short)}{stale_marker(line, opts)}"


def cell_levels(line: Line, opts: RenderOptions, short: bool = False) -> list[str]:
    """The level each sparkline cell is coloured by: PARTIAL if any of its days is incomplete, else its newest day's."""
    days = shown_days(line, short)
    count = len(days)
    width = count if short or opts.width is None else opts.width
    if count == 0:
        return [NONE] * width
    out = []
    for index in range(width):
        bucket = [days[i] for i in bucket_of(index, count, width)]
        if any(not d.complete and d.value is not None for d in bucket):
            out.append(PARTIAL)
        elif all(d.value is None for d in bucket):
            out.append(NONE)
        else:
            out.append(bucket[-1].level if bucket[-1].value is not None else NORMAL)
    return out


def segments(line: Line, opts: RenderOptions, short: bool = False) -> list[tuple[str, str]]:
    """(#rrggbb, text) runs for colour formats: the bars by day level, the total by line level, the stale marker.

    Incomplete days are shown by colour here, so no "…" mark. Without data: one run, the degraded line in red.
    """
    palette = colors(opts)
    live = live_segments(line, opts)
    if not line.has_data:
        return [*live, (palette["error"], degraded(line, opts))]
    if opts.template is not None:  # the user's own shape (glowline.status.template)
        return opts.template.segments(line, opts, short)
    bars = spark(line, opts, short)
    runs: list[tuple[str, str]] = list(live)
    for glyph, level in zip(bars, cell_levels(line, opts, short), strict=True):
        colour = palette.get(level, palette[NORMAL])
        if runs and runs[-1][0] == colour:
            runs[-1] = (colour, runs[-1][1] + glyph)
        else:
            runs.append((colour, glyph))
    runs.append((palette.get(line.level, palette[NORMAL]), " " + total_text(line, opts, short)))
    marker = stale_marker(line, opts)
    if marker:
        runs.append((palette["stale"], marker))
    return runs


# ---------------------------------------------------------------------------------------------------- live power


def live_text(line: Line, opts: RenderOptions) -> str:
    """The live power as drawn before the sparkline: "425 W", "10.3 kW", "-1200 W"; a stale value (--live-stale
    show) carries its age like stale data ("425 W ·2m", ASCII "425 W (2m)"); "" when there is none to draw."""
    live = line.live
    if live is None:
        return ""
    from glowline.status.live import power_text  # only when there is live power to draw

    text = power_text(live.power_w)
    if live.stale:
        text += f" ({age_text(live.age)})" if opts.ascii else f" ·{age_text(live.age)}"
    return text


def live_prefix(line: Line, opts: RenderOptions) -> str:
    """ "425 W " (the live text and a space) or ""."""
    text = live_text(line, opts)
    return text + " " if text else ""


def live_color(line: Line, opts: RenderOptions) -> str:
    """The live part's colour: the stale colour when stale, else its level's (against the typical day's mean)."""
    palette = colors(opts)
    live = line.live
    if live is None or live.stale:
        return palette["stale"]
    return palette.get(live.level, palette[NORMAL])


def live_segments(line: Line, opts: RenderOptions) -> list[tuple[str, str]]:
    """The (#rrggbb, text) run of the live part for colour formats, space included; [] when there is none."""
    prefix = live_prefix(line, opts)
    return [(live_color(line, opts), prefix)] if prefix else []


def live_document(line: Line) -> dict[str, object] | None:
    """JSON's "live" object: {power_w, at, age_seconds, source, device, stale, level}; None when there is none."""
    live = line.live
    if live is None:
        return None
    return {"power_w": round(live.power_w), "at": iso_utc(live.at), "age_seconds": int(live.age),
            "source": live.source, "device": live.device or None, "stale": live.stale, "level": live.level}


def live_detail(line: Line) -> list[str]:
    """Tooltip/dropdown lines about live power: "Live 425 W (mqtt, 12 s ago)", or why none is shown."""
    if not line.live_shown:
        return []
    live = line.live
    if live is None:
        return ["Live: no current reading"]
    from glowline.status.live import power_text

    state = ", stale" if live.stale else ""
    return [f"Live {power_text(live.power_w)} ({live.source}, {age_text(live.age, compact=False)} ago{state})"]


# ---------------------------------------------------------------------------------------------------- escapes


def pango_escape(value: str) -> str:
    """Escape for Pango markup (Waybar, i3bar markup=pango): & < > ' "."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&quot;")
    )


def tmux_escape(value: str) -> str:
    """tmux re-expands #() output as a format: every literal # must be ##."""
    return value.replace("#", "##")


def polybar_escape(value: str) -> str:
    """Polybar parses %{...} as a tag; a literal "%{" is written "%%{"."""
    return value.replace("%{", "%%{")


def conky_escape(value: str) -> str:
    """Conky execp(i) parses $ as a variable; a literal $ is written $$."""
    return value.replace("$", "$$")


def ansi_color(hex_color: str) -> str:
    """24-bit ANSI foreground for "#rrggbb" (empty for a malformed colour)."""
    digits = hex_color.lstrip("#")
    if len(digits) != 6:
        return ""
    try:
        red, green, blue = int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    except ValueError:
        return ""
    return f"\x1b[38;2;{red};{green};{blue}m"


ANSI_RESET = "\x1b[0m"


# ---------------------------------------------------------------------------------------------------- JSON

_JSON_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_JSON_ESCAPES.update({0x22: '\\"', 0x5C: "\\\\", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"})
_JSON_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def json_string(value: str) -> str:
    """A JSON string literal, non-ASCII kept as is (ensure_ascii=False); lone surrogates escaped as \\udxxx."""
    escaped = value.translate(_JSON_ESCAPES)
    try:
        escaped.encode("utf-8")
    except UnicodeEncodeError:
        escaped = "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in escaped)
    return f'"{escaped}"'


def json_dumps(obj: object) -> str:
    """Compact JSON for dicts (str keys), lists/tuples, str, int, float, bool, None; NaN/inf become null.

    Same meaning as json.dumps(obj, ensure_ascii=False, separators=(",", ":")), without importing json.
    """
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if isinstance(obj, str):
        return json_string(obj)
    if isinstance(obj, int):
        return str(int(obj))
    if isinstance(obj, float):
        return repr(obj) if obj - obj == 0.0 else "null"
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json_string(str(k))}:{json_dumps(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(json_dumps(v) for v in obj) + "]"
    raise TypeError(f"json_dumps cannot encode {type(obj).__name__}")


def rounded(value: float | None, unit: str) -> float | None:
    """A value for machine output: 4 decimals for GBP, 3 for kWh and m3; None for missing or non-finite."""
    if value is None or value - value != 0.0:
        return None
    return round(value, 4 if unit == "GBP" else 3)
