"""--format i3bar: one i3bar/swaybar block object; `glowline watch --format i3bar` wraps blocks in the stream.

{"full_text", "short_text", "color", "name": "glowline", "instance": <--resource name>, "markup": "none"}; the colour
is the total's level, the stale colour for old data, red without data. Hide form: empty full_text (i3bar skips it).
"""

from glowline.status import formats
from glowline.status.model import Line, RenderOptions

NAME = "glowline"


def block(line: Line, opts: RenderOptions) -> dict[str, object]:
    """The block as a dict, for the watch mode's stream (name/instance come back in click events)."""
    if formats.hidden(line, opts):
        return {"full_text": "", "name": NAME, "instance": line.name}
    full = formats.text(line, opts, opts.short)
    return {
        "full_text": full,
        "short_text": formats.text(line, opts, short=True),
        "color": formats.line_color(line, opts),
        "name": NAME,
        "instance": line.name,
        "markup": "none",
    }


def render(line: Line, opts: RenderOptions) -> str:
    return formats.json_dumps(block(line, opts)) + "\n"
