"""The emulated Glow IHD: publishes the household's live messages to a real MQTT broker, in the recorded shapes.

Standard library only (a few MQTT 3.1.1 packets over a socket: CONNECT, PUBLISH at QoS 0, DISCONNECT), so it shares
no code with glowline's client (paho). Every ``interval`` seconds it publishes, for the site with Glow hardware:

- ``<prefix>/<MAC>/SENSOR/electricitymeter``: power = the current half-hour's mean (what the REST readings will say
  it used) with a zero-mean wobble, the import register and day/week/month counters that grow by exactly the REST
  half-hours (linearly within each), the export register likewise from the site's export resource (0 without one);
- ``<prefix>/<MAC>/SENSOR/gasmeter``: registers as of the last half-hour (the battery gas meter updates every 30 min:
  the register steps at each boundary by that half-hour's REST value), no power (firmware >= 1.8.13);

Every message is stamped by the emulator's clock (``now``), the registers true at that stamp, however late the
DCC delivers the same half-hours (Emulator.hold_back); ``burst`` sends a span of past messages at once, in meter
order, as a broker that queued them would.
- ``<prefix>/<MAC>/STATE``: on connect and every tenth tick.

Shapes, key order and number formatting follow the messages recorded in glow-mqtt.md (compact JSON, 3 decimals for
kWh and kW, 5 for prices). ``inject("error", n)`` sends the meter's -8388.608 "no reading" power n times;
``inject("backwards", n)`` zeroes the import registers n times (the glitch M1 recorded). The publisher reconnects
every half second while the broker is away.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

from glowline.emulator.household import (
    ELECTRICITY_RATE_CENTIPENCE,
    ELECTRICITY_STANDING_CENTIPENCE,
    GAS_RATE_CENTIPENCE,
    GAS_STANDING_CENTIPENCE,
    HALF_HOUR,
    LONDON,
    REGISTER_BASE_KWH,
    Household,
    Resource,
    Site,
)

ERROR_VALUE = -8388.608
STATE_EVERY = 10
CALORIFIC_VALUE, CORRECTION = 39.5, 1.02264


def _varint(length: int) -> bytes:
    out = bytearray()
    while True:
        byte, length = length % 128, length // 128
        out.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(out)


def _text(value: str) -> bytes:
    data = value.encode("utf-8")
    return struct.pack("!H", len(data)) + data


def connect_packet(client_id: str, username: str | None = None, password: str | None = None) -> bytes:
    """MQTT 3.1.1 CONNECT with a clean session and no keep-alive."""
    flags = 0x02 | (0x80 if username is not None else 0) | (0x40 if password is not None else 0)
    body = _text("MQTT") + bytes([4, flags]) + struct.pack("!H", 0) + _text(client_id)
    if username is not None:
        body += _text(username)
    if password is not None:
        body += _text(password)
    return bytes([0x10]) + _varint(len(body)) + body


def publish_packet(topic: str, payload: bytes) -> bytes:
    """PUBLISH at QoS 0, not retained (the device's messages are not retained)."""
    body = _text(topic) + payload
    return bytes([0x30]) + _varint(len(body)) + body


def _kwh(value: float) -> str:
    return f"{value:.3f}"


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class Publisher:
    """Publishes the Glow site's messages to the broker at ``url`` every ``interval`` seconds until stop()."""

    def __init__(self, household: Household, url: str, interval: float = 5.0, now: Callable[[], float] = time.time,
                 prefix: str = "glow", site: Site | None = None, mac: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme != "mqtt" or not parts.hostname:
            raise ValueError(f"the emulator publishes to mqtt://HOST:PORT only, not {parts.scheme}://")
        self.host, self.port = parts.hostname, parts.port or 1883
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        site = site or household.glow_site()  # another site: an IHD there too (its MAC given), for its export
        mac = mac or (site.glow_mac if site is not None else None)
        if site is None or mac is None:
            raise ValueError("the household has no site with Glow hardware")
        self.household, self.site, self.mac = household, site, mac
        self.electricity = next(r for r in site.resources if r.classifier == "electricity.consumption")
        self.gas = next(r for r in site.resources if r.classifier == "gas.consumption")
        self.export = next((r for r in site.resources if r.classifier == "electricity.export"), None)
        self.interval, self.now, self.prefix = interval, now, prefix
        self.published = 0
        self.connections = 0
        self._faults: dict[str, int] = {}
        self._whole: dict[tuple[str, float, float], float] = {}
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> Publisher:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="glow-ihd-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._close(goodbye=True)

    def inject(self, kind: str, times: int = 1) -> None:
        """The next ``times`` electricity messages carry a fault: "error" (power -8388.608) or "backwards"."""
        if kind not in ("error", "backwards"):
            raise ValueError(f"unknown live fault {kind!r}")
        with self._lock:
            self._faults[kind] = self._faults.get(kind, 0) + times

    def _take(self, kind: str) -> bool:
        with self._lock:
            left = self._faults.get(kind, 0)
            if left:
                self._faults[kind] = left - 1
            return bool(left)

    # -- connection

    def _connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=2.0)
        try:
            sock.sendall(connect_packet(f"glow-ihd-{self.mac.lower()}-{self.connections}", self.username,
                                        self.password))
            ack = b""
            while len(ack) < 4:
                chunk = sock.recv(4 - len(ack))
                if not chunk:
                    raise ConnectionError("the broker closed the connection")
                ack += chunk
            if ack[0] != 0x20 or ack[3] != 0:
                raise ConnectionError(f"the broker refused the connection (code {ack[3]})")
        except BaseException:
            sock.close()
            raise
        sock.setblocking(True)
        self._sock = sock
        self.connections += 1

    def _close(self, goodbye: bool = False) -> None:
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            if goodbye:
                sock.sendall(b"\xe0\x00")
        except OSError:
            pass
        sock.close()

    def publish(self, topic: str, payload: bytes) -> bool:
        """Send one message now (connecting first when needed); False when the broker cannot be reached."""
        try:
            if self._sock is None:
                self._connect()
                assert self._sock is not None
                self._sock.sendall(publish_packet(self.topic("STATE"), self.state_payload()))
            assert self._sock is not None
            self._sock.sendall(publish_packet(topic, payload))
        except OSError:
            self._close()
            return False
        self.published += 1
        return True

    def topic(self, leaf: str) -> str:
        return f"{self.prefix}/{self.mac}/{leaf}"

    def burst(self, start: float, end: float, step: float = 10.0) -> int:
        """Publish now, in meter order, the electricity and gas messages stamped ``start``, ``start + step`` ... up
        to ``end``: what a broker that queued them while the subscriber was away hands over at once. The count."""
        count = 0
        at = float(start)
        while at < end:
            if not (self.publish(self.topic("SENSOR/electricitymeter"), self.electricity_payload(at))
                    and self.publish(self.topic("SENSOR/gasmeter"), self.gas_payload(at))):
                raise ConnectionError(f"the broker {self.host}:{self.port} cannot be reached")
            count += 2
            at += step
        return count

    # -- the loop

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            now = self.now()
            ok = self.publish(self.topic("SENSOR/electricitymeter"), self.electricity_payload(now))
            if ok:
                self.publish(self.topic("SENSOR/gasmeter"), self.gas_payload(now))
                if tick % STATE_EVERY == STATE_EVERY - 1:
                    self.publish(self.topic("STATE"), self.state_payload(now))
                tick += 1
            self._stop.wait(self.interval if ok else min(self.interval, 0.5))

    # -- payloads, in the recorded shapes

    def _counters(self, resource: Resource, at: float) -> tuple[float, float, float, float]:
        """(cumulative, day, week, month) kWh at ``at``: the device's counters reset at local midnight."""
        house = self.household
        local = datetime.fromtimestamp(at, LONDON)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        week = midnight - timedelta(days=midnight.weekday())
        month = midnight.replace(day=1)
        current = float(int(at) // HALF_HOUR * HALF_HOUR)
        part = house.register_kwh(resource, current, at) if at > current else 0.0

        def used(since: float) -> float:  # whole half-hours remembered: a burst of a day of messages stays cheap
            key = (resource.resource_id, since, current)
            if key not in self._whole:
                self._whole[key] = house.register_kwh(resource, since, current) if since < current else 0.0
            return self._whole[key] + (part if since <= current else house.register_kwh(resource, since, at))

        total = REGISTER_BASE_KWH + used(house.first_time)
        return total, used(midnight.timestamp()), used(week.timestamp()), used(month.timestamp())

    def electricity_payload(self, now: float | None = None) -> bytes:
        at = float(int(self.now() if now is None else now))
        total, day, week, month = self._counters(self.electricity, at)
        exported = 0.0 if self.export is None else self._counters(self.export, at)[0]
        power_kw = self.household.power_w(self.electricity, at) / 1000.0
        if self._take("error"):
            power_kw = ERROR_VALUE
        if self._take("backwards"):
            total = day = week = month = 0.0
        rate, standing = ELECTRICITY_RATE_CENTIPENCE / 10000, ELECTRICITY_STANDING_CENTIPENCE / 10000
        return (
            f'{{"electricitymeter":{{"timestamp":"{_iso(at)}","energy":{{"export":{{"cumulative":{_kwh(exported)},'
            f'"units":"kWh"}},"import":{{"cumulative":{_kwh(total)},"day":{_kwh(day)},"week":{_kwh(week)},'
            f'"month":{_kwh(month)},"units":"kWh","mpan":"1234","supplier":"ABC ENERGY","price":{{"unitrate":'
            f'{rate:.5f},"standingcharge":{standing:.5f}}}}}}},"power":{{"value":{power_kw:.3f},"units":"kW"}}}}}}'
        ).encode()

    def gas_payload(self, now: float | None = None) -> bytes:
        at = float(int(self.now() if now is None else now))
        read = float(int(at) // HALF_HOUR * HALF_HOUR)  # the gas meter reports every 30 minutes
        total, day, week, month = self._counters(self.gas, read)
        volume = total * 3.6 / CALORIFIC_VALUE / CORRECTION
        rate, standing = GAS_RATE_CENTIPENCE / 10000, GAS_STANDING_CENTIPENCE / 10000
        return (
            f'{{"gasmeter":{{"timestamp":"{_iso(at)}","energy":{{"import":{{"cumulative":{_kwh(total)},'
            f'"day":{_kwh(day)},"week":{_kwh(week)},"month":{_kwh(month)},"units":"kWh",'
            f'"cumulativevol":{_kwh(volume)},"cumulativevolunits":"m3","dayvol":{_kwh(day)},"weekvol":{_kwh(week)},'
            f'"monthvol":{_kwh(month)},"dayweekmonthvolunits":"kWh","mprn":"wxyz","supplier":"---",'
            f'"price":{{"unitrate":{rate:.5f},"standingcharge":{standing:.5f}}}}}}}}}}}'
        ).encode()

    def state_payload(self, now: float | None = None) -> bytes:
        at = self.now() if now is None else now
        return (
            f'{{"timestamp": "{_iso(at)}", "software": "v2.0.2","hardware": "GLOW-IHD-02-1v4-SMETS2", '
            f'"wifistamac": "{self.mac}","smetsversion": "SMETS2", "eui": "70:B3:D5:21:E0:00:8D:10",'
            f'"zigbee": "1.2.5", "han": {{"rssi": -88, "status": "joined", "lqi": 48}}}}'
        ).encode()
