"""--format tmux: for status-right '#(glowline --format tmux)': #[fg=#rrggbb] per level, # written ##, #[default].

tmux re-expands the job's last output line as a format, so styles work and any literal # must be doubled.
"""

from __future__ import annotations

from glowline.status.formats import shared
from glowline.status.model import Line, RenderOptions


def render(line: Line, opts: RenderOptions) -> str:
    if shared.hidden(line, opts):
        return "\n"
    parts = shared.segments(line, opts, opts.short)
    body = "".join(f"#[fg={colour}]{shared.tmux_escape(text)}" for colour, text in parts)
    return body + "#[default]\n"
