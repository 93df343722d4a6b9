"""The failure record: why the last refresh of one exact request (site, resource, zone) failed, when, and what
would fix it, for the next status line. Written by glowline.data.sync, read on the fast path (tab-separated text).

A record heals: it stores the ``context`` that a user changes to fix a failure (the account and config files,
credentials in the environment, the API URL). When the context differs, the record no longer holds the line back
(glowline.status.policy) and doctor no longer reports it.
"""

import os

from glowline import paths
from glowline.files import read_text

MAGIC = "glowline-failure 3"


class Failure:
    """One failed refresh: the error's kind and exit code, when (epoch seconds), its one-line message, the request
    it belongs to, the context it happened in, and the earliest time to try again that the API asked for."""

    __slots__ = ("at", "classifier", "context", "exit_code", "kind", "message", "retry_at", "site", "tz")

    def __init__(
        self, kind: str, exit_code: int, at: float, message: str, site: str = "", classifier: str = "",
        tz: str = "", context: str = "", retry_at: float = 0.0,
    ) -> None:
        self.kind = kind
        self.exit_code = exit_code
        self.at = at
        self.message = message
        self.site = site  # as asked for (--site), "" for the default
        self.classifier = classifier
        self.tz = tz
        self.context = context  # see context()
        self.retry_at = retry_at  # epoch seconds from a Retry-After, else 0

    def __repr__(self) -> str:
        return f"Failure({self.kind!r}, {self.exit_code}, {self.at!r}, {self.message!r})"


def context(password_given: bool = False) -> str:
    """What a user changes to fix a failure: the account and config files (mtime and size), whether credentials
    are in the environment (presence only: never the password), and the API URL. ``password_given``: the password
    came on a pipe (the background refresher), which counts as GLOWLINE_PASSWORD being set."""
    parts = []
    for path in (paths.account_file(), paths.config_file()):
        try:
            st = os.stat(path)
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    username = os.environ.get("GLOWLINE_USERNAME", "")
    password = password_given or bool(os.environ.get("GLOWLINE_PASSWORD"))
    parts += [_clean(username), "password" if password else "-", _clean(os.environ.get("GLOWLINE_API_URL", ""))]
    return "|".join(parts)


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def write(failure: Failure) -> None:
    """Remember why the last refresh failed, for the next status line to show."""
    from glowline.files import atomic_write

    fields = (MAGIC, failure.kind, str(failure.exit_code), repr(failure.at), repr(failure.retry_at),
              _clean(failure.site), _clean(failure.classifier), _clean(failure.tz), _clean(failure.context),
              _clean(failure.message))
    atomic_write(paths.error_path(failure.site, failure.classifier, failure.tz), "\t".join(fields) + "\n")


def read_file(path: str) -> Failure | None:
    """The record at ``path``, or None when there is none or it is not exactly our format."""
    text = read_text(path, 8192)
    if text is None:
        return None
    try:
        fields = text.rstrip("\n").split("\t", 9)
        magic, kind, code, at, retry_at, site, classifier, tz, ctx, message = fields
        if magic != MAGIC:
            return None
        return Failure(kind, int(code), float(at), message, site, classifier, tz, ctx, float(retry_at))
    except ValueError:
        return None


def read(site: str, classifier: str, tz: str) -> Failure | None:
    """The last failed refresh of this exact request, or None."""
    return read_file(paths.error_path(site, classifier, tz))


def clear(site: str, classifier: str, tz: str) -> None:
    from glowline.files import remove_file

    try:
        remove_file(paths.error_path(site, classifier, tz))
    except OSError:
        pass


def every() -> list[Failure]:
    """Every recorded failure in the cache folder (for doctor)."""
    found = (read_file(path) for path in paths.files_ending(paths.ERROR_SUFFIX))
    return [f for f in found if f is not None]
