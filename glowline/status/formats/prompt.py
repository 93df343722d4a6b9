"""--format prompt: the short line for shell prompts (Starship, PS1); ANSI only when opts.color.

With opts.prompt_wrap every escape sequence is wrapped in \\001...\\002 so readline (bash) counts the prompt
width correctly. Without data: the degraded line, or nothing with --on-error hide (Starship then drops the module).
"""

from glowline.status import colors, formats
from glowline.status.model import Line, RenderOptions


def _wrap(escape: str, opts: RenderOptions) -> str:
    return f"\001{escape}\002" if opts.prompt_wrap and escape else escape


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return "\n"
    if not opts.color:
        return formats.text(line, opts, short=True) + "\n"
    depth = opts.color_depth
    parts = [_wrap(colors.escape(colour, depth), opts) + text for colour, text in formats.segments(line, opts, True)]
    return "".join(parts) + _wrap(formats.ANSI_RESET, opts) + "\n"
