"""Private files: every file glowline writes is created 0600 in a 0700 folder and replaced atomically, and every
file it reads is opened so that nothing planted in its folders can block it or redirect it.

Readers (a status bar every few seconds, another glowline process) see the old file or the new one, never half a
file, and never a moment where a token or a cache is readable by other users. A FIFO, a device or (for glowline's
own files) a symlink where a file should be reads as "no file": it can neither hang a status line nor feed it a
stream. os only: the status path uses it.
"""

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
    except OSError as exc:
        remove_file(tmp)
        if exc.filename:
            raise
        raise OSError(exc.errno, exc.strerror, path) from None  # name the file: "No space left on device" where?
    except BaseException:
        remove_file(tmp)
        raise


class NotAFile(OSError):
    """Something other than a regular file is where glowline expects one of its files."""


def read_bytes(path: str, limit: int, follow: bool = False) -> bytes:
    """At most ``limit`` bytes of the regular file at ``path``. Opened without blocking (a FIFO or a device never
    hangs the caller), without following a symlink unless ``follow`` (the user's own config may be one), and refused
    with NotAFile when it is not a regular file. OSError when it cannot be read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:  # a symlink where glowline keeps its own file
            raise NotAFile(f"{path} is a symlink") from None
        raise
    try:
        if os.fstat(fd).st_mode & 0o170000 != 0o100000:  # stat.S_ISREG without importing stat
            raise NotAFile(f"{path} is not a regular file")
        chunks = []
        size = 0
        while size < limit:
            chunk = os.read(fd, min(65536, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: str, limit: int, follow: bool = False) -> str | None:
    """The file as UTF-8 text (see read_bytes), or None when it is missing, not a regular file, or not UTF-8."""
    try:
        return read_bytes(path, limit, follow).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def remove_stale_temp_files(folder: str, older_than: float = 3600.0) -> None:
    """Remove ``*.PID.tmp`` files a killed writer left behind (older than ``older_than`` seconds)."""
    import time

    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    cutoff = time.time() - older_than
    for entry in entries:
        if entry.name.endswith(".tmp"):
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                pass


def check_private_folder(path: str, read_only: bool = False) -> bool:
    """Refuse a folder that others can write to or that another user owns: glowline's tokens and data live there.
    A missing folder is fine (glowline creates it 0700). StorageError (one line, exit 11) otherwise.

    With ``read_only`` (a --cached-only reader such as root's MOTD reading a user's cache or the system timer's
    /var/cache/glowline) another user's folder is accepted, to be read and never written, and True is returned;
    it must not be a symlink itself (files inside are opened without following links either)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    problem = ""
    foreign = hasattr(os, "getuid") and st.st_uid not in (os.getuid(), 0)
    if st.st_mode & 0o002:
        problem = f"it is writable by everyone (chmod 700 {path})"
    elif foreign and read_only and os.path.islink(path.rstrip("/") or "/"):
        problem = f"it is a symlink into another user's files (uid {st.st_uid}); name the folder itself"
    elif foreign and not read_only:
        problem = f"it belongs to another user (uid {st.st_uid}); use a folder of your own (GLOWLINE_CACHE_DIR)"
    if problem:
        from glowline.errors import StorageError

        raise StorageError(f"refusing the folder {path}: {problem}")
    return foreign


def remove_file(path: str) -> None:
    """Delete a file; a file that is already gone is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
