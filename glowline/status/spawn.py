"""One refresh for many callers: a lock file per site and resource, and a detached refresher that holds it.

A status line that finds the cache stale takes the lock without waiting, starts ``glowline fetch --background``
with the locked file descriptor inherited (so the lock stays held until the refresher exits) and prints from the
cache at once; every other caller sees the lock taken and starts nothing. os.posix_spawn keeps this path free of
the subprocess module. The password, when it comes from the environment, goes to the refresher on a pipe, never
in its argv or environment.
"""

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no flock; callers may then refresh twice, never wrongly
    fcntl = None  # type: ignore[assignment]


def try_lock(path: str) -> int | None:
    """An fd holding the exclusive lock at ``path``, or None if another process holds it. OSError when the lock
    file cannot be opened (a read-only cache folder); a symlink planted there is refused, never followed."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        fd = _create(path, flags)
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _create(path: str, flags: int) -> int:
    """A new lock file at ``path``, opened with ``flags``, stamped "no attempt yet" (mtime 0, see mark_tried) before
    any other process can see it: made under a temporary name, then linked into place, never over a lock file another
    caller made meanwhile (that one is opened). Seen unstamped, its mtime would read as an attempt that just wrote
    nothing, and a caller that locked it then would let it go at once (failed_silently) instead of refreshing."""
    from glowline.files import remove_file

    tmp = f"{path}.{os.getpid()}.tmp"  # a killed caller's goes with the other temp files (remove_stale_temp_files)
    remove_file(tmp)
    fd = os.open(tmp, flags | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.utime(fd, (0, 0))
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # no hard links here (or the temp file swept away): made in place, unstamped for a moment
        try:
            made = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            os.utime(made, (0, 0))
            return made
    finally:
        os.close(fd)
        remove_file(tmp)
    return os.open(path, flags)


def failed_silently(fd: int, now: float, gap: float, outputs: tuple[str, ...]) -> bool:
    """True when the lock file says a refresh was started less than ``gap`` seconds ago (see mark_tried) and none
    of ``outputs`` (the days file, the failure record) has changed since: it ended without writing anything, not
    even why (a full or read-only disk). Its failure cannot be recorded, so this is the back-off instead."""
    tried = os.fstat(fd).st_mtime
    if not 0 <= now - tried < gap:
        return False
    for path in outputs:
        try:
            if os.stat(path).st_mtime >= tried:
                return False
        except OSError:
            pass
    return True


def mark_tried(fd: int) -> None:
    """Stamp the lock file with this attempt: metadata only, so it works even on a full disk."""
    try:
        os.utime(fd)
    except OSError:
        pass


def lock_blocking(path: str, deadline: float) -> int | None:
    """Wait for the exclusive lock until ``deadline`` (monotonic); None if it never came."""
    while True:
        fd = try_lock(path)
        if fd is not None or time.monotonic() >= deadline:
            return fd
        time.sleep(0.05)


def is_locked(path: str) -> bool:
    """True while a refresher holds the lock at ``path``."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def spawn_refresh(args: list[str], lock_fd: int, notify: bool = False) -> tuple[int, int]:
    """Start ``glowline fetch --background ARGS`` detached, holding ``lock_fd``; returns its pid and, with
    ``notify``, the read end of a pipe that reaches end-of-file as soon as the refresher has written its result
    (``wait_done``), else -1.

    The parent's copy of the lock fd is closed here: from now on the child alone holds the lock.
    """
    from glowline.redact import child_environment

    password = os.environ.get("GLOWLINE_PASSWORD")
    env = child_environment()  # no password variable: the account's goes on a pipe, the broker's is not needed
    argv = [sys.executable, "-m", "glowline", "fetch", "--background", "--lock-fd", str(lock_fd), *args]
    if password:
        argv.append("--password-stdin")
    done_read = done_write = -1
    if notify:
        done_read, done_write = os.pipe()
        os.set_inheritable(done_write, True)
        argv += ["--done-fd", str(done_write)]
    os.set_inheritable(lock_fd, True)
    read_end = write_end = -1
    if password:
        read_end, write_end = os.pipe()
    try:
        if hasattr(os, "posix_spawn"):
            actions: list[tuple[Any, ...]] = [
                (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            ]
            if password:
                actions += [(os.POSIX_SPAWN_DUP2, read_end, 0), (os.POSIX_SPAWN_CLOSE, write_end)]
            else:
                actions.append((os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0))
            pid = os.posix_spawn(sys.executable, argv, env, file_actions=actions, setsid=True)
        else:  # pragma: no cover - Windows
            import subprocess

            proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.PIPE if password else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
            )
            if password and proc.stdin:
                proc.stdin.write((password + "\n").encode())
                proc.stdin.close()
            pid = proc.pid
        if password:
            os.write(write_end, (password + "\n").encode())
    except BaseException:
        if done_read >= 0:
            os.close(done_read)
        raise
    finally:
        for fd in (read_end, write_end, done_write):
            if fd >= 0:
                os.close(fd)
        os.close(lock_fd)
    return pid, done_read


def wait_done(done_fd: int, deadline: float) -> bool:
    """Wait until the refresher behind ``done_fd`` has finished (end-of-file) or ``deadline`` (monotonic) passes,
    without polling; closes ``done_fd``. True if it finished in time."""
    import select  # a built-in module: no cost worth counting

    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([done_fd], [], [], left)
            if ready:
                return os.read(done_fd, 64) == b""
    finally:
        os.close(done_fd)


def wait_unlocked(path: str, deadline: float) -> bool:
    """Wait until nobody holds the lock at ``path`` or the deadline passes; True if it was released."""
    while is_locked(path):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.03)
    return True
