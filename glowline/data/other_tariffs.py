"""Other tariffs to compare with (config.toml ``[tariffs.NAME]``): validated like the rest of the config, and a local
day's half-hours priced under one of them, its bands in local wall time (a 23- or 25-hour day priced right).

    [tariffs.cheapnight]
    standing = 45.0                                  # pence per local day
    bands = [{from = "00:30", to = "05:30", rate = 8.5}, {from = "05:30", to = "00:30", rate = 29.0}]
    [tariffs.flat30]
    standing = 40.0
    rate = 30.0                                      # pence per kWh, all day
    resource = "electricity"                         # the default; "gas" for a gas tariff

Bands start and end on the half-hour (the meter's unit), cover the whole day exactly once, and may wrap midnight;
``from == to`` is the whole day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from glowline import gate
from glowline.catalog import MAX_PENCE_PER_KWH
from glowline.errors import ConfigError

#: half-hours in a wall-clock day
SLOTS = 48
MAX_NAME = 32
RESOURCES = ("electricity", "gas")
KEYS = ("standing", "rate", "bands", "resource")
RATE = f"pence per kWh from {-MAX_PENCE_PER_KWH:g} to {MAX_PENCE_PER_KWH:g}"


class OtherTariff:
    """A tariff from the config: its standing charge (p/day), a unit rate (p/kWh) for each half-hour of the wall
    clock, and the resource it is for."""

    __slots__ = ("bands", "name", "rates", "resource", "standing")

    def __init__(self, name: str, standing: float, rates: list[float], resource: str = "electricity",
                 bands: list[tuple[str, str, float]] | None = None) -> None:
        self.name = name
        self.standing = standing
        self.rates = rates  # SLOTS rates: 00:00-00:30, 00:30-01:00, ... in local wall time
        self.resource = resource
        self.bands = bands or []  # as written, for describing it

    def rate_at(self, ts: int, tz: ZoneInfo) -> float:
        """The unit rate of the half-hour starting at ``ts``, by its local wall time."""
        local = datetime.fromtimestamp(ts, tz)
        return self.rates[(local.hour * 60 + local.minute) // 30]

    def describe(self) -> str:
        if not self.bands:
            return f"{self.name}: {self.rates[0]:g}p/kWh, {self.standing:g}p/day"
        bands = ", ".join(f"{a}-{b} {rate:g}p" for a, b, rate in self.bands)
        return f"{self.name}: {bands} (local time), {self.standing:g}p/day"


class Priced:
    """A local day's cost under another tariff, pence: energy (its half-hours at the band rates) and standing."""

    __slots__ = ("energy", "standing")

    def __init__(self, energy: float, standing: float) -> None:
        self.energy = energy
        self.standing = standing

    @property
    def total(self) -> float:
        return math.fsum((self.energy, self.standing))


def price_day(tariff: OtherTariff, half_hours: Iterable[tuple[int, float]], tz: ZoneInfo) -> Priced:
    """The day's half-hours (start epoch, kWh) priced under ``tariff`` in local wall time, plus one standing charge."""
    return Priced(math.fsum(kwh * tariff.rate_at(ts, tz) for ts, kwh in half_hours), tariff.standing)


# -- the config ------------------------------------------------------------------------------------------------------


def validate(table: object, path: str) -> dict[str, dict[str, object]]:
    """``[tariffs]`` as TOML parsed it: each ``[tariffs.NAME]`` checked (raising ConfigError naming the key), kept as
    plain values (the config is plain data); parse() makes OtherTariffs of it."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tariffs] must be a table of [tariffs.NAME] tables")
    out: dict[str, dict[str, object]] = {}
    for name, value in table.items():
        parse_one(str(name), value, path)
        assert isinstance(value, dict)
        out[str(name)] = dict(value)
    return out


def parse(conf: dict[str, object]) -> dict[str, OtherTariff]:
    """The config's tariffs by name (the config was validated when it was loaded; checked again here all the same)."""
    table = conf.get("tariffs")
    if not isinstance(table, dict):
        return {}
    return {str(name): parse_one(str(name), value, "config.toml") for name, value in table.items()}


def parse_one(name: str, value: object, path: str) -> OtherTariff:
    where = f"{path}: tariffs.{name}"
    if not name or len(name) > MAX_NAME or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        raise ConfigError(f"{path}: [tariffs.{name}]: a tariff's name is letters, digits, - and _ (at most "
                          f"{MAX_NAME})")
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table (standing, and rate or bands)")
    for key in value:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (expected {', '.join(KEYS)})")
    standing = _number(value.get("standing"), f"{where}.standing", gate.standing,
                       f"pence per day from 0 to {gate.MAX_STANDING_PENCE:g}")
    resource = value.get("resource", "electricity")
    if resource not in RESOURCES:
        raise ConfigError(f"{where}.resource = {resource!r} is not valid: expected one of {', '.join(RESOURCES)}")
    if ("rate" in value) == ("bands" in value):
        raise ConfigError(f"{where}: give either rate (p/kWh all day) or bands (by local time), not "
                          f"{'both' if 'rate' in value else 'neither'}")
    if "rate" in value:
        rate = _number(value["rate"], f"{where}.rate", gate.unit_rate, RATE)
        return OtherTariff(name, standing, [rate] * SLOTS, str(resource))
    bands = value["bands"]
    if not isinstance(bands, list) or not bands:
        raise ConfigError(f"{where}.bands must be a list of {{from = \"HH:MM\", to = \"HH:MM\", rate = p/kWh}}")
    rates: list[float | None] = [None] * SLOTS
    written: list[tuple[str, str, float]] = []
    for n, band in enumerate(bands, 1):
        label = f"{where}.bands[{n}]"
        if not isinstance(band, dict) or set(band) != {"from", "to", "rate"}:
            raise ConfigError(f"{label} must be {{from = \"HH:MM\", to = \"HH:MM\", rate = p/kWh}}")
        first, last = _slot(band["from"], f"{label}.from"), _slot(band["to"], f"{label}.to")
        rate = _number(band["rate"], f"{label}.rate", gate.unit_rate, RATE)
        slot = first
        while True:
            if rates[slot] is not None:
                raise ConfigError(f"{label} overlaps another band at {slot // 2:02d}:{slot % 2 * 30:02d}")
            rates[slot] = rate
            slot = (slot + 1) % SLOTS
            if slot == last:
                break
        written.append((str(band["from"]), str(band["to"]), rate))
    gaps = [n for n, r in enumerate(rates) if r is None]
    if gaps:
        raise ConfigError(f"{where}.bands leave {gaps[0] // 2:02d}:{gaps[0] % 2 * 30:02d} without a rate: the bands "
                          "must cover the whole day")
    return OtherTariff(name, standing, [float(r or 0.0) for r in rates], str(resource), written)


def _number(value: object, label: str, check: Callable[[object], float | None], what: str) -> float:
    """The number through the plausibility gate (glowline.gate), else a ConfigError naming the key."""
    result = check(value)
    if result is None:
        raise ConfigError(f"{label} = {value!r} is not valid: expected {what}")
    return result


def _slot(value: object, label: str) -> int:
    """``"05:30"`` -> the half-hour slot 11; the time must be on the half-hour."""
    text = value if isinstance(value, str) else ""
    hours, colon, minutes = text.partition(":")
    ok = colon and len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit() and \
        hours.isascii() and minutes.isascii()
    if not ok or int(hours) > 23 or int(minutes) not in (0, 30):
        raise ConfigError(f"{label} = {value!r} is not valid: expected a local time on the half-hour, \"HH:MM\" "
                          "(MM 00 or 30)")
    return int(hours) * 2 + int(minutes) // 30
