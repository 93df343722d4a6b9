"""``glowline demo``: the real path (HTTP, auth, discovery, readings, cache, rendering) against an in-process
emulator, with throwaway config and cache folders, printing the line a user would see."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from glowline import paths
from glowline.commands.options import add_status_options, status_options
from glowline.data.sync import refresh
from glowline.errors import NoLiveData
from glowline.status import days as days_file
from glowline.status import line


@contextlib.contextmanager
def demo_environment() -> Iterator[str]:
    """An in-process emulator, throwaway config, cache and data folders (the demo's refreshes feed a history of
    their own, never the user's) and the demo account in the environment, all undone afterwards. Yields the
    emulator's URL. Shared by demo, report --demo and export --demo."""
    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator

    with tempfile.TemporaryDirectory(prefix="glowline-demo-") as tmp, Emulator() as emu, environment(
        GLOWLINE_CONFIG_DIR=os.path.join(tmp, "config"),
        GLOWLINE_CACHE_DIR=os.path.join(tmp, "cache"),
        GLOWLINE_DATA_DIR=os.path.join(tmp, "data"),
        GLOWLINE_API_URL=emu.url,
        GLOWLINE_USERNAME=DEMO_USERNAME,
        GLOWLINE_PASSWORD=DEMO_PASSWORD,
    ):
        yield emu.url


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """``values`` set in os.environ for the block, and every variable put back as it was afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("demo", help="the real code path against a built-in emulator, with throwaway folders",
                              description="Draw the line from a built-in emulator's household through the real code "
                              "path (HTTP, login, cache, formats), in throwaway folders; then `glowline login`.")
    add_status_options(p, prefix_help="demo: ")


def run(args: argparse.Namespace, conf: dict[str, object]) -> int:
    opts = status_options(args, conf, live_show=True)  # the demo shows live power too, through the REST path
    with demo_environment():
        refresh(opts.site, opts.classifier, opts.days, opts.tz)
        _live_from_rest(conf)
        summ = days_file.read(paths.days_path(opts.site, opts.classifier, opts.tz))
        if summ is None:
            raise AssertionError("the demo refresh wrote no days file")
        code = line.emit(line.build_line(summ, opts, time.time()), opts)
    if sys.stderr.isatty():  # a person, not a script: end with the next step
        sys.stderr.write("That was a built-in emulator's household. Next: `glowline login` for your own meter "
                         "(`glowline --help` for the rest).\n")
    return code


def _live_from_rest(conf: dict[str, object]) -> None:
    """The live power through the API's /current (the emulator's second site has a Glow IHD; no broker needed),
    into the live file the line reads."""
    from glowline.data import live

    try:
        live.write_live_file(live.RestCurrent({k: v for k, v in conf.items() if k != "live"}).read())
    except NoLiveData:
        pass
