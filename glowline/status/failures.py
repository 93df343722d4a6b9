"""The error record: why the last refresh of one site and resource failed, and when, for the next status line.

Written by glowline.data.sync, read on the fast path (a few fields of tab-separated text, no json).
"""

from __future__ import annotations

from glowline.status import layout

MAGIC = "glowline-failure 2"


class Failure:
    """One failed refresh of a site and resource: the error's kind and exit code, when (epoch seconds), its line."""

    __slots__ = ("at", "classifier", "exit_code", "kind", "message", "site")

    def __init__(
        self, kind: str, exit_code: int, at: float, message: str, site: str = "", classifier: str = ""
    ) -> None:
        self.kind = kind
        self.exit_code = exit_code
        self.at = at
        self.message = message
        self.site = site  # as asked for (--site), "" for the default
        self.classifier = classifier

    def __repr__(self) -> str:
        return f"Failure({self.kind!r}, {self.exit_code}, {self.at!r}, {self.message!r})"


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def write(failure: Failure) -> None:
    """Remember why the last refresh failed, for the next status line to show."""
    from glowline.files import atomic_write

    fields = (MAGIC, failure.kind, str(failure.exit_code), repr(failure.at), _clean(failure.site),
              _clean(failure.classifier), _clean(failure.message))
    atomic_write(layout.error_path(failure.site, failure.classifier), "\t".join(fields) + "\n")


def read_file(path: str) -> Failure | None:
    """The record at ``path``, or None when there is none or it is not exactly our format."""
    try:
        with open(path, encoding="utf-8") as fh:
            magic, kind, code, at, site, classifier, message = fh.read(4096).rstrip("\n").split("\t", 6)
        if magic != MAGIC:
            return None
        return Failure(kind, int(code), float(at), message, site, classifier)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def read(site: str, classifier: str) -> Failure | None:
    """The last failed refresh of this site and resource, or None."""
    return read_file(layout.error_path(site, classifier))


def clear(site: str, classifier: str) -> None:
    from glowline.files import remove_file

    try:
        remove_file(layout.error_path(site, classifier))
    except OSError:
        pass


def every() -> list[Failure]:
    """Every recorded failure in the cache folder (for doctor)."""
    found = (read_file(path) for path in layout.files_ending(layout.ERROR_SUFFIX))
    return [f for f in found if f is not None]
