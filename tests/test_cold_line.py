"""Issue 23: the first line with nothing cached refreshes in its own process (no second interpreter importing
everything again), still within --timeout and still one refresh for every caller; past the deadline the detached
refresher takes the lock over and finishes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.helpers import ROOT, glowline_env, run, run_json, wait_until
from tests.test_fastpath import imported
from tests.test_leaks import refresher


def test_the_cold_line_refreshes_in_its_own_process(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    modules = imported(env, "--format", "json", "--timeout", "30", site=True)
    assert "glowline.data.refresher" in modules and "glowline.data.sync" in modules  # here, not in a child
    assert "argparse" not in modules  # no second CLI either
    assert emulator.count("readings") == 1
    doc = run_json(env, "--cached-only")
    assert len(doc["days"]) == 10 and doc["days"][-2]["value"] is not None


def test_concurrent_cold_callers_share_one_refresh(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("slow", path="/readings", delay=0.5)
    procs = [subprocess.Popen([sys.executable, str(ROOT / "bin" / "glowline"), "--timeout", "20"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert all("kWh" in out for out, _err in outs), outs
    assert emulator.count("readings") == 1


def test_past_the_deadline_the_detached_refresher_finishes(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("hang", path="/readings")
    try:
        started = time.monotonic()
        proc = run(env, "--format", "tmux", "--timeout", "1")
        took = time.monotonic() - started
        assert proc.returncode == 0 and "glowline:" in proc.stdout  # the degraded line, at the deadline
        assert took < 1 + 2.0, took  # the interpreter's start and exit on a busy machine, not the hung request
        assert wait_until(lambda: refresher(home) is not None, 10)  # the lock handed to the detached refresher
    finally:
        emulator.clear_faults()
    assert wait_until(lambda: refresher(home) is None, 20)
    assert "kWh" in run(env, "--cached-only").stdout
    assert run(env, "--cached-only", "--format", "json").stdout.count('"error":null') == 1  # no failure recorded


def test_with_a_hook_the_detached_refresher_runs_it(home: Path, emulator: Any, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    config = home / ".config" / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[hooks]\non_refresh = ["{sys.executable}", "-c", "open(\'{marker}\', \'w\')"]\n')
    env = glowline_env(home, emulator)
    assert run(env, "--timeout", "30").returncode == 0
    assert wait_until(marker.exists, 10)
