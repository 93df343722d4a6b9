"""`glowline live`: the power the house draws now, from the Glow IHD over local MQTT, or the API's /current.

``glowline live`` waits (up to --timeout) for the next electricity message and prints the power ("425 W");
``--format json`` prints the whole reading; ``--follow`` one line per message; ``--resource gas`` the gas message's
registers (gas has no power). Without a broker it falls back to REST /current (Glow hardware on the account only).
``--daemon`` is the one subscriber per user that keeps the status line's live file current. A thin command: the
reading, printing and the daemon are glowline.live_power.
"""

from __future__ import annotations

from glowline.errors import EXIT_OK, NoLiveData
from glowline.live_power import Stop, daemon, from_mqtt, from_rest, install_signals

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


#: seconds `glowline live` waits for a message by default
DEFAULT_TIMEOUT = 15.0


def add_parser(subparsers: Any) -> None:
    from glowline.commands.options import number_type

    p = subparsers.add_parser(
        "live", help="the power the house draws now (Glow IHD over local MQTT, or the API's /current)",
        description="Wait for the next live reading and print it. With no [live] mqtt configured, the API's "
        "/current is asked instead (it answers only for accounts with Glow hardware).",
    )
    p.add_argument("--format", choices=("plain", "json"), default="plain", help="plain (default) or json")
    p.add_argument("--follow", action="store_true", help="one line per message until interrupted")
    p.add_argument("--resource", choices=("electricity", "gas"), default="electricity",
                   help="electricity (power, default) or gas (registers only: gas messages carry no power)")
    p.add_argument("--timeout", type=number_type(float, 0.1, 3600, "seconds"), default=DEFAULT_TIMEOUT,
                   help=f"seconds to wait for a message (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--site", default="", help="for the API's /current: site name or veId")
    p.add_argument("--daemon", action="store_true",
                   help="keep the status line's live file current (one per user; exits 0 on SIGTERM)")


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    from glowline.data import live as data

    settings = data.settings(conf)
    if args.daemon:
        return daemon(conf, settings, args.site)
    install_signals()
    try:
        if settings is not None:
            return from_mqtt(settings, args)
        if args.resource == "gas":
            raise NoLiveData(f"{data.NO_MQTT_HINT} (live gas comes only over MQTT)")
        return from_rest(conf, args)
    except Stop:
        return EXIT_OK
