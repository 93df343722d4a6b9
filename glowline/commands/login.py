"""`glowline login`: check credentials against the API, keep the password in the OS keyring (or, only when asked
with --insecure-storage, in a 0600 file in the config folder); --mqtt: the broker's password.

A thin command: it parses and calls glowline.sign_in, where the order that leaves nothing half-saved lives.
"""

from __future__ import annotations

from glowline.sign_in import login, login_mqtt

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


def add_parser(subparsers: Any) -> None:
    from glowline.commands.options import number_type

    p = subparsers.add_parser("login", help="save the account: username in the config, password in the OS keyring")
    p.add_argument("--username", "-u", help="the Bright app account's email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin (for scripts)")
    p.add_argument("--timeout", type=number_type(float, 0.1, 600, "seconds"), default=10.0,
                   help="keyring deadline in seconds (default 10)")
    p.add_argument("--insecure-storage", action="store_true",
                   help="where no keyring exists (a server, a container): keep the password in a file only you can "
                        "read (mode 0600, in the config folder), not encrypted; `glowline logout` removes it")
    p.add_argument("--mqtt", action="store_true",
                   help="instead: the MQTT broker's password for live power (the broker and user come from [live] "
                        "mqtt = \"mqtt://USER@HOST:1883\" or GLOWLINE_MQTT_URL); checked against the broker, kept "
                        "in the keyring")


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    from glowline.data import account

    insecure = bool(getattr(args, "insecure_storage", False))
    if args.mqtt:
        return login_mqtt(conf, args.password_stdin, timeout=args.timeout, insecure_storage=insecure)
    return login(args.username, args.password_stdin, account.api_url(conf), timeout=args.timeout,
                 insecure_storage=insecure)
