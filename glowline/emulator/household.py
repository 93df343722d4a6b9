"""The emulator's synthetic household: two sites, their resources and a deterministic value for every half-hour.

Values are pure functions of (meter profile, half-hour epoch), seeded by hashlib, so every run, test and process sees
the same household. They are kept as integers of the unit's last decimal (Wh for electricity, 1e-8 kWh for gas,
1e-5 pence for cost) so that sums over any bucket are exact.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

HALF_HOUR = 1800
DAY = 86400
HISTORY_DAYS = 800
LONDON = ZoneInfo("Europe/London")
COST_DECIMALS = 5
ELECTRICITY_RATE_CENTIPENCE = 2450  # 24.50 p/kWh
GAS_RATE_CENTIPENCE = 630  # 6.30 p/kWh
ELECTRICITY_STANDING_CENTIPENCE = 5335  # 53.35 p/day
GAS_STANDING_CENTIPENCE = 3165  # 31.65 p/day
#: the time-of-use household ("DCC Sourced" electricity): cheap hours at night, local time [start, end)
NIGHT_HOURS = (0, 7)
ELECTRICITY_NIGHT_RATE_CENTIPENCE = 900  # 9.00 p/kWh at night (the rates above are the current ones)
#: the price change: this many days before the emulator's first "now", at a local midnight; before it, these rates
PRICE_CHANGE_DAYS_AGO = 30
OLD_ELECTRICITY_RATE_CENTIPENCE = 2236  # 22.36 p/kWh
OLD_ELECTRICITY_NIGHT_RATE_CENTIPENCE = 850  # 8.50 p/kWh
OLD_ELECTRICITY_STANDING_CENTIPENCE = 4897  # 48.97 p/day
OLD_GAS_RATE_CENTIPENCE = 589  # 5.89 p/kWh
OLD_GAS_STANDING_CENTIPENCE = 2960  # 29.60 p/day

#: the emulated Glow IHD at the "Holiday Cottage" site (the "DCC Sourced" site is DCC-only: no live data)
GLOW_MAC = "E4B323C0FFEE"
#: the import register's reading at the household's first half-hour (kWh), so registers look like a real meter's
REGISTER_BASE_KWH = 12000.0
#: the live power swings this much around the half-hour's mean, over whole periods, so the mean stays exact
WOBBLE, WOBBLE_PERIOD = 0.1, 300

#: the absurd half-hour of the ``glitch`` habit (kWh), as in issue 19's finding 2, and how long it is served
GLITCH_KWH = 47.5
GLITCH_HOURS = 29.0

_NAMESPACE = uuid.UUID("2f0c7f0e-4f53-4c8e-9a51-6c6c1f1d0b3e")


@dataclass(frozen=True)
class Habits:
    """How the emulated service departs from the API as documented, each as the real one was seen doing
    (glowmarkt-api.md 3.5 and 8); all off by default (every half-hour, once delivered, never changes). Every habit is a
    pure function of (half-hour, the emulator's clock), so a test that moves an injected clock sees it play out.

    - ``provisional_zeros``: about half of the delivered half-hours read 0 for 1 to 10 hours after their delivery
      before their value comes (export: all of them, for 20 to 30 hours), behind ``last-time`` as well as at the edge.
      Sources: HandyHat#362 ("for the last two [hours] they show zero, but further back have been populated");
      pyglowmarkt 417a088; Mossop/glowmarkt-rs 2bca9dd strips trailing zeros; pete-os; export: jonandel PR #74
      ("will read 0 kWh ... and only settle to real values after ~24h"), jonandel#76.
    - ``late_holes``: on about half of the (UTC) days a run of 2 to 6 half-hours behind ``last-time`` is missing
      (``null`` with ``nulls=1``, else 0) and back-filled 2 to 30 hours later. Sources: jonandel#49 (no half-hourly data
      from 2 Oct 2025, filled later), jonandel#73 (Feb 2026), n3rgy/data#2 (DCC misses reads and fills them days or
      weeks later), n3rgy/data#10 (DCC maintenance most Tuesday nights).
    - ``glitch_at``: the half-hour starting at this epoch reads GLITCH_KWH on every electricity consumption meter from
      its delivery until ``glitch_hours`` later, then its true value (a value revised after it was served: NJWILKS
      hildebrand-glow-ha README and docs/TESTING.md, live contract 2026; issue 19 finding 2).
    - ``last_ts_end``: ``last-time`` answers the END of the last delivered half-hour, not its start (HandyHat#59 shows a
      half-hour boundary, and no source says which end it is: glowmarkt-api.md 8, "open").
    """

    provisional_zeros: bool = False
    late_holes: bool = False
    glitch_at: int | None = None
    glitch_hours: float = GLITCH_HOURS
    last_ts_end: bool = False

    @property
    def any(self) -> bool:
        return self.provisional_zeros or self.late_holes or self.glitch_at is not None or self.last_ts_end


def stable_uuid(name: str) -> str:
    """A fixed uuid-looking id for ``name`` (the same in every run)."""
    return str(uuid.uuid5(_NAMESPACE, name))


ACCOUNT_ID = stable_uuid("account")


@dataclass(frozen=True)
class Profile:
    """How one meter behaves: the shape ("electricity", "gas" or "export"), its size, noise seed and decimals."""

    shape: str
    seed: str
    scale: float
    decimals: int


@dataclass(frozen=True)
class Resource:
    """One Glowmarkt resource. Cost resources price the half-hours of ``profile`` at ``rate_centipence``."""

    resource_id: str
    resource_type_id: str
    name: str
    description: str
    classifier: str
    unit: str
    meter_type: str
    data_source_type: str
    profile: Profile
    rate_centipence: int | None
    standing_centipence: int | None
    lag: int
    created_at: str
    updated_at: str
    tou: bool = False  # priced on the time-of-use tariff (cheap NIGHT_HOURS) rather than a flat one

    @property
    def decimals(self) -> int:
        """Decimal places of this resource's values (also the scale of its integer units)."""
        return COST_DECIMALS if self.rate_centipence is not None else self.profile.decimals

    @property
    def commodity(self) -> str:
        """"ELEC" or "GAS" (export counts as electricity)."""
        return "GAS" if self.classifier.startswith("gas") else "ELEC"


@dataclass(frozen=True)
class Site:
    """One virtual entity (a metered property) and its resources in the order the API lists them."""

    ve_id: str
    record_id: str
    name: str
    postal_code: str
    address: dict[str, str]
    resources: tuple[Resource, ...]
    created_at: str
    updated_at: str
    glow_mac: str | None = None  # Glow hardware (an IHD) at the site: REST /current answers and it publishes MQTT


@dataclass(frozen=True)
class TariffPeriod:
    """One tariff of the household, in force from the local midnight ``effective`` until the next one: unit rates
    and standing charge in centipence (``night_rate`` None: one rate all day)."""

    effective: int
    day_rate: int
    night_rate: int | None
    standing: int

    def rate_at(self, t: int) -> int:
        """The unit rate of the half-hour starting at ``t`` (night hours are London local time)."""
        if self.night_rate is not None and NIGHT_HOURS[0] <= datetime.fromtimestamp(t, LONDON).hour < NIGHT_HOURS[1]:
            return self.night_rate
        return self.day_rate


def london_midnight(day: date) -> int:
    """Epoch of the London local midnight that starts ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=LONDON).timestamp())


def _uniforms(seed: str, t: int) -> tuple[float, float, float, float]:
    """Four independent uniforms in [0, 1) for (seed, t)."""
    digest = hashlib.blake2b(f"{seed}:{t}".encode(), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "big") / 4294967296.0 for i in (0, 4, 8, 12))  # type: ignore[return-value]


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-0.5 * ((hour - centre) / width) ** 2)


def _winter(day_of_year: int) -> float:
    """1.0 in mid-January, 0.0 in mid-July."""
    return 0.5 * (1.0 + math.cos(2.0 * math.pi * (day_of_year - 15) / 365.25))


def _electricity_kwh(seed: str, t: int) -> float:
    local = datetime.fromtimestamp(t, LONDON)
    hour = local.hour + local.minute / 60.0
    weekend = local.weekday() >= 5
    winter = _winter(local.timetuple().tm_yday)
    noise, size, spike, spike_size = _uniforms(seed, t)
    if weekend:
        use = 0.3 * _bump(hour, 9.25, 1.1) + 0.1 * (10.0 <= hour < 17.0) + 0.4 * _bump(hour, 18.5, 1.2)
    else:
        use = 0.25 * _bump(hour, 7.25, 0.7) + 0.02 * (9.0 <= hour < 16.5) + 0.38 * _bump(hour, 18.75, 1.1)
    use += 0.06 * (19.5 <= hour < 23.0) + 0.08 * winter * (16.0 <= hour < 23.0)
    if spike > 0.97 and 7.0 <= hour < 22.0:
        use += 0.5 + 0.6 * spike_size  # kettle, oven, washing machine
    return 0.07 + 0.03 * noise + use * (0.8 + 0.4 * size)


def _gas_kwh(seed: str, t: int) -> float:
    local = datetime.fromtimestamp(t, LONDON)
    hour = local.hour + local.minute / 60.0
    weekend = local.weekday() >= 5
    heat = max(0.0, (_winter(local.timetuple().tm_yday) - 0.25) / 0.75)
    size = _uniforms(seed, t)[0]
    kwh = 0.0
    if heat > 0.0:
        if 6.0 <= hour < 8.5:
            kwh += 1.8 * heat
        elif 17.0 <= hour < 22.0:
            kwh += 1.3 * heat
        elif 8.5 <= hour < 17.0 and (weekend or heat > 0.6):
            kwh += 0.6 * heat
        elif heat > 0.7:
            kwh += 0.2 * heat  # cold nights: the boiler keeps the house from freezing
    if 6.5 <= hour < 7.5:
        kwh += 0.55  # showers, all year
    if 17.5 <= hour < 18.5:
        kwh += 0.3  # cooking, all year
    return kwh * (0.75 + 0.5 * size)


def _export_kwh(seed: str, t: int) -> float:
    day = t // DAY
    hour = (t % DAY) / 3600.0 + 0.25  # middle of the half-hour, UTC (solar noon is about 12:00 UTC in London)
    day_of_year = datetime.fromtimestamp(day * DAY, LONDON).timetuple().tm_yday
    season = math.cos(2.0 * math.pi * (day_of_year - 172) / 365.25)
    length = 12.0 + 4.4 * season
    rise = 12.0 - length / 2.0
    if not rise < hour < rise + length:
        return 0.0
    height = math.sin(math.pi * (hour - rise) / length)
    sun = height * math.sqrt(height)
    cloud = 0.25 + 0.75 * _uniforms(seed, day)[0]
    produced = 1.5 * sun * (0.3 + 0.35 * (1.0 + season)) * cloud * (0.85 + 0.15 * _uniforms(seed, t)[0])
    return max(0.0, produced - 0.15)


_SHAPES = {"electricity": _electricity_kwh, "gas": _gas_kwh, "export": _export_kwh}


@lru_cache(maxsize=32768)
def _day_units(profile: Profile, day: int) -> tuple[int, ...]:
    """The 48 half-hour values of one UTC day, in units of 10**-decimals kWh."""
    shape = _SHAPES[profile.shape]
    factor = profile.scale * 10**profile.decimals
    return tuple(round(shape(profile.seed, day * DAY + i * HALF_HOUR) * factor) for i in range(48))


@lru_cache(maxsize=4096)
def _day_total(profile: Profile, day: int) -> int:
    """The sum of one UTC day's half-hours, in integer units."""
    return sum(_day_units(profile, day))


def true_units(resource: Resource, t: int, rate_centipence: int | None = None) -> int:
    """What the household used in the half-hour starting at ``t`` (UTC, aligned), in the resource's integer units;
    a cost resource prices it at ``rate_centipence`` (default: its own current day rate)."""
    units = _day_units(resource.profile, t // DAY)[(t % DAY) // HALF_HOUR]
    if resource.rate_centipence is None:
        return units
    rate = resource.rate_centipence if rate_centipence is None else rate_centipence
    # pence = kWh * rate; in 1e-5 pence: units * rate * 1000 / 10**decimals, rounded half up
    scale: int = 10**resource.profile.decimals
    return (units * rate * 1000 + scale // 2) // scale


def _resource(
    site_key: str,
    classifier: str,
    name: str,
    description: str,
    meter_type: str,
    profile: Profile,
    *,
    source: str = "AMRAPI",
    rate: int | None = None,
    standing: int | None = None,
    lag: int = 2,
    stamp: str = "2024-01-17T09:12",
    tou: bool = False,
) -> Resource:
    return Resource(
        resource_id=stable_uuid(f"{site_key}/{classifier}/{source}"),
        resource_type_id=stable_uuid(f"type/{classifier}/{source}"),
        name=name,
        description=description,
        classifier=classifier,
        unit="pence" if rate is not None else "kWh",
        meter_type=meter_type,
        data_source_type=source,
        profile=profile,
        rate_centipence=rate,
        standing_centipence=standing,
        lag=lag,
        created_at=f"{stamp}:44.318Z",
        updated_at=f"{stamp}:45.102Z",
        tou=tou,
    )


def _address(line1: str, street: str, line2: str, city: str, county: str, postcode: str) -> dict[str, str]:
    return {
        "address": f"{line1},{street},{city}",
        "addressLine1": line1,
        "addressLine2": line2,
        "county": county,
        "city": city,
        "region": county,
        "country": "UK",
        "postcode": postcode,
    }


def build_sites() -> tuple[Site, ...]:
    """The household's two sites: "DCC Sourced" (home, 6 resources) and "Holiday Cottage" (elec + gas)."""
    elec = Profile("electricity", "home-electricity", 1.0, 3)
    gas = Profile("gas", "home-gas", 1.0, 8)
    adhoc = Profile("electricity", "home-electricity-adhoc", 1.3, 3)
    export = Profile("export", "home-export", 1.0, 3)
    home_resources = (
        _resource("home", "gas.consumption", "gas consumption", "gas consumption DCC SM profile reads", "GAS", gas,
                  lag=6, standing=GAS_STANDING_CENTIPENCE),
        _resource("home", "gas.consumption.cost", "gas cost", "gas cost DCC SM profile reads", "GAS", gas,
                  rate=GAS_RATE_CENTIPENCE, standing=GAS_STANDING_CENTIPENCE, lag=6),
        _resource("home", "electricity.consumption.cost", "electricity cost", "electicity cost DCC SM profile reads",
                  "ELEC", elec, rate=ELECTRICITY_RATE_CENTIPENCE, standing=ELECTRICITY_STANDING_CENTIPENCE, tou=True),
        _resource("home", "electricity.export", "active export", "electricity energy from active export power",
                  "PWER_AEXP", export, source="ADHOC", lag=48),
        _resource("home", "electricity.consumption", "electricity usage", "electricity consumption ADHOC reads",
                  "ELEC", adhoc, source="ADHOC", standing=ELECTRICITY_STANDING_CENTIPENCE, stamp="2023-11-02T18:03",
                  tou=True),
        _resource("home", "electricity.consumption", "electricity consumption",
                  "electicity consumption DCC SM profile reads", "ELEC", elec,
                  standing=ELECTRICITY_STANDING_CENTIPENCE, tou=True),
    )
    cottage_elec = Profile("electricity", "cottage-electricity", 0.35, 3)
    cottage_gas = Profile("gas", "cottage-gas", 0.4, 8)
    cottage_resources = (
        _resource("cottage", "electricity.consumption", "electricity consumption",
                  "electicity consumption DCC SM profile reads", "ELEC", cottage_elec,
                  standing=ELECTRICITY_STANDING_CENTIPENCE, stamp="2024-05-03T10:41"),
        _resource("cottage", "gas.consumption", "gas consumption", "gas consumption DCC SM profile reads", "GAS",
                  cottage_gas, lag=6, standing=GAS_STANDING_CENTIPENCE, stamp="2024-05-03T10:41"),
    )
    return (
        Site(
            ve_id=stable_uuid("site/home"),
            record_id=stable_uuid("site/home/record"),
            name="DCC Sourced",
            postal_code="A1 1AA",
            address=_address("1", "THE STREET", "THE STREET LONDON", "LO", "London", "A1 1AA"),
            resources=home_resources,
            created_at="2024-01-17T09:10:02.534Z",
            updated_at="2024-01-17T09:12:45.753Z",
        ),
        Site(
            ve_id=stable_uuid("site/cottage"),
            record_id=stable_uuid("site/cottage/record"),
            name="Holiday Cottage",
            postal_code="TR1 9ZZ",
            address=_address("Rose Cottage", "HARBOUR LANE", "HARBOUR LANE TRURO", "TRURO", "Cornwall", "TR1 9ZZ"),
            resources=cottage_resources,
            created_at="2024-05-03T10:39:20.101Z",
            updated_at="2024-05-03T10:41:45.202Z",
            glow_mac=GLOW_MAC,
        ),
    )


class Household:
    """The sites plus the time rules: first reading, DCC lag (recent half-hours delivered as 0) and the future, and
    the tariffs: the "DCC Sourced" electricity is time-of-use (cheap NIGHT_HOURS), and every price changed at the
    local midnight ``price_change`` (PRICE_CHANGE_DAYS_AGO before the first "now"), standing charges included."""

    def __init__(self, first_time: int, habits: Habits | None = None) -> None:
        self.sites = build_sites()
        self.first_time = first_time
        self.habits = habits or Habits()
        self._by_id = {r.resource_id: r for site in self.sites for r in site.resources}
        #: half-hours the DCC lags behind, by resource id, where set (Emulator.set_lag) instead of the resource's own
        self.lags: dict[str, int] = {}
        #: where the DCC's delivery stops, by resource id, however late it gets (Emulator.hold_at)
        self.held_at: dict[str, int] = {}
        start_day = datetime.fromtimestamp(first_time, LONDON).date()
        self.price_change = london_midnight(start_day + timedelta(days=HISTORY_DAYS - PRICE_CHANGE_DAYS_AGO))
        start = london_midnight(start_day)
        self._tariffs = {
            ("ELEC", True): (
                TariffPeriod(start, OLD_ELECTRICITY_RATE_CENTIPENCE, OLD_ELECTRICITY_NIGHT_RATE_CENTIPENCE,
                             OLD_ELECTRICITY_STANDING_CENTIPENCE),
                TariffPeriod(self.price_change, ELECTRICITY_RATE_CENTIPENCE, ELECTRICITY_NIGHT_RATE_CENTIPENCE,
                             ELECTRICITY_STANDING_CENTIPENCE),
            ),
            ("ELEC", False): (
                TariffPeriod(start, OLD_ELECTRICITY_RATE_CENTIPENCE, None, OLD_ELECTRICITY_STANDING_CENTIPENCE),
                TariffPeriod(self.price_change, ELECTRICITY_RATE_CENTIPENCE, None, ELECTRICITY_STANDING_CENTIPENCE),
            ),
            ("GAS", False): (
                TariffPeriod(start, OLD_GAS_RATE_CENTIPENCE, None, OLD_GAS_STANDING_CENTIPENCE),
                TariffPeriod(self.price_change, GAS_RATE_CENTIPENCE, None, GAS_STANDING_CENTIPENCE),
            ),
        }

    def tariffs(self, resource: Resource) -> tuple[TariffPeriod, ...]:
        """The resource's tariff history, oldest first."""
        return self._tariffs[(resource.commodity, resource.tou and resource.commodity == "ELEC")]

    def tariff_at(self, resource: Resource, t: float) -> TariffPeriod:
        """The tariff in force at instant ``t`` (the oldest one before it started)."""
        periods = self.tariffs(resource)
        return next((p for p in reversed(periods) if p.effective <= t), periods[0])

    def _true(self, resource: Resource, t: int) -> int:
        """true_units, a cost resource priced with the tariff in force at that half-hour."""
        if resource.rate_centipence is None:
            return true_units(resource, t)
        return true_units(resource, t, self.tariff_at(resource, t).rate_at(t))

    def resource(self, resource_id: str) -> Resource | None:
        """The resource with this id, or None."""
        return self._by_id.get(resource_id)

    def site(self, key: str) -> Site | None:
        """The site whose name or veId is ``key``, or None."""
        return next((s for s in self.sites if key in (s.name, s.ve_id)), None)

    def units(self, resource: Resource, t: int, now: float) -> int | None:
        """The true value of half-hour ``t``: None before the first reading or when it has not started yet."""
        if t < self.first_time or t > now:
            return None
        return self._true(resource, t)

    def delivered_units(self, resource: Resource, t: int, now: float) -> int | None:
        """What the API hands out for half-hour ``t``: the true value, 0 while the DCC lags, None before/after; with
        ``habits``, also a provisional 0, a hole (None) or the glitch for a while after its delivery (Habits)."""
        if t < self.first_time or t > now:
            return None
        current = int(now) // HALF_HOUR * HALF_HOUR
        if t >= current - self.lag(resource, now) * HALF_HOUR:
            return 0
        habits = self.habits
        if habits.any:
            age = current - self.lag(resource, now) * HALF_HOUR - t  # how long ago the half-hour was first delivered
            if habits.glitch_at == t and resource.classifier == "electricity.consumption" \
                    and age < habits.glitch_hours * 3600:
                return int(GLITCH_KWH * 10**resource.decimals + 0.5)
            if habits.late_holes and age < self.hole_delay(resource, t):
                return None
            if habits.provisional_zeros and age < self.provisional_for(resource, t):
                return 0
        return self._true(resource, t)

    def lag(self, resource: Resource, now: float) -> int:
        """Half-hours (before the current one) the DCC has not delivered yet at ``now``: as set, else the resource's
        own; more while delivery is held at an instant."""
        lag = self.lags.get(resource.resource_id, resource.lag)
        held = self.held_at.get(resource.resource_id)
        if held is not None:
            lag = max(lag, (int(now) // HALF_HOUR * HALF_HOUR - held) // HALF_HOUR)
        return lag

    def provisional_for(self, resource: Resource, t: int) -> float:
        """Seconds after its delivery during which half-hour ``t`` reads 0 (``provisional_zeros``; 0: never)."""
        first, second = _uniforms(f"{resource.profile.seed}:provisional", t)[:2]
        if resource.classifier == "electricity.export":
            return (20 + 10 * second) * 3600.0
        return (1 + 9 * second) * 3600.0 if first < 0.5 else 0.0

    def hole_delay(self, resource: Resource, t: int) -> float:
        """Seconds after its delivery during which half-hour ``t`` is missing (``late_holes``; 0: never): one run of
        2 to 6 half-hours on about half of the UTC days, the same run for every resource of the household."""
        day = t // DAY
        pick, where, length, delay = _uniforms("household:holes", day)
        if pick >= 0.5:
            return 0.0
        first = day * DAY + int(where * 42) * HALF_HOUR
        if not first <= t < first + (2 + int(length * 5)) * HALF_HOUR:
            return 0.0
        return (2 + 28 * delay) * 3600.0

    def site_of(self, resource: Resource) -> Site:
        """The site a resource belongs to."""
        return next(s for s in self.sites if resource in s.resources)

    def glow_site(self) -> Site | None:
        """The site with Glow hardware (live data), if any."""
        return next((s for s in self.sites if s.glow_mac), None)

    def power_w(self, resource: Resource, now: float) -> float:
        """Live power (W) at ``now``: the current half-hour's mean (what REST will say it used), with a zero-mean
        wobble whose periods divide the half-hour."""
        t = int(now) // HALF_HOUR * HALF_HOUR
        scale: int = 10**resource.profile.decimals
        mean_w = true_units(resource, t) / scale * 2000.0  # kWh per half-hour -> W
        return float(mean_w * (1.0 + WOBBLE * math.sin(2.0 * math.pi * (now - t) / WOBBLE_PERIOD)))

    def register_kwh(self, resource: Resource, since: float, now: float) -> float:
        """kWh used from ``since`` to ``now`` by the true half-hours (the current one pro rata): registers and the
        day/week/month counters grow by exactly what the REST readings say."""
        scale: int = 10**resource.profile.decimals
        start = max(self.first_time, int(since) // HALF_HOUR * HALF_HOUR)
        current = int(now) // HALF_HOUR * HALF_HOUR
        units = 0
        t = start
        while t < current and t % DAY:
            units += true_units(resource, t)
            t += HALF_HOUR
        while t + DAY <= current:
            units += _day_total(resource.profile, t // DAY)
            t += DAY
        while t < current:
            units += true_units(resource, t)
            t += HALF_HOUR
        part = true_units(resource, current) * (now - current) / HALF_HOUR if current >= self.first_time else 0.0
        return float((units + part) / scale)

    def last_delivered(self, resource: Resource, now: float) -> int:
        """Start of the most recent half-hour that carries real data."""
        return int(now) // HALF_HOUR * HALF_HOUR - (self.lag(resource, now) + 1) * HALF_HOUR

    def last_ts(self, resource: Resource, now: float) -> int:
        """``last-time``'s ``lastTs``: the start of the newest delivered half-hour, or its end (``last_ts_end``)."""
        return self.last_delivered(resource, now) + (HALF_HOUR if self.habits.last_ts_end else 0)

    def window_units(self, resource: Resource, start: int, end: int, now: float) -> list[int | None]:
        """Delivered units of every half-hour overlapping [start, end) (true epochs on minute boundaries).

        A half-hour only partly inside the window (PT1M, or offsets that are not whole half-hours) contributes its
        whole-minute share, split so that the shares of one half-hour always add up to it exactly.
        """
        out: list[int | None] = []
        t = start // HALF_HOUR * HALF_HOUR
        while t < end:
            units = self.delivered_units(resource, t, now)
            if units is not None and (t < start or t + HALF_HOUR > end):
                first = (max(start, t) - t) // 60
                last = (min(end, t + HALF_HOUR) - t) // 60
                units = units * last // 30 - units * first // 30
            out.append(units)
            t += HALF_HOUR
        return out
