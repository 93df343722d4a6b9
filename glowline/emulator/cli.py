"""Command line of the emulator: serve on --host/--port, print the URL and demo credentials, stop on SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from types import FrameType

from glowline.emulator.household import GLITCH_HOURS, GLITCH_KWH, HALF_HOUR, Habits
from glowline.emulator.routes import CURRENT_SHAPES, DEMO_PASSWORD, DEMO_USERNAME
from glowline.emulator.server import Emulator
from glowline.emulator.shapes import TARIFF_DATE_FORMS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glowline emulator", description="Run a local Glowmarkt-compatible API with a synthetic household."
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--mqtt", default=None, metavar="URL",
                        help="also publish the Glow IHD's live messages to this broker (mqtt://HOST:PORT)")
    parser.add_argument("--mqtt-interval", type=float, default=5.0, metavar="S",
                        help="seconds between live messages (default 5; e.g. 0.2 in tests)")
    parser.add_argument("--lag", type=int, default=None, metavar="HALF_HOURS",
                        help="the DCC holds back every resource's last HALF_HOURS half-hours (48: a day) while the "
                        "IHD stays current (default: each resource's own, 2 for electricity, 6 for gas)")
    habits = parser.add_argument_group("the real service's habits (glowmarkt-api.md 8; off by default)")
    habits.add_argument("--provisional-zeros", action="store_true",
                        help="recent half-hours read 0 for hours before their value comes (export: about a day)")
    habits.add_argument("--late-holes", action="store_true",
                        help="runs of half-hours behind last-time are missing and back-filled 2 to 30 hours later")
    habits.add_argument("--glitch", action="store_true",
                        help=f"one half-hour reads {GLITCH_KWH:g} kWh for {GLITCH_HOURS:g} hours, then its true value")
    habits.add_argument("--last-ts-end", action="store_true",
                        help="last-time answers the end of the last delivered half-hour, not its start")
    habits.add_argument("--real-service", action="store_true", help="all four habits above")
    shapes = parser.add_argument_group("the real service's other shapes (glowmarkt-api.md 8; documented by default)")
    shapes.add_argument("--current-shape", choices=CURRENT_SHAPES, default="W",
                        help="/current: W (documented), no-units (unlobito#19), kWh (ColinRobbins#7), kW, 400 "
                             "(pyglowmarkt#14) or error-value (the meter's -8388.608 kW)")
    shapes.add_argument("--tariff-dates", choices=TARIFF_DATE_FORMS, default="local",
                        help="tariff-list dates: local \"YYYY-MM-DD HH:MM:SS\" (Swagger), epoch seconds or iso with Z")
    shapes.add_argument("--standing-in-days", action="store_true",
                        help="cost P1D/P1W/P1M buckets include the standing charge (NJWILKS live contract)")
    shapes.add_argument("--forbidden", action="store_true",
                        help="every resource request answers 403: the account must accept new terms (jonandel#73)")
    return parser


def play_shapes(emulator: Emulator, args: argparse.Namespace) -> None:
    """The other shapes the flags ask for."""
    emulator.play_current(args.current_shape)
    emulator.play_tariff_dates(args.tariff_dates)
    emulator.play_standing_in_days(args.standing_in_days)
    if args.forbidden:
        emulator.fault("403", path="/resource/")


def habits_of(args: argparse.Namespace, now: float) -> Habits:
    """The Habits the flags ask for; ``--glitch`` picks the half-hour that starts three hours before ``now``."""
    every = args.real_service
    glitch_at = int(now) // HALF_HOUR * HALF_HOUR - 6 * HALF_HOUR if every or args.glitch else None
    return Habits(provisional_zeros=every or args.provisional_zeros, late_holes=every or args.late_holes,
                  glitch_at=glitch_at, last_ts_end=every or args.last_ts_end)


def run(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; returns the exit status (0 on a clean stop, 2 on bad usage or a busy port)."""
    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"glowline emulator: port {args.port} is out of range", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    if args.lag is not None and not 0 <= args.lag <= 48 * 30:
        print("glowline emulator: --lag is a number of half-hours from 0 to 1440", file=sys.stderr)
        return 2
    if args.mqtt is not None and not (args.mqtt.startswith("mqtt://") and 0.01 <= args.mqtt_interval <= 3600):
        print("glowline emulator: --mqtt needs mqtt://HOST:PORT and --mqtt-interval 0.01 to 3600", file=sys.stderr)
        return 2
    emulator = Emulator(port=args.port, host=args.host, mqtt=args.mqtt, mqtt_interval=args.mqtt_interval,
                        habits=habits_of(args, time.time()))
    play_shapes(emulator, args)
    if args.lag is not None:
        emulator.set_lag(None, args.lag)
    try:
        emulator.start()
    except OSError as error:
        reason = error.strerror or error
        print(f"glowline emulator: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 2
    try:
        print(f"Glowmarkt emulator at {emulator.url}", flush=True)
        print(f"username: {DEMO_USERNAME}", flush=True)
        # the emulator's own public demo account, not a user's secret: printing it is the point (issue: "prints
        # its URL and demo credentials")
        print(f"password: {DEMO_PASSWORD}", flush=True)
        print(f"try: GLOWLINE_API_URL={emulator.url} glowline login --username {DEMO_USERNAME}{_storage_flag()}",
              flush=True)
        if emulator.publisher is not None:
            print(f"live: the Glow IHD {emulator.glow_mac} publishes to {args.mqtt} every {args.mqtt_interval:g} s "
                  f"(try: GLOWLINE_MQTT_URL={args.mqtt} glowline live --follow)", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _storage_flag() -> str:
    """" --insecure-storage" where no keyring can exist: Linux without a session bus (a server, a container), where the
    Secret Service is out of reach; the hint must work as printed there."""
    if sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return " --insecure-storage"
    return ""
