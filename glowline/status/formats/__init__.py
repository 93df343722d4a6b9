"""The output formats, one small module each (a function from Line and RenderOptions to text); ``get`` imports
only the chosen one. A new format is one new file here and its name in glowline.catalog.FORMATS."""

import sys

from glowline.catalog import FORMATS, STATUS_FORMATS, WATCH_FORMATS

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy still reads the block below
if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["FORMATS", "STATUS_FORMATS", "WATCH_FORMATS", "get"]


def get(name: str) -> "ModuleType":
    """The format module for ``name``; raises UsageError for an unknown name."""
    if name not in FORMATS:
        from glowline.errors import UsageError

        raise UsageError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    module_name = f"glowline.status.formats.{name.replace('-', '_')}"  # i3status-rs: i3status_rs.py
    __import__(module_name)
    return sys.modules[module_name]
