"""--format ansi: the plain line coloured by level with 24-bit ANSI when opts.color (resolved by the CLI)."""

from __future__ import annotations

from glowline.status.formats import shared
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if shared.hidden(line, opts):
        return "\n"
    if not opts.color:
        return shared.text(line, opts, opts.short) + "\n"
    body = "".join(shared.ansi_color(colour) + text for colour, text in shared.segments(line, opts, opts.short))
    return body + shared.ANSI_RESET + "\n"
