"""`glowline doctor`: one OK/WARN/FAIL line per check (config, keyring, account, token, API, sites, cache, files,
status-path weight), each with the fix, and an exit code for the worst line. Never a traceback, never the password.

A thin command: the checks are glowline.diagnosis. Exit codes: 0 all OK, 10 only warnings, else the documented exit
code of the first FAIL (e.g. 4 keyring, 5 API). The config is checked there, not by the CLI, so that a broken config
file is one FAIL line among the others.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from glowline.diagnosis import DEFAULT_TIMEOUT, FAIL, OK, WARN, diagnose, exit_code
from glowline.errors import exit_codes_help

if TYPE_CHECKING:
    import argparse

EXIT_HELP = ("every check OK exits 0; warnings only (a plaintext keyring, a stale cache, a token about to be renewed) "
             "exit 10; else the exit code of the first FAIL.\n\n" + exit_codes_help())


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``glowline doctor`` to ``subparsers`` (from ``add_subparsers``)."""
    import argparse

    p: argparse.ArgumentParser = subparsers.add_parser(
        "doctor",
        help="check keyring, account, token, API, sites, cache and config: one OK/WARN/FAIL line each",
        description="Check everything glowline depends on; one OK/WARN/FAIL line each, with the fix.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    from glowline.commands.options import number_type

    p.add_argument("--format", dest="format", choices=("plain", "json"), default="plain",
                   help="plain lines (default) or one JSON document")
    p.add_argument("--timeout", dest="doctor_timeout", type=number_type(float, 0.1, 120, "seconds"),
                   default=DEFAULT_TIMEOUT,
                   help=f"seconds for each keyring call and API request (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--no-launcher", dest="no_launcher", action="store_true",
                   help="skip timing the status line's imports (it runs glowline once more)")


def run(args: argparse.Namespace, conf: dict[str, object] | None = None) -> int:
    """Run every check, print them (plain lines or JSON), return the exit code of the worst line.

    ``conf`` is ignored except as a fallback: the doctor loads and reports the config file itself.
    """
    checks = diagnose(
        float(getattr(args, "doctor_timeout", DEFAULT_TIMEOUT)), launcher=not getattr(args, "no_launcher", False)
    )
    code = exit_code(checks)
    if getattr(args, "format", "plain") == "json":
        import json

        worst = FAIL if any(c.level == FAIL for c in checks) else WARN if any(c.level == WARN for c in checks) else OK
        doc = {"worst": worst, "exit_code": code, "checks": [c.as_dict() for c in checks]}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write("".join(c.line() + "\n" for c in checks))
    sys.stdout.flush()
    return code
