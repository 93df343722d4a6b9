"""Private files: every file glowline writes is created 0600 in a 0700 folder and replaced atomically.

Readers (a status bar every few seconds, another glowline process) see the old file or the new one, never half a
file, and never a moment where a token or a cache is readable by other users. os only: the status path uses it.
"""

from __future__ import annotations

import os


def atomic_write(path: str, text: str) -> None:
    """Write ``text`` via a temp file in the same folder (0600 from creation, no symlink followed), then rename."""
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    remove_file(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        remove_file(tmp)
        raise


def remove_file(path: str) -> None:
    """Delete a file; a file that is already gone is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
