"""``glowline demo``: the real path (HTTP, auth, discovery, readings, cache, rendering) against an in-process
emulator, with throwaway config and cache folders, printing the line a user would see."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator

from glowline.status.argv import Options

_ENV = ("GLOWLINE_CONFIG_DIR", "GLOWLINE_CACHE_DIR", "GLOWLINE_API_URL", "GLOWLINE_USERNAME", "GLOWLINE_PASSWORD")


@contextlib.contextmanager
def demo_environment() -> Iterator[str]:
    """An in-process emulator, throwaway config and cache folders and the demo account in the environment, all
    undone afterwards. Yields the emulator's URL. Shared by demo, report --demo and export --demo."""
    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator

    saved = {k: os.environ.get(k) for k in _ENV}
    with tempfile.TemporaryDirectory(prefix="glowline-demo-") as tmp, Emulator() as emu:
        os.environ.update(
            GLOWLINE_CONFIG_DIR=os.path.join(tmp, "config"),
            GLOWLINE_CACHE_DIR=os.path.join(tmp, "cache"),
            GLOWLINE_API_URL=emu.url,
            GLOWLINE_USERNAME=DEMO_USERNAME,
            GLOWLINE_PASSWORD=DEMO_PASSWORD,
        )
        try:
            yield emu.url
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def run(opts: Options) -> int:
    from glowline.data import sync as refresh
    from glowline.status import days as summary
    from glowline.status import line as statusline

    with demo_environment():
        refresh.refresh(opts.site, opts.classifier, opts.days, opts.tz)
        summ = summary.read(summary.days_path(opts.site, opts.classifier, opts.tz))
        if summ is None:
            raise AssertionError("the demo refresh wrote no summary")
        code = statusline.emit(statusline.build_line(summ, opts, time.time()), opts)
    if sys.stderr.isatty():
        sys.stderr.write("(a built-in emulator's household; `glowline login` for your own meter, `glowline --help`)\n")
    return code
