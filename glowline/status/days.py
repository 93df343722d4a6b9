"""The days file: per-day totals of one site, resource and zone as small text the status line reads without json.

Written by glowline.data.sync next to the full series (glowline.data.store). Values are in the API's unit (kWh, or
pence for cost resources); the status line converts them for display through glowline.catalog. Each day carries its
own UTC bounds, so the reader finds "today" with ``time.time()`` alone. Any file that is not exactly this format
(corrupt, truncated, foreign, older version) reads as None and is rebuilt, never a crash.
"""

from glowline import paths
from glowline.files import read_text
from glowline.status.model import Day

MAGIC = "glowline-days 3"
#: the largest days file read (a year and more of days is about 40 KiB)
MAX_BYTES = 1 << 20


class Summary:
    """Per-day totals (the API's unit) for one site, resource and zone, and when they were fetched."""

    __slots__ = ("days", "delivered", "fetched_at", "meter", "resource", "since", "site", "tz", "unit")

    def __init__(self, resource: str, unit: str, tz: str, site: str, fetched_at: float, days: list[Day],
                 meter: str = "", delivered: int | None = None, since: str = "") -> None:
        self.resource = resource  # the API classifier
        self.unit = unit  # the API's unit: "kWh" or "pence"
        self.tz = tz
        self.site = site  # the site's name
        self.fetched_at = fetched_at
        self.days = days  # oldest first, contiguous, running a couple of days past the fetch
        # the tail from the meter (glowline.status.tail): the IHD whose register is this site's meter ("" none
        # known), the DCC's delivery horizon at the fetch (epoch) and that instant as local "HH:MM"
        self.meter = meter
        self.delivered = delivered
        self.since = since

    def index_of(self, now: float) -> int:
        """Index of the day that contains ``now``, or -1 when the file does not reach it."""
        for i in range(len(self.days) - 1, -1, -1):
            day = self.days[i]
            if day.start <= now < day.end:
                return i
            if day.end <= now:
                return -1
        return -1


def write(path: str, summary: Summary) -> None:
    """Write the days file atomically (the refresher does; a status line only reads)."""
    from glowline.files import atomic_write

    lines = [
        MAGIC,
        f"resource\t{summary.resource}",
        f"unit\t{summary.unit}",
        f"tz\t{summary.tz}",
        f"site\t{_clean(summary.site)}",
        f"fetched_at\t{summary.fetched_at!r}{_meter_fields(summary)}",
    ]
    for d in summary.days:
        value = "-" if d.value is None else repr(d.value)
        lines.append(f"day\t{d.date}\t{d.start}\t{d.end}\t{value}\t{1 if d.complete else 0}")
    lines.append("end")
    atomic_write(path, "\n".join(lines) + "\n")


def read(path: str) -> Summary | None:
    """The summary at ``path``, or None if it is missing or not exactly our format."""
    text = read_text(path, MAX_BYTES)  # never blocks on a FIFO, never follows a planted symlink
    if text is None:
        return None
    lines = text.split("\n")
    if len(lines) < 8 or lines[0] != MAGIC or lines[-2:] != ["end", ""]:
        return None
    try:
        head = dict(line.split("\t", 1) for line in lines[1:5])
        fetched = lines[5].split("\t")
        if fetched[0] != "fetched_at":
            return None
        days = []
        last_end = None
        meter, delivered, since = "", None, ""
        if len(fetched) == 5:  # the tail from the meter's fields (an older file has none)
            meter, delivered, since = fetched[2].strip("-"), int(fetched[3]), fetched[4].strip("-")
        for line in lines[6:-2]:
            tag, date, start, end, value, complete = line.split("\t")
            day = Day(date, int(start), int(end), None if value == "-" else float(value), complete == "1")
            if tag != "day" or len(date) != 10 or day.end <= day.start or (last_end not in (None, day.start)):
                return None
            last_end = day.end
            days.append(day)
        summary = Summary(head["resource"], head["unit"], head["tz"], head["site"], float(fetched[1]), days, meter,
                          delivered, since)
    except (ValueError, KeyError):
        return None
    if not days or summary.fetched_at != summary.fetched_at:  # NaN
        return None
    return summary


def _meter_fields(summary: Summary) -> str:
    """The delivery horizon, its local "HH:MM" and the site's IHD, after the fetch time on its line: where a reader
    of the previous version of this format ignores them (two versions side by side never rebuild each other's)."""
    if summary.delivered is None:
        return ""
    return f"\t{_clean(summary.meter) or '-'}\t{int(summary.delivered)}\t{_clean(summary.since) or '-'}"


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def every() -> list[Summary]:
    """Every readable days file in the cache folder (for doctor), by file name."""
    found = (read(path) for path in paths.files_ending(paths.DAYS_SUFFIX))
    return [s for s in found if s is not None]
