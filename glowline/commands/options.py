"""Argparse helpers every subcommand shares: the status options from their one table, number and date types,
the resource list, and which options were given. Subcommands import these, never the CLI."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from glowline.catalog import DEFAULT_RESOURCES, RESOURCES
from glowline.errors import UsageError
from glowline.status import argv


def add_status_options(parser: argparse.ArgumentParser, prefix_help: str = "",
                       only: tuple[str, ...] | None = None) -> None:
    """The status line's options (glowline.status.argv.OPTIONS), all of them or only the dests in ``only``."""
    for flag, dest, kind, text in argv.OPTIONS:
        if only is not None and dest not in only:
            continue
        if kind == "flag":
            parser.add_argument(flag, dest=dest, help=prefix_help + text, default=None, action="store_const",
                                const=True)
        elif isinstance(kind, tuple):
            parser.add_argument(flag, dest=dest, help=prefix_help + text, default=None, choices=kind)
        else:
            parser.add_argument(flag, dest=dest, help=prefix_help + text, default=None, type=_typed(dest, str(kind)))


#: the options that say which data a command reads
DATA_OPTIONS = ("days", "resource", "site", "tz")


def _typed(dest: str, kind: str) -> Callable[[str], object]:
    def convert(text: str) -> object:
        value = argv.convert(kind, text)
        if value is None:
            raise argparse.ArgumentTypeError(f"invalid {kind} value: {text!r}")
        problem = argv.check(dest, value)
        if problem:
            raise argparse.ArgumentTypeError(f"{text!r} {problem}")
        return value

    convert.__name__ = kind
    return convert


def number_type(cast: type[int] | type[float], low: float, high: float, what: str) -> Callable[[str], object]:
    """An argparse ``type=``: ``cast(text)`` within [low, high], else one clear usage error naming ``what``."""

    def convert(text: str) -> object:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {what}: {text!r}") from None
        if not low <= value <= high:  # also refuses NaN
            kind = "a whole number" if cast is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r}: {what} must be {kind} from {low:g} to {high:g}")
        return value

    convert.__name__ = what
    return convert


def date_type(text: str) -> date:
    """An argparse ``type=`` for YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: use YYYY-MM-DD") from None


def given_options(ns: argparse.Namespace) -> dict[str, object]:
    """Only the status options given on the command line (their defaults are None), so the config fills the rest."""
    return {dest: getattr(ns, dest) for _, dest, _, _ in argv.OPTIONS if getattr(ns, dest, None) is not None}


def status_options(ns: argparse.Namespace, conf: dict[str, object], **overrides: object) -> argv.Options:
    """Defaults, then the config, then the command line, then ``overrides``."""
    return argv.Options({**conf, **given_options(ns), **overrides})


def add_resources_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--resource", action="append", default=None, metavar="NAME",
                        help=f"repeatable or comma-separated: {', '.join(RESOURCES)} "
                             f"(default {','.join(DEFAULT_RESOURCES)})")


def resource_names(given: list[str] | None) -> tuple[list[str], bool]:
    """The resource names asked for (``--resource`` repeated or comma-separated) and whether they were explicit."""
    if not given:
        return list(DEFAULT_RESOURCES), False
    names: list[str] = []
    for item in given:
        for name in item.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in RESOURCES:
                raise UsageError(f"unknown resource {name!r}: use {', '.join(RESOURCES)}")
            if name not in names:
                names.append(name)
    if not names:
        raise UsageError("--resource needs at least one name")
    return names, True
