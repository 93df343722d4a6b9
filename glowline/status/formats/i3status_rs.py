"""--format i3status-rs: one JSON object for i3status-rust's ``custom`` block with ``json = true``.

{"icon", "state", "text", "short_text"}: ``state`` is one of i3status-rust's widget states, from the line's state:
Good (low), Idle (normal, or a partial day), Warning (high), Info (stale: old data or a failed refresh shown with
its age), Critical (nothing to draw). ``icon`` is the name of an icon of i3status-rust's own icon set: "" (none) unless
``[icons] i3status_rs`` names one; glowline's own {icon} goes in the text through a template. text and short_text
are the line (or the template) as plain text: i3status-rust escapes them itself unless the block sets markup.
Hide form (--on-error hide, nothing to draw): an empty text, which `hide_when_empty = true` hides.
"""

from glowline.status import formats
from glowline.status.model import HIGH, LOW, Line, RenderOptions

#: i3status-rust's State enum (src/widget.rs): what a custom block's "state" may be
STATES = ("Idle", "Info", "Good", "Warning", "Critical")


def state(line: Line) -> str:
    if not line.has_data:
        return "Critical"
    if line.stale or line.error:
        return "Info"
    return {LOW: "Good", HIGH: "Warning"}.get(line.level, "Idle")


def render(line: Line, opts: RenderOptions) -> str:
    icon = opts.icons.get("i3status_rs", "")
    if formats.hidden(line, opts):
        return formats.json_dumps({"icon": icon, "state": "Idle", "text": "", "short_text": ""}) + "\n"
    document = {
        "icon": icon,
        "state": state(line),
        "text": formats.text(line, opts, opts.short),
        "short_text": formats.text(line, opts, short=True),
    }
    return formats.json_dumps(document) + "\n"
