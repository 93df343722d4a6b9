"""``glowline [options]``: the status line when argparse parsed it (the fast route in glowline.cli needs no
argparse), and ``rebuild``, the hand-over that serves a missing days file from the store.

Imported by the fast route for ``rebuild``, so its module level stays as light as glowline.status.
"""

from __future__ import annotations

import time

from glowline.status import line

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy treats this name as true
if TYPE_CHECKING:
    import argparse

    from glowline.status.argv import Options
    from glowline.status.days import Summary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The status options, on the top-level parser (``glowline --days 7 --format tmux``)."""
    from glowline.commands.options import add_status_options

    add_status_options(parser)


def run(args: argparse.Namespace, conf: dict[str, object], started: float | None = None) -> int:
    from glowline.commands.options import status_options

    opts = status_options(args, conf)
    return line.run(opts, time.monotonic() if started is None else started, rebuild=rebuild)


def rebuild(opts: Options, now: float) -> Summary | None:
    """The status line's one route off the fast path: no days file for this zone (another --tz, a lost or older
    file), so re-project the stored series (json, datetime, zoneinfo; never requests, never the network)."""
    from glowline.data.days import rebuild as from_store

    return from_store(opts, now)
