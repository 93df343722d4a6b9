"""Command line: parse, call, print, and map every GlowlineError to one line and a documented exit code.

``glowline [options]`` (the status line) is parsed by glowline.status.argv without argparse and, with a fresh cache,
printed without importing anything heavy. Everything else (subcommands, --help, bad input) goes through argparse,
and each subcommand's module is imported only when it runs.
"""

from __future__ import annotations

import sys
import time

from glowline.status import argv as options

TYPE_CHECKING = False  # typing itself costs ~3 ms at start-up; mypy treats this name as true
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

EXIT_CODES_HELP = """exit codes:
  0  ok (status formats always exit 0, with a degraded line on errors)
  1  internal error          5  API unavailable (network, timeout, 5xx)
  2  usage error             6  API answer malformed or refused
  3  not logged in / login refused   7  site or resource not found
  4  keyring problem         8  config file invalid      9  no data yet
"""


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    args = sys.argv[1:] if argv is None else list(argv)
    values = options.parse_fast(args)
    if values is not None:
        from glowline import config

        conf = config.load_fast()
        if conf is not None:
            return _status(options.Options({**conf, **values}), started)
    return _full(args, started)


def _status(opts: options.Options, started: float) -> int:
    from glowline.status import line as statusline

    try:
        return statusline.run(opts, started)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return _fail(exc, opts.format)


def _fail(exc: BaseException, fmt: str | None = None) -> int:
    """One line on stderr (and a degraded line on stdout for status formats); the documented exit code."""
    from glowline.errors import EXIT_INTERNAL, GlowlineError

    if isinstance(exc, GlowlineError):
        message, code, kind = str(exc), exc.exit_code, exc.kind
    else:
        message, code, kind = f"internal error ({type(exc).__name__}): {exc}", EXIT_INTERNAL, "error"
    if fmt is not None:
        from glowline.status.formats import STATUS_FORMATS

        if fmt in STATUS_FORMATS:
            _degraded(fmt, message, kind)
            return 0
    sys.stderr.write(f"glowline: {message}\n")
    return code


def _degraded(fmt: str, message: str, kind: str) -> None:
    from glowline.status.formats import get
    from glowline.status.line import write
    from glowline.status.model import Line, RenderOptions

    try:
        write(get(fmt).render(Line("", "", "", "", [], time.time(), error=message, error_kind=kind), RenderOptions()))
    except Exception:
        write("glowline: error\n")


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="glowline",
        description="Your smart meter's last days as one sparkline: ▂▃▅▂▇█▆▃▂▄ 103.1 kWh",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--verbose", "-v", action="count", default=0, help="log to stderr (-vv: debug)")
    add_status_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("fetch", help="refresh the cache and print nothing (for cron or a systemd timer)")
    _add_data_options(p)
    p.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--lock-fd", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--password-stdin", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--max-age", type=float, default=None, help="skip re-reading data younger than this (minutes)")

    p = sub.add_parser("login", help="save the account: username in the config, password in the OS keyring")
    p.add_argument("--username", "-u", help="the Bright app account's email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin (for scripts)")
    p.add_argument("--timeout", type=float, default=10.0, help="keyring deadline in seconds (default 10)")

    sub.add_parser("logout", help="remove the password, the token, the username and the cache")

    p = sub.add_parser("demo", help="the real code path against a built-in emulator, with throwaway folders")
    add_status_options(p, prefix_help="demo: ")

    from glowline.commands import watch

    watch.add_parser(sub)

    from glowline.commands import data_commands as commands_data
    from glowline.commands import doctor

    commands_data.add_parser(sub)
    doctor.add_parser(sub)

    p = sub.add_parser("emulator", help="run the Glowmarkt API emulator (prints its URL and demo credentials)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--host", default="127.0.0.1")
    return parser


def add_status_options(parser: argparse.ArgumentParser, prefix_help: str = "") -> None:
    for flag, dest, kind, text in options.OPTIONS:
        kwargs: dict[str, object] = {"dest": dest, "help": prefix_help + text, "default": None}
        if kind == "flag":
            kwargs["action"] = "store_const"
            kwargs["const"] = True
        elif isinstance(kind, tuple):
            kwargs["choices"] = kind
        else:
            kwargs["type"] = _typed(dest, str(kind))
        parser.add_argument(flag, **kwargs)  # type: ignore[arg-type]


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    wanted = {"days", "resource", "site", "tz"}
    for flag, dest, kind, text in options.OPTIONS:
        if dest in wanted:
            extra: dict[str, object] = (
                {"choices": kind} if isinstance(kind, tuple) else {"type": _typed(dest, str(kind))}
            )
            parser.add_argument(flag, dest=dest, default=None, help=text, **extra)  # type: ignore[arg-type]


def _typed(dest: str, kind: str) -> object:
    import argparse

    def convert(text: str) -> object:
        value = options.convert(kind, text)
        if value is None:
            raise argparse.ArgumentTypeError(f"invalid {kind} value: {text!r}")
        problem = options.check(dest, value)
        if problem:
            raise argparse.ArgumentTypeError(f"{text!r} {problem}")
        return value

    convert.__name__ = kind
    return convert


def number_type(cast: type[int] | type[float], low: float, high: float, what: str) -> Callable[[str], object]:
    """An argparse ``type=``: ``cast(text)`` within [low, high], else one clear usage error naming ``what``."""
    import argparse

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


def given_options(ns: argparse.Namespace) -> dict[str, object]:
    """Only the options given on the command line (argparse defaults are None), so the config can fill the rest."""
    return {dest: getattr(ns, dest) for _, dest, _, _ in options.OPTIONS if getattr(ns, dest, None) is not None}


def _full(args: list[str], started: float) -> int:
    parser = build_parser()
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:  # argparse printed its one-line usage error (exit 2) or the help (exit 0)
        return int(exc.code or 0)
    if ns.version:
        from glowline import __version__

        print(f"glowline {__version__}")
        return 0
    _logging(ns.verbose)
    if ns.command == "doctor":  # a broken config is one of the doctor's lines, not a CLI error
        from glowline.commands import doctor

        return doctor.run(ns, None)
    fmt = (ns.format or "plain") if ns.command is None else None  # for a config error: the config can't say
    try:
        from glowline import config

        conf = config.load()
        if ns.command is None:
            opts = options.Options({**conf, **given_options(ns)})
            return _status(opts, started)
        return _command(ns, conf, started)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if ns.verbose >= 2:
            import traceback

            traceback.print_exc()
        return _fail(exc, fmt)


def _logging(verbose: int) -> None:
    if verbose:
        import logging

        logging.basicConfig(
            level=logging.DEBUG if verbose >= 2 else logging.INFO, format="glowline: %(name)s: %(message)s"
        )


def _command(ns: argparse.Namespace, conf: dict[str, object], started: float) -> int:
    if ns.command in ("report", "tariff", "export"):
        from glowline.commands import data_commands as commands_data

        return commands_data.run(ns, conf)
    if ns.command == "fetch":
        return _fetch(ns, conf)
    if ns.command == "watch":
        from glowline.commands import watch

        return watch.run(ns, conf)
    if ns.command == "login":
        from glowline.commands import login
        from glowline.data import sync as refresh

        return login.login(ns.username, ns.password_stdin, refresh.api_url(conf), timeout=ns.timeout)
    if ns.command == "logout":
        from glowline.commands import login

        return login.logout()
    if ns.command == "demo":
        from glowline.commands import demo

        return demo.run(options.Options({**conf, **given_options(ns)}))
    if ns.command == "emulator":
        from glowline.emulator.cli import run as run_emulator

        return run_emulator(["--port", str(ns.port), "--host", ns.host])
    raise AssertionError(ns.command)


def _fetch(ns: argparse.Namespace, conf: dict[str, object]) -> int:
    import os

    from glowline.data import sync as refresh
    from glowline.status import days as summary
    from glowline.status import spawn as background

    opts = options.Options({**conf, **given_options(ns)})
    password = sys.stdin.readline().rstrip("\n") if ns.password_stdin else None
    lock_fd = ns.lock_fd
    if lock_fd is None:
        lock_fd = background.lock_blocking(summary.lock_path(opts.site, opts.classifier), time.monotonic() + 120)
    try:
        max_age = None if ns.max_age is None else ns.max_age * 60
        refresh.refresh(opts.site, opts.classifier, opts.days, opts.tz, password=password, max_age=max_age)
    finally:
        if lock_fd is not None:
            os.close(lock_fd)
    return 0
