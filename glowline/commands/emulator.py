"""``glowline emulator``: run the Glowmarkt API emulator in the foreground (it prints its URL and demo account)."""

from __future__ import annotations

import argparse
from typing import Any

from glowline.commands.options import number_type

#: the real service's habits the emulator can play (glowline.emulator.household.Habits; glowmarkt-api.md 8)
HABIT_FLAGS = (
    ("--provisional-zeros", "recent half-hours read 0 for hours before their value comes (export: about a day)"),
    ("--late-holes", "runs of half-hours behind last-time are missing and back-filled 2 to 30 hours later"),
    ("--glitch", "one half-hour reads an absurd 47.5 kWh for hours, then its true value"),
    ("--last-ts-end", "last-time answers the end of the last delivered half-hour, not its start"),
    ("--real-service", "all four habits above"),
)


#: the real service's other shapes, as flags (glowline.emulator.cli; glowmarkt-api.md 8)
SHAPE_FLAGS = (
    ("--standing-in-days", "cost P1D/P1W/P1M buckets include the standing charge (PT30M/PT1H do not)"),
    ("--forbidden", "every resource request answers 403 (the account must accept new terms in the Bright app)"),
)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("emulator", help="run the Glowmarkt API emulator (prints its URL and demo credentials)")
    p.add_argument("--port", type=number_type(int, 0, 65535, "port"), default=8080,
                   help="TCP port to listen on (default 8080; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, loopback only)")
    p.add_argument("--mqtt", default=None, metavar="URL",
                   help="also publish the emulated Glow IHD's live messages to this MQTT broker (mqtt://HOST:PORT)")
    p.add_argument("--mqtt-interval", type=number_type(float, 0.01, 3600, "seconds"), default=5.0, metavar="S",
                   help="seconds between live messages (default 5; e.g. 0.2 in tests)")
    p.add_argument("--lag", type=number_type(int, 0, 1440, "half-hours"), default=None, metavar="HALF_HOURS",
                   help="the DCC holds back every resource's last HALF_HOURS half-hours (48: a day) while the IHD "
                   "stays current (default: each resource's own)")
    for flag, text in HABIT_FLAGS:
        p.add_argument(flag, action="store_true", help=text)
    p.add_argument("--current-shape", choices=("W", "no-units", "kWh", "kW", "400", "error-value"), default="W",
                   help="how /current answers: W (documented), no-units, kWh, kW, 400 or error-value")
    p.add_argument("--tariff-dates", choices=("local", "epoch", "iso"), default="local",
                   help="how tariff-list dates are written: local (default), epoch seconds or iso with Z")
    for flag, text in SHAPE_FLAGS:
        p.add_argument(flag, action="store_true", help=text)


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    from glowline.emulator.cli import run as run_emulator

    extra = ["--mqtt", args.mqtt, "--mqtt-interval", repr(args.mqtt_interval)] if args.mqtt else []
    habits = [flag for flag, _ in HABIT_FLAGS + SHAPE_FLAGS if getattr(args, flag[2:].replace("-", "_"))]
    shapes = ["--current-shape", args.current_shape, "--tariff-dates", args.tariff_dates]
    lag = ["--lag", str(args.lag)] if args.lag is not None else []
    return run_emulator(["--port", str(args.port), "--host", args.host, *extra, *lag, *habits, *shapes])
