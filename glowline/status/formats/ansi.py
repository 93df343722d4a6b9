"""--format ansi: the plain line coloured by level when opts.color, at the terminal's depth (truecolor, 256 or 16;
glowline.status.colors resolves both from --color, NO_COLOR, FORCE_COLOR, the TTY, TERM and COLORTERM)."""

from glowline.status import colors
from glowline.status.formats import shared
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if shared.hidden(line, opts):
        return "\n"
    if not opts.color:
        return shared.text(line, opts, opts.short) + "\n"
    depth = opts.color_depth
    body = "".join(colors.escape(colour, depth) + text for colour, text in shared.segments(line, opts, opts.short))
    return body + shared.ANSI_RESET + "\n"
