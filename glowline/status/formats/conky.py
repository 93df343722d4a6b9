"""--format conky: for ${execpi 60 glowline --format conky}: ${color #rrggbb}...${color} per level, $ written $$."""

from glowline.status import formats
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return "\n"
    parts = formats.segments(line, opts, opts.short)
    return "".join(f"${{color {colour}}}{formats.conky_escape(text)}${{color}}" for colour, text in parts) + "\n"
