"""The output formats, one small module each; ``get`` imports only the chosen one (status-line path)."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy still reads the block below
if TYPE_CHECKING:
    from types import ModuleType

#: Every --format name; glowline/formats/<name>.py has ``render(line: Line, opts: RenderOptions) -> str``.
FORMATS = (
    "plain",
    "ansi",
    "json",
    "tmux",
    "i3blocks",
    "i3bar",
    "waybar",
    "polybar",
    "xbar",
    "conky",
    "prompt",
    "motd",
)
#: Formats embedded in a host: always exit 0 and print a degraded line (or the host's hide form) on any error.
STATUS_FORMATS = ("tmux", "i3blocks", "i3bar", "waybar", "polybar", "xbar", "conky", "prompt", "motd")
#: Formats `glowline watch` can stream, one flushed line per update.
WATCH_FORMATS = ("i3bar", "i3blocks", "waybar", "polybar")


def get(name: str) -> ModuleType:
    """The format module for ``name``; raises UsageError for an unknown name."""
    if name not in FORMATS:
        from glowline.errors import UsageError

        raise UsageError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    module_name = f"glowline.status.formats.{name}"
    __import__(module_name)
    return sys.modules[module_name]
