"""glowline: your smart meter's last days as one Unicode sparkline, for terminals, prompts and status bars.

The package also holds glowline's exit codes: the one table (docs/configuration.md, Exit codes) that the exception
tree in glowline.errors carries and re-exports. It is here because every glowline process loads this module anyway:
a status line that draws returns EXIT_OK without loading the fourteen exception classes (about 0.25 ms).
"""

__version__ = "0.1.0"


class ExitStatus:
    """Documented exit codes (docs/configuration.md, Exit codes). Status formats always exit 0 (a degraded line)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    AUTH = 3
    KEYRING = 4
    UNAVAILABLE = 5
    MALFORMED = 6
    NOT_FOUND = 7
    CONFIG = 8
    NO_DATA = 9
    DOCTOR_WARN = 10
    STORAGE = 11
    ACCOUNT = 12
    INTERRUPTED = 130


# The names the rest of the code (and the tests) use; ExitStatus stays the one table.
EXIT_OK = ExitStatus.OK
EXIT_INTERNAL = ExitStatus.INTERNAL
EXIT_USAGE = ExitStatus.USAGE
EXIT_AUTH = ExitStatus.AUTH
EXIT_KEYRING = ExitStatus.KEYRING
EXIT_UNAVAILABLE = ExitStatus.UNAVAILABLE
EXIT_MALFORMED = ExitStatus.MALFORMED
EXIT_NOT_FOUND = ExitStatus.NOT_FOUND
EXIT_CONFIG = ExitStatus.CONFIG
EXIT_NO_DATA = ExitStatus.NO_DATA

#: (code, meaning) of every documented exit code, in order; the help texts are made from this
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (ExitStatus.OK, "ok (status formats always exit 0, with a degraded line on errors)"),
    (ExitStatus.INTERNAL, "internal error"),
    (ExitStatus.USAGE, "usage error"),
    (ExitStatus.AUTH, "not logged in / login refused"),
    (ExitStatus.KEYRING, "keyring problem"),
    (ExitStatus.UNAVAILABLE, "API unavailable (network, timeout, 5xx)"),
    (ExitStatus.MALFORMED, "API answer malformed or refused"),
    (ExitStatus.NOT_FOUND, "site or resource not found"),
    (ExitStatus.CONFIG, "config file invalid"),
    (ExitStatus.NO_DATA, "no data yet"),
    (ExitStatus.DOCTOR_WARN, "doctor: warnings only"),
    (ExitStatus.STORAGE, "glowline's files unusable (disk full, read-only, permissions)"),
    (ExitStatus.ACCOUNT, "the account needs attention in the Bright app (API refused with 403)"),
    (ExitStatus.INTERRUPTED, "interrupted (Ctrl-C)"),
)


def exit_codes_help(codes: tuple[int, ...] | None = None) -> str:
    """The "exit codes:" block for --help epilogs: every documented code, or only ``codes``, one per line."""
    rows = [(code, text) for code, text in EXIT_CODES if codes is None or code in codes]
    return "exit codes:\n" + "".join(f"  {code:>3}  {text}\n" for code, text in rows)
