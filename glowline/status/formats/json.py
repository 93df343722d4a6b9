"""--format json: the line as one JSON object for scripts; not a status format, so errors keep their exit codes.

Keys, in this order: resource (API classifier), unit, tz, days [{date, value, complete, level, and from_meter when
the meter's register filled hours the DCC has not delivered yet}], total,
fetched_at (ISO-8601 UTC or null), stale; then name, site, level, typical, age_seconds, error, error_kind; with
--live, then "live": {power_w, at, age_seconds, source, device, stale, level} or null.
Values are rounded to 3 decimals (kWh, m3) or 4 (GBP). --short/--width/--ascii/--on-error do not apply.
"""

from glowline.status import formats
from glowline.status.model import Day, Line, RenderOptions


def document(line: Line) -> dict[str, object]:
    """The JSON object as a dict (for callers that embed it)."""
    unit = line.unit
    age = line.age
    return {
        "resource": line.resource,
        "unit": unit,
        "tz": line.tz,
        "days": [_day(d, unit) for d in line.days],
        "total": formats.rounded(line.total, unit),
        "fetched_at": formats.iso_utc(line.fetched_at),
        "stale": line.stale,
        "name": line.name,
        "site": line.site,
        "level": line.level,
        "typical": formats.rounded(line.typical, unit),
        "age_seconds": None if age is None else int(age),
        "error": line.error,
        "error_kind": line.error_kind,
    }


def _day(d: Day, unit: str) -> dict[str, object]:
    """One day; "from_meter" (of value, what the meter's register added after the DCC's delivered half-hours) only
    when the register added something."""
    doc: dict[str, object] = {"date": d.date, "value": formats.rounded(d.value, unit), "complete": d.complete,
                              "level": d.level}
    if d.from_meter:
        doc["from_meter"] = formats.rounded(d.from_meter, unit)
    return doc


def render(line: Line, opts: RenderOptions) -> str:
    doc = document(line)
    if line.live_shown:  # --live: {power_w, at, age_seconds, source, ...}, or null with no current reading
        doc["live"] = formats.live_document(line)
    return formats.json_dumps(doc) + "\n"
