"""Command line of the emulator: serve on --host/--port, print the URL and demo credentials, stop on SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from glowline.emulator.routes import DEMO_PASSWORD, DEMO_USERNAME
from glowline.emulator.server import Emulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glowline emulator", description="Run a local Glowmarkt-compatible API with a synthetic household."
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    return parser


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
    emulator = Emulator(port=args.port, host=args.host)
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
        print(f"try: GLOWLINE_API_URL={emulator.url} glowline login --username {DEMO_USERNAME}", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
