"""--format prometheus: the line as Prometheus text exposition (node_exporter's textfile collector), HELP and TYPE.

Every metric is a gauge labelled ``resource`` (the API classifier), ``name`` (the --resource name), ``site`` and
``tz``; the unit (``kwh``, ``gbp`` or ``m3``, from the resource and --gas-unit) ends the value metrics' names:

    glowline_up                         1 when there is data, 0 when only an error (then glowline_error says why)
    glowline_today_<unit>               today so far (label source="dcc+meter" when the meter's register filled the
                                        hours the DCC has not delivered yet; glowline_today_from_meter_<unit> is
                                        how much, label since="07:30")
    glowline_yesterday_<unit>           yesterday (its complete label says whether the DCC has delivered it all)
    glowline_window_<unit>              the window's total (label days: how many local days)
    glowline_typical_day_<unit>         the household's typical complete day (absent until known)
    glowline_data_age_seconds           seconds since the data was fetched (absent when never)
    glowline_data_fetched_timestamp_seconds  when, as a UNIX time
    glowline_stale                      1 when the data is older than --max-age or the last refresh failed
    glowline_error                      1, labelled kind, reason (the words other formats show: "offline", "usage
                                        error") and message, only when there is a reason to show (not in
                                        the hide form, --on-error hide)

A status format: always exit 0, and an error is still valid exposition (glowline_up 0), so the collector never
drops the file. os, sys and time only (the fast path).
"""

from glowline.status import formats
from glowline.status.model import Day, Line, RenderOptions

PREFIX = "glowline_"


def label_value(value: str) -> str:
    """A label value escaped as the exposition format wants: backslash, double quote and newline."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(value: float) -> str:
    """A sample value: Python's shortest round-tripping repr (valid Go ParseFloat input), NaN and Inf spelled out."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def unit_suffix(unit: str) -> str:
    return {"kWh": "kwh", "GBP": "gbp", "m3": "m3"}.get(unit, unit.lower() or "value")


def render(line: Line, opts: RenderOptions) -> str:
    base = {"resource": line.resource, "name": line.name, "site": line.site, "tz": line.tz}
    unit = unit_suffix(line.unit)
    out: list[str] = []

    def metric(name: str, help_text: str, value: float, extra: dict[str, str] | None = None) -> None:
        full = PREFIX + name
        labels = {**base, **(extra or {})}
        text = ",".join(f'{k}="{label_value(v)}"' for k, v in labels.items())
        out.append(f"# HELP {full} {help_text}\n# TYPE {full} gauge\n{full}{{{text}}} {number(value)}\n")

    metric("up", "1 when glowline has data for this resource, 0 when it has only an error", 1 if line.has_data else 0)
    days = line.days
    if days:
        today = days[-1]
        if today.value is not None:
            metric(f"today_{unit}", f"today so far, in {line.unit}", _r(today.value, line.unit),
                   {"date": today.date, **_meter(today)})
        if today.from_meter:
            metric(f"today_from_meter_{unit}", f"of today, what the meter's register added after the DCC's "
                   f"half-hours, in {line.unit}", _r(today.from_meter, line.unit),
                   {"date": today.date, "since": today.meter_since})
        if len(days) > 1 and days[-2].value is not None:
            yday = days[-2]
            metric(f"yesterday_{unit}", f"yesterday, in {line.unit}", _r(yday.value, line.unit),
                   {"date": yday.date, "complete": "true" if yday.complete else "false", **_meter(yday)})
        if line.has_data:
            metric(f"window_{unit}", f"the window's total, in {line.unit}", _r(line.total, line.unit),
                   {"days": str(len(days))})
    if line.typical is not None:
        metric(f"typical_day_{unit}", f"the household's typical complete day, in {line.unit}",
               _r(line.typical, line.unit))
    age = line.age
    if age is not None and line.fetched_at is not None:
        metric("data_age_seconds", "seconds since the data was fetched from the API", float(int(age)))
        metric("data_fetched_timestamp_seconds", "when the data was fetched, as a UNIX time",
               float(int(line.fetched_at)))
    metric("stale", "1 when the data is older than --max-age or the last refresh failed", 1 if line.stale else 0)
    if line.error and not formats.hidden(line, opts):  # the hide form: glowline_up 0 and no reason
        metric("error", "1 while there is a reason to show: the last refresh failed, or no data yet", 1,
               {"kind": line.error_kind or "error", "reason": formats.reason(line), "message": line.error})
    return "".join(out)


def _meter(day: Day) -> dict[str, str]:
    """The label of a day the meter's register completed (glowline.status.tail): source="dcc+meter"."""
    return {"source": "dcc+meter"} if day.from_meter else {}


def _r(value: float | None, unit: str) -> float:
    rounded = formats.rounded(value, unit)
    return 0.0 if rounded is None else rounded
