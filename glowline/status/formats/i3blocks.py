"""--format i3blocks: three lines (full_text, short_text, color), or one JSON object when i3blocks has set the block
property format=json (it exports block properties as environment variables). Hide form: an empty full_text.
"""

from __future__ import annotations

import os

from glowline.status.formats import shared
from glowline.status.model import Line, RenderOptions


def wants_json() -> bool:
    """True when the block has `format=json` in i3blocks.conf (i3blocks exports it as $format)."""
    return os.environ.get("format") == "json"  # noqa: SIM112 (i3blocks uses the property name as is)


def render(line: Line, opts: RenderOptions) -> str:
    as_json = wants_json()
    if shared.hidden(line, opts):
        return '{"full_text":""}\n' if as_json else "\n"
    full = shared.text(line, opts, opts.short)
    short = shared.text(line, opts, short=True)
    colour = shared.line_color(line, opts)
    if as_json:
        return shared.json_dumps({"full_text": full, "short_text": short, "color": colour}) + "\n"
    return f"{full}\n{short}\n{colour}\n"
