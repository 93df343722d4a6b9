"""Read a resource's tariff documents: unit rate (p/kWh) and standing charge (p/day), and say where they came from;
and its tariff history (``tariff-list``): which tariff was in force on each local day.

The shapes vary (glowmarkt-api.md 4.1): ``data[i].currentRates {rate, standingCharge}``, or the legacy
``plan``/``structure`` lists of ``planDetail`` items ({rate}, {standing}, {tier, rate}, {ratem3, rate}); values are
numbers, numeric strings or ``{"value": ...}``; ``data`` can be empty when the DCC has no tariff for the meter.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import Any

from glowline import gate
from glowline.errors import MalformedResponse

NO_TARIFF = "no tariff from the meter"


class Tariff:
    """A unit rate and standing charge in pence (either may be None) and a one-line account of their origin."""

    __slots__ = ("name", "rate", "since", "source", "standing")

    def __init__(
        self, rate: float | None, standing: float | None, source: str, name: str = "", since: str = ""
    ) -> None:
        self.rate = rate  # pence per kWh
        self.standing = standing  # pence per day
        self.source = source  # e.g. "the meter's tariff (currentRates)" or NO_TARIFF
        self.name = name  # the tariff's own name, e.g. "TariffFromMeter"
        self.since = since  # its "from" date, e.g. "2025-04-01"

    @property
    def usable(self) -> bool:
        return self.rate is not None

    def __repr__(self) -> str:
        return f"Tariff(rate={self.rate!r}, standing={self.standing!r}, source={self.source!r})"

    def describe(self) -> str:
        """``24.50 p/kWh + 53.35 p/day`` (or the reason there is none)."""
        if self.rate is None:
            return self.source
        standing = "no standing charge given" if self.standing is None else f"{self.standing:.2f} p/day"
        return f"{self.rate:.2f} p/kWh + {standing}"

    def origin(self) -> str:
        """Where the numbers came from, with the tariff's name and start date when the document has them."""
        extra = "".join((f' "{self.name}"' if self.name else "", f" since {self.since}" if self.since else ""))
        return f"{self.source},{extra}" if extra else self.source


def number(value: Any, check: Callable[[object], float | None] = gate.unit_rate) -> float | None:
    """A tariff value: a number, a numeric string, or ``{"value": x}``, through ``check`` (glowline.gate.unit_rate,
    or gate.standing for a standing charge); None when absent or unusable."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, str):
        try:
            value = float(value.strip()[:40])
        except ValueError:
            return None
    return check(value)


def parse(doc: Any) -> Tariff:
    """The tariff in a ``resource/{id}/tariff`` answer; an empty ``data`` gives a Tariff with no rate."""
    if not isinstance(doc, dict):
        raise MalformedResponse("the tariff answer is not a JSON object")
    top = _current_rates(doc.get("currentRates"), "currentRates")
    data = doc.get("data")
    if data is None and top is None:
        raise MalformedResponse("the tariff answer has no data")
    entries = [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []
    if data is not None and not isinstance(data, list):
        entries = [data] if isinstance(data, dict) else []
    def start(entry: dict[str, Any]) -> date:
        return effective_date(entry.get("from", entry.get("effectiveDate"))) or date.min

    entries.sort(key=start, reverse=True)  # newest first, whatever form the dates take
    for entry in entries:
        found = _current_rates(entry.get("currentRates"), "currentRates") or _plan(entry)
        if found is not None:
            rate, standing, where = found
            since = "" if start(entry) == date.min else start(entry).isoformat()
            name = entry.get("displayName") or entry.get("name") or ""
            return Tariff(rate, standing, f"the meter's tariff ({where})", str(name), since)
    if top is not None:
        return Tariff(top[0], top[1], "the meter's tariff (currentRates)")
    if entries:
        return Tariff(None, None, "the meter's tariff has no unit rate")
    return Tariff(None, None, NO_TARIFF)


def _current_rates(rates: Any, where: str) -> tuple[float | None, float | None, str] | None:
    if not isinstance(rates, dict):
        return None
    rate = number(rates.get("rate"))
    standing = number(rates.get("standingCharge", rates.get("standing")), gate.standing)
    if rate is None and standing is None:
        return None
    if rate is None:
        return None  # a standing charge alone cannot price energy; let planDetail try
    return rate, standing, where


def _plan(entry: dict[str, Any]) -> tuple[float | None, float | None, str] | None:
    for key in ("plan", "structure"):
        plans = entry.get(key)
        if not isinstance(plans, list):
            continue
        rates: list[float] = []
        standing: float | None = None
        for plan in plans:
            details = plan.get("planDetail") if isinstance(plan, dict) else None
            if not isinstance(details, list):
                continue
            for detail in details:
                if not isinstance(detail, dict):
                    continue
                if standing is None:
                    standing = number(detail.get("standing"), gate.standing)
                rate = number(detail.get("rate"))
                if rate is not None:
                    rates.append(rate)
        if rates:
            where = f"{key} planDetail" + (f", first of {len(rates)} rates" if len(rates) > 1 else "")
            return rates[0], standing, where
    return None


# -- the tariff history: which tariff was in force on each local day ------------------------------------------------

#: the meter's zone when the caller gives none (tariff-list's local dates are the meter's)
DEFAULT_ZONE = "Europe/London"
#: minutes in a day; a band's end of 0 ("00:00") is midnight at the end of the day
DAY_MINUTES = 1440


class RateBand:
    """One time-of-use band: the unit rate of the local minutes [start, end) of every day (end <= start: it runs
    past midnight; "00:00-00:00" is the whole day)."""

    __slots__ = ("end", "rate", "start")

    def __init__(self, start: int, end: int, rate: float) -> None:
        self.start, self.end, self.rate = start, end, rate

    def covers(self, minute: int) -> bool:
        if self.end > self.start:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    def __repr__(self) -> str:
        return f"RateBand({self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}, " \
               f"{self.rate!r})"


class TariffEntry:
    """One tariff of a resource's history: in force from the local day ``effective`` until the next entry's. A
    flat entry has one ``rate``; a time-of-use entry has ``bands`` (``rate`` is then the first, for display only);
    a dynamic entry (``{"dynamic": CODE}``, prices known only to the supplier) has none."""

    __slots__ = ("bands", "dynamic", "effective", "name", "rate", "rates", "standing", "unusable")

    def __init__(self, effective: date, rate: float | None, standing: float | None, rates: int = 1,
                 name: str = "", bands: tuple[RateBand, ...] = (), dynamic: bool = False,
                 unusable: bool = False) -> None:
        self.unusable = unusable  # an entry left out for an implausible value: its days have no rate, no standing
        self.effective = effective
        self.rate = rate  # pence per kWh: the only rate, or the first of ``rates`` (time of use)
        self.standing = standing  # pence per day
        self.rates = rates  # how many unit rates the entry lists (more than one: time of use or tiers)
        self.name = name
        self.bands = bands
        self.dynamic = dynamic

    def __repr__(self) -> str:
        return f"TariffEntry({self.effective}, rate={self.rate!r}, standing={self.standing!r})"

    @property
    def flat(self) -> float | None:
        """The one unit rate of every half-hour, or None: dynamic, time of use, or several rates without times."""
        if self.dynamic or self.bands or self.rates != 1:
            return None
        return self.rate

    def rate_at(self, minute: int) -> float | None:
        """The unit rate of the half-hour starting at local ``minute`` of the day; None when it is not known."""
        if self.dynamic:
            return None
        if self.bands:
            return next((b.rate for b in self.bands if b.covers(minute)), None)
        return self.flat

    def why_no_rate(self) -> str:
        """Why this entry cannot price a day, in words."""
        if self.unusable:
            return f"no rate known: the tariff of {self.effective} has an implausible value (left out)"
        if self.dynamic:
            return f"no rate known: a dynamic tariff since {self.effective}"
        if self.rates > 1 and not self.bands:
            return f"no rate known: {self.rates} rates without their hours since {self.effective}"
        return f"no rate known: the tariff of {self.effective} gives no unit rate"


def local_minute(epoch: int, tz: tzinfo) -> int:
    """The local minute of the day (0 to 1439) of an instant: where a time-of-use band is looked up."""
    when = datetime.fromtimestamp(epoch, tz)
    return when.hour * 60 + when.minute


def _zone(tz: tzinfo | None) -> tzinfo:
    if tz is not None:
        return tz
    from zoneinfo import ZoneInfo

    return ZoneInfo(DEFAULT_ZONE)


def effective_date(value: Any, tz: tzinfo | None = None) -> date | None:
    """A tariff's start as the meter's local date (``tz``, default Europe/London), from any form the service uses
    (glowmarkt-api.md 8): ``"2018-12-12 00:00:00"`` or ``"2018-12-12"`` (already local), epoch seconds (or
    milliseconds) of an instant, or ISO with ``Z`` or an offset (an instant): London midnight in BST, 23:00Z the day
    before, is the next local day. None when absent or unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()[:40]
        if text.isdigit() and len(text) > 8:  # epoch seconds or milliseconds; 8 digits is a date, 20260101
            value = int(text)
        else:
            try:
                when = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" and text else text)
            except ValueError:
                try:
                    return date.fromisoformat(text[:10])
                except ValueError:
                    return None
            try:
                return when.astimezone(_zone(tz)).date() if when.tzinfo is not None else when.date()
            except (OverflowError, ValueError):  # the year 1 or 9999 moved across midnight
                return None
    if isinstance(value, (int, float)) and math.isfinite(value) and 0 < value < 1e14:
        seconds = value / 1000.0 if value >= 1e11 else float(value)  # milliseconds, as JavaScript clients write
        try:
            return datetime.fromtimestamp(seconds, _zone(tz)).date()
        except (OverflowError, OSError, ValueError):
            return None
    return None


class TariffList:
    """A tariff-list as read: its usable entries, oldest first, and what was left out because a value failed the
    plausibility gate (glowline.gate.unit_rate / standing): one short reason per entry, and for each a placeholder
    (``blocked``: in force from its date, with no rate and no standing charge) so that its days are never priced
    at the tariff before it."""

    __slots__ = ("blocked", "entries", "left_out")

    def __init__(self, entries: list[TariffEntry], left_out: list[str],
                 blocked: list[TariffEntry] | None = None) -> None:
        self.entries = entries
        self.left_out = left_out
        self.blocked = blocked or []

    def history(self) -> list[TariffEntry]:
        """The entries a TariffHistory is made of: the usable ones and the placeholders of those left out."""
        return sorted(self.entries + self.blocked, key=lambda e: e.effective)

    def note(self) -> str:
        """``; 2 entries with implausible values left out (from 2026-10-01: unit rate not plausible, ...)``."""
        if not self.left_out:
            return ""
        count = len(self.left_out)
        return f"; {count} {'entry' if count == 1 else 'entries'} with implausible values left out " \
               f"({self.left_out[0]}{', ...' if count > 1 else ''})"


def parse_list(doc: Any, tz: tzinfo | None = None) -> list[TariffEntry]:
    """The usable entries of a ``resource/{id}/tariff-list`` answer, oldest first (see read_list)."""
    return read_list(doc, tz).entries


def read_list(doc: Any, tz: tzinfo | None = None) -> TariffList:
    """A ``resource/{id}/tariff-list`` answer. Tolerant: entries are unsorted, values may be strings, dates come in
    any of the forms effective_date reads (as ``tz``'s local dates); an entry without a readable date, or with
    neither a rate, a standing charge nor a dynamic price, is left out; an entry with a value that fails the gate
    is left out and said (TariffList.left_out)."""
    if not isinstance(doc, dict):
        raise MalformedResponse("the tariff list answer is not a JSON object")
    data = doc.get("data")
    if data is None:
        raise MalformedResponse("the tariff list answer has no data")
    items = data if isinstance(data, list) else [data]
    zone = _zone(tz)
    out: list[TariffEntry] = []
    left_out: list[str] = []
    blocked: list[TariffEntry] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        day = effective_date(item.get("effectiveDate", item.get("from")), zone)
        if day is None:
            continue
        bad: list[str] = []
        entry = _entry(item, day, bad)
        if bad:
            left_out.append(f"from {day}: {bad[0]}")
            blocked.append(TariffEntry(day, None, None, 1, "", (), False, True))
        elif entry is not None:
            out.append(entry)
    out.sort(key=lambda e: e.effective)
    return TariffList(out, left_out, blocked)


def _gated(value: Any, check: Callable[[object], float | None], what: str, bad: list[str]) -> float | None:
    """A tariff value through the gate: None when absent; when present but unusable, None and a reason in ``bad``."""
    if value is None:
        return None
    raw: Any = value.get("value") if isinstance(value, dict) else value
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None  # {"value": null} or "": not given
    if isinstance(raw, str):
        try:
            raw = float(raw.strip()[:40])
        except ValueError:
            bad.append(f"{what} is not a number")
            return None
    result = check(raw)
    if result is None:  # the value itself is never echoed: it is what the gate keeps out of every output
        bad.append(f"{what} not plausible" if gate.number(raw) is not None or isinstance(raw, int) else
                   f"{what} is not a number")
    return result


def _clock(text: str) -> int | None:
    """Minutes of ``"HH:MM"`` (``"24:00"`` is midnight at the end of the day), else None."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or int(minutes) > 59 or int(hours) > 24:
        return None
    total = int(hours) * 60 + int(minutes)
    return total % DAY_MINUTES if total <= DAY_MINUTES else None


def _band_times(text: Any) -> tuple[int, int] | None:
    """``"07:00-00:00"`` as local minutes (start, end), else None."""
    if not isinstance(text, str) or text.count("-") != 1:
        return None
    a, b = (_clock(part) for part in text.split("-"))
    return None if a is None or b is None else (a, b)


def _entry(item: dict[str, Any], day: date, bad: list[str]) -> TariffEntry | None:
    """One tariff entry, whatever its shape: ``currentRates``, ``plan``/``structure`` of ``planDetail`` items
    ({rate}, {standing}, {tier, rate, time}, {tourate, time}, {ratem3, rate}, {dynamic})."""
    rates: list[float] = []
    bands: list[RateBand] = []
    dynamic = "dynamic" in item
    standing: float | None = None
    current = item.get("currentRates")
    if isinstance(current, dict):
        standing = _gated(current.get("standingCharge", current.get("standing")), gate.standing, "standing charge",
                          bad)
        rate = _gated(current.get("rate"), gate.unit_rate, "unit rate", bad)
        if rate is not None:
            rates.append(rate)
    for key in ("plan", "structure"):
        plans = item.get(key)
        if not isinstance(plans, list):
            continue
        found: list[float] = []
        found_bands: list[RateBand] = []
        timed = True
        for plan in plans:
            details = plan.get("planDetail") if isinstance(plan, dict) else None
            for detail in details if isinstance(details, list) else []:
                if not isinstance(detail, dict):
                    continue
                dynamic = dynamic or "dynamic" in detail
                charge = _gated(detail.get("standing"), gate.standing, "standing charge", bad)
                if standing is None:
                    standing = charge
                rate = _gated(detail.get("rate", detail.get("tourate")), gate.unit_rate, "unit rate", bad)
                if rate is None:
                    continue
                found.append(rate)
                times = _band_times(detail.get("time"))
                if times is None:
                    timed = False
                else:
                    found_bands.append(RateBand(times[0], times[1], rate))
        if found:
            name = item.get("displayName") or item.get("name") or ""
            first = rates[0] if rates else found[0]
            bands = found_bands if timed and len(found) > 1 else []
            return TariffEntry(day, first, standing, len(found), str(name)[:80], tuple(bands), dynamic and not rates)
    if not rates and standing is None and not dynamic:
        return None
    name = item.get("displayName") or item.get("name") or ""
    return TariffEntry(day, rates[0] if rates else None, standing, len(rates) or 1, str(name)[:80], (),
                       dynamic and not rates)


class TariffHistory:
    """Which tariff was in force on each local day: the ``tariff-list`` entries, or, when the list is empty or
    refused, the one ``/tariff`` for every day. ``source`` says which, in words. Sorted once; every look-up is a
    bisection (a list of 45k entries prices a year of days at once)."""

    __slots__ = ("_days", "_standing", "_standing_days", "current", "entries", "source")

    def __init__(self, entries: list[TariffEntry], source: str, current: Tariff | None = None) -> None:
        self.entries = sorted(entries, key=lambda e: e.effective)
        self.source = source
        self.current = current  # the /tariff answer when it was used (the fallback)
        self._days = [e.effective for e in self.entries]
        # the entries that decide a day's standing charge: those that give one, and those left out (none known)
        self._standing = [e for e in self.entries if e.standing is not None or e.unusable]
        self._standing_days = [e.effective for e in self._standing]

    @classmethod
    def from_tariff(cls, tariff: Tariff, why: str) -> TariffHistory:
        """The fallback: ``/tariff``'s one tariff for every day, and why the list was not used."""
        # /tariff has no history: its one tariff is given to every day
        entries = [TariffEntry(date.min, tariff.rate, tariff.standing, 1, tariff.name)] if tariff.usable or \
            tariff.standing is not None else []
        source = f"{tariff.origin()}, for every day ({why})" if entries else f"{tariff.source} ({why})"
        return cls(entries, source, tariff)

    @property
    def listed(self) -> bool:
        """True when the numbers come from the tariff list (per day), False for the /tariff fallback."""
        return self.current is None

    def entry_on(self, day: date) -> TariffEntry | None:
        """The tariff in force on ``day``: the newest entry that started on or before it (days before the first
        entry get the first: the oldest tariff known)."""
        if not self.entries:
            return None
        return self.entries[max(0, bisect_right(self._days, day) - 1)]

    def standing_on(self, day: date) -> float | None:
        """The standing charge (pence) of ``day``: the newest entry on or before it that gives one (None from an
        entry left out for an implausible value: never the charge of the tariff before it)."""
        if not self._standing:
            return None
        return self._standing[max(0, bisect_right(self._standing_days, day) - 1)].standing

    def rate_on(self, day: date) -> tuple[float | None, date | None]:
        """The one unit rate (pence/kWh) of every half-hour of ``day`` and the date its tariff started (None for
        /tariff's undated one); (None, start) when the tariff in force has no single rate (dynamic, time of use,
        none given): never an older tariff's rate."""
        entry = self.entry_on(day)
        if entry is None:
            return None, None
        started = None if entry.effective == date.min else entry.effective
        if started is None and self.current is not None:
            started = effective_date(self.current.since)
        return entry.flat, started

    def rate_of(self, day: date, minutes: list[int]) -> float | None:
        """The unit rate of the half-hours starting at these local ``minutes`` of ``day`` (their mean: an hour that
        straddles two time-of-use bands is split evenly); None when the tariff in force does not give each."""
        entry = self.entry_on(day)
        if entry is None or not minutes:
            return None
        rates = [entry.rate_at(m) for m in minutes]
        if any(r is None for r in rates):
            return None
        return math.fsum(r for r in rates if r is not None) / len(rates)

    def priceable(self, day: date) -> bool:
        """True when the tariff in force on ``day`` gives a rate for some half-hour (flat or time of use)."""
        entry = self.entry_on(day)
        return entry is not None and (entry.flat is not None or (bool(entry.bands) and not entry.dynamic))

    def describe(self) -> str:
        """``standing charge 53.35 p/day since 2026-11-02, 48.97 before``; or the fallback's one charge."""
        given = [e for e in self.entries if e.standing is not None]
        if not given:
            return "no standing charge given"
        if len(given) == 1 or not self.listed:
            return f"standing charge {given[-1].standing:.2f} p/day"
        newest, before = given[-1], given[-2]
        return (f"standing charge {newest.standing:.2f} p/day since {newest.effective}, "
                f"{before.standing:.2f} before")
