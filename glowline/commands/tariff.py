"""``glowline tariff``: each resource's unit rate and standing charge, and where they came from."""

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
    return EXIT_UNAVAILABLE if failed else EXIT_OK
