"""Live power from Glow hardware: the [live] settings, the IHD's local MQTT messages parsed into true-or-absent
values, the broker connection (paho-mqtt, imported only here), the REST ``/current`` fallback and the live file.

Facts (../shared/docs/glow-mqtt.md): topics ``<prefix>/<MAC>/SENSOR/electricitymeter``, ``.../SENSOR/gasmeter`` and
``<prefix>/<MAC>/STATE``; ``power.value`` is in kW (negative while exporting); registers are kWh; prices are GBP;
-8388.608 is the meter's "no reading" value; a register that goes backwards or to zero is a glitch; gas messages
carry no power. Every value here is either true or None: nothing is guessed or carried over.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from glowline import gate, paths, printable
from glowline.errors import APIUnavailable, AuthError, GlowlineError, MalformedResponse, NoLiveData, UsageError
from glowline.status import live as live_file

log = logging.getLogger("glowline.live")
#: the meter's "no valid reading" value (the most negative 24-bit number, in kW); never shown
ERROR_VALUES = (-8388.608,)
#: strings a device sends while it has nothing to say (glow-mqtt.md 2-3)
PLACEHOLDERS = ("read pending", "EMPTY", "---", "")
DEFAULT_PREFIX = "glow"
DEFAULT_MAX_AGE = live_file.DEFAULT_MAX_AGE
#: REST /current is polled no faster than the device refreshes (glow-mqtt.md 6)
REST_POLL_SECONDS = 10.0
#: reconnect back-off: 1 s after a lost connection, doubling up to this, also across connections the broker
#: accepts and then drops at once (a connection counts as good once it has lasted GOOD_CONNECTION seconds)
MAX_BACKOFF = 30
GOOD_CONNECTION = 60.0
#: seconds stop() waits for paho's network thread (it ends within its current sleep anyway)
STOP_WAIT = 0.05
#: the largest message payload parsed (a real one is under 1 KiB)
MAX_PAYLOAD = 65536
#: the largest MQTT packet accepted: announced to the broker in CONNECT (MQTT v5 Maximum Packet Size), so that it
#: never sends a larger one, and enforced on reading (a broker that ignores it is disconnected before the packet is
#: held)
MAX_PACKET = MAX_PAYLOAD + 1024
#: why a message carried no power (the words `live` and doctor use)
NO_READING, NOT_A_NUMBER, OUT_OF_RANGE, FUTURE = ("the meter's 'no reading' value", "not a number",
                                                  "beyond any household's power", "stamped in the future")
KEYRING_PREFIX = "mqtt:"
ELECTRICITY, GAS, STATE = "electricitymeter", "gasmeter", "STATE"

NO_MQTT_HINT = ("no live data: set [live] mqtt = \"mqtt://HOST:1883\" in config.toml (or GLOWLINE_MQTT_URL) to the "
                "broker your Glow IHD publishes to")


# ---------------------------------------------------------------------------------------------------- settings


class LiveSettings:
    """Where the broker is and what to listen to: from config.toml's [live] table and GLOWLINE_MQTT_URL."""

    __slots__ = ("device", "host", "max_age", "port", "prefix", "show", "tls", "url", "username")

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX, device: str = "+", max_age: float = DEFAULT_MAX_AGE,
                 show: bool = False) -> None:
        from urllib.parse import unquote, urlsplit

        from glowline.config import mqtt_url_problem

        problem = mqtt_url_problem(url)
        if problem:
            raise UsageError(f"live MQTT URL: {problem}")
        parts = urlsplit(url)
        self.url = url
        self.tls = parts.scheme == "mqtts"
        self.host = str(parts.hostname)
        self.port = parts.port or (8883 if self.tls else 1883)
        self.username = unquote(parts.username) if parts.username else None
        self.prefix = prefix
        self.device = device.upper() if device != "+" else "+"
        self.max_age = max_age
        self.show = show

    @property
    def where(self) -> str:
        """The broker as shown to the user: "mqtts://alice@host:8883" (never a password: there is none here)."""
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"

    @property
    def keyring_key(self) -> str:
        """The keyring username the broker password is kept under (service "glowline", beside the account's)."""
        return f"{KEYRING_PREFIX}{self.username or ''}@{self.host}:{self.port}"

    def topics(self) -> list[str]:
        """What to subscribe to: the device's (or every device's) electricity, gas and STATE topics."""
        base = f"{self.prefix}/{self.device}"
        return [f"{base}/SENSOR/{ELECTRICITY}", f"{base}/SENSOR/{GAS}", f"{base}/{STATE}"]


def settings(conf: dict[str, object]) -> LiveSettings | None:
    """The live settings, or None when no broker is configured (GLOWLINE_MQTT_URL wins over [live] mqtt)."""
    table = conf.get("live")
    live = table if isinstance(table, dict) else {}
    url = os.environ.get("GLOWLINE_MQTT_URL") or live.get("mqtt")
    if not isinstance(url, str) or not url:
        return None
    max_age = live.get("max_age", DEFAULT_MAX_AGE)
    return LiveSettings(url, str(live.get("topic_prefix") or DEFAULT_PREFIX), str(live.get("device") or "+"),
                        float(max_age) if isinstance(max_age, (int, float)) else DEFAULT_MAX_AGE,
                        live.get("show") is True)


def max_age(conf: dict[str, object]) -> float:
    table = conf.get("live")
    value = table.get("max_age") if isinstance(table, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else DEFAULT_MAX_AGE


# ---------------------------------------------------------------------------------------------------- messages


class Electricity:
    """One electricity reading: power in W (None when the meter had none) and the registers, each true or None."""

    __slots__ = ("at", "device", "export_kwh_total", "import_kwh_today", "import_kwh_total", "power_problem",
                 "power_w", "source", "standing_charge_gbp", "unit_rate_gbp")

    def __init__(self, at: float, power_w: float | None, source: str = "mqtt", device: str = "",
                 import_kwh_today: float | None = None, import_kwh_total: float | None = None,
                 export_kwh_total: float | None = None, unit_rate_gbp: float | None = None,
                 standing_charge_gbp: float | None = None) -> None:
        self.at = at
        self.power_w = power_w
        self.source = source
        self.device = device
        self.import_kwh_today = import_kwh_today
        self.import_kwh_total = import_kwh_total
        self.export_kwh_total = export_kwh_total
        self.unit_rate_gbp = unit_rate_gbp
        self.standing_charge_gbp = standing_charge_gbp
        #: why power_w is None (NO_READING, NOT_A_NUMBER, OUT_OF_RANGE, FUTURE), else None
        self.power_problem: str | None = None

    def document(self, now: float | None = None) -> dict[str, object]:
        """`glowline live --format json`: the issue's keys in its order, then age_seconds."""
        power = None if self.power_w is None else round(self.power_w)
        return {"power_w": power, **_registers(self, {"export_kwh_total": self.export_kwh_total}, now)}


class Gas:
    """One gas reading: registers in kWh and m3 (no power: gas messages have none since firmware 1.8.13)."""

    __slots__ = ("at", "device", "import_kwh_today", "import_kwh_total", "source", "standing_charge_gbp",
                 "unit_rate_gbp", "volume_m3_total")

    def __init__(self, at: float, device: str = "", import_kwh_today: float | None = None,
                 import_kwh_total: float | None = None, volume_m3_total: float | None = None,
                 unit_rate_gbp: float | None = None, standing_charge_gbp: float | None = None,
                 source: str = "mqtt") -> None:
        self.at = at
        self.device = device
        self.import_kwh_today = import_kwh_today
        self.import_kwh_total = import_kwh_total
        self.volume_m3_total = volume_m3_total
        self.unit_rate_gbp = unit_rate_gbp
        self.standing_charge_gbp = standing_charge_gbp
        self.source = source

    def document(self, now: float | None = None) -> dict[str, object]:
        """`glowline live --resource gas --format json`."""
        return _registers(self, {"volume_m3_total": self.volume_m3_total}, now)


def _registers(reading: Electricity | Gas, own: dict[str, object], now: float | None) -> dict[str, object]:
    """The keys an electricity and a gas document share, in the documented order, with the meter's ``own``
    register after the import ones, and age_seconds when ``now`` is given."""
    doc: dict[str, object] = {
        "at": iso(reading.at),
        "source": reading.source,
        "device": reading.device or None,
        "import_kwh_today": reading.import_kwh_today,
        "import_kwh_total": reading.import_kwh_total,
        **own,
        "unit_rate_gbp": reading.unit_rate_gbp,
        "standing_charge_gbp": reading.standing_charge_gbp,
    }
    if now is not None:
        doc["age_seconds"] = int(max(0.0, now - reading.at))
        if gate.stamp(reading.at, now) is None:  # stamped ahead of our clock: its age is unknown, never "0"
            doc["age_seconds"] = None
    return doc


class DeviceState:
    """The STATE topic: the device's MAC, hardware, software, HAN (Zigbee) status and signal."""

    __slots__ = ("at", "device", "han_status", "hardware", "lqi", "rssi", "smets", "software", "zigbee")

    def __init__(self, at: float | None, device: str, hardware: str | None, software: str | None,
                 han_status: str | None, rssi: int | None, lqi: int | None, smets: str | None = None,
                 zigbee: str | None = None) -> None:
        self.at = at
        self.device = device
        self.hardware = hardware
        self.software = software
        self.han_status = han_status
        self.rssi = rssi
        self.lqi = lqi
        self.smets = smets
        self.zigbee = zigbee


def iso(epoch: float | None) -> str | None:
    """ISO-8601 UTC with a Z, as the device writes it."""
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def parse_time(text: object) -> float | None:
    """The device's "2022-11-07T09:20:08Z" as epoch seconds; None when it is not that."""
    if not isinstance(text, str):
        return None
    from datetime import datetime, timezone

    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    return None


def number(value: object) -> float | None:
    """A finite number that is not the meter's error value; None for anything else (strings, placeholders, NaN)."""
    number_ = gate.number(value)
    if number_ is None or is_error_value(number_):
        return None
    return number_


def is_error_value(value: object) -> bool:
    """True for the meter's "no reading" value (-8388.608 kW)."""
    return isinstance(value, float) and any(abs(value - bad) < 1e-9 for bad in ERROR_VALUES)


def _get(doc: object, *path: str) -> object:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def power_watts(power: object) -> float | None:
    """``power`` {"value", "units"} in W: kW (the device's unit) times 1000, through the gate; None for the error
    value, no value, not a number or beyond any household (power_problem says which)."""
    return power_reading(power)[0]


def power_reading(power: object) -> tuple[float | None, str | None]:
    """(watts, None) or (None, why): NO_READING, NOT_A_NUMBER or OUT_OF_RANGE; (None, None) when there is none."""
    raw = _get(power, "value")
    if raw is None:
        return None, None
    value = gate.number(raw)
    if value is None:
        return None, NOT_A_NUMBER
    if is_error_value(value):
        return None, NO_READING
    watts = gate.power_w(value if _get(power, "units") == "W" else value * 1000.0)
    return (watts, None) if watts is not None else (None, OUT_OF_RANGE)


def _register(value: object) -> float | None:
    """A register or day counter in kWh (or m3) through the gate; None for the error value or anything else."""
    return gate.register_kwh(number(value))


def _price(value: object, check: Callable[[object], float | None]) -> float | None:
    """A price in GBP (the device's unit) through the gate's check in pence; zero or below is what a device sends
    while joining (M2 ignores them)."""
    gbp = number(value)
    if gbp is None or gbp <= 0 or check(gbp * 100.0) is None:
        return None
    return gbp


class Registers:
    """Meter registers only grow: a value that goes backwards, or to zero after a positive one, is a device glitch
    and reads as None (the last good value is kept to compare the next one with)."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def check(self, device: str, name: str, value: float | None, zero_ok: bool = False) -> float | None:
        if value is None or value < 0 or (value == 0 and not zero_ok):
            return None
        with self._lock:
            last = self._last.get((device, name))
            if last is not None and value < last:
                return None
            self._last[(device, name)] = value
        return value


def parse_electricity(doc: object, device: str = "", registers: Registers | None = None,
                      now: float | None = None) -> Electricity | None:
    """An electricity message as an Electricity, or None when it is not one (no meter object, no timestamp). Every
    number passes the gate; a message stamped ahead of ``now`` (default: the clock) carries no power (FUTURE)."""
    meter = _get(doc, ELECTRICITY)
    at = parse_time(_get(meter, "timestamp"))
    if not isinstance(meter, dict) or at is None:
        return None
    regs = registers or Registers()
    imp = _get(meter, "energy", "import")
    future = gate.stamp(at, time.time() if now is None else now) is None
    power, problem = (None, FUTURE) if future else power_reading(_get(meter, "power"))
    reading = Electricity(
        at,
        power,
        "mqtt",
        device,
        import_kwh_today=_register(_get(imp, "day")),
        import_kwh_total=None if future else regs.check(device, "electricity.import",
                                                        _register(_get(imp, "cumulative"))),
        export_kwh_total=None if future else regs.check(
            device, "electricity.export", _register(_get(meter, "energy", "export", "cumulative")), zero_ok=True),
        unit_rate_gbp=_price(_get(imp, "price", "unitrate"), gate.unit_rate),
        standing_charge_gbp=_price(_get(imp, "price", "standingcharge"), gate.standing),
    )
    reading.power_problem = problem
    return reading


def parse_gas(doc: object, device: str = "", registers: Registers | None = None,
              now: float | None = None) -> Gas | None:
    """A gas message as a Gas (kWh registers, the m3 volume; ``dayvol`` is kWh despite its name), or None (also
    for a message stamped ahead of ``now``: it is no reading of now)."""
    meter = _get(doc, GAS)
    at = parse_time(_get(meter, "timestamp"))
    if not isinstance(meter, dict) or at is None or gate.stamp(at, time.time() if now is None else now) is None:
        return None
    regs = registers or Registers()
    imp = _get(meter, "energy", "import")
    return Gas(
        at,
        device,
        import_kwh_today=_register(_get(imp, "day")),
        import_kwh_total=regs.check(device, "gas.import", _register(_get(imp, "cumulative"))),
        volume_m3_total=regs.check(device, "gas.volume", _register(_get(imp, "cumulativevol"))),
        unit_rate_gbp=_price(_get(imp, "price", "unitrate"), gate.unit_rate),
        standing_charge_gbp=_price(_get(imp, "price", "standingcharge"), gate.standing),
    )


def parse_state(doc: object, device: str = "") -> DeviceState | None:
    """A STATE message, or None when it is not a JSON object."""
    if not isinstance(doc, dict):
        return None

    def text(value: object) -> str | None:  # device text: control characters removed, length bounded
        clean = printable.optional(value)
        return clean if clean is not None and clean not in PLACEHOLDERS else None

    def whole(value: object) -> int | None:  # RSSI (dBm) and LQI are small integers
        number_ = gate.within(value, -1000.0, 1000.0)
        return None if number_ is None else int(number_)

    mac = text(doc.get("wifistamac")) or text(doc.get("ethmac")) or printable.text(device)
    return DeviceState(parse_time(doc.get("timestamp")), mac.upper(), text(doc.get("hardware")),
                       text(doc.get("software")), text(_get(doc, "han", "status")), whole(_get(doc, "han", "rssi")),
                       whole(_get(doc, "han", "lqi")), text(doc.get("smetsversion")), text(doc.get("zigbee")))


def split_topic(topic: str, prefix: str) -> tuple[str, str] | None:
    """(device MAC, kind) of ``<prefix>/<MAC>/SENSOR/<meter>`` or ``<prefix>/<MAC>/STATE``; None for anything else."""
    if not topic.startswith(prefix + "/"):
        return None
    parts = topic[len(prefix) + 1 :].split("/")
    if len(parts) == 3 and parts[1] == "SENSOR" and parts[2] in (ELECTRICITY, GAS):
        return parts[0].upper(), parts[2]
    if len(parts) == 2 and parts[1] == STATE:
        return parts[0].upper(), STATE
    return None


def parse_message(topic: str, payload: bytes, prefix: str,
                  registers: Registers) -> Electricity | Gas | DeviceState | None:
    """One MQTT message as what it carries, or None (another topic, not JSON, not the recorded shape)."""
    import json

    where = split_topic(topic, prefix)
    if where is None or len(payload) > MAX_PAYLOAD:
        return None
    device, kind = where
    device = printable.text(device, 32)
    try:
        doc = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if kind == ELECTRICITY:
        return parse_electricity(doc, device, registers)
    if kind == GAS:
        return parse_gas(doc, device, registers)
    return parse_state(doc, device)


# ---------------------------------------------------------------------------------------------------- the live file


def write_live_file(reading: Electricity, now: float | None = None) -> bool:
    """Keep the status line's live file current (atomic replace); False when there is no power to write."""
    from glowline.files import atomic_write

    if reading.power_w is None:
        return False
    atomic_write(paths.live_path(), live_file.encode(reading.power_w, reading.at, reading.source, reading.device,
                                                      time.time() if now is None else now))
    _keep_prerendered_lines()
    return True


def _keep_prerendered_lines() -> None:
    """With [files] formats, the pre-rendered lines carry live power ([live] show) and the meter's register's tail
    (glowline.status.tail): rewrite them when the line's state changed (glowline.status.line). Never fails the
    writer."""
    from glowline.status import settings

    conf = settings.load_fast()
    if not conf or not conf.get("files"):
        return
    from glowline.status.line import update_prerendered

    try:
        update_prerendered(conf)
    except Exception as exc:  # a pre-rendered line is a convenience: the live file is what matters
        import logging

        logging.getLogger("glowline.live").debug("pre-rendered lines not updated: %s", exc)


def write_live_file_problem(reading: Electricity) -> str | None:
    """write_live_file, answering the one line that says why the live file could not be written (None when it
    was): a daemon that cannot write it must say so, not fall silent."""
    try:
        write_live_file(reading)
    except OSError as exc:
        where = exc.filename or paths.live_path()
        return f"cannot write the live file {where}: {exc.strerror or type(exc).__name__} (the status line shows no " \
               "live power until it can)"
    return None


class LogLimit:
    """Bounded logging for a long-running subscriber: a line identical to one said less than ``quiet`` seconds ago
    is not repeated (the count of the skipped ones comes with its next showing)."""

    def __init__(self, write: Callable[[str], None], quiet: float = 600.0) -> None:
        self.write = write
        self.quiet = quiet
        self._said: dict[str, tuple[float, int]] = {}

    def __call__(self, text: str) -> None:
        now = time.monotonic()
        last = self._said.get(text)
        if last is not None and now - last[0] < self.quiet:
            self._said[text] = (last[0], last[1] + 1)
            return
        skipped = last[1] if last is not None else 0
        if len(self._said) > 100:
            self._said.clear()
        self._said[text] = (now, 0)
        self.write(text + (f" (and {skipped} more times)" if skipped else ""))


# ---------------------------------------------------------------------------------------------------- credentials


def broker_password(live: LiveSettings, timeout: float = 10.0) -> str | None:
    """The broker password: GLOWLINE_MQTT_PASSWORD, else the keyring's (`glowline login --mqtt`), else the password
    file's (`glowline login --mqtt --insecure-storage`); None when the URL names no user (an anonymous broker) or none
    is stored."""
    if live.username is None:
        return None
    env = os.environ.get("GLOWLINE_MQTT_PASSWORD")
    if env:
        return env
    from glowline.data import credentials

    return credentials.lookup_password(live.keyring_key, timeout)


# ---------------------------------------------------------------------------------------------------- the broker


Message = Electricity | Gas | DeviceState


class Subscriber:
    """A connection to the broker that stays up: subscribes on every (re)connect, reconnects with back-off (1 s
    doubling to 30 s, also when the broker accepts the login and drops it at once), parses each message and hands it
    to ``on_message``. paho's network thread does the I/O; MQTT v5, announcing MAX_PACKET as the largest packet it
    takes. ``on_status`` hears "connected", "subscribed", "disconnected" (``last_error`` says why, ``next_delay`` when
    the next attempt is) and "refused"; nothing once stop() was called."""

    def __init__(self, live: LiveSettings, password: str | None, on_message: Callable[[Message], None],
                 on_status: Callable[[str], None] | None = None) -> None:
        import paho.mqtt.client as mqtt

        from glowline.data.registers import Recorder

        self.live = live
        self.registers = Registers()
        self.recorder = Recorder()  # the meter's registers at half-hour boundaries, for the tail from the meter
        self.on_message = on_message
        self.on_status = on_status
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.refused: GlowlineError | None = None
        self.last_error: str | None = None
        self.messages = 0
        self.last_message_at: float | None = None
        self.stopping = False
        #: seconds before the next reconnect; doubles after every connection that did not last GOOD_CONNECTION
        self.next_delay = 1
        self._connected_at: float | None = None
        from paho.mqtt.enums import CallbackAPIVersion
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                  client_id=f"glowline-{os.getpid()}-{os.urandom(3).hex()}", protocol=mqtt.MQTTv5)
        self.client.reconnect_delay_set(min_delay=1, max_delay=MAX_BACKOFF)
        self.properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        self.properties.MaximumPacketSize = MAX_PACKET
        _refuse_oversized_packets(self.client)
        if live.tls:
            import ssl

            self.client.tls_set_context(ssl.create_default_context())  # verified against the system CAs, hostname
        if live.username is not None:
            self.client.username_pw_set(live.username, password)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    def _status(self, text: str) -> None:
        if self.on_status is not None:
            self.on_status(text)

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if getattr(reason, "is_failure", False):
            name = str(reason)
            if "authori" in name.lower() or "password" in name.lower():
                self.refused = AuthError(f"the broker {self.live.where} refused the login ({name}): "
                                         "`glowline login --mqtt` saves the broker password")
            else:
                self.refused = APIUnavailable(f"the broker {self.live.where} refused the connection ({name})")
            self.last_error = str(self.refused)
            self._status("refused")
            return
        self.refused = None
        self._connected_at = time.monotonic()
        self.connected.set()
        client.subscribe([(topic, 0) for topic in self.live.topics()])
        self._status("connected")

    def _on_subscribe(self, client: Any, userdata: Any, mid: Any, reasons: Any, properties: Any) -> None:
        """SUBACK: subscribed only when the broker granted every topic."""
        failed = [str(r) for r in reasons or () if getattr(r, "is_failure", False)]
        if failed:
            self.last_error = f"the broker {self.live.where} refused the subscription ({', '.join(failed)})"
            self.refused = APIUnavailable(f"{self.last_error}: check the broker's ACL for the topic prefix")
            self._status("refused")
            return
        self.subscribed.set()
        self._status("subscribed")

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if self.stopping:  # our own stop(): not a lost connection
            return
        lasted = None if self._connected_at is None else time.monotonic() - self._connected_at
        self._connected_at = None
        if lasted is not None and lasted >= GOOD_CONNECTION:
            self.next_delay = 1
        else:  # refused, or dropped at once: the back-off grows even though the login "succeeded"
            self.next_delay = min(MAX_BACKOFF, self.next_delay * 2)
        client.reconnect_delay_set(min_delay=self.next_delay, max_delay=MAX_BACKOFF)
        self.last_error = f"connection to {self.live.where} lost ({printable.text(str(reason))})"
        self._status("disconnected")

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        try:
            parsed = parse_message(str(msg.topic), bytes(msg.payload), self.live.prefix, self.registers)
        except Exception:  # a message never ends the subscriber
            return
        if parsed is None:
            return
        if self.live.device != "+" and parsed.device != self.live.device:
            return
        self.messages += 1
        self.last_message_at = time.time()
        if isinstance(parsed, Electricity) and parsed.power_problem:  # said with -v: the gate left the power out
            log.info("electricity message from %s at %s: power left out (%s)", parsed.device, iso(parsed.at),
                     parsed.power_problem)
        try:
            self.recorder.on_message(parsed)
        except Exception:  # the record never costs the message
            pass
        try:
            self.on_message(parsed)
        except Exception:
            return

    def connect(self, timeout: float) -> None:
        """Connect once, now, so that a refused TLS certificate, a wrong port or a bad host is one clear error."""
        import ssl

        self.client.connect_timeout = max(0.1, timeout)
        try:
            self.client.connect(self.live.host, self.live.port, keepalive=30, clean_start=True,
                                properties=self.properties)
        except ssl.SSLCertVerificationError as exc:
            raise APIUnavailable(f"the broker {self.live.where}: TLS certificate not verified "
                                 f"({exc.verify_message or exc.reason}); refused") from None
        except ssl.SSLError as exc:
            raise APIUnavailable(f"the broker {self.live.where}: TLS failed ({exc.reason or exc})") from None
        except TimeoutError:
            raise APIUnavailable(f"the broker {self.live.where} did not answer within {timeout:g} s") from None
        except OSError as exc:
            raise APIUnavailable(f"cannot reach the broker {self.live.where}: {exc.strerror or exc}") from None

    def start(self, timeout: float, keep_trying: bool = False) -> None:
        """Connect and run the network thread. ``keep_trying`` (daemon, watch): a failed first connection is
        recorded in ``last_error`` and retried with back-off instead of raised."""
        try:
            self.connect(timeout)
        except GlowlineError as exc:
            if not keep_trying:
                raise
            self.last_error = str(exc)
            self._status("disconnected")
            self.client.connect_async(self.live.host, self.live.port, keepalive=30, clean_start=True,
                                      properties=self.properties)
        self.client.loop_start()

    def wait_connected(self, deadline: float) -> None:
        """Until the broker has accepted the login and the subscription (monotonic ``deadline``); errors raised."""
        while time.monotonic() < deadline:
            if self.refused is not None:
                raise self.refused
            if self.subscribed.wait(0.05):
                return
        if self.refused is not None:
            raise self.refused
        raise APIUnavailable(f"the broker {self.live.where} did not accept the connection in time")

    def stop(self) -> None:
        """Disconnect cleanly and end the network thread; no status is reported from here on."""
        self.stopping = True
        self.recorder.close()
        try:
            self.client.disconnect()
        except Exception:
            pass
        # paho's loop_stop() joins its network thread, which may be sleeping out a reconnect delay (up to a second
        # per step): ask it to end and wait briefly; it is a daemon thread and ends within its current sleep
        thread = getattr(self.client, "_thread", None)
        self.client._thread_terminate = True
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_WAIT)


def _refuse_oversized_packets(client: Any) -> None:
    """Make ``client`` drop the connection as soon as a packet's header announces more than MAX_PACKET bytes, before
    any of it is held (a broker that ignores the Maximum Packet Size we announced). Wraps paho's socket read: paho
    2.x keeps the packet being read in ``_in_packet`` (remaining_length once ``have_remaining`` is set)."""
    receive = client._sock_recv

    def guarded(size: int) -> bytes:
        packet = client._in_packet
        if packet.get("have_remaining") and packet.get("remaining_length", 0) > MAX_PACKET:
            raise ConnectionAbortedError(f"a packet of {packet['remaining_length']} bytes (more than {MAX_PACKET})")
        return bytes(receive(size))

    client._sock_recv = guarded


# ---------------------------------------------------------------------------------------------------- REST /current

#: /current's power units and their factor to W: the documented W (Swagger), a missing ``units`` key (W: Hildebrand
#: staff, unlobito#19; "" here), and kW (the IHD's own unit). Anything else (kWh: ColinRobbins#7, m3) is refused.
REST_UNITS = {"": 1.0, "w": 1.0, "kw": 1000.0}


def rest_power_w(value: float, units: str) -> float:
    """A /current value in W: scaled by its ``units`` (REST_UNITS) and passed through glowline.gate.power_w, the
    check MQTT power gets. MalformedResponse (one line) for other units; NoLiveData for the meter's "no reading"
    value (-8388.608 kW, in either unit) or a power no household draws."""
    scale = REST_UNITS.get(units.strip().lower())
    if scale is None:
        shown = "".join(c for c in units if c.isprintable())[:20]
        raise MalformedResponse(f"the API's /current answers in {shown!r}, not power (W or kW): refused")
    if any(abs(value * scale / 1000.0 - bad) < 1e-6 or abs(value - bad) < 1e-9 for bad in ERROR_VALUES):
        raise NoLiveData("no live data: the meter answers its \"no reading\" value over the API's /current "
                         "(it has no valid power reading now)")
    power = gate.power_w(value * scale)
    if power is None:
        raise NoLiveData(f"no live data: the API's /current reading {value:.6g} {units or 'W'} is not a power a "
                         f"household draws (at most {gate.MAX_POWER_W / 1000:g} kW)")
    return power



class RestCurrent:
    """The API's /current of the account's electricity resources: the first that answers data (Glow hardware on the
    account) is kept; a DCC-only account answers empty everywhere (NoLiveData)."""

    def __init__(self, conf: dict[str, object], site: str = "") -> None:
        self.conf = conf
        self.site = site
        self.resource_id: str | None = None
        self.device = ""

    def candidates(self) -> list[tuple[str, str]]:
        from glowline.data.account import open_session

        with open_session(config=self.conf) as session:
            sites = session.sites()
        wanted = [s for s in sites if not self.site or self.site in (s.name, s.ve_id)]
        return [(r.resource_id, s.name) for s in wanted for r in s.resources
                if r.classifier == "electricity.consumption"]

    def read(self) -> Electricity:
        """The latest reading; NoLiveData when no resource of the account answers one."""
        from glowline.data.account import open_session

        ids = [self.resource_id] if self.resource_id else [rid for rid, _ in self.candidates()]
        problem: GlowlineError | None = None  # what the resources that answered something said instead of power
        with open_session(config=self.conf) as session:
            for rid in ids:
                if rid is None:
                    continue
                reading = session.source.current(rid)
                if reading is None:
                    continue
                try:
                    power = rest_power_w(reading.value, reading.unit)
                    at = gate.stamp(reading.at, time.time())
                    if at is None:
                        raise NoLiveData(f"no live data: the API's /current reading is stamped {iso(reading.at)}, "
                                         "not now (its clock or ours is wrong)")
                except GlowlineError as exc:
                    problem = problem or exc
                    continue
                self.resource_id = rid
                return Electricity(at, power, "rest")
        self.resource_id = None
        if problem is not None:
            raise problem
        raise NoLiveData(
            f"no live data: the API's /current answers nothing for this account (DCC-only meters have no live "
            f"data; a Glow IHD or CAD gives it), and no MQTT broker is configured: {NO_MQTT_HINT.split(': ', 1)[1]}"
        )


# ---------------------------------------------------------------------------------------------------- doctor's probe


class Probe:
    """What doctor learns from the broker within its deadline: reachable, subscribed, the first electricity message
    and the device's STATE (each None when it did not come); ``error`` is the one line when it failed."""

    def __init__(self) -> None:
        self.error: GlowlineError | None = None
        self.subscribed = False
        self.electricity: Electricity | None = None
        self.received_at: float | None = None
        self.state: DeviceState | None = None
        self.messages = 0
        #: electricity messages whose power was left out, by why (NOT_A_NUMBER, OUT_OF_RANGE, FUTURE, NO_READING)
        self.left_out: dict[str, int] = {}

    def left_out_text(self) -> str:
        """ "3 not a number, 1 stamped in the future" (empty when none was left out)."""
        return ", ".join(f"{n} {why}" for why, n in self.left_out.items())


def probe(live: LiveSettings, password: str | None, timeout: float) -> Probe:
    """Connect, subscribe and listen for up to ``timeout`` seconds (less once both an electricity message with
    power and a STATE message have come)."""
    result = Probe()
    done = threading.Event()

    def on_message(message: Message) -> None:
        result.messages += 1
        if isinstance(message, Electricity) and message.power_w is None and message.power_problem:
            result.left_out[message.power_problem] = result.left_out.get(message.power_problem, 0) + 1
        elif isinstance(message, Electricity) and message.power_w is not None and result.electricity is None:
            result.electricity, result.received_at = message, time.time()
        elif isinstance(message, DeviceState):
            result.state = message
        if result.electricity is not None and result.state is not None:
            done.set()

    deadline = time.monotonic() + timeout
    try:
        sub = Subscriber(live, password, on_message)
        sub.start(timeout)
    except GlowlineError as exc:
        result.error = exc
        return result
    try:
        sub.wait_connected(deadline)
        result.subscribed = True
        done.wait(max(0.0, deadline - time.monotonic()))
    except GlowlineError as exc:
        result.error = exc
    finally:
        sub.stop()
    return result
