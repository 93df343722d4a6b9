"""The entry point: route ``glowline ...`` to the status line's fast path, to ``fetch``, or to argparse built from
the commands registry; ``main`` maps any exception to one line and a documented exit code (glowline.errors).

``glowline [options]`` (the status line) is parsed by glowline.status.argv without argparse and, with a fresh days
file and a compiled config, printed importing nothing beyond glowline.status. ``glowline fetch`` (and so every
background refresh) parses its own few options without building the rest of the CLI. Everything else goes
through argparse, and a subcommand's module is imported only when it runs (or --help lists it).
"""

import os
import sys
import time

from glowline import EXIT_OK, ExitStatus
from glowline.status import argv, settings

TYPE_CHECKING = False  # typing itself costs ~3 ms at start-up; mypy treats this name as true
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import NoReturn

    from glowline.status.days import Summary


def main(argv_: list[str] | None = None) -> int:
    """Run glowline with ``argv_`` (default sys.argv[1:]); never raises, returns the exit code."""
    started = time.monotonic()
    _standard_streams()
    args = sys.argv[1:] if argv_ is None else list(argv_)
    fmt: str | None = None
    values = argv.parse_fast(args)
    problem = not_text(args)
    if problem is not None:  # before anything encodes it (a URL, a cache key, a header): one line, exit 2
        from glowline.errors import UsageError

        if values is not None:  # a status line: its format (from argv or the config) gets its degraded line
            given = values.get("format") or (settings.load_fast() or {}).get("format")
            fmt = str(given) if given else None
        return _finish_output(_fail(UsageError(problem), fmt), fmt)
    conf = settings.load_fast() if values is not None else None
    if values is not None and conf is not None:  # the fast route: no argparse, no tomllib
        opts = argv.Options({**conf, **values})
        opts.given = tuple(values)
        fmt = opts.format
        code = _guarded(lambda: _status(opts, started), fmt, on_error=opts.on_error)
    elif args[:1] == ["fetch"]:  # the refresher's route: fetch's own options, nothing else of the CLI
        from glowline.commands import fetch

        code = _guarded(lambda: fetch.main(args[1:]))
    else:
        code = program(args, started)
    return _finish_output(code, fmt)


def leave(code: int) -> "NoReturn":
    """End the process with ``code`` (the launcher's and ``python -m glowline``'s last call). When only the status
    line's fast path ran (nothing of glowline.data, no thread, nothing registered with atexit), both streams are
    flushed and the process leaves without the interpreter's teardown: it frees every module and object one by one,
    about 1.6 ms, a tenth of a warm line (docs/performance.md), and nothing of the fast path needs it (its files are
    written and closed, its locks are file locks the kernel lets go). Anything else exits as usual."""
    import atexit

    pending = getattr(atexit, "_ncallbacks", None)  # CPython's; elsewhere, the usual exit
    if pending is None or pending() or "glowline.data" in sys.modules or "threading" in sys.modules:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a stdout that went away was main's to report, and it has
            pass
    os._exit(code)


#: arguments that name a file: any bytes the file system takes are fine there
_PATH_OPTIONS = ("-o", "--output")


def not_text(args: list[str]) -> str | None:
    """Why an argument or a GLOWLINE_* variable (other than the *_DIR folders) is unusable: bytes that are not UTF-8
    (Python keeps them as surrogates, which fail wherever the text is encoded: a URL, a site, a cache key); None
    when all are text. Never echoes a value."""
    import os

    def text(value: str) -> bool:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True

    for name in sorted(os.environ):
        if name.startswith("GLOWLINE_") and not name.endswith("_DIR") and not text(os.environ[name]):
            return f"{name} is not UTF-8 text: set it again"
    for i, arg in enumerate(args):
        if text(arg) or (i > 0 and args[i - 1] in _PATH_OPTIONS) or arg.startswith(("-o=", "--output=")):
            continue
        option = arg.partition("=")[0] if arg.startswith("--") and "=" in arg else \
            args[i - 1] if i > 0 and args[i - 1].startswith("-") else f"argument {i + 1}"
        return f"{option}: not UTF-8 text"
    return None


def _standard_streams() -> None:
    """A closed stdout or stderr becomes /dev/null (nothing to show, nothing to crash on); a stdout that cannot
    encode the bars replaces what it cannot write instead of failing."""
    import os

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (lives as long as we do)
        elif (stream.encoding or "").lower().replace("-", "") not in ("utf8", "utf8sig"):
            try:
                stream.reconfigure(errors="replace")
            except (AttributeError, ValueError):
                pass


def _finish_output(code: int, fmt: str | None) -> int:
    """Flush stdout now, so that a full or closed one is one line and an exit code, never a traceback at exit."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        failed = _output_failed(exc, fmt)
        return code or failed
    return code


def _is_output_error(exc: BaseException) -> bool:
    """An OSError of a stdout that cannot take the output (a closed pipe, a full device), not of a named file."""
    import errno

    output = {errno.EPIPE, errno.EBADF, errno.EIO, errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
    return isinstance(exc, OSError) and not exc.filename and exc.errno in output


def _output_failed(exc: BaseException, fmt: str | None) -> int:
    """stdout cannot take the output: a reader that went away is a quiet end (0), and so is any failure for a status
    format; otherwise one line on stderr and exit 1."""
    from glowline.catalog import STATUS_FORMATS
    from glowline.status.line import silence_stdout

    silence_stdout()

    if isinstance(exc, BrokenPipeError) or fmt in STATUS_FORMATS:
        return EXIT_OK
    try:
        sys.stderr.write(f"glowline: cannot write the output: {getattr(exc, 'strerror', None) or exc}\n")
    except (OSError, ValueError):
        pass
    return ExitStatus.INTERNAL


def _status(opts: argv.Options, started: float) -> int:
    from glowline.status import line

    return line.run(opts, started, rebuild=_rebuild, refresh_here=_refresh_here)


def _rebuild(opts: argv.Options, now: float) -> "Summary | None":
    """The fast path's hand-over (see glowline.status.line): imported only when a days file is missing."""
    from glowline.data.days import rebuild

    return rebuild(opts, now)


def _refresh_here(opts: argv.Options, lock_fd: int, deadline: float) -> bool:
    """The cold line's first refresh in this process (glowline.data.refresher): imported only with nothing cached."""
    from glowline.data.refresher import refresh_within

    return refresh_within(opts, lock_fd, deadline)


def _guarded(call: "Callable[[], int]", fmt: str | None = None, verbose: int = 0, on_error: str = "show") -> int:
    """``call()``, with every exception turned into one line and its exit code (status formats: a degraded line)."""
    try:
        return call()
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    except Exception as exc:
        if _is_output_error(exc):
            return _output_failed(exc, fmt)  # stdout itself cannot take the output
        if verbose >= 2:
            import traceback

            traceback.print_exc()
        return _fail(exc, fmt, on_error)


def _fail(exc: BaseException, fmt: str | None = None, on_error: str = "show") -> int:
    """One line on stderr (and a degraded line on stdout for status formats); the documented exit code."""
    from glowline.errors import describe  # the exception tree: only once something failed

    message, code, kind = describe(exc)
    if fmt is not None:
        from glowline.catalog import STATUS_FORMATS

        if fmt in STATUS_FORMATS:
            _degraded(fmt, message, kind, on_error)
            return EXIT_OK
    sys.stderr.write(f"glowline: {message}\n")
    return code


def _degraded(fmt: str, message: str, kind: str, on_error: str = "show") -> None:
    from glowline.status import line
    from glowline.status.formats import get
    from glowline.status.model import RenderOptions

    try:
        degraded = line.error_line(argv.Options({"format": fmt}), message, kind)
        line.write(get(fmt).render(degraded, RenderOptions(on_error=on_error)))  # --on-error hide: the hide form
    except Exception:
        line.write("glowline: error\n")


def build_parser() -> "argparse.ArgumentParser":
    """The argparse tree (glowline.commands.options.build_parser: errors in one line, with "did you mean")."""
    from glowline.commands.options import build_parser

    return build_parser()


def program(args: list[str], started: float) -> int:
    """The full CLI: argparse, the config, then the status line or one subcommand."""
    parser = build_parser()
    status_format = _status_format(args)
    try:
        if status_format is None:
            ns = parser.parse_args(args)
        else:  # a bar: a bad option is its degraded line and exit 0, like every other error of a status format
            import contextlib
            import io

            said = io.StringIO()
            with contextlib.redirect_stderr(said):
                ns = parser.parse_args(args)
    except SystemExit as exc:  # argparse printed its usage error (exit 2) or the help (exit 0)
        if status_format is not None and exc.code == 2:
            from glowline.errors import UsageError

            lines = [line for line in said.getvalue().splitlines() if line.strip()]
            return _fail(UsageError(lines[-1].removeprefix("glowline: ") if lines else "bad option"), status_format,
                         _on_error(args))
        return int(exc.code or 0)
    if ns.version:
        _version(ns.verbose)
        return EXIT_OK
    _logging(ns.verbose)
    from glowline import commands

    if ns.command in commands.LOADS_OWN_CONFIG:
        return _guarded(lambda: int(commands.module(ns.command).run(ns, None)), verbose=ns.verbose)
    fmt = (ns.format or "plain") if ns.command is None else None  # for a config error: the config can't say

    def call() -> int:
        from glowline import config

        conf = config.load()
        if ns.command is None:
            from glowline.commands import line

            return line.run(ns, conf, started)
        return int(commands.module(ns.command).run(ns, conf))

    return _guarded(call, fmt, ns.verbose, _on_error(args))  # a broken config: the hide form when asked


def _last_value(args: list[str], option: str) -> str | None:
    """The value the last ``option VALUE`` or ``option=VALUE`` of ``args`` gives, else None (read before argparse, so
    even a command line with another bad option is answered in the form it asked for)."""
    value = None
    for i, arg in enumerate(args):
        if arg == option and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(option + "="):
            value = arg.partition("=")[2]
    return value


def _on_error(args: list[str]) -> str:
    """The --on-error a command line asks for (or the config's), even when another option of it is bad: a bar that
    asked for the hide form gets it for a typo too."""
    from glowline.status.argv import ON_ERROR

    value: object = _last_value(args, "--on-error")
    if value is None:
        value = (settings.load_fast() or {}).get("on_error")
    return value if isinstance(value, str) and value in ON_ERROR else "show"


def _status_format(args: list[str]) -> str | None:
    """The status format a bare status-line invocation asks for (``--format`` or the config's), else None."""
    from glowline import commands
    from glowline.catalog import STATUS_FORMATS

    if any(arg in commands.COMMANDS or arg in ("-h", "--help") for arg in args):
        return None
    fmt: object = _last_value(args, "--format")
    if fmt is None:
        fmt = (settings.load_fast() or {}).get("format")
    return fmt if isinstance(fmt, str) and fmt in STATUS_FORMATS else None


def _version(verbose: int) -> None:
    """``glowline 0.1.0``; with -v also the Python and the keyring backend (what a bug report needs)."""
    from glowline import __version__

    print(f"glowline {__version__}")
    if verbose:
        import platform

        print(f"python {platform.python_version()} ({sys.executable})")
        try:
            from glowline.data import credentials

            info = credentials.backend_info()  # the one glowline uses (never keyrings.alt's files by itself)
            print(f"keyring {info.name} ({info.kind}: {info.label})")
        except Exception as exc:  # a broken keyring setup is worth reporting, never a crash
            from glowline.errors import describe

            print(f"keyring unavailable: {describe(exc)[0]}")


def _logging(verbose: int) -> None:
    if verbose:
        import logging

        logging.basicConfig(
            level=logging.DEBUG if verbose >= 2 else logging.INFO, format="glowline: %(name)s: %(message)s"
        )
