"""Refresh hooks: config ``[hooks] on_refresh = ["pkill", "-RTMIN+8", "waybar"]`` runs that command after a refresh
that changed what the line shows (new or revised days, a failure appearing or clearing), so a bar that waits for a
signal redraws at once.

An argv list, never a shell; started in its own session with no terminal (stdin, stdout to /dev/null), its stderr
kept for the log; given ``[hooks] timeout`` seconds (default 5) and then killed with its process group. A hook that
cannot start, fails or overruns is logged (glowline.hooks, and ``hook.error`` in the cache folder for doctor and the
user) and never fails the refresh. Its environment is the caller's without any secret: GLOWLINE_PASSWORD,
GLOWLINE_MQTT_PASSWORD and every variable whose name looks like a credential (glowline.redact, the one rule).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time

from glowline import paths
from glowline.files import atomic_write, remove_file
from glowline.redact import foreign_environment

log = logging.getLogger("glowline.hooks")

DEFAULT_TIMEOUT = 5.0
#: the most of a failing hook's stderr kept for the log
STDERR_BYTES = 4096


def error_path() -> str:
    return os.path.join(paths.cache_dir(), "hook.error")


def command(hooks: dict[str, object]) -> list[str]:
    """The on_refresh argv from the config's [hooks] table ([] when there is none)."""
    argv = hooks.get("on_refresh")
    return [str(a) for a in argv] if isinstance(argv, list) else []


def run_on_refresh(hooks: dict[str, object]) -> bool:
    """Run the on_refresh hook, if any, within its deadline; True when it ran and exited 0. Never raises."""
    argv = command(hooks)
    if not argv:
        return False
    timeout = hooks.get("timeout")
    number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
    deadline = float(timeout) if number else DEFAULT_TIMEOUT  # type: ignore[arg-type]
    problem = _run(argv, deadline)
    try:
        if problem is None:
            remove_file(error_path())
        else:
            log.warning("on_refresh hook %s", problem)
            atomic_write(error_path(), f"{time.time()!r}\t{argv[0]}\t{problem}\n")
    except OSError:
        pass
    return problem is None


def _run(argv: list[str], deadline: float) -> str | None:
    """Why the hook failed, or None when it exited 0 in time."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=foreign_environment(), start_new_session=True, close_fds=True)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:  # not found, not executable, a NUL in an argument
        return f"{argv[0]!r} could not start: {getattr(exc, 'strerror', None) or exc}"
    try:
        _out, err = proc.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.communicate()
        return f"{argv[0]!r} took longer than {deadline:g} s and was stopped"
    if proc.returncode != 0:
        said = " ".join(err[:STDERR_BYTES].decode("utf-8", "replace").split())
        return f"{argv[0]!r} exited with {proc.returncode}" + (f": {said[:200]}" if said else "")
    return None
