"""The one exception tree, each with its exit code, and the one map from any exception to (message, exit code, kind).

The CLI, ``watch``, ``doctor`` and the status line all turn exceptions into words through ``describe``. The exit
codes themselves are the package's table (glowline/__init__.py, re-exported here): a status line that succeeds
never imports this module, whose fourteen classes cost a warm line about 0.25 ms (docs/performance.md).
"""

from glowline import (
    EXIT_AUTH,
    EXIT_CODES,
    EXIT_CONFIG,
    EXIT_INTERNAL,
    EXIT_KEYRING,
    EXIT_MALFORMED,
    EXIT_NO_DATA,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    ExitStatus,
    exit_codes_help,
)

__all__ = [
    "EXIT_AUTH", "EXIT_CODES", "EXIT_CONFIG", "EXIT_INTERNAL", "EXIT_KEYRING", "EXIT_MALFORMED", "EXIT_NOT_FOUND",
    "EXIT_NO_DATA", "EXIT_OK", "EXIT_UNAVAILABLE", "EXIT_USAGE", "ExitStatus", "exit_codes_help",
]


class GlowlineError(Exception):
    """Base class: ``str(err)`` is one clear line for the user, ``exit_code`` the documented exit status."""

    exit_code = ExitStatus.INTERNAL
    #: a short word for degraded status lines and JSON ("auth", "offline", ...)
    kind = "error"


class UsageError(GlowlineError):
    """Bad command-line input."""

    exit_code = ExitStatus.USAGE
    kind = "usage"


class ConfigError(GlowlineError):
    """The config file is unreadable or has an invalid key; the message names the key."""

    exit_code = ExitStatus.CONFIG
    kind = "config"


class AuthError(GlowlineError):
    """Credentials missing or refused by the API (401 on POST auth, or a second 401 after re-auth)."""

    exit_code = ExitStatus.AUTH
    kind = "auth"


class NotLoggedIn(AuthError):
    """No username/password is configured: run ``glowline login`` or set the env vars."""

    kind = "nologin"  # nobody logged in: a bar says "not logged in", not "login failed"


class KeyringError(GlowlineError):
    """The OS keyring is missing, locked, refused or too slow; the message says what to do."""

    exit_code = ExitStatus.KEYRING
    kind = "keyring"


class APIUnavailable(GlowlineError):
    """The API could not be reached in time: connection refused or dropped, timeout, 5xx, HTML error page, or it
    asked to slow down (429, 503): ``retry_after`` is then the seconds it asked for."""

    exit_code = ExitStatus.UNAVAILABLE
    kind = "offline"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MalformedResponse(GlowlineError):
    """The API answered 200 but the body is not what the documented shapes allow."""

    exit_code = ExitStatus.MALFORMED
    kind = "malformed"


class NoLiveData(GlowlineError):
    """No live reading: nothing configured, a DCC-only account, or no message within the deadline."""

    exit_code = ExitStatus.NO_DATA
    kind = "nodata"


class NoDataYet(GlowlineError):
    """The API has no reading of a resource yet (``first-time`` answers 404): nothing to fetch, not a failure."""

    exit_code = ExitStatus.NO_DATA
    kind = "nodata"


class StorageError(GlowlineError):
    """glowline's own files cannot be written or read: a full or read-only disk, permissions, a file in the way."""

    exit_code = ExitStatus.STORAGE
    kind = "storage"


class AccountNeedsAttention(GlowlineError):
    """The API refuses the account's requests with 403 (a re-login does not help): the account needs attention in
    the Bright app, e.g. new terms to accept (jonandel#73). Only the user can fix it, so it is not retried soon."""

    exit_code = ExitStatus.ACCOUNT
    kind = "account"


class NotFound(GlowlineError):
    """An unknown site, resource or id (404, or no resource with the wanted classifier)."""

    exit_code = ExitStatus.NOT_FOUND
    kind = "notfound"


def describe(exc: BaseException) -> tuple[str, int, str]:
    """(one-line message, exit code, kind) for any exception: ours say what to do; anything else is a bug."""
    if isinstance(exc, GlowlineError):
        return str(exc), exc.exit_code, exc.kind
    if isinstance(exc, OSError) and exc.filename:  # glowline's own files (files.atomic_write names them)
        return (f"cannot use glowline's file {exc.filename}: {exc.strerror or type(exc).__name__}",
                ExitStatus.STORAGE, "storage")
    text = " ".join(str(exc).split())
    return f"internal error ({type(exc).__name__}): {text}", ExitStatus.INTERNAL, "error"
