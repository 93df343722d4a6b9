"""Argparse helpers every subcommand shares: the status options from their one table, number and date types,
the resource list, and which options were given. Subcommands import these, never the CLI."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn

from glowline.catalog import DEFAULT_RESOURCES, RESOURCES
from glowline.errors import ExitStatus, UsageError
from glowline.status import argv


class Parser(argparse.ArgumentParser):
    """argparse with errors that say the one thing wrong, on one line, with the nearest valid word when there is
    one ("unknown command 'repot': did you mean `report`?"), instead of the usage block first."""

    _given: tuple[str, ...] = ()

    def parse_known_args(  # type: ignore[override]  # argparse's overloads; this keeps its behaviour
        self, args: Any = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._given = tuple(args or ())  # what this (sub)parser was asked to parse, for the error's suggestion
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        command = next((w for w in self._given if w in _commands(self)), None)
        where = f"{self.prog} {command}" if command else self.prog
        sys.stderr.write(f"{self.prog}: {explain(self, message)} (see `{where} --help`)\n")
        sys.exit(ExitStatus.USAGE)


def explain(parser: Parser, message: str) -> str:
    """argparse's ``message`` as one line, with a "did you mean" when a word is near a valid one."""
    invalid = re.match(r"argument (\S+): invalid choice: '(.*?)' \(choose from (.*)\)$", message)
    if invalid:
        dest, word, choices = invalid.group(1), invalid.group(2), re.findall(r"'(.*?)'", invalid.group(3))
        before = _word_before(parser._given, word)
        if dest == "COMMAND" and before is not None and before.startswith("-") and (
                before.partition("=")[0] not in parser._option_string_actions):
            return _unknown_option(parser, before)  # `--colour always`: the option is what is wrong, not "always"
        what = "unknown command" if dest == "COMMAND" else f"{dest}: unknown value"
        return f"{what} {word!r}" + (_nearest(word, choices) or f"; choose from {', '.join(choices)}")
    unknown = re.match(r"unrecognized arguments: (.*)$", message)
    if unknown:
        flag = next((w for w in unknown.group(1).split() if w.startswith("-")), None)
        if flag is not None:
            return _unknown_option(parser, flag)
        return f"unexpected argument {unknown.group(1).split()[0]!r}"
    return message.replace("argument ", "", 1) if message.startswith("argument ") else message


def _unknown_option(parser: Parser, given: str) -> str:
    """An option this command line cannot take: the nearest it can, or where the option belongs instead."""
    flag = given.partition("=")[0]
    command = next((w for w in parser._given if w in _commands(parser)), None)
    usable = set(parser._option_string_actions) if command is None else _flags(parser, command)
    if flag in _flags(parser):  # valid elsewhere: e.g. `watch --color` (watch never draws ANSI)
        where = f"`{parser.prog} {command}`" if command else f"`{parser.prog}` without a command"
        return f"option {flag!r} does not apply to {where}"
    return f"unknown option {flag!r}" + _nearest(flag, sorted(usable))


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    return {name for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for name in action.choices}


def subcommand_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's own parser, by name, in --help order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def nearest(word: str, choices: list[str]) -> str:
    """": did you mean `X`?" for the choice nearest ``word``, or ""."""
    return _nearest(word, choices)


def _nearest(word: str, choices: list[str]) -> str:
    import difflib

    bare = {choice.lstrip("-"): choice for choice in choices}  # "--" alone would make every option look near
    close = difflib.get_close_matches(word.lstrip("-"), list(bare), n=1, cutoff=0.6)
    return f": did you mean `{bare[close[0]]}`?" if close else ""


def _flags(parser: argparse.ArgumentParser, command: str | None = None) -> set[str]:
    """Every option string of this parser and its subcommands (or only ``command``'s): a misplaced option is named."""
    flags = set(parser._option_string_actions) if command is None else set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if command is None or name == command:
                    flags |= set(sub._option_string_actions)
    return flags


def _word_before(given: tuple[str, ...], word: str) -> str | None:
    if word in given:
        index = given.index(word)
        return given[index - 1] if index > 0 else None
    return None


def build_parser() -> Parser:
    """The whole command line: the top-level options, the status options, every registered subcommand."""
    from glowline import commands
    from glowline.errors import exit_codes_help

    parser = Parser(
        prog="glowline",
        description="Your smart meter's last days as one sparkline: ▂▃▅▂▇█▆▃▂▄ 103.1 kWh",
        epilog=exit_codes_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", "-V", action="store_true",
                        help="print the version (-v: also Python and the keyring)")
    parser.add_argument("--verbose", "-v", action="count", default=0, help="log to stderr (-vv: debug)")
    add_status_options(parser)  # `glowline --days 7 --format tmux`: the status line's own options
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", help="`glowline COMMAND --help` for its options")
    for name in commands.COMMANDS:
        commands.module(name).add_parser(sub)
    return parser


#: status options that do not apply to a subcommand taking the others: watch draws machine formats only (never
#: ANSI, never a prompt), one row high; --help and completion then list only what applies
NOT_FOR = {"watch": ("color", "prompt_wrap", "rows")}


def add_status_options(parser: argparse.ArgumentParser, prefix_help: str = "",
                       only: tuple[str, ...] | None = None) -> None:
    """The status line's options (glowline.status.argv.OPTIONS), all of them or only the dests in ``only``; never
    those NOT_FOR the subcommand ``parser`` is for."""
    skip = NOT_FOR.get(parser.prog.rsplit(" ", 1)[-1], ())
    for flag, dest, kind, text in argv.OPTIONS:
        if (only is not None and dest not in only) or dest in skip:
            continue
        if kind == "flag":
            parser.add_argument(flag, dest=dest, help=prefix_help + text, default=None, action="store_const",
                                const=True)
        elif isinstance(kind, tuple):
            parser.add_argument(flag, dest=dest, help=prefix_help + text, default=None, choices=kind)
        else:
            parser.add_argument(flag, dest=dest, help=prefix_help + text, default=None, type=_typed(dest, str(kind)))


#: how a value's kind is named in messages ("an int" would be Python's word, not the user's)
_KINDS = {"int": "a whole number", "float": "a number"}

#: the options that say which data a command reads
DATA_OPTIONS = ("days", "resource", "site", "tz")


def _typed(dest: str, kind: str) -> Callable[[str], object]:
    def convert(text: str) -> object:
        value = argv.convert(kind, text)
        if value is None:
            raise argparse.ArgumentTypeError(f"{text!r} is not {_KINDS.get(kind, 'valid')}")
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
            kind = "a whole number" if cast is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind} ({what})") from None
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
