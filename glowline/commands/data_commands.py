"""``glowline report``, ``glowline tariff`` and ``glowline export``: their arguments, and the shared plumbing
(account session, site and resources, tariffs, the ``--demo`` emulator) that turns them into calls."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING, Any

from glowline.errors import APIUnavailable, MalformedResponse, NotFound, UsageError
from glowline.status.argv import MAX_DAYS, RESOURCES

if TYPE_CHECKING:
    import argparse
    from zoneinfo import ZoneInfo

    from glowline.data.glowmarkt import Site
    from glowline.data.sync import Session
    from glowline.data.tariff import Tariff

COMMANDS = ("report", "tariff", "export")
DEFAULT_RESOURCES = ("electricity", "gas")


# -- arguments ----------------------------------------------------------------------------------------------------


def add_parser(subparsers: Any) -> None:
    """Add the report, tariff and export subcommands to ``subparsers`` (from ``add_subparsers``)."""
    from glowline.cli import number_type

    p = subparsers.add_parser("report", help="a terminal report: daily totals and costs, average day, each day")
    _common(p)
    p.add_argument("--days", type=number_type(int, 1, MAX_DAYS, "days"), default=None,
                   help="how many local days, today included (default 14)")
    p.add_argument("--width", type=number_type(int, 40, 400, "width"), default=None,
                   help="columns to fit (default: the terminal, or 80)")

    p = subparsers.add_parser("tariff", help="the unit rate and standing charge from the meter's tariff")
    _common(p, gas_unit=False)

    p = subparsers.add_parser("export", help="readings as CSV or JSON: one row per timestamp, a column per resource")
    _common(p)
    p.add_argument("--days", type=number_type(int, 1, MAX_DAYS, "days"), default=None,
                   help="the last N local days, today included (default 7)")
    p.add_argument("--from", dest="date_from", type=_date, default=None, metavar="DATE",
                   help="first local day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date, default=None, metavar="DATE",
                   help="last local day, YYYY-MM-DD, included (default today)")
    p.add_argument("--period", choices=("30m", "hour", "day"), default="30m", help="row size (default 30m)")
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="output format (default csv)")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")


def _common(p: argparse.ArgumentParser, gas_unit: bool = True) -> None:
    p.add_argument("--resource", action="append", default=None, metavar="NAME",
                   help=f"repeatable or comma-separated: {', '.join(RESOURCES)} (default electricity,gas)")
    p.add_argument("--site", default=None, help="site name or veId when the account has several")
    p.add_argument("--tz", default=None, help="the meter's time zone (default Europe/London)")
    if gas_unit:
        p.add_argument("--gas-unit", choices=("kwh", "m3"), default=None,
                       help="gas in kWh (as delivered) or m3 (config [gas] calorific_value, correction_factor)")
    p.add_argument("--demo", action="store_true", help="run against the built-in emulator with throwaway folders")


def _date(text: str) -> date:
    import argparse

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: use YYYY-MM-DD") from None


def resource_names(given: list[str] | None) -> tuple[list[str], bool]:
    """The resource names asked for (``--resource`` repeated or comma-separated) and whether they were explicit."""
    if not given:
        return list(DEFAULT_RESOURCES), False
    names: list[str] = []
    for item in given:
        for name in item.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in RESOURCES:
                raise UsageError(f"unknown resource {name!r}: use {', '.join(RESOURCES)}")
            if name not in names:
                names.append(name)
    if not names:
        raise UsageError("--resource needs at least one name")
    return names, True


# -- running ------------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    """Run ``args.command`` (report, tariff or export) with the config ``conf``; returns the exit code."""
    if getattr(args, "demo", False):
        from glowline.commands.demo import demo_environment

        with demo_environment():
            return _run(args, conf)
    return _run(args, conf)


def _run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    if args.command == "report":
        from glowline.commands import report

        return report.run(args, conf)
    if args.command == "tariff":
        return run_tariff(args, conf)
    if args.command == "export":
        return run_export(args, conf)
    raise UsageError(f"unknown command {args.command!r}")


class Context:
    """One command's account session, site, zone and the resources it will use."""

    def __init__(self, args: argparse.Namespace, conf: dict[str, object], default_classifier: str) -> None:
        from glowline.data import sync as refresh
        from glowline.data.readings import zone

        self.tz_name = str(args.tz or conf.get("tz") or "Europe/London")
        self.tz: ZoneInfo = zone(self.tz_name)
        self.site_key = str(args.site if args.site is not None else conf.get("site") or "")
        self.now = time.time()
        self.session: Session = refresh.Session(refresh.api_url(conf), refresh.username())
        try:
            self.site: Site = refresh.pick_site(self.session.sites(), self.site_key, default_classifier)
        except BaseException:
            self.session.close()
            raise

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def today(self) -> date:
        from glowline.data.readings import local_date

        return local_date(int(self.now), self.tz)

    def has(self, name: str) -> bool:
        return any(r.classifier == RESOURCES[name] for r in self.site.resources)

    def available(self, names: list[str], explicit: bool, out: IO[str] | None = None) -> list[str]:
        """The names this site has; a missing one is an error when asked for, else a note on stderr."""
        found = []
        for name in names:
            if self.has(name):
                found.append(name)
            elif explicit:
                raise NotFound(f"site {self.site.name!r} has no {name} resource ({RESOURCES[name]})")
            else:
                (out or sys.stderr).write(f"glowline: note: site {self.site.name!r} has no {name} meter; skipped\n")
        if not found:
            raise NotFound(f"site {self.site.name!r} has none of: {', '.join(names)}")
        return found

    def tariff(self, name: str) -> Tariff:
        """The tariff of a consumption resource: its own, else its cost resource's; an API failure is a reason."""
        from glowline.data import tariff as tariffs

        classifier = RESOURCES[name]
        candidates = [classifier] + ([f"{classifier}.cost"] if not classifier.endswith(".cost") else [])
        result: Tariff | None = None
        for candidate in candidates:
            if not any(r.classifier == candidate for r in self.site.resources):
                continue
            try:
                found = tariffs.parse(self.session.client.tariff(self.site.resource(candidate).resource_id))
            except (APIUnavailable, MalformedResponse, NotFound) as exc:
                found = tariffs.Tariff(None, None, f"tariff unavailable: {exc}")
            if candidate != classifier and found.usable:
                found.source += f" of the {candidate} resource"
            if found.usable:
                return found
            result = result or found
        return result or tariffs.Tariff(None, None, tariffs.NO_TARIFF)


# -- tariff -------------------------------------------------------------------------------------------------------


def run_tariff(args: argparse.Namespace, conf: dict[str, object], out: IO[str] | None = None) -> int:
    """Print each resource's unit rate and standing charge and where they came from."""
    out = out or sys.stdout
    names, explicit = resource_names(args.resource)
    names = [n for n in names if not RESOURCES[n].endswith((".cost", ".export"))] or names
    with Context(args, conf, RESOURCES[names[0]]) as ctx:
        names = ctx.available(names, explicit)
        out.write(f"site: {ctx.site.name}\n")
        failed = False
        for name in names:
            tariff = ctx.tariff(name)
            if tariff.usable:
                standing = "not given" if tariff.standing is None else f"{tariff.standing:.2f} p/day"
                out.write(f"{name}: unit rate {tariff.rate:.2f} p/kWh, standing charge {standing}\n")
                out.write(f"  from {tariff.origin()}\n")
            else:
                out.write(f"{name}: {tariff.source}\n")
                failed = failed or tariff.source.startswith("tariff unavailable")
    return 5 if failed else 0


# -- export -------------------------------------------------------------------------------------------------------


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
    from glowline.catalog import gas_unit
    from glowline.data import export

    unit = gas_unit(conf, args.gas_unit)
    names, explicit = resource_names(args.resource)
    with Context(args, conf, RESOURCES[names[0]]) as ctx:
        names = ctx.available(names, explicit)
        first, last = export_range(args, ctx.today)
        days = export.local_range(first, last, ctx.tz)
        stop = min(days[-1][2], int(ctx.now) // 1800 * 1800 + 1800)  # up to the current half-hour
        sources = [export_source(ctx, name, args.period, days[0][1]) for name in names]
        tariffs = {n: ctx.tariff(n) for n in names if RESOURCES[n].endswith(".consumption")}
        for name, tariff in tariffs.items():
            if not tariff.usable:
                sys.stderr.write(f"glowline: note: {name}_gbp is empty: {tariff.source}\n")
        columns = export.columns_for(sources, dict(tariffs), unit)
        progress = export.Progress(export.request_count(sources, days, stop))
        stream = export.rows(sources, days, args.period, stop, progress)
        meta = {
            "site": ctx.site.name,
            "timezone": ctx.tz_name,
            "period": args.period,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "gas_unit": unit.describe(),
            "costs": "consumption at the tariff's unit rate, energy only (the standing charge is per day, not "
                     "per reading); lagged and missing readings are null",
            "tariffs": {n: {"rate_p_per_kwh": t.rate, "standing_p_per_day": t.standing, "source": t.origin()}
                        for n, t in tariffs.items()},
        }
        try:
            if args.output:
                part = f"{args.output}.part"
                try:
                    with open(part, "w", encoding="utf-8", newline="") as fh:
                        count = _write(args.format, fh, columns, stream, ctx.tz, meta)
                    os.replace(part, args.output)
                except OSError as exc:
                    with contextlib.suppress(OSError):
                        os.unlink(part)
                    raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
                finally:
                    progress.finish()
                sys.stderr.write(f"glowline: wrote {count} rows to {args.output}\n")
            else:
                try:
                    _write(args.format, out or sys.stdout, columns, stream, ctx.tz, meta)
                    (out or sys.stdout).flush()
                finally:
                    progress.finish()
        except BrokenPipeError:  # `glowline export | head`: the reader has all it wants
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    return 0


def _write(fmt: str, fh: IO[str], columns: Any, stream: Any, tz: ZoneInfo, meta: dict[str, Any]) -> int:
    from glowline.data import export

    if fmt == "json":
        return export.write_json(fh, columns, stream, tz, meta)
    return export.write_csv(fh, columns, stream, tz)


def export_source(ctx: Context, name: str, period: str, start: int) -> Any:
    """Bring the resource's cache up to date (for the DCC-lag horizon) and read it where it covers the range:
    hour and day rows from the PT1H cache; 30-minute rows, and ranges the cache does not reach, from the API."""
    from glowline.data import export
    from glowline.data import sync as refresh
    from glowline.data.readings import period_for
    from glowline.data.store import json_cache as cache

    classifier = RESOURCES[name]
    days_back = (ctx.today - _local_date(start, ctx)).days + 1
    cache_period = period_for(ctx.tz, start, int(ctx.now))
    entry = cache.load(ctx.site_key, classifier, {**ctx.session.identity, "period": cache_period})
    covered = entry is not None and entry.series.start <= start
    use_cache = period != "30m" and (covered or days_back <= 31)
    result = refresh.refresh(ctx.site_key, classifier, days_back if use_cache and not covered else 1, ctx.tz_name,
                             now=ctx.now)
    series = result.entry.series
    if use_cache and series.start <= start:
        return export.cache_source(name, classifier, series)
    fetch_period = "PT30M" if period == "30m" else cache_period
    return export.api_source(name, classifier, ctx.session.client, result.entry.resource_id, fetch_period,
                             series.pending_from(), series.step)


def _local_date(epoch: int, ctx: Context) -> date:
    from glowline.data.readings import local_date

    return local_date(epoch, ctx.tz)
