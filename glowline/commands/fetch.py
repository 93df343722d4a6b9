"""``glowline fetch``: refresh the store and the days file, print nothing (cron, systemd timers, and the detached
refresher a stale status line starts). glowline.cli routes ``fetch`` here before building the rest of the CLI:
``main`` parses fetch's few options alone, and nothing here imports doctor, report, export or rich."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from glowline.commands.options import DATA_OPTIONS, add_status_options, number_type, status_options
from glowline.errors import EXIT_OK
from glowline.status import layout, spawn

#: seconds a foreground fetch waits for a refresh another process is running
LOCK_WAIT = 120.0


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("fetch", help="refresh the cache and print nothing (for cron or a systemd timer)")
    add_arguments(p)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_status_options(p, only=DATA_OPTIONS)
    p.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--lock-fd", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--password-stdin", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--done-fd", type=int, default=None, help=argparse.SUPPRESS)  # closed once the result is written
    p.add_argument("--max-age", type=number_type(float, 0, 10080, "minutes"), default=None,
                   help="skip re-reading data younger than this (minutes)")


def main(args: list[str]) -> int:
    """``glowline fetch ARGS`` without the rest of the CLI; errors propagate to glowline.cli's one handler."""
    parser = argparse.ArgumentParser(prog="glowline fetch", description="Refresh the cache and print nothing.")
    add_arguments(parser)
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:  # argparse printed its usage error (exit 2) or the help (exit 0)
        return int(exc.code or 0)
    from glowline import config
    from glowline.status import settings

    conf = settings.load_fast()
    return run(ns, config.load() if conf is None else conf)


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    from glowline.data.sync import refresh

    opts = status_options(args, conf)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    lock_fd = args.lock_fd
    if lock_fd is None:
        lock_fd = spawn.lock_blocking(layout.lock_path(opts.site, opts.classifier), time.monotonic() + LOCK_WAIT)
    try:
        max_age = None if args.max_age is None else args.max_age * 60
        refresh(opts.site, opts.classifier, opts.days, opts.tz, password=password, max_age=max_age)
    finally:
        for fd in (args.done_fd, lock_fd):  # the waiting status line may read the result now
            if fd is not None:
                os.close(fd)
    return EXIT_OK
