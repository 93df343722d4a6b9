"""--format tmux: for status-right '#(glowline --format tmux)': #[fg=#rrggbb,bg=#rrggbb] per level, # written ##,
#[default].

tmux re-expands the job's last output line as a format, so styles work and any literal # must be doubled. The
background is set too (colour "background", default #1d2128): tmux's default bar is green (#00cd00), where the
level colours read at about 1.1:1; on glowline's own background every colour reads at 4.5:1 or better, on any theme.
"""

from glowline.status import formats
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return "\n"
    parts = formats.segments(line, opts, opts.short)
    background = formats.colors(opts)["background"]  # the bar's own colour may be anything (tmux's default: green)
    body = "".join(f"#[fg={colour},bg={background}]{formats.tmux_escape(text)}" for colour, text in parts)
    return body + "#[default]\n"
