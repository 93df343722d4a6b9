"""--format polybar: for a custom/script module: %{F#rrggbb}...%{F-} per level, every tag closed.

Hide form (--on-error hide without data): a single empty line, which Polybar (exit 0) shows as no module.
"""

from glowline.status import formats
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return "\n"
    parts = formats.segments(line, opts, opts.short)
    return "".join(f"%{{F{colour}}}{formats.polybar_escape(text)}%{{F-}}" for colour, text in parts) + "\n"
