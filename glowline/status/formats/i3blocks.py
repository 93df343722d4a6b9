"""--format i3blocks: three lines (full_text, short_text, color), or one JSON object when i3blocks has set the block
property format=json (it exports block properties as environment variables). Hide form: an empty full_text.
"""

import os

from glowline.status import formats
from glowline.status.model import Line, RenderOptions


def wants_json() -> bool:
    """True when the block has `format=json` in i3blocks.conf (i3blocks 1.5 exports it as $format; with 1.4, which
    does not, the command sets it itself: `command=format=json glowline --format i3blocks`)."""
    return os.environ.get("format") == "json"  # noqa: SIM112 (i3blocks uses the property name as is)


#: what i3blocks 1.5 exports besides the legacy BLOCK_* names: every property of the block, these among them
_BLOCK_PROPERTIES = ("interval", "command", "name")


def legacy_i3blocks() -> bool:
    """True under i3blocks 1.4 (Debian 12's): it exports only BLOCK_NAME, BLOCK_INSTANCE, BLOCK_BUTTON, BLOCK_X and
    BLOCK_Y, never the block's own properties, which 1.5 exports (status-hosts.md section 7)."""
    return "BLOCK_NAME" in os.environ and not any(name in os.environ for name in _BLOCK_PROPERTIES)


def stdin_is_ours() -> bool:
    """Whether a persistent process may read its stdin for clicks. Under i3blocks 1.4 a persistent block inherits
    i3blocks' own stdin, which carries i3bar's click events for every block: reading it steals other blocks' clicks.
    i3blocks 1.5 gives a persistent block a stdin of its own, with only its clicks; every other host likewise."""
    return not legacy_i3blocks()


def render(line: Line, opts: RenderOptions) -> str:
    as_json = wants_json()
    if formats.hidden(line, opts):
        return '{"full_text":""}\n' if as_json else "\n"
    full = formats.text(line, opts, opts.short)
    short = formats.text(line, opts, short=True)
    colour = formats.line_color(line, opts)
    if as_json:
        return formats.json_dumps({"full_text": full, "short_text": short, "color": colour}) + "\n"
    return f"{full}\n{short}\n{colour}\n"
