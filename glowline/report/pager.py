"""A pager for the report on a terminal, as git does it: ``$PAGER`` (default ``less -R``, with ``LESS=FRX`` unless
the user set LESS: a report that fits one screen is printed and left there), never when stdout is not a terminal,
never with ``PAGER=`` or ``PAGER=cat``. The pager's environment carries no password."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Callable, Mapping
from typing import IO

DEFAULT = ["less", "-R"]
#: less's options when LESS is unset: quit when it fits one screen, colours as is, leave the screen as it is
LESS_DEFAULT = "FRX"
#: variables that may hold a secret and never reach a child
SECRET_ENV = ("GLOWLINE_PASSWORD", "GLOWLINE_MQTT_PASSWORD")


def command(env: Mapping[str, str]) -> list[str] | None:
    """The pager to run, or None: PAGER empty or ``cat``, unparseable, or not installed."""
    given = env.get("PAGER")
    if given is None:
        argv = list(DEFAULT)
    else:
        try:
            argv = shlex.split(given)
        except ValueError:
            return None
    if not argv or os.path.basename(argv[0]) == "cat":
        return None
    return argv if shutil.which(argv[0]) else None


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    out = {k: v for k, v in env.items() if k not in SECRET_ENV}
    out.setdefault("LESS", LESS_DEFAULT)
    return out


def wanted(out: IO[str], disabled: bool) -> list[str] | None:
    """The pager for ``out`` when it is the process's stdout on a terminal and paging is not turned off."""
    if disabled:
        return None
    try:
        if out.fileno() != 1 or not os.isatty(1):
            return None
    except (AttributeError, OSError, ValueError):  # a StringIO, a closed stream
        return None
    return command(os.environ)


def page(argv: list[str], draw: Callable[[IO[str]], None]) -> None:
    """Run the pager and ``draw`` into it; a pager the user quits early ends the drawing quietly. Ctrl-C belongs to
    the pager meanwhile (as with git)."""
    import signal
    import subprocess

    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=child_env(os.environ), text=True,
                                encoding="utf-8", errors="replace")
    except OSError:  # it vanished since `which`: draw on the terminal
        import sys

        draw(sys.stdout)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert proc.stdin is not None
        try:
            draw(proc.stdin)
        except BrokenPipeError:  # the user quit the pager before the end
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass
        proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
