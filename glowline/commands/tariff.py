"""``glowline tariff``: each resource's unit rate and standing charge, where they came from, its tariff history
(``tariff-list``) and where its energy cost comes from."""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any

from glowline import catalog
from glowline.catalog import RESOURCES
from glowline.commands.context import Context, add_common, maybe_demo
from glowline.commands.options import resource_names
from glowline.errors import EXIT_OK, EXIT_UNAVAILABLE


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("tariff", help="the unit rate and standing charge from the meter's tariff")
    add_common(p, gas_unit=False)


def run(args: argparse.Namespace, conf: dict[str, object], out: IO[str] | None = None) -> int:
    return maybe_demo(args, lambda: show(args, conf, out or sys.stdout))


def show(args: argparse.Namespace, conf: dict[str, object], out: IO[str]) -> int:
    """Print each resource's unit rate and standing charge and where they came from."""
    names, explicit = resource_names(args.resource)
    names = [n for n in names if catalog.is_consumption(RESOURCES[n])] or names
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
            history = ctx.tariffs(name)
            if history.listed:
                out.write(f"  history ({history.source}):\n")
                for entry in reversed(history.entries):
                    rate = "no unit rate" if entry.rate is None else f"{entry.rate:.2f} p/kWh"
                    if entry.unusable:
                        rate = "left out: an implausible value (no rate known)"
                    elif entry.dynamic:
                        rate = "dynamic: no rate known"
                    elif entry.rates > 1:
                        rate += f" (first of {entry.rates} rates)"
                    standing = "no standing charge" if entry.standing is None else f"{entry.standing:.2f} p/day"
                    bands = "; time of use " + ", ".join(
                        f"{b.start // 60:02d}:{b.start % 60:02d}-{b.end // 60:02d}:{b.end % 60:02d} {b.rate:.2f} p"
                        for b in sorted(entry.bands, key=lambda b: b.start)) if entry.bands else ""
                    out.write(f"    from {entry.effective}: {rate}, {standing}{bands}\n")
            else:
                out.write(f"  history: none; {history.source}\n")
            cost = ctx.priced(name)
            out.write(f"  energy cost: the meter's priced half-hours ({cost})\n" if cost else
                      "  energy cost: estimated from the unit rate of the tariff in force each day (no cost "
                      "resource)\n")
    return EXIT_UNAVAILABLE if failed else EXIT_OK
