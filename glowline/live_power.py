"""Live power for `glowline live`: the next reading from the Glow IHD over MQTT or the API's /current, printed as
text or JSON (once, or one line per message), and the daemon that keeps the status line's live file current.

The daemon is the one subscriber per user (single instance through a lock file, reconnects with back-off, returns
on SIGTERM/SIGINT).
"""

from __future__ import annotations

import sys
import time

from glowline.errors import EXIT_OK, NoLiveData

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from glowline.data.live import Electricity, Gas, LiveSettings


#: REST polling back-off after a failure, at most
MAX_REST_BACKOFF = 300.0


class Stop(Exception):
    """SIGTERM or SIGINT: leave quietly with exit 0."""


def install_signals() -> None:
    import signal

    def stop(signum: int, frame: object) -> None:
        raise Stop

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _say(text: str) -> None:
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise Stop from None


def electricity_text(reading: Electricity, max_age: float, now: float) -> str:
    """ "425 W", with " ·3m" when the reading is older than max_age (ASCII-free digits: the same with --ascii)."""
    from glowline.status.formats import age_text
    from glowline.status.live import power_text

    assert reading.power_w is not None
    text = power_text(reading.power_w)
    age = now - reading.at
    return text + (f" ·{age_text(age)} old" if age > max_age else "")


def gas_text(reading: Gas) -> str:
    """ "66589.570 kWh total (5995.276 m³), 17.326 kWh today"; "–" for a value the meter did not give."""
    def kwh(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f} kWh"

    volume = "" if reading.volume_m3_total is None else f" ({reading.volume_m3_total:.3f} m³)"
    return f"gas: {kwh(reading.import_kwh_total)} total{volume}, {kwh(reading.import_kwh_today)} today"


def _print(reading: Electricity | Gas, fmt: str, max_age: float) -> None:
    from glowline.data.live import Electricity
    from glowline.status.formats import json_dumps

    now = time.time()
    if fmt == "json":
        _say(json_dumps(reading.document(now)))
    elif isinstance(reading, Electricity):
        _say(electricity_text(reading, max_age, now))
    else:
        _say(gas_text(reading))


def from_mqtt(settings: LiveSettings, args: argparse.Namespace) -> int:
    import queue

    from glowline.data import live as data

    deadline = time.monotonic() + args.timeout  # one deadline for everything: the client, the connection, a message
    wanted = data.Electricity if args.resource == "electricity" else data.Gas
    inbox: queue.Queue[data.Message] = queue.Queue()
    sub = data.Subscriber(settings, data.broker_password(settings), inbox.put)
    sub.start(max(0.05, deadline - time.monotonic()))
    try:
        sub.wait_connected(deadline)
        dropped: dict[str, int] = {}
        while True:
            left = deadline - time.monotonic()
            if left <= 0 and not args.follow:
                kind = "electricity" if wanted is data.Electricity else "gas"
                why = f" ({', '.join(f'{n} {problem}' for problem, n in dropped.items())})" if dropped else ""
                raise NoLiveData(
                    f"no {kind} message from {settings.where} within {args.timeout:g} s{why}: is the IHD publishing "
                    f"to this broker under the topic prefix {settings.prefix!r}? "
                    "(Hildebrand support enables local MQTT)")
            try:
                message = inbox.get(timeout=max(0.05, min(left, 1.0)) if not args.follow else 1.0)
            except queue.Empty:
                if sub.refused is not None:
                    raise sub.refused from None
                continue
            if not isinstance(message, wanted):
                continue
            if isinstance(message, data.Electricity):
                if message.power_w is None:
                    problem = message.power_problem or "without power"
                    dropped[problem] = dropped.get(problem, 0) + 1
                    continue
                _write_quietly(message)
            _print(message, args.format, settings.max_age)
            if not args.follow:
                return EXIT_OK
    finally:
        sub.stop()


def _write_quietly(reading: Electricity) -> None:
    from glowline.data.live import write_live_file

    try:
        write_live_file(reading)
    except OSError:
        pass  # a read-only cache only costs the status line its live part


def from_rest(conf: dict[str, object], args: argparse.Namespace) -> int:
    from glowline.data import live as data
    from glowline.errors import NotLoggedIn

    source = data.RestCurrent(conf, args.site)
    max_age = data.max_age(conf)
    while True:
        try:
            reading = source.read()
        except NotLoggedIn:
            raise NotLoggedIn(f"{data.NO_MQTT_HINT}; or `glowline login` so that the API's /current can be asked "
                              "(it answers for Glow hardware only)") from None
        _write_quietly(reading)
        _print(reading, args.format, max_age)
        if not args.follow:
            return EXIT_OK
        time.sleep(data.REST_POLL_SECONDS)  # never faster than the device refreshes


def _log(text: str) -> None:
    """One line on stderr (the journal, under systemd); never a secret."""
    try:
        sys.stderr.write(f"glowline live: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def daemon(conf: dict[str, object], settings: LiveSettings | None, site: str = "") -> int:
    """Keep the live file current until SIGTERM/SIGINT; a second daemon of the same user exits at once (exit 0)."""
    import os
    import signal
    import threading

    from glowline import paths
    from glowline.status import spawn

    lock = spawn.try_lock(paths.live_lock_path())
    if lock is None:
        _log("another `glowline live --daemon` is already running for this user; exiting")
        return EXIT_OK
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if settings is not None:
            _mqtt_daemon(settings, stop)
        else:
            _rest_daemon(conf, site, stop)
    finally:
        os.close(lock)
    return EXIT_OK


def _mqtt_daemon(settings: LiveSettings, stop: Any) -> None:
    from glowline.data import live as data

    say = data.LogLimit(_log)

    def on_message(message: data.Message) -> None:
        if isinstance(message, data.Electricity) and message.power_w is not None:
            problem = data.write_live_file_problem(message)
            if problem:
                say(problem)

    def on_status(state: str) -> None:
        if state == "subscribed":
            say(f"subscribed to {settings.where} ({', '.join(settings.topics())})")
        elif state == "disconnected":
            say(f"{sub.last_error or 'disconnected'}; reconnecting in {sub.next_delay} s")
        elif state == "refused":
            say(f"{sub.last_error}; retrying (back-off up to {data.MAX_BACKOFF} s)")

    sub = data.Subscriber(settings, data.broker_password(settings), on_message, on_status)
    sub.start(5.0, keep_trying=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        sub.stop()


def _rest_daemon(conf: dict[str, object], site: str, stop: Any) -> None:
    from glowline.data import live as data
    from glowline.errors import describe

    source = data.RestCurrent(conf, site)
    wait = data.REST_POLL_SECONDS
    while not stop.is_set():
        try:
            _write_quietly(source.read())
            wait = data.REST_POLL_SECONDS
        except Exception as exc:
            wait = min(MAX_REST_BACKOFF, wait * 2)
            _log(f"{describe(exc)[0]}; next try in {wait:g} s")
        stop.wait(wait)
