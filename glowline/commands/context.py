"""What report, export and tariff share: the account's session, the site, the zone and the resources to use,
the ``--demo`` switch, each resource's tariff and tariff history, and whether it has priced half-hours."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import IO

from glowline import catalog
from glowline.catalog import RESOURCES
from glowline.commands.options import add_resources_option
from glowline.data import account
from glowline.data.models import Site
from glowline.data.readings import local_date, zone
from glowline.data.tariff import NO_TARIFF, Tariff, TariffHistory, parse, read_list
from glowline.errors import APIUnavailable, MalformedResponse, NotFound


def add_common(p: argparse.ArgumentParser, gas_unit: bool = True) -> None:
    """--resource, --site, --tz, (--gas-unit) and --demo."""
    add_resources_option(p)
    p.add_argument("--site", default=None, help="site name or veId when the account has several")
    p.add_argument("--tz", default=None, help="the meter's time zone (default Europe/London)")
    if gas_unit:
        p.add_argument("--gas-unit", choices=("kwh", "m3"), default=None,
                       help="gas in kWh (as delivered) or m3 (config [gas] calorific_value, correction_factor)")
    p.add_argument("--demo", action="store_true", help="run against the built-in emulator with throwaway folders")


def maybe_demo(args: argparse.Namespace, run: Callable[[], int]) -> int:
    """``run()``, inside the demo environment when --demo was given."""
    if getattr(args, "demo", False):
        from glowline.commands.demo import demo_environment

        with demo_environment():
            return run()
    return run()


class Context:
    """One command's account session, site, zone and the resources it will use."""

    def __init__(self, args: argparse.Namespace, conf: dict[str, object], default_classifier: str) -> None:
        self.tz_name = str(args.tz or conf.get("tz") or "Europe/London")
        self.tz = zone(self.tz_name)
        self.site_key = str(args.site if args.site is not None else conf.get("site") or "")
        self.now = time.time()
        self.session = account.open_session(config=conf)
        try:
            self.site: Site = account.pick_site(self.session.sites(), self.site_key, default_classifier)
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
        classifier = RESOURCES[name]
        candidates = [classifier] + ([f"{classifier}.cost"] if not catalog.is_cost(classifier) else [])
        result: Tariff | None = None
        for candidate in candidates:
            if not any(r.classifier == candidate for r in self.site.resources):
                continue
            try:
                found = parse(self.session.source.tariff(self.site.resource(candidate).resource_id))
            except (APIUnavailable, MalformedResponse, NotFound) as exc:
                found = Tariff(None, None, f"tariff unavailable: {exc}")
            if candidate != classifier and found.usable:
                found.source += f" of the {candidate} resource"
            if found.usable:
                return found
            result = result or found
        return result or Tariff(None, None, NO_TARIFF)

    def priced(self, name: str) -> str | None:
        """The cost resource's classifier of a consumption resource when the site has one (its priced half-hours),
        else None (costs are then estimated from a unit rate)."""
        classifier = RESOURCES[name]
        if not catalog.is_consumption(classifier):
            return None
        cost = catalog.cost_of(classifier)
        return cost if any(r.classifier == cost for r in self.site.resources) else None

    def tariffs(self, name: str) -> TariffHistory:
        """Which tariff was in force on each day: the resource's ``tariff-list`` (else its cost resource's); when
        the list is empty or refused, ``/tariff``'s one tariff for every day, saying so."""
        classifier = RESOURCES[name]
        candidates = [classifier] + ([catalog.cost_of(classifier)] if catalog.is_consumption(classifier) else [])
        why = "no tariff list"
        for candidate in candidates:
            if not any(r.classifier == candidate for r in self.site.resources):
                continue
            try:
                listed = read_list(self.session.source.tariff_list(self.site.resource(candidate).resource_id), self.tz)
            except (APIUnavailable, MalformedResponse, NotFound) as exc:
                why = f"tariff list unavailable: {exc}"
                continue
            if listed.entries:
                where = "" if candidate == classifier else f" of the {candidate} resource"
                return TariffHistory(listed.history(), f"the meter's tariff list{where}{listed.note()}")
            why = f"the tariff list has no usable entry{listed.note()}" if listed.left_out else \
                "the tariff list is empty"
        return TariffHistory.from_tariff(self.tariff(name), why)


class Patience:
    """A context manager for a wait on the API that a person may be watching: after ``after`` seconds without an
    end, one line on stderr, only when stderr is a terminal (a hung API is otherwise up to 20 s of silence)."""

    def __init__(self, what: str = "waiting for the Glowmarkt API", after: float = 1.0) -> None:
        self.what = what
        self.after = after
        self.timer: object = None

    def __enter__(self) -> Patience:
        import threading

        try:
            on_terminal = sys.stderr.isatty()
        except (AttributeError, ValueError, OSError):
            on_terminal = False
        if on_terminal:
            timer = threading.Timer(self.after, self._say)
            timer.daemon = True
            timer.start()
            self.timer = timer
        return self

    def _say(self) -> None:
        try:
            sys.stderr.write(f"glowline: {self.what}... (Ctrl-C stops)\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    def __exit__(self, *exc: object) -> None:
        cancel = getattr(self.timer, "cancel", None)
        if cancel is not None:
            cancel()
