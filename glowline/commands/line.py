"""``glowline [options]`` through argparse: the status line when the fast route in glowline.cli could not take it
(a bad value to report, a config to compile), with the same hand-over to the store (glowline.data.days.rebuild)."""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The status options, on the top-level parser (``glowline --days 7 --format tmux``)."""
    from glowline.commands.options import add_status_options

    add_status_options(parser)


def run(args: argparse.Namespace, conf: dict[str, object], started: float | None = None) -> int:
    from glowline.commands.options import status_options
    from glowline.data.days import rebuild
    from glowline.status import line

    opts = status_options(args, conf)
    verbose = int(getattr(args, "verbose", 0) or 0)
    return line.run(opts, time.monotonic() if started is None else started, rebuild=rebuild, verbose=verbose)
