"""``glowline export``: readings of several resources merged on local timestamps, streamed as CSV or JSON.

Rows are made window by window (one API request per resource and window, within the span limits), so memory stays
constant however long the range; hour and day rows come from the PT1H cache where it covers the range. Lagged zeros
(the trailing zeros the DCC has not filled in yet) are not usage and are written as empty values, like gaps.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from typing import IO, TYPE_CHECKING, Any

from glowline import catalog
from glowline.catalog import HALF_HOUR, MAX_SPAN, PERIOD_SECONDS
from glowline.data.readings import ceil, day_bounds, floor, plausible, windows

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from glowline.catalog import GasUnit
    from glowline.data.readings import Series
    from glowline.data.source import Source as DataSource
    from glowline.data.tariff import TariffHistory

ROW_STEP = {"30m": HALF_HOUR, "hour": 3600}
Buckets = list[tuple[int, "float | None"]]


class Source:
    """One resource's readings for the export: how to read a window, and where its lagged zeros start."""

    __slots__ = ("classifier", "name", "pending", "pending_zero", "read", "requests_per_window", "step")

    def __init__(
        self, name: str, classifier: str, step: int, read: Callable[[int, int], Buckets], pending: int,
        requests_per_window: int,
    ) -> None:
        self.name = name  # "electricity", "gas", "electricity-cost", ...
        self.classifier = classifier
        self.step = step  # seconds per bucket that ``read`` returns
        self.read = read
        self.pending = pending  # buckets from here on are lagged: not usage
        # an hourly cache knows the lag to the hour: the last delivered hour's second half-hour is lagged if it is 0
        self.pending_zero = pending - HALF_HOUR if step == HALF_HOUR else pending
        self.requests_per_window = requests_per_window  # 0 when read from the cache

    def value(self, ts: int, value: float | None) -> float | None:
        """The bucket's usage, or None when it is missing or a lagged zero."""
        if value is None or ts >= self.pending or (ts >= self.pending_zero and not value):
            return None
        return value


def cache_source(name: str, classifier: str, series: Series) -> Source:
    """Read from a cached series (already brought up to date by refresh)."""

    def read(a: int, b: int) -> Buckets:
        first = max(ceil(a, series.step), series.start)
        last = min(b, series.end)
        return [(ts, series.values[(ts - series.start) // series.step]) for ts in range(first, last, series.step)]

    return Source(name, classifier, series.step, read, series.pending_from(), 0)


def api_source(
    name: str, classifier: str, client: DataSource, resource_id: str, period: str, pending: int,
    pending_step: int,
) -> Source:
    """Read from the API with ``period`` buckets; ``pending`` comes from the (refreshed) cached series."""
    step = PERIOD_SECONDS[period]

    def read(a: int, b: int) -> Buckets:
        out: Buckets = []
        for x, y in windows(floor(a, step), ceil(b, step), period):
            out.extend(plausible(classifier, client.readings(resource_id, x, y, period), step))
        return out

    source = Source(name, classifier, step, read, pending, 1)
    if pending_step == step:
        source.pending_zero = pending
    return source


def history_source(name: str, classifier: str, stored: Callable[[int, int], list[tuple[int, float]]],
                   synced_from: int, synced_to: int, tail: Source) -> Source:
    """Half-hours from the SQLite history (glowline sync) where it has them, [synced_from, synced_to); ``tail``
    (the API) only for what is newer than the last sync. ``stored(a, b)`` reads the history's rows of one window,
    so memory stays that of a window however long the range."""

    def read(a: int, b: int) -> Buckets:
        out: Buckets = []
        if a < synced_to:
            first = max(ceil(a, HALF_HOUR), synced_from)
            last = min(b, synced_to)
            rows = dict(stored(first, last))
            out.extend((ts, rows.get(ts)) for ts in range(first, last, HALF_HOUR))
        if b > synced_to:
            out.extend(tail.read(max(a, synced_to), b))
        return out

    source = Source(name, classifier, HALF_HOUR, read, tail.pending, tail.requests_per_window)
    source.pending_zero = tail.pending_zero
    return source


def day_windows(days: list[tuple[date, int, int]], span: int) -> list[list[tuple[date, int, int]]]:
    """Consecutive local days grouped so that each group's span fits one request of ``span`` seconds."""
    groups: list[list[tuple[date, int, int]]] = []
    for day in days:
        if groups and day[2] - groups[-1][0][1] <= span:
            groups[-1].append(day)
        else:
            groups.append([day])
    return groups


def rows(
    sources: list[Source], days: list[tuple[date, int, int]], period: str, stop: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, list[float | None]]]:
    """(row start epoch, one value per source) for every row in ``days`` before ``stop``, window by window.

    Values are sums of the delivered buckets in the row (kWh or pence, as the API gives them); None when the row
    has none (a gap, lagged zeros, or the future).
    """
    span = min(MAX_SPAN["PT30M"] if s.step == HALF_HOUR else MAX_SPAN["PT1H"] for s in sources)
    for group in day_windows(days, span):
        start, end = group[0][1], min(group[-1][2], stop)
        if start >= end:
            return
        if period == "day":
            keys = [d[1] for d in group if d[1] < end]
            key_of = _day_key([d[1] for d in group])
        else:  # rows of local hours (or half-hours): counted from each local midnight, which in a zone such as
            # +05:30 or +05:45 is not on the UTC hour
            step = ROW_STEP[period]
            keys = [k for d in group for k in range(d[1], d[2], step) if k < end]
            key_of = _step_key(step, _day_key([d[1] for d in group]))
        columns: list[dict[int, float]] = []
        for source in sources:
            sums: dict[int, list[float]] = {}
            for ts, raw in source.read(start, end):
                value = source.value(ts, raw)
                if value is not None and start <= ts < end:
                    sums.setdefault(key_of(ts), []).append(value)
            columns.append({k: math.fsum(v) for k, v in sums.items()})
            if progress is not None and source.requests_per_window:
                progress(source.requests_per_window)
        for key in keys:
            yield key, [column.get(key) for column in columns]


def _day_key(starts: list[int]) -> Callable[[int], int]:
    def key_of(ts: int) -> int:
        i = len(starts) - 1
        while i > 0 and starts[i] > ts:
            i -= 1
        return starts[i]

    return key_of


def _step_key(step: int, day_of: Callable[[int], int]) -> Callable[[int], int]:
    """The row a bucket belongs to: the ``step`` row, counted from its local day's midnight, in which it starts."""

    def key_of(ts: int) -> int:
        midnight = day_of(ts)
        return midnight + (ts - midnight) // step * step

    return key_of


class Column:
    """One output column: a header name, and how a row's source values (and its start epoch) become its value
    (None for empty)."""

    __slots__ = ("digits", "header", "make", "unit")

    def __init__(self, header: str, unit: str, make: Callable[[list[float | None], int], float | None], digits: int):
        self.header = header
        self.unit = unit
        self.make = make
        self.digits = digits

    def value(self, values: list[float | None], epoch: int = 0) -> float | None:
        result = self.make(values, epoch)
        return None if result is None else round(result, self.digits) + 0.0  # +0.0: no "-0.0"


class Costing:
    """How a consumption source is priced: from its cost source's priced half-hours (the index of that source in
    the rows), or estimated from the unit rate of the tariff in force; standing charges from the same history."""

    __slots__ = ("priced", "tariffs")

    def __init__(self, tariffs: TariffHistory, priced: int | None) -> None:
        self.tariffs = tariffs
        self.priced = priced  # index of the cost resource's source, or None: estimated

    @property
    def source(self) -> str:
        return "priced" if self.priced is not None else "estimated"


def columns_for(
    sources: list[Source], costings: dict[str, Costing], gas_unit: GasUnit, day_of: Callable[[int], date],
    period: str = "30m", hidden: frozenset[int] = frozenset(), minute_of: Callable[[int], int] | None = None,
) -> list[Column]:
    """Quantities first (``electricity_kwh``, ``gas_m3``...), then costs: ``electricity_gbp`` for the energy of each
    row (the meter's priced half-hours, or kWh x the unit rate of that day's tariff where there are none) and, for
    day rows, ``electricity_standing_gbp`` (that day's standing charge) and ``electricity_total_gbp``.

    Sources in ``hidden`` (cost resources read only to price another) get no column of their own; cost resources
    asked for are the meter's own pence, shown in GBP.
    """
    quantities: list[Column] = []
    costs: list[Column] = []
    for i, source in enumerate(sources):
        if i in hidden:
            continue
        base = source.name.replace("-", "_")
        unit = catalog.display_unit(source.classifier, gas_unit)
        digits = 7 if catalog.is_cost(source.classifier) else 8
        quantities.append(Column(f"{base}_{unit.lower()}", unit, _display(i, source.classifier, gas_unit), digits))
        costing = costings.get(source.name)
        if catalog.is_consumption(source.classifier) and costing is not None:
            energy = _energy(i, costing, day_of, ROW_STEP.get(period), minute_of)
            costs.append(Column(f"{base}_gbp", "GBP", energy, 6))
            if period == "day":
                standing = _standing(costing, day_of)
                costs.append(Column(f"{base}_standing_gbp", "GBP", standing, 6))
                costs.append(Column(f"{base}_total_gbp", "GBP", _total(energy, standing), 6))
    return quantities + costs


def _display(i: int, classifier: str, gas_unit: GasUnit) -> Callable[[list[float | None], int], float | None]:
    def make(values: list[float | None], epoch: int) -> float | None:
        return catalog.to_display(values[i], classifier, gas_unit)

    return make


def _energy(i: int, costing: Costing, day_of: Callable[[int], date], step: int | None = None,
            minute_of: Callable[[int], int] | None = None) -> Callable[[list[float | None], int], float | None]:
    """The row's energy in GBP: its priced pence, or its kWh at the unit rate of the day's tariff: for half-hour and
    hour rows (``step``), the rate of the time-of-use band each half-hour falls in (``minute_of``: the local minute
    of the day of an epoch); a day row of a time-of-use or dynamic tariff has none."""

    def make(values: list[float | None], epoch: int) -> float | None:
        if costing.priced is not None:
            return catalog.pence_to_pounds(values[costing.priced]) if values[i] is not None else None
        value = values[i]
        rate = costing.tariffs.rate_on(day_of(epoch))[0]
        if rate is None and step is not None and minute_of is not None:
            rate = costing.tariffs.rate_of(day_of(epoch), [minute_of(t) for t in range(epoch, epoch + step,
                                                                                       HALF_HOUR)])
        return None if value is None or rate is None else value * rate / catalog.PENCE_PER_POUND

    return make


def _standing(costing: Costing, day_of: Callable[[int], date]) -> Callable[[list[float | None], int], float | None]:
    def make(values: list[float | None], epoch: int) -> float | None:
        return catalog.pence_to_pounds(costing.tariffs.standing_on(day_of(epoch)))

    return make


def _total(
    energy: Callable[[list[float | None], int], float | None], standing: Callable[[list[float | None], int],
                                                                                  float | None]
) -> Callable[[list[float | None], int], float | None]:
    def make(values: list[float | None], epoch: int) -> float | None:
        a, b = energy(values, epoch), standing(values, epoch)
        return None if a is None or b is None else math.fsum((a, b))

    return make


#: --time: how timestamps are written
TIME_MODES = ("local", "utc", "naive")


def timestamp(epoch: int, tz: ZoneInfo, mode: str = "local") -> str:
    """ISO-8601. ``local``: local time with its UTC offset (``2026-03-29T00:00:00+00:00``,
    ``2026-03-29T02:00:00+01:00``); ``utc``: UTC with ``+00:00``; ``naive``: the local wall clock without an
    offset (the hour the clocks go back appears twice)."""
    if mode == "utc":
        return datetime.fromtimestamp(epoch, timezone.utc).isoformat()
    local = datetime.fromtimestamp(epoch, tz)
    return local.replace(tzinfo=None).isoformat() if mode == "naive" else local.isoformat()


def time_columns(mode: str) -> list[str]:
    """The time columns (CSV) or keys (JSON rows) of a ``--time`` mode. ``local`` has two: the local wall clock
    (``timestamp``) and the same instant in UTC (``timestamp_utc``), so that every column parses as one datetime
    dtype (a column that mixes +00:00 and +01:00, as any file across a clock change would, stays text in pandas 3)
    and the repeated autumn hour is told apart."""
    return ["timestamp", "timestamp_utc"] if mode == "local" else ["timestamp"]


def times(epoch: int, tz: ZoneInfo, mode: str) -> list[str]:
    """A row's time values, in the order of ``time_columns``."""
    if mode == "local":
        return [timestamp(epoch, tz, "naive"), timestamp(epoch, tz, "utc")]
    return [timestamp(epoch, tz, mode)]


def _text(value: float | None) -> str:
    return "" if value is None else repr(value)


def write_csv(
    out: IO[str], columns: list[Column], stream: Iterator[tuple[int, list[float | None]]], tz: ZoneInfo,
    time: str = "local",
) -> int:
    """Header then one row per timestamp; empty cells for missing values. Returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*time_columns(time), *(c.header for c in columns)])
    count = 0
    for epoch, values in stream:
        writer.writerow([*times(epoch, tz, time), *(_text(c.value(values, epoch)) for c in columns)])
        count += 1
    return count


def write_json(
    out: IO[str], columns: list[Column], stream: Iterator[tuple[int, list[float | None]]], tz: ZoneInfo,
    meta: dict[str, Any], time: str = "local",
) -> int:
    """One object: ``meta``, ``columns`` with units, then ``rows`` (objects), written row by row."""
    head = {**meta, "columns": {c.header: c.unit for c in columns}}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
    keys = time_columns(time)
    count = 0
    for epoch, values in stream:
        row: dict[str, Any] = dict(zip(keys, times(epoch, tz, time), strict=True))
        row.update((c.header, c.value(values, epoch)) for c in columns)
        out.write(("\n" if count == 0 else ",\n") + json.dumps(row))
        count += 1
    out.write("\n]}\n")
    return count


def influx_escape(text: str) -> str:
    """A tag key or value for InfluxDB line protocol: backslash before commas, equals signs and spaces."""
    return text.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def write_influx(
    out: IO[str], columns: list[Column], stream: Iterator[tuple[int, list[float | None]]], site: str
) -> int:
    """InfluxDB line protocol, second precision: one line per row and column that has a value,
    ``glowline,site=<site>,resource=<column> value=<float> <epoch seconds>``; returns the number of lines."""
    tags = [f"glowline,site={influx_escape(site or 'unknown')},resource={influx_escape(c.header)}" for c in columns]
    count = 0
    for epoch, values in stream:
        for tag, column in zip(tags, columns, strict=True):
            value = column.value(values, epoch)
            if value is not None:
                out.write(f"{tag} value={float(value)!r} {epoch}\n")
                count += 1
    return count


class Progress:
    """Export's progress on stderr, drawn by rich's Progress (bar, requests done of all, rate, ETA): only when stderr
    is a terminal and more than one request is needed; on a pipe or a file nothing is written (rich itself would
    print the final bar there, which a log does not need). rich is imported only when the bar is drawn."""

    __slots__ = ("done", "enabled", "progress", "stream", "task", "total")

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.done = 0
        self.progress: Any = None
        self.task: Any = None
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        self.enabled = tty and total > 1

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(file=self.stream, highlight=False)
        self.progress = Progress(
            TextColumn("fetching"), BarColumn(bar_width=30), MofNCompleteColumn(), TextColumn("requests"),
            TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(),
            console=console, transient=True, refresh_per_second=10,
        )
        self.task = self.progress.add_task("fetching", total=self.total, rate="")
        self.progress.start()

    def __call__(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        if self.progress is None:
            self._start()
        speed = self.progress.tasks[0].speed
        self.progress.update(self.task, completed=min(self.done, self.total),
                             rate=f"{speed:.1f} req/s" if speed else "")

    def finish(self) -> None:
        if self.progress is not None:
            self.progress.stop()  # transient: the bar is erased, the terminal left as it was
            self.progress = None


def request_count(sources: list[Source], days: list[tuple[date, int, int]], stop: int) -> int:
    """How many API requests ``rows`` will make (for the progress bar)."""
    if not days:
        return 0
    span = min(MAX_SPAN["PT30M"] if s.step == HALF_HOUR else MAX_SPAN["PT1H"] for s in sources)
    groups = [g for g in day_windows(days, span) if g[0][1] < stop]
    return len(groups) * sum(s.requests_per_window for s in sources)


def local_range(first: date, last: date, tz: ZoneInfo) -> list[tuple[date, int, int]]:
    """The local days from ``first`` to ``last`` inclusive."""
    return day_bounds(last, (last - first).days + 1, tz)
