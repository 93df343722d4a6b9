"""Read a resource's tariff document: unit rate (p/kWh) and standing charge (p/day), and say where they came from.

The shapes vary (glowmarkt-api.md 4.1): ``data[i].currentRates {rate, standingCharge}``, or the legacy
``plan``/``structure`` lists of ``planDetail`` items ({rate}, {standing}, {tier, rate}, {ratem3, rate}); values are
numbers, numeric strings or ``{"value": ...}``; ``data`` can be empty when the DCC has no tariff for the meter.
"""

from __future__ import annotations

import math
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
