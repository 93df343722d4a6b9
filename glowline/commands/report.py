"""``glowline report``: daily totals and costs, the average day by hour, and each day's own shape, in the terminal.

A thin command: it parses and calls. The model is built from the store by glowline.report.build (days the DCC has
not fully delivered are marked and left out of averages, never drawn as low use); glowline.report.as_json and
glowline.report.terminal are its views. ``--month`` adds the month so far and a projection to its end, ``--year``
each month beside the same month a year before; ``--svg``/``--html`` save what was drawn.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import IO, Any

from glowline.catalog import RESOURCES, gas_unit
from glowline.commands.context import Context, Patience, add_common, maybe_demo
from glowline.commands.options import number_type, resource_names
from glowline.data import other_tariffs
from glowline.data.other_tariffs import OtherTariff
from glowline.errors import EXIT_OK, UsageError
from glowline.report.as_json import as_json, month_json, year_json
from glowline.report.build import build, build_month, build_year
from glowline.report.cells import Style
from glowline.report.model import Report
from glowline.report.pager import page, wanted
from glowline.report.terminal import render, terminal_width
from glowline.report.terminal_heatmap import draw_heatmap
from glowline.report.terminal_periods import draw_month, draw_year
from glowline.status.argv import MAX_DAYS

DEFAULT_DAYS = 14
#: --month without a value: the current month
CURRENT = date.min


def month_type(text: str) -> date:
    """``--month YYYY-MM``: the month's first day."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        if not text.strip().isascii() or len(text.strip()) != 7:
            raise ValueError(text)
        return date(year, month, 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None


def year_type(text: str) -> int:
    """``--year YYYY``."""
    value = text.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 4 and 2000 <= int(value) <= 2999):
        raise argparse.ArgumentTypeError(f"not a year (YYYY): {text!r}")
    return int(value)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="a terminal report: daily totals and costs, average day, each day")
    add_common(p)
    p.add_argument("--days", type=number_type(int, 1, MAX_DAYS, "days"), default=None,
                   help=f"how many local days, today included (default {DEFAULT_DAYS})")
    p.add_argument("--width", type=number_type(int, 40, 400, "width"), default=None,
                   help="columns to fit (default: the terminal, or 80)")
    p.add_argument("--rows", type=number_type(int, 1, 4, "rows"), default=1,
                   help="height of the hourly charts in rows, 1 to 4 (default 1)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or json: per day kWh, energy, standing and total GBP, cost source")
    view = p.add_mutually_exclusive_group()
    view.add_argument("--month", nargs="?", type=month_type, const=CURRENT, default=None, metavar="YYYY-MM",
                      help="a month's days, the month so far and a projection to its end (default this month)")
    view.add_argument("--year", nargs="?", type=year_type, const=0, default=None, metavar="YYYY",
                      help="a year by month, beside the same month a year before (default this year)")
    p.add_argument("--heatmap", action="store_true",
                   help="days by hour of the day (local time) as shaded cells, within the width")
    p.add_argument("--compare", default=None, metavar="NAME[,NAME...]",
                   help="price every complete day's half-hours under these tariffs of config.toml [tariffs.NAME] too")
    p.add_argument("--no-pager", dest="no_pager", action="store_true",
                   help="on a terminal, print instead of paging ($PAGER, else less -R; never when piped)")
    p.add_argument("--svg", default=None, metavar="FILE", help="also save what the terminal shows as an SVG picture")
    p.add_argument("--html", default=None, metavar="FILE", help="also save what the terminal shows as HTML")


def compare_tariffs(given: str | None, conf: dict[str, object], names: list[str]) -> list[OtherTariff]:
    """--compare NAME[,NAME...]: the config's [tariffs.NAME], each for a resource the report shows."""
    if not given:
        return []
    known = other_tariffs.parse(conf)
    out = []
    for name in dict.fromkeys(n.strip() for n in given.split(",") if n.strip()):
        if name not in known:
            have = f"it has {', '.join(sorted(known))}" if known else "it has no [tariffs.NAME] table"
            raise UsageError(f"--compare {name}: no [tariffs.{name}] in config.toml ({have})")
        if known[name].resource not in names:
            raise UsageError(f"--compare {name}: a {known[name].resource} tariff, and the report shows only "
                             f"{', '.join(names)} (add --resource {known[name].resource})")
        out.append(known[name])
    if not out:
        raise UsageError("--compare needs a tariff name from config.toml [tariffs.NAME]")
    return out


def run(args: argparse.Namespace, conf: dict[str, object], out: IO[str] | None = None) -> int:
    """``glowline report``: refresh, sum and draw."""
    return maybe_demo(args, lambda: _report(args, conf, out or sys.stdout))


def _report(args: argparse.Namespace, conf: dict[str, object], out: IO[str]) -> int:
    unit = gas_unit(conf, getattr(args, "gas_unit", None))
    names, explicit = resource_names(args.resource)
    count = args.days or DEFAULT_DAYS
    month, year = getattr(args, "month", None), getattr(args, "year", None)
    if (month is not None or year is not None) and args.days is not None:
        raise UsageError("use either --days or --month/--year, not both")
    compare = compare_tariffs(getattr(args, "compare", None), conf, names)
    heatmap = getattr(args, "heatmap", False)
    if (compare or heatmap) and year is not None:
        raise UsageError(f"{'--compare prices' if compare else '--heatmap draws'} days: use it with --days or "
                         "--month, not --year")
    if compare and heatmap and getattr(args, "format", "text") == "text":
        raise UsageError("--heatmap draws the days by hour alone: leave --compare for the report itself")
    half_hourly = not heatmap or getattr(args, "format", "text") == "json"
    draw: Callable[[Report, Any, int, Style], None] | None = None
    doc: Callable[[Report], dict[str, Any]] = as_json
    with Patience(), Context(args, conf, RESOURCES[names[0]]) as ctx:  # a word on a terminal if the API is slow
        names = ctx.available(names, explicit)
        if month is not None:
            report = build_month(ctx, names, ctx.today.replace(day=1) if month is CURRENT else month, unit, compare,
                                 half_hourly)
            draw, doc = draw_month, month_json
        elif year is not None:
            report = build_year(ctx, names, year or ctx.today.year, unit)
            draw, doc = draw_year, year_json
        else:
            report = build(ctx, names, count, unit, compare, half_hourly)
    if heatmap:
        draw = draw_heatmap
    if getattr(args, "format", "text") == "json":
        import json

        out.write(json.dumps(doc(report), ensure_ascii=False) + "\n")
        return EXIT_OK
    width = terminal_width(out, getattr(args, "width", None))

    def draw_on(target: IO[str], color: bool | None = None) -> None:
        render(report, target, width, color, rows=getattr(args, "rows", 1), draw=draw, svg=getattr(args, "svg", None),
               html=getattr(args, "html", None))

    pager = wanted(out, getattr(args, "no_pager", False))
    if pager:
        page(pager, lambda pipe: draw_on(pipe, color=True))  # the terminal's view, in colour, through less -R
    else:
        draw_on(out)
    return EXIT_OK
