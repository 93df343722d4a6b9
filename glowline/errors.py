"""One exception hierarchy for glowline; the CLI catches GlowlineError in one place and maps it to an exit code.

Kept free of imports so that the status-line fast path can use it at no cost.
"""

from __future__ import annotations

# Documented exit codes (README "Exit codes"). Status formats always exit 0 with a degraded line.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_KEYRING = 4
EXIT_UNAVAILABLE = 5
EXIT_MALFORMED = 6
EXIT_NOT_FOUND = 7
EXIT_CONFIG = 8
EXIT_NO_DATA = 9


class GlowlineError(Exception):
    """Base class: ``str(err)`` is one clear line for the user, ``exit_code`` the documented exit status."""

    exit_code = EXIT_INTERNAL
    #: a short word for degraded status lines and JSON ("auth", "offline", ...)
    kind = "error"


class UsageError(GlowlineError):
    """Bad command-line input."""

    exit_code = EXIT_USAGE
    kind = "usage"


class ConfigError(GlowlineError):
    """The config file is unreadable or has an invalid key; the message names the key."""

    exit_code = EXIT_CONFIG
    kind = "config"


class AuthError(GlowlineError):
    """Credentials missing or refused by the API (401 on POST auth, or a second 401 after re-auth)."""

    exit_code = EXIT_AUTH
    kind = "auth"


class NotLoggedIn(AuthError):
    """No username/password is configured: run ``glowline login`` or set the env vars."""


class KeyringError(GlowlineError):
    """The OS keyring is missing, locked, refused or too slow; the message says what to do."""

    exit_code = EXIT_KEYRING
    kind = "keyring"


class APIUnavailable(GlowlineError):
    """The API could not be reached in time: connection refused or dropped, timeout, 5xx, HTML error page."""

    exit_code = EXIT_UNAVAILABLE
    kind = "offline"


class MalformedResponse(GlowlineError):
    """The API answered 200 but the body is not what the documented shapes allow."""

    exit_code = EXIT_MALFORMED
    kind = "malformed"


class NotFound(GlowlineError):
    """An unknown site, resource or id (404, or no resource with the wanted classifier)."""

    exit_code = EXIT_NOT_FOUND
    kind = "notfound"


class NoData(GlowlineError):
    """Nothing cached yet and no fresh data within the deadline."""

    exit_code = EXIT_NO_DATA
    kind = "nodata"
