"""--format plain: "▂▃▅▂▇█▆▃▂▄… 103.1 kWh ·3h" for terminals, scripts and anything unknown; coloured like
--format ansi when opts.color (a terminal, FORCE_COLOR or --color: glowline.status.colors), else plain text."""

from glowline.status import formats
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return "\n"
    if opts.color:
        from glowline.status.formats import ansi

        return ansi.render(line, opts)
    return formats.text(line, opts, opts.short) + "\n"
