"""`glowline help [COMMAND]`: the help of glowline or of one command, as gh and cargo have it (the same text as
`glowline [COMMAND] --help`); an unknown command is one line with the nearest one. `--man` prints the man page
(glowline.manpage)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("help", help="the help of glowline, or of one command (`glowline help report`)")
    p.add_argument("topic", nargs="?", metavar="COMMAND", help="the command to explain (default: glowline itself)")
    p.add_argument("--man", action="store_true", help="print the man page, glowline(1), in roff (it is installed "
                   "as share/man/man1/glowline.1: `man glowline`)")


def run(args: argparse.Namespace, conf: dict[str, object] | None) -> int:
    from glowline.commands.options import build_parser, subcommand_parsers

    parser = build_parser()
    if args.man:
        from glowline import __version__
        from glowline.manpage import render

        sys.stdout.write(render(parser, __version__))
        return 0
    topic = args.topic
    if topic is None:
        sys.stdout.write(parser.format_help())
        return 0
    found = subcommand_parsers(parser)
    if topic not in found:
        from glowline.commands.options import nearest
        from glowline.errors import UsageError

        raise UsageError(f"no command {topic!r}" + (nearest(topic, sorted(found)) or
                                                     f"; the commands: {', '.join(found)}"))
    sys.stdout.write(found[topic].format_help())
    return 0
