"""Issue 23: the tmux plugin (glowline.tmux at the project root, TPM's convention) in a real tmux: run-shell turns
#{glowline} and #{glowline_live} in the status lines into the line, and a real client draws it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.status import live
from tests.helpers import ROOT, cache_dir
from tests.test_hosts import Host, strip_tmux

PLUGIN = ROOT / "glowline.tmux"


@pytest.fixture
def machine(home: Path, emulator: Any, tmp_path: Path) -> Host:
    """glowline on PATH, logged in to the emulator, its cache warm."""
    found = Host(home, emulator, tmp_path)
    found.warm()
    return found


def tmux(socket: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True, timeout=10, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def drawn(outer: str, expected: str) -> str:
    """The status line a real client draws (the last row of the pane that shows it), once it holds ``expected``."""
    status = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = tmux(outer, "capture-pane", "-p", "-t", "view").rstrip("\n").split("\n")[-1]
        if expected in status:
            break
        time.sleep(0.2)
    return status


def test_the_plugin_draws_the_line(machine: Host, tmux_sockets: tuple[str, str]) -> None:
    inner, outer = tmux_sockets
    (cache_dir(machine.home) / "live.power").write_text(live.encode(425.0, time.time(), "mqtt", "", time.time()))
    tmux(inner, "-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "160", "-y", "10", env=machine.env)
    tmux(inner, "set", "-g", "status-interval", "1")
    tmux(inner, "set", "-g", "status-right-length", "120")
    tmux(inner, "set", "-g", "status-left", "")
    tmux(inner, "set", "-g", "status-right", "<#{glowline}|#{glowline_live}>")
    tmux(inner, "set", "-g", "@glowline_args", "--days 7")
    tmux(inner, "run-shell", str(PLUGIN))
    assert tmux(inner, "show", "-gv", "status-right").strip() == (
        "<#(glowline --format tmux --days 7)|#(glowline --format tmux --live --template {live} --days 7)>")
    expected = strip_tmux(machine.glowline_out("--format", "tmux", "--days", "7").rstrip("\n"))
    assert "kWh" in expected
    tmux(outer, "-f", "/dev/null", "new-session", "-d", "-s", "view", "-x", "160", "-y", "10",
         f"env -u TMUX tmux -u -S {inner} attach -t main", env=machine.env)
    status = drawn(outer, f"<{expected}|425 W>")
    assert f"<{expected}|425 W>" in status, status
    assert "#{" not in status and "not ready" not in status


def test_the_plugin_leaves_other_status_lines_alone(tmux_sockets: tuple[str, str], tmp_path: Path) -> None:
    inner, _outer = tmux_sockets
    tmux(inner, "-f", "/dev/null", "new-session", "-d", "-s", "main")
    tmux(inner, "set", "-g", "status-right", "#{host} %H:%M 'quoted' \"double\" $HOME `x`")
    tmux(inner, "set", "-g", "status-left", "[#{glowline}] #{glowline} #{glowlinex}")
    tmux(inner, "set", "-g", "@glowline_command", "/opt/glowline/bin/glowline")
    tmux(inner, "run-shell", str(PLUGIN))
    assert tmux(inner, "show", "-gv", "status-right").rstrip("\n") == "#{host} %H:%M 'quoted' \"double\" $HOME `x`"
    assert tmux(inner, "show", "-gv", "status-left").rstrip("\n") == (
        "[#(/opt/glowline/bin/glowline --format tmux)] #(/opt/glowline/bin/glowline --format tmux) #{glowlinex}")
