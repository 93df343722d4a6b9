"""``glowline emulator``: run the Glowmarkt API emulator in the foreground (it prints its URL and demo account)."""

from __future__ import annotations

import argparse
from typing import Any

from glowline.commands.options import number_type


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("emulator", help="run the Glowmarkt API emulator (prints its URL and demo credentials)")
    p.add_argument("--port", type=number_type(int, 0, 65535, "port"), default=8080,
                   help="TCP port to listen on (default 8080; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, loopback only)")
    p.add_argument("--mqtt", default=None, metavar="URL",
                   help="also publish the emulated Glow IHD's live messages to this MQTT broker (mqtt://HOST:PORT)")
    p.add_argument("--mqtt-interval", type=number_type(float, 0.01, 3600, "seconds"), default=5.0, metavar="S",
                   help="seconds between live messages (default 5; e.g. 0.2 in tests)")


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    from glowline.emulator.cli import run as run_emulator

    extra = ["--mqtt", args.mqtt, "--mqtt-interval", repr(args.mqtt_interval)] if args.mqtt else []
    return run_emulator(["--port", str(args.port), "--host", args.host, *extra])
