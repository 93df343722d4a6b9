"""--format conky: for ${execpi 60 glowline --format conky}: ${color #rrggbb}...${color} per level, $ written $$."""

from glowline.status.formats import shared
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if shared.hidden(line, opts):
        return "\n"
    parts = shared.segments(line, opts, opts.short)
    return "".join(f"${{color {colour}}}{shared.conky_escape(text)}${{color}}" for colour, text in parts) + "\n"
