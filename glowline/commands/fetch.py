"""``glowline fetch``: refresh the store and the days files of one, several or all resources, print nothing (cron,
systemd timers, and the detached refresher a stale status line starts). glowline.cli routes ``fetch`` here before
building the rest of the CLI: ``main`` parses fetch's few options alone, and nothing here imports doctor, report,
export or rich."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from glowline import paths
from glowline.catalog import RESOURCES
from glowline.commands.options import add_status_options, number_type, status_options
from glowline.errors import EXIT_OK, GlowlineError, UsageError
from glowline.status import spawn

#: seconds a foreground fetch waits for a refresh another process is running
LOCK_WAIT = 120.0
#: the most one resource's refresh may take, all requests together (a cold year is 13 readings requests): past
#: it the refresh records why, releases the lock and ends, so a hung or dripping API never holds the lock for long
REFRESH_DEADLINE = 120


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("fetch", help="refresh the cache and print nothing (for cron or a systemd timer)")
    add_arguments(p)


def resources_type(text: str) -> list[str]:
    """``--resource``: one name, a comma-separated list, or ``all`` (every resource the site has)."""
    if text.strip() == "all":
        return ["all"]
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in RESOURCES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown resource {', '.join(unknown) or text!r}: use "
                                         f"{', '.join(RESOURCES)}, a comma-separated list of them, or all")
    return list(dict.fromkeys(names))


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_status_options(p, only=("days", "site", "tz"))
    p.add_argument("--resource", dest="resources", type=resources_type, default=None, metavar="NAME[,NAME...]|all",
                   help=f"what to fetch: {', '.join(RESOURCES)}, several comma-separated, or all (default "
                        "electricity, or the config's resource)")
    p.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--lock-fd", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--password-stdin", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--done-fd", type=int, default=None, help=argparse.SUPPRESS)  # closed once the result is written
    p.add_argument("--max-age", type=number_type(float, 0, 10080, "minutes"), default=None,
                   help="skip re-reading data younger than this (minutes)")
    p.add_argument("--verbose", "-v", action="count", default=argparse.SUPPRESS,
                   help="say on stderr what the fetch did, or why it asked nothing (-vv: debug)")
    p.add_argument("--now", action="store_true",
                   help="fetch now, not when the half-hour clock says new data is due (still at most once per 5 "
                        "minutes: Glowmarkt asks clients not to poll more often)")


def main(args: list[str]) -> int:
    """``glowline fetch ARGS`` without the rest of the CLI; errors propagate to glowline.cli's one handler."""
    from glowline.commands.options import Parser

    parser = Parser(prog="glowline fetch")  # the same help as `glowline help fetch`
    add_arguments(parser)
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:  # argparse printed its usage error (exit 2) or the help (exit 0)
        return int(exc.code or 0)
    from glowline import config
    from glowline.status import settings

    verbose = int(getattr(ns, "verbose", 0) or 0)
    if verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG if verbose >= 2 else logging.INFO,
                            format="glowline: %(name)s: %(message)s")
    conf = settings.load_fast()
    return run(ns, config.load() if conf is None else conf)


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    from glowline.data.credentials import password_line

    password = password_line(sys.stdin) if args.password_stdin else None
    try:
        names = _names(args, conf, password)
        if len(names) == 1:
            return _fetch_one(args, conf, names[0], password, args.lock_fd)
        code = EXIT_OK
        for name in names:  # each under its own lock; one failing resource does not stop the others
            try:
                _fetch_one(args, conf, name, password, None)
            except GlowlineError as exc:
                sys.stderr.write(f"glowline: {name}: {exc}\n")
                code = code or exc.exit_code
        return code
    finally:
        if args.done_fd is not None:  # the waiting status line may read the result now
            os.close(args.done_fd)


def _names(args: argparse.Namespace, conf: dict[str, object], password: str | None) -> list[str]:
    if args.resources is None:
        return [str(status_options(args, conf).resource)]
    if args.resources != ["all"]:
        return list(args.resources)
    from glowline.data import account

    opts = status_options(args, conf)
    with account.open_session(password, conf) as session:
        site = account.pick_site(session.sites(), opts.site, opts.classifier)
    found = [name for name, classifier in RESOURCES.items() if any(r.classifier == classifier for r in site.resources)]
    if not found:
        raise UsageError(f"site {site.name!r} has none of glowline's resources")
    return found


def _fetch_one(args: argparse.Namespace, conf: dict[str, object], name: str, password: str | None,
               lock_fd: int | None) -> int:
    from glowline.data import refresher
    from glowline.data.sync import refresh

    opts = status_options(args, conf, resource=name)
    if lock_fd is None and not args.background:  # a person, cron or a timer: the same clock as the status line
        why_not = not_due(opts, bool(getattr(args, "now", False)), time.time())
        if why_not is not None:
            if getattr(args, "verbose", 0) or (getattr(args, "now", False) and _is_tty(sys.stderr)):
                later = "" if getattr(args, "now", False) else " (--now fetches anyway, at most once per 5 minutes)"
                sys.stderr.write(f"glowline: {name}: nothing fetched: {why_not}{later}\n")
            return EXIT_OK
    if lock_fd is None:
        lock_fd = spawn.lock_blocking(paths.lock_path(opts.site, opts.classifier), time.monotonic() + LOCK_WAIT)
        why_not = not_due(opts, bool(getattr(args, "now", False)), time.time())
        if why_not is not None:  # another process fetched while this one waited for the lock
            if lock_fd is not None:
                os.close(lock_fd)
            return EXIT_OK
    before = refresher.shown_state(opts)
    try:
        max_age = None if args.max_age is None else args.max_age * 60
        with _Deadline(REFRESH_DEADLINE):
            refresh(opts.site, opts.classifier, opts.days, opts.tz, password=password, max_age=max_age)
    finally:
        if lock_fd is not None:
            os.close(lock_fd)
        refresher.after_refresh(conf, opts, before)
    return EXIT_OK


def not_due(opts: Any, now_asked: bool, now: float) -> str | None:
    """Why a fetch of ``opts`` would ask the API for nothing new (the status line's polite clock,
    glowline.status.policy), or None when it should ask. ``now_asked`` (--now) skips the clock but not the floor:
    at most one fetch per MIN_INTERVAL. A failed attempt does not hold the next one back (a person retrying after an
    outage means it); it never moves the clock either, so a timer retries once per run until the API answers."""
    from glowline import paths
    from glowline.files import check_private_folder
    from glowline.status import days as days_file
    from glowline.status import policy

    check_private_folder(paths.cache_dir())  # a folder others can write to is refused, due or not
    summ = days_file.read(paths.days_path(opts.site, opts.classifier, opts.tz))
    if summ is None or policy.usable(summ, opts.days, now) is None:
        return None  # nothing cached for these days yet: due
    since = now - summ.fetched_at
    if 0 <= since < policy.MIN_INTERVAL:
        return f"fetched {since / 60:.0f} min ago; at most one fetch per {policy.MIN_INTERVAL / 60:.0f} minutes"
    if now_asked:
        return None
    if not policy.refresh_due(summ.fetched_at, now, opts.max_age):
        return "nothing new is due before the next half-hour"
    return None


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class _Deadline:
    """SIGALRM after ``seconds``: the refresh under way is interrupted with an APIUnavailable, which
    glowline.data.sync records like any other failure."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.previous: Any = None

    def __enter__(self) -> None:
        import signal

        if hasattr(signal, "SIGALRM"):
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            signal.alarm(self.seconds)

    def _expired(self, signum: int, frame: object) -> None:
        from glowline.errors import APIUnavailable

        raise APIUnavailable(f"the refresh took longer than {self.seconds} s; it stopped and will be tried again")

    def __exit__(self, *exc: object) -> None:
        import signal

        if hasattr(signal, "SIGALRM"):
            signal.alarm(0)
            signal.signal(signal.SIGALRM, self.previous)

