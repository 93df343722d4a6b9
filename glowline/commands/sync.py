"""``glowline sync``: backfill the meter's half-hours into the SQLite history (glowline.data.history), politely.

One request at a time, PT30M windows within the span limit, from each resource's first reading (or ``--since``);
a progress bar on a terminal; resumable after Ctrl-C, a crash or a full disk; a second run asks only for what is
new. One sync writes at a time (a lock file beside the database); readers are never blocked (WAL).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from typing import Any

from glowline.catalog import RESOURCES
from glowline.commands.fetch import resources_type
from glowline.commands.options import add_status_options, status_options
from glowline.errors import EXIT_OK, GlowlineError, NoDataYet, StorageError, UsageError


def since_type(text: str) -> date | str:
    """``--since``: YYYY-MM-DD (a local day in --tz) or ``first`` (the resource's first reading)."""
    if text.strip() == "first":
        return "first"
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD) or first: {text!r}") from None


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "sync", help="backfill the meter's half-hours into the history (SQLite), resumable",
        description="Fetch every half-hour since the first reading (or --since) into "
                    "$XDG_DATA_HOME/glowline/history.sqlite; a second run fetches only what is new.")
    add_status_options(p, only=("site", "tz"))
    p.add_argument("--since", type=since_type, default=None, metavar="YYYY-MM-DD|first",
                   help="from this local day, or first: the resource's first reading (default: continue what "
                        "an earlier sync was asked for, or first when none was; what refreshes stored is kept)")
    p.add_argument("--resource", dest="resources", type=resources_type, default=["all"],
                   metavar="NAME[,NAME...]|all",
                   help=f"what to sync: {', '.join(RESOURCES)}, several comma-separated, or all (the default)")


def run(args: argparse.Namespace, conf: dict[str, object], now: float | None = None) -> int:
    from glowline import paths
    from glowline.data import account, history
    from glowline.data.export import Progress
    from glowline.data.readings import day_start, zone
    from glowline.data.store.sqlite import HistoryStore
    from glowline.status import spawn

    now = time.time() if now is None else now
    opts = status_options(args, conf)
    tz = zone(opts.tz)
    since = None if args.since is None else history.FIRST if args.since == "first" else day_start(args.since, tz)
    if since is not None and since > now:
        raise UsageError(f"--since {args.since.isoformat()} is in the future")
    store = HistoryStore().open()
    lock = spawn.try_lock(os.path.join(paths.data_dir(), "history.lock"))
    if lock is None:
        store.close()
        raise StorageError("another glowline sync is writing the history now; try again when it has finished")
    try:
        with account.open_session(None, conf) as session:
            site = account.pick_site(session.sites(), opts.site, opts.classifier) if args.resources != ["all"] \
                else _site_with_any(session.sites(), opts.site)
            names = _names(args.resources, site)
            plans = []
            for n in list(names):
                try:
                    plans.append(history.plan(session, store, site, RESOURCES[n], since, now, conf))
                except NoDataYet as exc:  # a meter with no reading yet: said, and the others go on
                    sys.stderr.write(f"glowline: {n}: {exc}\n")
                    names.remove(n)
            for n in names:
                history.keep_tariffs(session, store, site, RESOURCES[n], now)
            bar = Progress(sum(p.requests for p in plans))
            code = EXIT_OK
            stored = 0
            try:
                for name, p in zip(names, plans, strict=True):
                    try:
                        stored += history.run(session, store, p, bar)
                    except StorageError:
                        raise  # the disk: every other resource would fail the same way
                    except GlowlineError as exc:  # one resource failing does not stop the others
                        sys.stderr.write(f"glowline: {name}: {exc}\n")
                        code = code or exc.exit_code
            finally:
                bar.finish()
            if sys.stderr.isatty():
                sys.stderr.write(f"synced {', '.join(names)}: {stored} half-hours added in {bar.done} requests "
                                 f"to {store.path}\n")
            return code
    finally:
        os.close(lock)
        store.close()


def _site_with_any(sites: list[Any], wanted: str) -> Any:
    from glowline.data import account

    for classifier in RESOURCES.values():
        try:
            return account.pick_site(sites, wanted, classifier)
        except GlowlineError:
            continue
    raise UsageError("no site in this account has any of glowline's resources")


def _names(resources: list[str], site: Any) -> list[str]:
    have = {r.classifier for r in site.resources}
    if resources == ["all"]:
        names = [n for n, c in RESOURCES.items() if c in have]
        if not names:
            raise UsageError(f"site {site.name!r} has none of glowline's resources")
        return names
    missing = [n for n in resources if RESOURCES[n] not in have]
    if missing:
        raise UsageError(f"site {site.name!r} has no {', '.join(missing)} resource")
    return resources
