"""The readings endpoint's query rules (formats, periods, span limits, alignment) and its bucket grid."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

PERIOD_SECONDS = {"PT1M": 60, "PT30M": 1800, "PT1H": 3600, "P1D": 86400, "P1W": 7 * 86400}
PERIODS = (*PERIOD_SECONDS, "P1M", "P1Y")
MAX_SPAN_DAYS = {"PT1M": 2, "PT30M": 10, "PT1H": 31, "P1D": 31, "P1W": 42, "P1M": 366, "P1Y": 366}
FUNCTIONS = ("sum", "avg", "min", "max")
MAX_OFFSET_MINUTES = 14 * 60

_WALL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_INTEGER = re.compile(r"[+-]?\d{1,4}")


class ApiError(Exception):
    """A refusal the API answers with ``status`` and the flat JSON ``body``."""

    def __init__(self, status: int, body: dict[str, str]) -> None:
        super().__init__(body)
        self.status = status
        self.body = body


def incorrect(detail: str = "") -> ApiError:
    """400 {"error": "incorrect elements<detail>"}."""
    return ApiError(400, {"error": "incorrect elements" + detail})


@dataclass(frozen=True)
class ReadingsQuery:
    """A validated readings request: wall times in the offset's zone, and how to aggregate."""

    start: datetime
    end: datetime
    period: str
    function: str
    offset: int
    nulls: bool

    def instant(self, wall: datetime) -> int:
        """The true UTC epoch of a wall time in this query's zone (offset is sign-inverted: BST is -60)."""
        return calendar.timegm(wall.timetuple()) + self.offset * 60


def _wall_time(text: str) -> datetime:
    if not _WALL_TIME.fullmatch(text):
        raise incorrect()
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise incorrect() from None


def parse_readings_query(query: dict[str, str], classifier: str, now: float) -> ReadingsQuery:
    """Check a readings query as the API does; raise ApiError for anything it would refuse."""
    for name in ("from", "to", "period", "function"):
        if name not in query:
            raise ApiError(400, {"error": "missing elements"})
    start, end = _wall_time(query["from"]), _wall_time(query["to"])
    period, function = query["period"], query["function"]
    if period not in PERIODS or function not in FUNCTIONS:
        raise incorrect()
    if period == "PT1M" and not classifier.startswith("electricity.consumption"):
        raise incorrect()
    offset_text = query.get("offset", "0")
    if not _INTEGER.fullmatch(offset_text) or abs(int(offset_text)) > MAX_OFFSET_MINUTES:
        raise incorrect()
    parsed = ReadingsQuery(start, end, period, function, int(offset_text), query.get("nulls", "0") in ("1", "true"))
    if start >= end:
        raise incorrect()
    if parsed.instant(start) > now:
        raise incorrect(" -from in the future")
    if end - start > timedelta(days=MAX_SPAN_DAYS[period]):
        raise incorrect()
    if (period == "P1W" and start.weekday() != 0) or (period == "P1M" and start.day != 1):
        raise incorrect()
    return parsed


def _floor(wall: datetime, period: str) -> datetime:
    if period == "PT1M":
        return wall.replace(second=0)
    if period == "PT30M":
        return wall.replace(minute=wall.minute // 30 * 30, second=0)
    if period == "PT1H":
        return wall.replace(minute=0, second=0)
    midnight = wall.replace(hour=0, minute=0, second=0)
    if period == "P1M":
        return midnight.replace(day=1)
    if period == "P1Y":
        return midnight.replace(month=1, day=1)
    return midnight  # P1D, and P1W (from is a Monday)


def _next(wall: datetime, period: str) -> datetime:
    if period in PERIOD_SECONDS:
        return wall + timedelta(seconds=PERIOD_SECONDS[period])
    if period == "P1M":
        return wall.replace(year=wall.year + wall.month // 12, month=wall.month % 12 + 1)
    return wall.replace(year=wall.year + 1)


def buckets(query: ReadingsQuery) -> list[tuple[datetime, datetime]]:
    """The (start, end) wall times of every bucket, aligned to the period, up to and including the one at ``to``."""
    out: list[tuple[datetime, datetime]] = []
    wall = _floor(query.start, query.period)
    while wall <= query.end:
        following = _next(wall, query.period)
        out.append((wall, following))
        wall = following
    return out
