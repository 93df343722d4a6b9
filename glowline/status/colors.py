"""Colour that fits the terminal: whether to colour (--color, NO_COLOR, FORCE_COLOR, TTY, TERM=dumb) and how deep
(truecolor, the nearest of 256, or the nearest of 16), and the SGR escape for a "#rrggbb" at that depth.

os and sys only: it runs on the status line's path. rich does this too, but costs ~55 ms to import.
"""

import os
import sys

NONE, BASIC, EXTENDED, TRUECOLOR = 0, 16, 256, 1 << 24
#: --color values that force a depth
FORCED = {"16": BASIC, "256": EXTENDED, "truecolor": TRUECOLOR}
#: FORCE_COLOR=2 and 3 pick a depth as chalk/supports-color do; any other non-empty value: the detected depth
FORCE_LEVELS = {"2": EXTENDED, "3": TRUECOLOR}

# xterm's 16 colours (SGR 30-37, then 90-97)
_BASIC_RGB = (
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
    (255, 255, 255),
)
_CUBE = (0, 95, 135, 175, 215, 255)  # the 6x6x6 cube of the 256-colour palette (16-231)


def depth(mode: str, isatty: bool | None = None) -> int:
    """How many colours to use: --color decides (never, always, 16, 256, truecolor); with auto, NO_COLOR (non-empty)
    wins over FORCE_COLOR (non-empty), then a terminal whose TERM is not dumb. 0 means no colour."""
    if mode == "never":
        return NONE
    if mode in FORCED:
        return FORCED[mode]
    if mode == "always":
        return detected()
    if os.environ.get("NO_COLOR"):
        return NONE
    force = os.environ.get("FORCE_COLOR")
    if force:
        return FORCE_LEVELS.get(force, detected())
    if isatty is None:
        isatty = sys.stdout.isatty()
    if not isatty or os.environ.get("TERM", "") == "dumb":
        return NONE
    return detected()


def detected() -> int:
    """The terminal's depth: truecolor when COLORTERM says so, 256 when TERM does, else 16."""
    colorterm = os.environ.get("COLORTERM", "").lower()
    term = os.environ.get("TERM", "").lower()
    if colorterm in ("truecolor", "24bit") or term.endswith("-direct"):
        return TRUECOLOR
    if "256col" in term:
        return EXTENDED
    return BASIC


def escape(hex_color: str, level: int) -> str:
    """The foreground SGR sequence for "#rrggbb" at ``level`` ("" for no colour or a malformed colour)."""
    try:
        red, green, blue = int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16)
    except ValueError:
        return ""
    if level >= TRUECOLOR:
        return f"\x1b[38;2;{red};{green};{blue}m"
    if level >= EXTENDED:
        return f"\x1b[38;5;{nearest_256(red, green, blue)}m"
    if level >= BASIC:
        index = nearest_16(red, green, blue)
        return f"\x1b[{30 + index if index < 8 else 82 + index}m"
    return ""


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2


def nearest_256(red: int, green: int, blue: int) -> int:
    """The nearest colour of the 256-colour palette's cube (16-231) or grey ramp (232-255)."""
    rgb = (red, green, blue)
    steps = [_cube_step(v) for v in rgb]
    cube = (_CUBE[steps[0]], _CUBE[steps[1]], _CUBE[steps[2]])
    cube_index = 16 + 36 * steps[0] + 6 * steps[1] + steps[2]
    grey_step = max(0, min(23, round((sum(rgb) / 3 - 8) / 10)))
    grey = 8 + 10 * grey_step
    if _distance(rgb, (grey, grey, grey)) < _distance(rgb, cube):
        return 232 + grey_step
    return cube_index


def _cube_step(value: int) -> int:
    return min(range(6), key=lambda i: abs(_CUBE[i] - value))


def nearest_16(red: int, green: int, blue: int) -> int:
    """The nearest of xterm's 16 colours (0-15)."""
    rgb = (red, green, blue)
    return min(range(16), key=lambda i: _distance(rgb, _BASIC_RGB[i]))
