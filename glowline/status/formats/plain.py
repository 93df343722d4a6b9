"""--format plain: "▂▃▅▂▇█▆▃▂▄… 103.1 kWh ·3h", no colour, for terminals, scripts and anything unknown."""

from __future__ import annotations

from glowline.status.formats import shared
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if shared.hidden(line, opts):
        return "\n"
    return shared.text(line, opts, opts.short) + "\n"
