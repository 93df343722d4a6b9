"""The cache's fast side: per-day totals as a small text file the status line reads without json or datetime.

Written by the fetcher next to the full series (glowline.data.store.json_cache), one file per site, resource and time zone.
Each day carries its own UTC bounds, so the reader finds "today" with ``time.time()`` alone. Any file that is not
exactly this format (corrupt, truncated, foreign, older version) reads as None and is rebuilt, never a crash.
"""

from __future__ import annotations

import os

from glowline import paths
from glowline.files import atomic_write

MAGIC = "glowline-days 2"


class SummaryDay:
    __slots__ = ("complete", "date", "end", "start", "value")

    def __init__(self, date: str, start: int, end: int, value: float | None, complete: bool) -> None:
        self.date = date
        self.start = start
        self.end = end
        self.value = value
        self.complete = complete


class Summary:
    """Per-day totals (display unit) for one site/resource/zone, and when they were fetched."""

    __slots__ = ("days", "fetched_at", "resource", "site", "tz", "unit")

    def __init__(
        self, resource: str, unit: str, tz: str, site: str, fetched_at: float, days: list[SummaryDay]
    ) -> None:
        self.resource = resource
        self.unit = unit
        self.tz = tz
        self.site = site
        self.fetched_at = fetched_at
        self.days = days  # oldest first, contiguous, running a couple of days past the fetch

    def index_of(self, now: float) -> int:
        """Index of the day that contains ``now``, or -1 when the file does not reach it."""
        for i in range(len(self.days) - 1, -1, -1):
            day = self.days[i]
            if day.start <= now < day.end:
                return i
            if day.end <= now:
                return -1
        return -1


def safe_name(text: str) -> str:
    """A file-name-safe form of a site, resource or zone name."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text) or "_"


def base(site: str, resource: str) -> str:
    """Path prefix of every cache file of one site and resource."""
    return os.path.join(paths.cache_dir(), f"{safe_name(site or 'default')}--{safe_name(resource)}")


def days_path(site: str, resource: str, tz: str) -> str:
    return f"{base(site, resource)}--{safe_name(tz)}.days"


def error_path(site: str, resource: str) -> str:
    return base(site, resource) + ".error"


def lock_path(site: str, resource: str) -> str:
    return base(site, resource) + ".lock"


def write(path: str, summary: Summary) -> None:
    lines = [
        MAGIC,
        f"resource\t{summary.resource}",
        f"unit\t{summary.unit}",
        f"tz\t{summary.tz}",
        f"site\t{_clean(summary.site)}",
        f"fetched_at\t{summary.fetched_at!r}",
    ]
    for d in summary.days:
        value = "-" if d.value is None else repr(d.value)
        lines.append(f"day\t{d.date}\t{d.start}\t{d.end}\t{value}\t{1 if d.complete else 0}")
    lines.append("end")
    atomic_write(path, "\n".join(lines) + "\n")


def read(path: str) -> Summary | None:
    """The summary at ``path``, or None if it is missing or not exactly our format."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(1 << 20)
    except (OSError, UnicodeDecodeError):
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
        for line in lines[6:-2]:
            tag, date, start, end, value, complete = line.split("\t")
            day = SummaryDay(date, int(start), int(end), None if value == "-" else float(value), complete == "1")
            if tag != "day" or len(date) != 10 or day.end <= day.start or (last_end not in (None, day.start)):
                return None
            last_end = day.end
            days.append(day)
        summary = Summary(head["resource"], head["unit"], head["tz"], head["site"], float(fetched[1]), days)
    except (ValueError, KeyError):
        return None
    if not days or summary.fetched_at != summary.fetched_at:  # NaN
        return None
    return summary


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def write_error(site: str, resource: str, kind: str, exit_code: int, message: str, at: float) -> None:
    """Remember why the last refresh failed, for the next status line to show."""
    atomic_write(error_path(site, resource), f"{kind}\t{exit_code}\t{at!r}\t{_clean(message)}\n")


#: (kind, exit code, when, message) of the last failed refresh
ErrorRecord = tuple[str, int, float, str]


def read_error(site: str, resource: str) -> ErrorRecord | None:
    """(kind, exit code, when, message) of the last failed refresh, or None."""
    try:
        with open(error_path(site, resource), encoding="utf-8") as fh:
            kind, code, at, message = fh.read(4096).rstrip("\n").split("\t", 3)
        return kind, int(code), float(at), message
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def clear_error(site: str, resource: str) -> None:
    try:
        os.unlink(error_path(site, resource))
    except OSError:
        pass
