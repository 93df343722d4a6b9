"""`glowline watch`: one persistent process streaming the status line to i3bar, i3blocks, Waybar or Polybar.

A thin command: it parses the status options, --format (the streaming hosts) and --interval, and runs the loop of
glowline.streaming.loop (its clicks read by glowline.streaming.clicks). SIGTERM, SIGINT and a closed stdout end it
with exit 0.
"""

from __future__ import annotations

from glowline.streaming.loop import DEFAULT_INTERVAL, Stop, Watcher

TYPE_CHECKING = False  # typing costs an import; mypy treats this name as true
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The status-line options, with --format limited to the streaming hosts, and --interval."""
    from glowline.catalog import WATCH_FORMATS
    from glowline.commands.options import add_status_options, number_type

    add_status_options(parser)
    parser.add_argument("--format", dest="format", choices=WATCH_FORMATS, required=True,
                        help="the host's streaming form: " + ", ".join(WATCH_FORMATS))
    parser.add_argument("--interval", dest="interval", type=number_type(float, 1, 86400, "interval"), default=None,
                        help=f"seconds between updates (default {DEFAULT_INTERVAL:g}); cache changes show at once")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the `watch` subcommand to glowline's argparse subparsers."""
    parser = subparsers.add_parser(
        "watch",
        help="a persistent process for i3bar/swaybar, i3blocks (persist), Waybar (continuous), Polybar (tail)",
        description="Stream the status line: one flushed line per update. Left click or SIGUSR1 refreshes now, "
        "right click shows the next resource. Exits 0 on SIGTERM, SIGINT or a closed stdout.",
        conflict_handler="resolve",  # our --format (streaming hosts only) replaces the status options' one
    )
    add_arguments(parser)
    return parser


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    """Run the watch loop with the command line ``args`` over the config ``conf``; returns the exit status (0)."""
    from glowline.commands.options import given_options

    values = {**conf, **given_options(args)}
    values["format"] = args.format
    from glowline.data import live

    settings = live.settings(conf)
    if settings is not None:  # live configured: the feed subscribes itself and shows the live power (stale marked)
        values["live_show"] = True
    table = conf.get("live")
    if values.get("live_show") is True or (isinstance(table, dict) and table.get("show") is True):
        values["live_stale"] = values.get("live_stale") or "show"
    interval = args.interval if args.interval is not None else DEFAULT_INTERVAL
    watcher = Watcher(values, interval, live=settings, conf=conf)
    try:
        watcher.loop()
    except (Stop, KeyboardInterrupt):
        pass
    finally:
        watcher.close()
    return 0
