"""Fast by construction: the status line from a warm cache imports nothing heavy, and --help nothing networked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, glowline_env, run

HEAVY = {"requests", "urllib3", "keyring", "rich", "importlib.metadata", "http.client", "ssl", "socket"}
# not heavy in general, but each costs milliseconds the status line does not need
SLOW_STDLIB = {"json", "re", "argparse", "datetime", "zoneinfo", "tomllib", "typing", "dataclasses", "subprocess",
               "enum", "pathlib", "tempfile", "logging"}


def imported(env: dict[str, str], *args: str) -> set[str]:
    """Modules a real `glowline ARGS` process imports, read from -X importtime (without site, so only ours)."""
    proc = subprocess.run([sys.executable, "-S", "-X", "importtime", str(ROOT / "bin" / "glowline"), *args],
                          env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("fmt", ["plain", "tmux", "waybar", "i3blocks", "polybar", "json", "motd", "prompt"])
def test_warm_status_line_imports_nothing_heavy(home: Path, emulator: Any, fmt: str) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    emulator.reset_counts()
    modules = imported(env, "--format", fmt)
    assert "glowline.status.line" in modules and f"glowline.status.formats.{fmt}" in modules
    assert not modules & HEAVY, modules & HEAVY
    assert not modules & SLOW_STDLIB, modules & SLOW_STDLIB
    assert emulator.count() == 0


def test_help_imports_nothing_networked(home: Path) -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "glowline", "--help"], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0 and "usage: glowline" in proc.stdout
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not modules & {"requests", "keyring", "rich", "importlib.metadata"}
