"""`glowline watch` redraws as soon as the state changes (issue 21, finding 7): fresh -> stale when the data passes
--max-age (not at the next --interval tick), stale -> failed when a refresh fails, failed -> fresh when one succeeds."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from glowline.emulator import Emulator
from tests.helpers import age_cache, glowline_env, run
from tests.test_watch import Watch

#: far longer than the test: every redraw seen comes from a state change, not from the interval
INTERVAL = "600"


def next_doc(watch: Watch, timeout: float) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    doc = json.loads(watch.line(timeout=timeout))
    return doc, time.monotonic() - started


def classes(doc: dict[str, Any]) -> list[str]:
    found = doc["class"]
    return [found] if isinstance(found, str) else list(found)


def test_fresh_stale_failed_fresh_each_drawn_at_once(home: Path, emulator: Emulator, watches: list[Any]) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    age_cache(home, 5 * 60 - 4)  # --max-age 5: stale in about 4 s
    watch = Watch(env, "--format", "waybar", "--interval", INTERVAL, "--max-age", "5")
    watches.append(watch)
    fresh, _ = next_doc(watch, 15)
    assert "stale" not in classes(fresh) and "kWh" in fresh["text"]

    stale, waited = next_doc(watch, 15)  # drawn when the data turned stale, not 600 s later
    assert "stale" in classes(stale) and "·5m" in stale["text"], stale
    assert waited < 10

    emulator.fault("500", path="/readings")
    assert run(env, "fetch", "--now").returncode != 0  # another process's refresh fails: its record appears
    failed, waited = next_doc(watch, 15)
    assert "error" in classes(failed) and "Error:" in failed["tooltip"], failed
    assert waited < 10

    emulator.clear_faults()
    assert run(env, "fetch", "--now").returncode == 0
    again, waited = next_doc(watch, 15)
    assert "stale" not in classes(again) and "error" not in classes(again) and "Error" not in again["tooltip"]
    assert waited < 10
