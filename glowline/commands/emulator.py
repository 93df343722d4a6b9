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


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("emulator", help="run the Glowmarkt API emulator (prints its URL and demo credentials)")
    p.add_argument("--port", type=number_type(int, 0, 65535, "port"), default=8080,
                   help="TCP port to listen on (default 8080; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, loopback only)")
    p.add_argument("--mqtt", default=None, metavar="URL",
                   help="also publish the emulated Glow IHD's live messages to this MQTT broker (mqtt://HOST:PORT)")
    p.add_argument("--mqtt-interval", type=number_type(float, 0.01, 3600, "seconds"), default=5.0, metavar="S",
                   help="seconds between live messages (default 5; e.g. 0.2 in tests)")
    for flag, text in HABIT_FLAGS:
        p.add_argument(flag, action="store_true", help=text)


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    from glowline.emulator.cli import run as run_emulator

    extra = ["--mqtt", args.mqtt, "--mqtt-interval", repr(args.mqtt_interval)] if args.mqtt else []
    habits = [flag for flag, _ in HABIT_FLAGS if getattr(args, flag[2:].replace("-", "_"))]
    return run_emulator(["--port", str(args.port), "--host", args.host, *extra, *habits])
