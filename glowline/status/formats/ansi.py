"""--format ansi: the plain line coloured by level when opts.color, at the terminal's depth (truecolor, 256 or 16;
glowline.status.colors resolves both from --color, NO_COLOR, FORCE_COLOR, the TTY, TERM and COLORTERM)."""

from glowline.status import colors, formats
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return "\n"
    if not opts.color:
        return formats.text(line, opts, opts.short) + "\n"
    depth = opts.color_depth
    body = "".join(colors.escape(colour, depth) + text for colour, text in formats.segments(line, opts, opts.short))
    return body + formats.ANSI_RESET + "\n"
