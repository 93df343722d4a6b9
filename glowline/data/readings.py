"""Readings: fetch windows under the API's span limits, a contiguous series, the DCC-lag horizon, local days.

The half-hour is the API's unit of delivery. Data comes as UTC buckets (``offset=0``) and is summed into the
meter's local calendar days here, so a day is 23 or 25 hours long on clock-change Sundays. Recent half-hours the
DCC has not delivered yet come back as 0 (even with ``nulls=1``): zeros after the last non-zero bucket are
"pending", not usage, and never count towards a day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from glowline.catalog import HALF_HOUR, MAX_SPAN
from glowline.errors import MalformedResponse, UsageError
from glowline.gate import bucket_limits, reading


def zone(name: str) -> ZoneInfo:
    """The IANA zone, or a UsageError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from None


def period_for(tz: ZoneInfo, start: int, end: int) -> str:
    """PT1H when every local midnight in the window falls on a whole UTC hour (the UK does), else PT30M."""
    day = local_date(start, tz)
    while True:
        midnight = day_start(day, tz)
        if midnight >= end:
            return "PT1H"
        if midnight % 3600:
            return "PT30M"
        day += timedelta(days=1)


def windows(start: int, end: int, period: str) -> Iterator[tuple[int, int]]:
    """Split [start, end) into request windows no longer than the API allows for ``period``."""
    span = MAX_SPAN[period]
    while start < end:
        stop = min(end, start + span)
        yield start, stop
        start = stop


def floor(epoch: float, step: int) -> int:
    return int(epoch // step * step)


def ceil(epoch: float, step: int) -> int:
    return int(math.ceil(epoch / step) * step)


class Series:
    """Contiguous buckets of ``step`` seconds from ``start``; None where the API has no value. ``delivered_until``
    is the API's own word on delivery (``last-time``): buckets starting before it are delivered, zeros included."""

    __slots__ = ("delivered_until", "start", "step", "values")

    def __init__(
        self, start: int, step: int, values: list[float | None] | None = None, delivered_until: int | None = None
    ) -> None:
        self.start = start
        self.step = step
        self.values: list[float | None] = values if values is not None else []
        self.delivered_until = delivered_until

    @property
    def end(self) -> int:
        return self.start + self.step * len(self.values)

    def merge(self, start: int, end: int, buckets: list[tuple[int, float | None]]) -> None:
        """Lay a freshly read window [start, end) over the series: each bucket in the answer replaces the cached one;
        a bucket the answer leaves out keeps what was cached (never wipe delivered data)."""
        if not self.values:
            self.start = start
        if start < self.start:  # extend to the past
            self.values[:0] = [None] * ((self.start - start) // self.step)
            self.start = start
        if end > self.end:  # extend to the future
            self.values.extend([None] * ((end - self.end) // self.step))
        for ts, value in buckets:
            self.values[(ts - self.start) // self.step] = value

    def trim(self, end: int) -> None:
        """Drop the buckets at or after ``end``: a series stamped ahead of a clock set back is cut, not fatal."""
        if end < self.end:
            self.values[max(0, (end - self.start) // self.step):] = []
        if self.delivered_until is not None and self.delivered_until > end:
            self.delivered_until = None

    def pending_from(self) -> int:
        """Where the undelivered buckets start: from the API's ``delivered_until`` when known (a bucket that starts
        before it is delivered, a zero is a zero), else the start of the trailing run of zeros and nulls."""
        if self.delivered_until is not None:
            return max(self.start, min(self.end, ceil(self.delivered_until - self.start, self.step) + self.start))
        i = len(self.values)
        while i > 0 and not self.values[i - 1]:
            i -= 1
        return self.start + i * self.step

    def horizon(self, now: float) -> int:
        """Everything before this instant is delivered: ``delivered_until`` when the API said it, else the end of the
        last non-zero *half-hour* (with hourly buckets the last non-zero hour may hold only its first half-hour)."""
        if self.delivered_until is not None:
            return int(min(now, max(self.start, self.delivered_until)))
        pending = self.pending_from()
        if pending == self.start:
            return self.start
        return int(min(now, pending - self.step + HALF_HOUR))


def local_date(epoch: int, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(epoch, tz).date()


def day_start(day: date, tz: ZoneInfo) -> int:
    """Epoch of the local midnight that starts ``day`` (zoneinfo handles 23- and 25-hour days)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def day_bounds(last: date, count: int, tz: ZoneInfo) -> list[tuple[date, int, int]]:
    """The ``count`` local days ending with ``last``: (date, start epoch, end epoch), oldest first."""
    first = last - timedelta(days=count - 1)
    out = []
    for n in range(count):
        day = first + timedelta(days=n)
        out.append((day, day_start(day, tz), day_start(day + timedelta(days=1), tz)))
    return out


class DayTotal:
    """A local day's sum, in the resource's API unit (kWh or pence)."""

    __slots__ = ("complete", "date", "end", "hours", "start", "value")

    def __init__(self, day: date, start: int, end: int, value: float | None, complete: bool, hours: int) -> None:
        self.date = day
        self.start = start
        self.end = end
        self.value = value
        self.complete = complete
        self.hours = hours  # delivered buckets counted

    def __repr__(self) -> str:
        return f"DayTotal({self.date}, {self.value!r}, complete={self.complete})"


def local_days(series: Series, bounds: list[tuple[date, int, int]], horizon: int) -> list[DayTotal]:
    """Sum the series into local days. A day is complete when it is fully delivered, gap-free and in the past.

    Buckets at or after the pending horizon are DCC lag, not usage, and are left out of the sums.
    """
    pending = series.pending_from()
    out = []
    for day, start, end in bounds:
        values: list[float] = []
        gaps = start < series.start or end > series.end
        # the buckets that start inside the day (a zone whose midnight is not on the grid, such as +05:45, gives a
        # bucket that straddles midnight to the day it starts in)
        first = max(0, ceil(start - series.start, series.step) // series.step)
        last = min(len(series.values), ceil(end - series.start, series.step) // series.step)
        for index in range(first, last):
            value = series.values[index]
            if series.start + index * series.step >= pending or value is None:
                gaps = True
            else:
                values.append(value)
        total = math.fsum(values) if values else None
        out.append(DayTotal(day, start, end, total, end <= horizon and not gaps, len(values)))
    return out


def screen(classifier: str, buckets: list[tuple[int, float | None]], step: int
           ) -> tuple[list[tuple[int, float | None]], list[tuple[int, float]]]:
    """One glitch is one half-hour: ``buckets`` with every value glowline.gate.reading refuses set to None (not
    delivered yet: re-asked with the holes, glowline.data.settling), and the refused (start, value) pairs to record.
    An answer whose every value is refused (at least one, none good) is a MalformedResponse (exit 6): nothing of it
    reaches the store."""
    kept: list[tuple[int, float | None]] = []
    refused: list[tuple[int, float]] = []
    for ts, value in buckets:
        if value is not None and reading(classifier, value, step) is None:
            refused.append((ts, value))
            kept.append((ts, None))
        else:
            kept.append((ts, value))
    if refused and len(refused) == sum(1 for _, v in buckets if v is not None):
        low, high = bucket_limits(classifier, step)
        value = refused[0][1]
        raise MalformedResponse(f"the API sent only implausible {classifier} readings ({value:g} in {step // 60} "
                                f"minutes; a household's supply allows {low:g} to {high:g})")
    return kept, refused


def plausible(classifier: str, buckets: list[tuple[int, float | None]], step: int) -> list[tuple[int, float | None]]:
    """``buckets`` with the implausible values left out (None), as ``screen``; a MalformedResponse (exit 6) when every
    value is implausible."""
    return screen(classifier, buckets, step)[0]


def coarsen(buckets: list[tuple[int, float | None]], a: int, step: int, whole_before: int | None = None
            ) -> list[tuple[int, float | None]]:
    """Half-hours as ``step`` buckets on the grid of ``a``, as the API sums them: the delivered halves of each
    bucket added (rounded to 1e-9, within the API's own decimals, so a sum reads as the API's PT1H value), None
    where the answer has only nulls. A bucket the answer leaves out is left out (the series keeps what it had).
    With ``whole_before``, a bucket one of whose half-hours before that instant is missing or null (a hole behind
    last-time, a glitch left out) is None: not a short sum that would pass for the whole bucket."""
    if step == HALF_HOUR:
        return buckets
    parts: dict[int, list[float]] = {}
    present: set[int] = set()
    for ts, value in buckets:
        part = parts.setdefault(ts - (ts - a) % step, [])
        if value is not None:
            part.append(value)
            present.add(ts)
    void: set[int] = set()
    if whole_before is not None:  # a half-hour before it that is null, or that the answer left out, is missing
        void = {bucket for bucket in parts
                if any(h not in present for h in range(bucket, min(bucket + step, whole_before), HALF_HOUR))}
    return [(ts, None if ts in void else round(math.fsum(v), 9) if v else None) for ts, v in sorted(parts.items())]


def fetch_window(
    read: Callable[[int, int, str], list[tuple[int, float | None]]],
    series: Series,
    start: int,
    end: int,
    period: str,
) -> int:
    """Read [start, end) in as few requests as the span limit allows and merge them; returns the request count."""
    count = 0
    for a, b in windows(start, end, period):
        series.merge(a, b, read(a, b, period))
        count += 1
    return count
