"""``glowline export``: readings of several resources merged on local timestamps, as CSV, JSON or InfluxDB line
protocol (glowline.data.export makes the rows; this module chooses the range, the sources and where the output
goes)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from glowline.catalog import HALF_HOUR, RESOURCES, gas_unit, is_consumption
from glowline.commands.context import Context, add_common, maybe_demo
from glowline.commands.options import date_type, number_type, resource_names
from glowline.data import export
from glowline.data.readings import local_date, period_for
from glowline.data.sync import refresh
from glowline.data.tariff import local_minute
from glowline.errors import EXIT_OK, UsageError
from glowline.status.argv import MAX_DAYS


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("export", help="readings as CSV or JSON: one row per timestamp, a column per resource")
    add_common(p)
    p.add_argument("--days", type=number_type(int, 1, MAX_DAYS, "days"), default=None,
                   help="the last N local days, today included (default 7)")
    p.add_argument("--from", dest="date_from", type=date_type, default=None, metavar="DATE",
                   help="first local day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_type, default=None, metavar="DATE",
                   help="last local day, YYYY-MM-DD, included (default today)")
    p.add_argument("--period", choices=("30m", "hour", "day"), default="30m", help="row size (default 30m)")
    p.add_argument("--format", choices=("csv", "json", "influx"), default="csv",
                   help="output format (default csv; influx: InfluxDB line protocol, second precision)")
    p.add_argument("--time", choices=export.TIME_MODES, default="local",
                   help="timestamps: local (default: the local wall clock, and the instant in a timestamp_utc "
                        "column), utc, or naive (the wall clock alone; the hour the clocks go back repeats). Every "
                        "time column parses as datetimes in pandas")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")


def run(args: argparse.Namespace, conf: dict[str, object], out: IO[str] | None = None) -> int:
    try:
        return maybe_demo(args, lambda: run_export(args, conf, out))
    finally:
        while _READERS:
            _READERS.pop().close()


def export_range(args: argparse.Namespace, today: date) -> tuple[date, date]:
    """The first and last local day of the export from --days or --from/--to."""
    if args.days is not None and (args.date_from or args.date_to):
        raise UsageError("use either --days or --from/--to, not both")
    if args.date_from is None:
        if args.date_to is not None:
            raise UsageError("--to needs --from")
        days = args.days or 7
        return today - timedelta(days=days - 1), today
    last = args.date_to or today
    if last < args.date_from:
        raise UsageError(f"--to {last} is before --from {args.date_from}")
    if args.date_from > today:
        raise UsageError(f"--from {args.date_from} is in the future")
    return args.date_from, min(last, today)


def run_export(args: argparse.Namespace, conf: dict[str, object], out: IO[str] | None = None) -> int:
    """Write the export to ``out`` (stdout by default) or ``-o FILE`` (written to FILE.part, then renamed)."""
    unit = gas_unit(conf, args.gas_unit)
    names, explicit = resource_names(args.resource)
    with Context(args, conf, RESOURCES[names[0]]) as ctx:
        names = ctx.available(names, explicit)
        first, last = export_range(args, ctx.today)
        days = export.local_range(first, last, ctx.tz)
        stop = min(days[-1][2], int(ctx.now) // HALF_HOUR * HALF_HOUR + HALF_HOUR)  # up to the current half-hour
        sources = [export_source(ctx, name, args.period, days[0][1]) for name in names]
        costings, hidden = costings_for(ctx, names, sources, args.period, days[0][1])
        for name, costing in costings.items():
            if costing.priced is None and not costing.tariffs.priceable(ctx.today):
                sys.stderr.write(f"glowline: note: {name}_gbp is empty: {costing.tariffs.source}\n")
        columns = export.columns_for(sources, costings, unit, lambda epoch: local_date(epoch, ctx.tz), args.period,
                                     hidden, lambda epoch: local_minute(epoch, ctx.tz))
        progress = export.Progress(export.request_count(sources, days, stop))
        stream = export.rows(sources, days, args.period, stop, progress)
        meta = {
            "site": ctx.site.name,
            "timezone": ctx.tz_name,
            "period": args.period,
            "time": args.time,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "gas_unit": unit.describe(),
            "costs": "*_gbp: each row's energy, from the meter's priced half-hours (cost_source priced) or the "
                     "kWh at the unit rate of the tariff in force that day (estimated); day rows add that day's "
                     "standing charge (*_standing_gbp) and the sum (*_total_gbp); lagged and missing readings are "
                     "null",
            "cost_source": {n: c.source for n, c in costings.items()},
            "tariffs": {n: {"source": c.tariffs.source,
                            "history": [{"from": None if e.effective == date.min else e.effective.isoformat(),
                                         "rate_p_per_kwh": e.rate, "standing_p_per_day": e.standing}
                                        for e in c.tariffs.entries]}
                        for n, c in costings.items()},
        }
        try:
            if args.output:
                part = f"{args.output}.part"
                try:
                    with open(part, "w", encoding="utf-8", newline="") as fh:
                        count = _write(args.format, fh, columns, stream, ctx.tz, meta, args.time)
                    os.replace(part, args.output)
                except OSError as exc:
                    with contextlib.suppress(OSError):
                        os.unlink(part)
                    raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
                finally:
                    progress.finish()
                what = "lines" if args.format == "influx" else "rows"
                sys.stderr.write(f"glowline: wrote {count} {what} to {args.output}\n")
            else:
                try:
                    _write(args.format, out or sys.stdout, columns, stream, ctx.tz, meta, args.time)
                    (out or sys.stdout).flush()
                finally:
                    progress.finish()
        except BrokenPipeError:  # `glowline export | head`: the reader has all it wants
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
    return EXIT_OK


def _write(fmt: str, fh: IO[str], columns: Any, stream: Any, tz: ZoneInfo, meta: dict[str, Any], time: str) -> int:
    if fmt == "json":
        return export.write_json(fh, columns, stream, tz, meta, time)
    if fmt == "influx":
        return export.write_influx(fh, columns, stream, str(meta["site"]))
    return export.write_csv(fh, columns, stream, tz, time)


def costings_for(
    ctx: Context, names: list[str], sources: list[export.Source], period: str, start: int
) -> tuple[dict[str, export.Costing], frozenset[int]]:
    """How each consumption resource is priced; a cost resource needed for it and not asked for is read as an
    extra (hidden) source appended to ``sources``."""
    costings: dict[str, export.Costing] = {}
    hidden: set[int] = set()
    for name in names:
        if not is_consumption(RESOURCES[name]):
            continue
        cost = ctx.priced(name)
        index = None
        if cost is not None:
            cost_name = next(n for n, c in RESOURCES.items() if c == cost)
            if cost_name in names:
                index = names.index(cost_name)
            else:
                sources.append(export_source(ctx, cost_name, period, start))
                index = len(sources) - 1
                hidden.add(index)
        costings[name] = export.Costing(ctx.tariffs(name), index)
    return costings, frozenset(hidden)


def export_source(ctx: Context, name: str, period: str, start: int) -> export.Source:
    """Bring the resource's store up to date (for the DCC-lag horizon) and read it where it covers the range:
    hour and day rows from the PT1H series; 30-minute rows, and ranges the store does not reach, from the API."""
    classifier = RESOURCES[name]
    days_back = (ctx.today - local_date(start, ctx.tz)).days + 1
    store_period = period_for(ctx.tz, start, int(ctx.now))
    entry = ctx.session.store.load(ctx.site_key, classifier, {**ctx.session.identity, "period": store_period})
    covered = entry is not None and entry.series.start <= start
    use_store = period != "30m" and (covered or days_back <= 31)
    entry = refresh(ctx.site_key, classifier, days_back if use_store and not covered else 1, ctx.tz_name,
                    now=ctx.now, session=ctx.session)
    series = entry.series
    if use_store and series.start <= start:
        return export.cache_source(name, classifier, series)
    fetch_period = "PT30M" if period == "30m" else store_period
    history = _history(ctx, classifier, entry.resource_id, start)
    if history is not None:  # what `glowline sync` stored, and the API only for what is newer
        tail = export.api_source(name, classifier, ctx.session.source, entry.resource_id, "PT30M",
                                 series.pending_from(), series.step)
        return export.history_source(name, classifier, *history, tail)
    return export.api_source(name, classifier, ctx.session.source, entry.resource_id, fetch_period,
                             series.pending_from(), series.step)


def _history(ctx: Context, classifier: str, resource_id: str,
             start: int) -> tuple[Callable[[int, int], list[tuple[int, float]]], int, int] | None:
    """How to read the SQLite history's half-hours window by window (and what it covers) when ``glowline sync`` has
    stored this resource back to ``start``; None otherwise, or when the file cannot be used (the API is asked
    instead). Rows are read per window, never the whole range at once: an export of years stays small."""
    from glowline import paths
    from glowline.errors import StorageError

    if not os.path.exists(paths.history_file()):
        return None
    from glowline.data.store.sqlite import HistoryStore

    site = ctx.site.ve_id
    try:
        with HistoryStore() as store:
            progress = store.progress(site, classifier)
    except StorageError:
        return None
    if progress is None or progress.resource_id != resource_id or progress.synced_from > start:
        return None

    reader = HistoryStore()  # opened on the first window, closed when the export ends (run_export)
    _READERS.append(reader)

    def stored(a: int, b: int) -> list[tuple[int, float]]:
        return reader.readings(site, classifier, a, b)

    return stored, progress.synced_from, progress.synced_to


#: the history stores the export's sources read from, window by window; closed by run_export
_READERS: list[Any] = []
