"""Read a resource's tariff documents: unit rate (p/kWh) and standing charge (p/day), and say where they came from;
and its tariff history (``tariff-list``): which tariff was in force on each local day.

The shapes vary (glowmarkt-api.md 4.1): ``data[i].currentRates {rate, standingCharge}``, or the legacy
``plan``/``structure`` lists of ``planDetail`` items ({rate}, {standing}, {tier, rate}, {ratem3, rate}); values are
numbers, numeric strings or ``{"value": ...}``; ``data`` can be empty when the DCC has no tariff for the meter.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any

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


def number(value: Any) -> float | None:
    """A tariff value: a number, a numeric string, or ``{"value": x}``; None when absent or unusable."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)):
        return None
    result = float(value)
    return result if math.isfinite(result) and 0.0 <= result < 100000.0 else None


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
    entries.sort(key=lambda e: str(e.get("from") or e.get("effectiveDate") or ""), reverse=True)  # newest first
    for entry in entries:
        found = _current_rates(entry.get("currentRates"), "currentRates") or _plan(entry)
        if found is not None:
            rate, standing, where = found
            since = str(entry.get("from") or entry.get("effectiveDate") or "")[:10]
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
    standing = number(rates.get("standingCharge", rates.get("standing")))
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
                    standing = number(detail.get("standing"))
                rate = number(detail.get("rate"))
                if rate is not None:
                    rates.append(rate)
        if rates:
            where = f"{key} planDetail" + (f", first of {len(rates)} rates" if len(rates) > 1 else "")
            return rates[0], standing, where
    return None


# -- the tariff history: which tariff was in force on each local day ------------------------------------------------


class TariffEntry:
    """One tariff of a resource's history: in force from the local day ``effective`` until the next entry's."""

    __slots__ = ("effective", "name", "rate", "rates", "standing")

    def __init__(self, effective: date, rate: float | None, standing: float | None, rates: int = 1,
                 name: str = "") -> None:
        self.effective = effective
        self.rate = rate  # pence per kWh: the only rate, or the first of ``rates`` (time of use)
        self.standing = standing  # pence per day
        self.rates = rates  # how many unit rates the entry lists (more than one: time of use or tiers)
        self.name = name

    def __repr__(self) -> str:
        return f"TariffEntry({self.effective}, rate={self.rate!r}, standing={self.standing!r})"


def effective_date(value: Any) -> date | None:
    """A tariff's start: ``"2018-12-12 00:00:00"``, ``"2018-12-12T00:00:00Z"``, ``"2018-12-12"`` or an epoch in
    seconds (UTC); None when absent or unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and math.isfinite(value) and 0 < value < 1e11:
        return datetime.fromtimestamp(value, timezone.utc).date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def parse_list(doc: Any) -> list[TariffEntry]:
    """The entries of a ``resource/{id}/tariff-list`` answer, oldest first. Tolerant: entries are unsorted, values
    may be strings, an entry without a readable date or without any rate or standing charge is left out."""
    if not isinstance(doc, dict):
        raise MalformedResponse("the tariff list answer is not a JSON object")
    data = doc.get("data")
    if data is None:
        raise MalformedResponse("the tariff list answer has no data")
    items = data if isinstance(data, list) else [data]
    out: list[TariffEntry] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        day = effective_date(item.get("effectiveDate", item.get("from")))
        if day is None:
            continue
        rate, standing, count = _entry_numbers(item)
        if rate is None and standing is None:
            continue
        name = item.get("displayName") or item.get("name") or ""
        out.append(TariffEntry(day, rate, standing, count, str(name)))
    out.sort(key=lambda e: e.effective)
    return out


def _entry_numbers(item: dict[str, Any]) -> tuple[float | None, float | None, int]:
    """(first unit rate, standing charge, how many unit rates) of one tariff entry, whatever its shape."""
    rates: list[float] = []
    standing: float | None = None
    current = item.get("currentRates")
    if isinstance(current, dict):
        standing = number(current.get("standingCharge", current.get("standing")))
        rate = number(current.get("rate"))
        if rate is not None:
            rates.append(rate)
    for key in ("plan", "structure"):
        plans = item.get(key)
        if not isinstance(plans, list):
            continue
        found: list[float] = []
        for plan in plans:
            details = plan.get("planDetail") if isinstance(plan, dict) else None
            for detail in details if isinstance(details, list) else []:
                if not isinstance(detail, dict):
                    continue
                if standing is None:
                    standing = number(detail.get("standing"))
                rate = number(detail.get("rate", detail.get("tourate")))
                if rate is not None:
                    found.append(rate)
        if found:
            count = len(found)
            return (rates[0] if rates else found[0]), standing, count
    return (rates[0] if rates else None), standing, len(rates)


class TariffHistory:
    """Which tariff was in force on each local day: the ``tariff-list`` entries, or, when the list is empty or
    refused, the one ``/tariff`` for every day. ``source`` says which, in words."""

    __slots__ = ("current", "entries", "source")

    def __init__(self, entries: list[TariffEntry], source: str, current: Tariff | None = None) -> None:
        self.entries = sorted(entries, key=lambda e: e.effective)
        self.source = source
        self.current = current  # the /tariff answer when it was used (the fallback)

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
        found = self.entries[0]
        for entry in self.entries:
            if entry.effective <= day:
                found = entry
            else:
                break
        return found

    def standing_on(self, day: date) -> float | None:
        """The standing charge (pence) of ``day``: the newest entry on or before it that gives one."""
        given = [e for e in self.entries if e.standing is not None]
        if not given:
            return None
        found = given[0]
        for entry in given:
            if entry.effective <= day:
                found = entry
        return found.standing

    def rate_on(self, day: date) -> tuple[float | None, date | None]:
        """The unit rate (pence/kWh) of ``day`` and the date its tariff started (None for /tariff's undated one)."""
        given = [e for e in self.entries if e.rate is not None]
        if not given:
            return None, None
        found = given[0]
        for entry in given:
            if entry.effective <= day:
                found = entry
        started = None if found.effective == date.min else found.effective
        if started is None and self.current is not None:
            started = effective_date(self.current.since)
        return found.rate, started

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
