"""Recording the meter's registers from the IHD's messages, and checking them against the DCC's half-hours.

``Recorder`` is fed every parsed message by whatever subscribes to the IHD (`live --daemon`, `watch`, `live`): per
device it keeps the import (and export) registers at each half-hour boundary by the meter's own time stamps, never
the time a message arrived (glow-mqtt.md 8): electricity is interpolated between the messages either side of the
boundary (at most MAX_GAP apart, else that boundary has no sample); gas steps once per half-hour, so the value it
holds in the half-hour after a boundary is the register at it. A message older than the newest one seen is
ignored; a register that goes backwards is a glitch and ignored. The record (glowline.status.registers) keeps
KEEP_SECONDS of boundaries and is written atomically, at most once per WRITE_EVERY seconds (a burst of queued
messages is one write, and the newest message is on disk within that time), merged with what another subscriber
wrote meanwhile (a `watch` beside the daemon: neither drops the other's boundaries).

``compare`` sets the DCC's half-hours beside the register's movement over the same half-hours: `doctor`'s
agreement line, and the refresher's choice of which device's register belongs to a site (``pick_device``). The
meter's day/week/month counters are never used: they reset at the device's own midnight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from glowline import gate, paths
from glowline.catalog import HALF_HOUR
from glowline.status import registers as record_file
from glowline.status.registers import Record, Track

TYPE_CHECKING = False
if TYPE_CHECKING:
    from glowline.data.readings import Series

#: electricity: the two messages either side of a boundary are at most this far apart (s), else no sample there
MAX_GAP = 300.0
#: boundaries kept in the record, before the newest message (4 days)
KEEP_SECONDS = 4 * 86400
#: devices kept in the record, the most recently heard first (a broker shared with neighbours' IHDs stays bounded)
MAX_DEVICES = 4
#: the record is written at most this often (s); the newest message is on disk within this time
WRITE_EVERY = 1.0
#: a half-hour agrees when the DCC and the register differ by at most this (kWh) plus AGREE_SHARE of the value
AGREE_KWH, AGREE_SHARE = 0.010, 0.02
#: the share of compared half-hours that must agree for a meter and a DCC resource to be the same meter
AGREE_QUORUM = 0.9
GAS = "gas.consumption"
ANY_DEVICE = record_file.ANY_DEVICE


class Recorder:
    """Per device and register, the newest message and the boundaries; ``add`` one reading, written atomically."""

    def __init__(self, path: str | None = None, clock: Callable[[], float] = time.time,
                 write_every: float = WRITE_EVERY) -> None:
        self.path = path or paths.registers_path()
        self.clock = clock
        self.write_every = write_every
        self._lock = threading.Lock()
        self._written_at = 0.0
        self._timer: threading.Timer | None = None
        self.record: Record = record_file.read(path=self.path)  # what an earlier subscriber recorded is kept
        self.ignored = 0  # messages older than the newest, and glitches

    def on_message(self, message: object) -> None:
        """Record a message of glowline.data.live: an Electricity (import and export registers) or a Gas (its
        import register); anything else (STATE) carries no register."""
        device, at = getattr(message, "device", ""), getattr(message, "at", None)
        if not isinstance(device, str) or not isinstance(at, float):
            return
        changed = False
        if hasattr(message, "export_kwh_total"):  # electricity
            changed = self.add(device, "electricity.consumption", at, getattr(message, "import_kwh_total", None))
            changed = self.add(device, "electricity.export", at, getattr(message, "export_kwh_total", None)) or changed
        elif hasattr(message, "volume_m3_total"):  # gas
            changed = self.add(device, GAS, at, getattr(message, "import_kwh_total", None))
        if changed:
            self.save_soon()

    def add(self, device: str, classifier: str, at: float, value: float | None) -> bool:
        """One register reading stamped ``at`` by the meter; True when the record changed."""
        kwh, stamp = gate.register_kwh(value), gate.stamp(at, self.clock())
        if kwh is None or stamp is None or not device:
            return False
        with self._lock:
            track = self.record.setdefault(device, {}).setdefault(classifier, Track())
            last_at, last = track.newest_at, track.newest
            if last_at is not None and last is not None and (stamp <= last_at or kwh < last):
                self.ignored += 1  # older than (or as old as) the newest seen, or a register going backwards
                return False
            if classifier == GAS:
                start = int(stamp // HALF_HOUR * HALF_HOUR)  # the step at ``start`` is what the meter holds now
                track.boundaries[start] = max(kwh, track.boundaries.get(start, 0.0))
            elif last_at is not None and last is not None and stamp - last_at <= MAX_GAP:
                for boundary in _crossed(last_at, stamp):  # interpolated between the messages either side
                    track.boundaries[boundary] = last + (kwh - last) * (boundary - last_at) / (stamp - last_at)
            elif stamp % HALF_HOUR == 0:  # no message near before it: only a message stamped on the boundary
                track.boundaries[int(stamp)] = kwh
            track.newest_at, track.newest = stamp, kwh
            oldest = stamp - KEEP_SECONDS
            for boundary in [b for b in track.boundaries if b < oldest]:
                del track.boundaries[boundary]
        return True

    def save_soon(self) -> None:
        """Write now when the last write is WRITE_EVERY old, else once that much time has passed."""
        with self._lock:
            wait = self._written_at + self.write_every - time.monotonic()
            if wait > 0:
                if self._timer is None:
                    self._timer = threading.Timer(wait, self.save)
                    self._timer.daemon = True
                    self._timer.start()
                return
        self.save()

    def save(self) -> None:
        """Write the record atomically now (a full or read-only disk costs the tail, never the subscriber)."""
        from glowline.files import atomic_write

        on_disk = record_file.read(path=self.path)  # what another subscriber (a `watch`, a `live`) wrote meanwhile
        with self._lock:
            self._timer = None
            self._written_at = time.monotonic()
            self._merge(on_disk)
            self._prune()
            text = record_file.encode(self.record)
        try:
            atomic_write(self.path, text)
        except OSError:
            pass

    def _merge(self, other: Record) -> None:
        """Take the boundaries another writer recorded that this one has not (two subscribers see the same meter:
        neither may drop what the other wrote), and its newest message when newer."""
        for device, tracks in other.items():
            for classifier, theirs in tracks.items():
                ours = self.record.setdefault(device, {}).setdefault(classifier, Track())
                for boundary, value in theirs.boundaries.items():
                    ours.boundaries.setdefault(boundary, value)
                if theirs.newest_at is not None and (ours.newest_at is None or theirs.newest_at > ours.newest_at):
                    ours.newest_at, ours.newest = theirs.newest_at, theirs.newest

    def _prune(self) -> None:
        """Keep the record bounded: registers not heard from for KEEP_SECONDS go, and only the MAX_DEVICES devices
        heard from most recently stay."""
        def heard(device: str) -> float:
            return max((t.newest_at or 0.0 for t in self.record[device].values()), default=0.0)

        newest = max((heard(d) for d in self.record), default=0.0)
        for device in list(self.record):
            tracks = self.record[device]
            for classifier in [c for c, t in tracks.items() if (t.newest_at or 0.0) < newest - KEEP_SECONDS]:
                del tracks[classifier]
            if not tracks:
                del self.record[device]
        for device in sorted(self.record, key=heard, reverse=True)[MAX_DEVICES:]:
            del self.record[device]

    def close(self) -> None:
        """Write what is pending now (the subscriber is stopping)."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            self.save()


def _crossed(after: float, upto: float) -> range:
    """The half-hour boundaries in (after, upto]."""
    return range(int(after // HALF_HOUR * HALF_HOUR) + HALF_HOUR, int(upto // HALF_HOUR * HALF_HOUR) + 1, HALF_HOUR)


# ---------------------------------------------------------------------------------------------------- cross-check


class Agreement:
    """How the DCC's half-hours and a register's movement compare: how many half-hours were compared, how many
    agree, and the worst difference (kWh)."""

    __slots__ = ("agreeing", "compared", "worst")

    def __init__(self) -> None:
        self.compared = 0
        self.agreeing = 0
        self.worst = 0.0

    @property
    def agrees(self) -> bool:
        return self.compared > 0 and self.agreeing >= AGREE_QUORUM * self.compared

    def text(self) -> str:
        """ "meter and DCC agree on 94 half-hours, worst 1 Wh" (or how many disagree)."""
        worst = f"worst {self.worst * 1000:.0f} Wh"
        if self.agreeing == self.compared:
            return f"meter and DCC agree on {self.compared} half-hours, {worst}"
        return f"meter and DCC disagree on {self.compared - self.agreeing} of {self.compared} half-hours, {worst}"


def compare(track: Track, buckets: Iterable[tuple[int, float | None]], step: int, until: int) -> Agreement:
    """Each delivered bucket [t, t + step) ending by ``until`` (the delivery horizon) beside what the register moved
    between the boundaries t and t + step; buckets without both boundaries are not compared. Counted in
    half-hours (a PT1H bucket counts two)."""
    result = Agreement()
    for start, value in buckets:
        end = start + step
        low, high = track.boundaries.get(start), track.boundaries.get(end)
        if value is None or end > until or low is None or high is None:
            continue
        moved = high - low
        diff = abs(value - moved)
        halves = max(1, step // HALF_HOUR)
        result.compared += halves
        if diff <= AGREE_KWH * halves + AGREE_SHARE * abs(value):
            result.agreeing += halves
        result.worst = max(result.worst, diff / halves)
    return result


def pick_device(record: Record, classifier: str, buckets: list[tuple[int, float | None]], step: int, until: int,
                only_site: bool, device: str = "+") -> str:
    """The device whose register is this site's meter: the one whose movement agrees with the DCC's buckets (the
    most compared wins). Before any overlap, when the account has ``only_site`` with this resource: [live] device
    when one is set, else ANY_DEVICE (the status line then takes the only device it finds in the record, whenever
    the daemon starts). "" when none can be told, or a device disagrees (then no tail is added). ``device``: [live]
    device, "+" for any."""
    candidates = [d for d in sorted(record) if classifier in record[d] and device in ("+", d)]
    best, best_count, disagreeing = "", 0, False
    for name in candidates:
        agreement = compare(record[name][classifier], buckets, step, until)
        if agreement.agrees and agreement.compared > best_count:
            best, best_count = name, agreement.compared
        disagreeing = disagreeing or (agreement.compared > 0 and not agreement.agrees)
    if best or not only_site or disagreeing:
        return best
    return ANY_DEVICE if device == "+" else device


def site_meter(series: Series, classifier: str, now: float, only_site: bool) -> str:
    """The IHD whose register is the meter of the site whose ``series`` this is (pick_device over the record and
    the series' delivered buckets); "" when none can be told. [live] device needs no look here: the subscriber
    records only the messages of that device."""
    if classifier not in record_file.CLASSIFIERS:
        return ""
    record = record_file.read(classifier)
    if not record:  # nothing recorded yet: nothing to compare
        return ANY_DEVICE if only_site else ""
    step = series.step
    buckets = [(series.start + i * step, value) for i, value in enumerate(series.values)]
    return pick_device(record, classifier, buckets, step, series.horizon(now), only_site)


class Verdict:
    """`doctor`'s word on one device's register of one kind: the site whose DCC half-hours it agrees with best (or
    disagrees with, when it agrees with none), and the agreement."""

    __slots__ = ("agreement", "classifier", "device", "site_id")

    def __init__(self, device: str, classifier: str, site_id: str, agreement: Agreement) -> None:
        self.device, self.classifier, self.site_id, self.agreement = device, classifier, site_id, agreement


def cross_check(path: str | None = None) -> list[Verdict]:
    """Every recorded register beside the history's delivered half-hours of every site with that resource
    (glowline.data.store.sqlite, read-only: doctor never migrates, moves or writes it): per device and register,
    the best agreeing site, else the site it disagrees with (a wrong device, a second meter). [] without a record or
    a readable history."""
    record = record_file.read()
    if not record:
        return []
    from glowline.data.store.sqlite import overview, stored_half_hours

    verdict, ranges = overview(path)
    if verdict != "ok" or not ranges:
        return []
    out: list[Verdict] = []
    for device in sorted(record):
        for classifier, track in sorted(record[device].items()):
            if not track.boundaries:
                continue
            low, high = min(track.boundaries), max(track.boundaries)
            found: list[Verdict] = []
            for r in ranges:
                if r.resource != classifier or r.synced_to <= low or r.synced_from >= high:
                    continue
                halves = stored_half_hours(r.site, r.resource, low, min(high, r.synced_to), path)
                agreement = compare(track, halves, HALF_HOUR, r.synced_to)
                if agreement.compared:
                    found.append(Verdict(device, classifier, r.site, agreement))
            if found:  # the site it agrees with best; without one, the one it disagrees with most
                out.append(max(found, key=lambda v: (v.agreement.agrees, v.agreement.compared)))
    return out


def day_tails(site_key: str, classifier: str, tz_name: str, now: float) -> dict[str, tuple[float, str]]:
    """What the status line adds from the meter to each undelivered day (glowline.status.tail) of the days file a
    refresh just wrote, for `report`: local date -> (kWh from the register, local "HH:MM" it counts from)."""
    from glowline.status import days as days_file
    from glowline.status import tail

    summ = days_file.read(paths.days_path(site_key, classifier, tz_name))
    return {} if summ is None else tail.tails(summ, now, _configured_max_age())


def _configured_max_age() -> float:
    """[live] max_age (s): how old the newest message may be for the tail to count."""
    from glowline.status.live import DEFAULT_MAX_AGE

    try:
        from glowline.config import load

        table = load().get("live")
    except Exception:
        return DEFAULT_MAX_AGE
    value = table.get("max_age") if isinstance(table, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else DEFAULT_MAX_AGE
