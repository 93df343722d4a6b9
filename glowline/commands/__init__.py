"""The subcommands, one module each with ``add_parser(subparsers)`` and ``run(args, conf) -> int``.

``COMMANDS`` is the registry: a new subcommand is one new module here and one line in it. glowline.cli builds
argparse from it and imports a command's module only when that command runs (or --help lists them all).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # the fast route imports this package (for the hand-over): no typing, importlib or types
if TYPE_CHECKING:
    from types import ModuleType

#: every subcommand, in --help order
COMMANDS = ("fetch", "sync", "login", "logout", "report", "export", "tariff", "watch", "live", "doctor", "demo",
            "emulator", "config", "completion", "help")
#: commands that read the config file themselves (a broken config is one of doctor's lines, not a CLI error)
LOADS_OWN_CONFIG = ("doctor", "config", "completion", "help")


def module(name: str) -> ModuleType:
    """The module of the subcommand ``name``."""
    if name not in COMMANDS:
        raise KeyError(name)
    module_name = f"glowline.commands.{name}"
    __import__(module_name)
    return sys.modules[module_name]
