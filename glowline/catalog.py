"""What glowline knows about the meter's data, in one import-free place: resources, formats, units and conversions,
and the API's periods and span limits.

Every "GBP if cost, else kWh", pence to pounds, kWh to m3 and span limit in the code comes from here.

Gas volume from energy: m3 = kWh x 3.6 / calorific value / correction factor, both configurable (config [gas]).
Glowmarkt delivers gas in kWh, converted from the meter's m3 with the supplier's calorific value (CV, MJ/m3, about
39-40 in Great Britain) and the standard volume correction factor 1.02264 (glowmarkt-api.md 3.6). Going back to m3
uses the same two numbers; the CV on a bill varies a little month by month, so set yours in the config.
"""

# ---------------------------------------------------------------------------------------------------- resources

#: --resource name -> the API's classifier
RESOURCES = {
    "electricity": "electricity.consumption",
    "gas": "gas.consumption",
    "electricity-cost": "electricity.consumption.cost",
    "gas-cost": "gas.consumption.cost",
    "export": "electricity.export",
}
#: what report, export and tariff show when no --resource is given
DEFAULT_RESOURCES = ("electricity", "gas")
PENCE_PER_POUND = 100.0


def is_cost(classifier: str) -> bool:
    """True for the priced resources, whose API unit is pence (``electricity.consumption.cost``)."""
    return classifier.endswith(".cost")


def is_consumption(classifier: str) -> bool:
    """True for energy consumption in kWh (electricity or gas), the resources a tariff prices."""
    return classifier.endswith(".consumption")


def cost_of(classifier: str) -> str:
    """The priced resource of a consumption resource: ``electricity.consumption`` -> ``electricity.consumption.cost``
    (pence per half-hour, priced by Hildebrand with the tariff in force at that half-hour)."""
    return f"{classifier}.cost"


#: decimals of machine-readable output: kWh to the Wh, GBP to 1/100 p
KWH_DECIMALS = 3
GBP_DECIMALS = 4


def pence_to_pounds(pence: float | None) -> float | None:
    """Pence in GBP (None stays None)."""
    return None if pence is None else pence / PENCE_PER_POUND


def is_gas_energy(classifier: str) -> bool:
    """True for gas consumption in kWh, the one resource that can be shown as a volume."""
    return classifier == "gas.consumption"


def api_unit(classifier: str) -> str:
    """The unit the API delivers: "pence" for cost resources, else "kWh"."""
    return "pence" if is_cost(classifier) else "kWh"


def display_unit(classifier: str, gas: "GasUnit | None" = None) -> str:
    """The unit glowline shows: "GBP" for cost resources, "m3" for gas in m3, else "kWh"."""
    if is_cost(classifier):
        return "GBP"
    if gas is not None and is_gas_energy(classifier):
        return gas.label
    return "kWh"


def to_display(value: float | None, classifier: str, gas: "GasUnit | None" = None) -> float | None:
    """An API value in the display unit: pence to pounds, gas kWh to m3 when ``gas`` says so (None stays None)."""
    if value is None:
        return None
    if is_cost(classifier):
        return value / PENCE_PER_POUND
    if gas is not None and is_gas_energy(classifier):
        return gas.convert(value)
    return value


#: The most a domestic supply can pass in a half-hour, in kWh: electricity 100 A single-phase at 240 V is 24 kW,
#: 12 kWh a half-hour; gas: a domestic (U6/G4) meter passes at most 6 m3/h, about 34 kWh a half-hour at 11.2 kWh
#: per m3, taken as 35. A reading above it is not a house's: the answer is malformed.
MAX_KWH_PER_HALF_HOUR = {"electricity": 12.0, "gas": 35.0}
#: the most a kWh can cost in a cost resource, in pence: 500 p, far above any UK price so far (negative prices, as
#: on agile tariffs, are allowed down to minus this)
MAX_PENCE_PER_KWH = 500.0


# ---------------------------------------------------------------------------------------------------- formats

#: Every --format name; glowline/status/formats/<name>.py has ``render(line: Line, opts: RenderOptions) -> str``.
FORMATS = ("plain", "ansi", "json", "tmux", "i3blocks", "i3bar", "waybar", "polybar", "xbar", "conky", "prompt", "motd",
           "prometheus", "i3status-rs")
#: Formats embedded in a host: always exit 0 and print a degraded line (or the host's hide form) on any error.
STATUS_FORMATS = ("tmux", "i3blocks", "i3bar", "waybar", "polybar", "xbar", "conky", "prompt", "motd", "prometheus",
                  "i3status-rs")
#: Formats `glowline watch` can stream, one flushed line per update.
WATCH_FORMATS = ("i3bar", "i3blocks", "waybar", "polybar")

# ---------------------------------------------------------------------------------------------------- API periods

HALF_HOUR = 1800
#: seconds per bucket of each readings period the API knows
PERIOD_SECONDS = {"PT30M": 1800, "PT1H": 3600, "P1D": 86400}
#: longest span ``to - from`` the API accepts per period (glowmarkt-api.md 3.4)
MAX_SPAN = {"PT30M": 10 * 86400, "PT1H": 31 * 86400, "P1D": 31 * 86400}

# ---------------------------------------------------------------------------------------------------- gas


#: MJ per m3; GB gas is about 38-41 (glowmarkt-api.md 3.6 quotes "about 40" and 39.9); set yours from a bill
DEFAULT_CALORIFIC_VALUE = 39.5
#: the standard temperature/pressure volume correction used on GB gas bills
DEFAULT_CORRECTION_FACTOR = 1.02264
MJ_PER_KWH = 3.6
GAS_UNITS = ("kwh", "m3")


class GasUnit:
    """How gas values are shown: kWh as delivered, or m3 with this CV and correction factor."""

    __slots__ = ("calorific_value", "correction_factor", "unit")

    def __init__(
        self,
        unit: str = "kwh",
        calorific_value: float = DEFAULT_CALORIFIC_VALUE,
        correction_factor: float = DEFAULT_CORRECTION_FACTOR,
    ) -> None:
        # the exception tree is imported only to refuse: a line that draws never loads it
        if unit not in GAS_UNITS:
            from glowline.errors import UsageError

            raise UsageError(f"unknown gas unit {unit!r}: use kwh or m3")
        if not 20.0 <= calorific_value <= 60.0:
            from glowline.errors import ConfigError

            raise ConfigError(f"[gas] calorific_value = {calorific_value!r} is not plausible: expected 20 to 60 MJ/m3")
        if not 0.9 <= correction_factor <= 1.1:
            from glowline.errors import ConfigError

            raise ConfigError(
                f"[gas] correction_factor = {correction_factor!r} is not plausible: expected about 1.02264"
            )
        self.unit = unit
        self.calorific_value = calorific_value
        self.correction_factor = correction_factor

    @property
    def label(self) -> str:
        """The unit as printed: ``kWh`` or ``m3``."""
        return "m3" if self.unit == "m3" else "kWh"

    def convert(self, kwh: float | None) -> float | None:
        """A gas kWh value in this unit (None stays None)."""
        if kwh is None or self.unit == "kwh":
            return kwh
        return kwh_to_m3(kwh, self.calorific_value, self.correction_factor)

    def describe(self) -> str:
        if self.unit == "kwh":
            return "gas in kWh as delivered by the meter"
        return (
            f"gas in m3 = kWh x {MJ_PER_KWH} / CV {self.calorific_value:g} / correction {self.correction_factor:g}"
        )


def kwh_to_m3(kwh: float, calorific_value: float, correction_factor: float) -> float:
    """The gas volume (m3) that holds ``kwh`` of energy."""
    return kwh * MJ_PER_KWH / calorific_value / correction_factor


def gas_unit(conf: dict[str, object], override: str | None = None) -> GasUnit:
    """The gas unit from ``--gas-unit`` (override), else config ``[gas] unit``, with the config's CV and factor."""
    table = conf.get("gas")
    gas: dict[str, object] = table if isinstance(table, dict) else {}
    unit = override or gas.get("unit") or "kwh"
    cv = gas.get("calorific_value", DEFAULT_CALORIFIC_VALUE)
    factor = gas.get("correction_factor", DEFAULT_CORRECTION_FACTOR)
    if not isinstance(cv, (int, float)) or not isinstance(factor, (int, float)):
        from glowline.errors import ConfigError

        raise ConfigError("[gas] calorific_value and correction_factor must be numbers")
    return GasUnit(str(unit), float(cv), float(factor))
