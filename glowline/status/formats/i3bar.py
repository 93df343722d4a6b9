"""--format i3bar: one i3bar/swaybar block object; `glowline watch --format i3bar` wraps blocks in the stream.

{"full_text", "short_text", "color", "name": "glowline", "instance": <--resource name>, "markup": "none"}; the colour
is the total's level, the stale colour for old data, red without data. Hide form: empty full_text (i3bar skips it).
"""

from glowline.status.formats import shared
from glowline.status.model import Line, RenderOptions

NAME = "glowline"


def block(line: Line, opts: RenderOptions) -> dict[str, object]:
    """The block as a dict, for the watch mode's stream (name/instance come back in click events)."""
    if shared.hidden(line, opts):
        return {"full_text": "", "name": NAME, "instance": line.name}
    full = shared.text(line, opts, opts.short)
    return {
        "full_text": full,
        "short_text": shared.text(line, opts, short=True),
        "color": shared.line_color(line, opts),
        "name": NAME,
        "instance": line.name,
        "markup": "none",
    }


def render(line: Line, opts: RenderOptions) -> str:
    return shared.json_dumps(block(line, opts)) + "\n"
