"""The one plausibility gate: every number glowline takes from outside (REST readings, `/current`, MQTT power,
registers and prices, rows read back from history.sqlite, tariff entries) is checked here and nowhere else.

Each check answers the number as a float when it is finite, of a number type (never a bool) and within the
documented physical limits of a UK household (docs/reliability.md), else None: the caller leaves it out (one bad
value costs one half-hour, one message, one row) and says so where it can (`doctor`, `-v`). No check raises.
Import-free apart from math and the catalogue, so any layer may use it.
"""

from __future__ import annotations

import math

from glowline.catalog import HALF_HOUR, MAX_KWH_PER_HALF_HOUR, MAX_PENCE_PER_KWH, is_cost

#: the most power a domestic supply draws or exports, in W: 100 A at 240 V single-phase is 24 kW; three-phase
#: supplies (rare in homes) reach about 70 kW, taken as the ceiling. Power is signed (export is negative on some IHDs).
MAX_POWER_W = 70_000.0
#: a cumulative register (kWh) no domestic meter reaches: 10 million kWh (a house uses ~3,000 a year)
MAX_REGISTER_KWH = 10_000_000.0
#: the most a day's standing charge can be, in pence (2026: about 60 p; 1000 p leaves room for any tariff)
MAX_STANDING_PENCE = 1000.0
#: a stamp this far ahead of our clock is not a reading of now: the device's clock or ours is wrong
FUTURE_SLACK = 300.0
#: no smart meter reading predates this (2000-01-01T00:00:00Z)
EARLIEST = 946684800.0


def number(value: object) -> float | None:
    """``value`` as a finite float when it is an int or float (not a bool) of a sane size, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        result = float(value)
    except OverflowError:  # an int such as 10**400
        return None
    return result if math.isfinite(result) else None


def within(value: object, low: float, high: float) -> float | None:
    """``value`` as a float when it is a finite number in [low, high], else None."""
    result = number(value)
    return result if result is not None and low <= result <= high else None


def bucket_limits(classifier: str, seconds: int) -> tuple[float, float]:
    """The plausible range of one ``seconds``-long bucket of ``classifier`` in the API's unit (kWh, or pence for
    cost): consumption and export are never negative and never above what the supply can pass; cost resources may
    be negative (negative prices)."""
    kwh = MAX_KWH_PER_HALF_HOUR["gas" if classifier.startswith("gas") else "electricity"] * seconds / HALF_HOUR
    if is_cost(classifier):
        return -kwh * MAX_PENCE_PER_KWH, kwh * MAX_PENCE_PER_KWH
    return 0.0, kwh


def reading(classifier: str, value: object, seconds: int) -> float | None:
    """One bucket of ``classifier`` (kWh, or pence for cost) as a household can have it, else None."""
    low, high = bucket_limits(classifier, seconds)
    return within(value, low, high)


def power_w(value: object) -> float | None:
    """Instantaneous power in watts (signed), else None."""
    return within(value, -MAX_POWER_W, MAX_POWER_W)


def register_kwh(value: object) -> float | None:
    """A cumulative register in kWh (never negative), else None."""
    return within(value, 0.0, MAX_REGISTER_KWH)


def unit_rate(value: object) -> float | None:
    """A unit rate in pence per kWh (negative allowed down to minus the ceiling: agile tariffs), else None."""
    return within(value, -MAX_PENCE_PER_KWH, MAX_PENCE_PER_KWH)


def standing(value: object) -> float | None:
    """A standing charge in pence per day (never negative), else None."""
    return within(value, 0.0, MAX_STANDING_PENCE)


def stamp(value: object, now: float) -> float | None:
    """A time stamp (epoch seconds) that is neither before smart meters nor more than FUTURE_SLACK ahead of
    ``now``, else None (a message stamped 2099 is not current)."""
    return within(value, EARLIEST, now + FUTURE_SLACK)
