"""i3blocks 1.4 and 1.5 (issue 21, finding 6), with the real i3blocks installed here: a persistent glowline block
never reads a stdin it does not own (under 1.4 it inherits i3blocks' own stdin, i3bar's click events for every block,
and took another block's clicks); 1.5, which exports the block's properties, is told apart from 1.4, which exports only
BLOCK_*; `format=json` works with 1.4 when the command sets it (1.4 does not export $format)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.emulator import Emulator
from tests.test_hosts import Host
from tests.tools import require

CLICKS = 20


def i3blocks_version() -> str:
    require("i3blocks")
    done = subprocess.run(["i3blocks", "-V"], capture_output=True, text=True, timeout=10)
    found = re.search(r"i3blocks (\d+\.\d+)", done.stdout + done.stderr)
    assert found is not None, done
    return found.group(1)


@pytest.fixture
def host(home: Path, emulator: Emulator, tmp_path: Path) -> Host:
    ready = Host(home, emulator, tmp_path / "host")
    ready.warm()
    return ready


def start_i3blocks(host: Host, conf: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(["i3blocks", "-c", str(conf)], env=host.env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)


def stop(proc: subprocess.Popen[str]) -> str:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # i3blocks and the blocks it started: the session this test began
    out, _err = proc.communicate(timeout=10)
    return out


def test_a_persistent_block_never_takes_another_blocks_clicks(host: Host, tmp_path: Path) -> None:
    version = i3blocks_version()
    clicks = tmp_path / "clicks"
    conf = tmp_path / "i3blocks.conf"
    conf.write_text(
        "[glowline]\ncommand=exec glowline watch --format i3blocks --interval 300\ninterval=persist\n\n"
        f"[counter]\ncommand=echo \"$BLOCK_BUTTON\" >> {clicks}; echo counted\ninterval=once\n",
        encoding="utf-8")
    proc = start_i3blocks(host, conf)
    try:
        assert proc.stdin is not None
        time.sleep(1.5)  # both blocks started (the persistent one is waiting on its stdin, if it reads it)
        proc.stdin.write("[\n")
        for i in range(CLICKS):
            event = {"name": "counter", "instance": "", "button": 1, "x": 1, "y": 1}
            proc.stdin.write(("," if i else "") + json.dumps(event) + "\n")
            proc.stdin.flush()
            time.sleep(0.1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and clicks.read_text().count("1\n") < CLICKS:
            time.sleep(0.1)
    finally:
        out = stop(proc)
    assert clicks.read_text().count("1\n") == CLICKS, f"i3blocks {version}: {clicks.read_text()!r}"
    assert "kWh" in out  # and glowline's own block drew


@pytest.mark.parametrize(("env", "ours"), [
    ({"BLOCK_NAME": "glowline", "BLOCK_INSTANCE": "", "BLOCK_BUTTON": ""}, False),  # i3blocks 1.4
    ({"BLOCK_NAME": "glowline", "name": "glowline", "interval": "persist", "command": "glowline watch"}, True),  # 1.5
    ({}, True),  # i3bar, Waybar, Polybar: stdin is the host's channel to this process alone
])
def test_i3blocks_versions_are_told_apart(env: dict[str, str], ours: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from glowline.status.formats import i3blocks

    for var in ("BLOCK_NAME", "BLOCK_INSTANCE", "BLOCK_BUTTON", "name", "interval", "command"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i3blocks.stdin_is_ours() is ours


def test_the_14_environment_is_what_the_real_i3blocks_exports(host: Host, tmp_path: Path) -> None:
    """What i3blocks here exports to a block, seen from inside the block, decides as the parametrized test says."""
    version = i3blocks_version()
    probe = tmp_path / "probe"
    conf = tmp_path / "i3blocks.conf"
    conf.write_text(f"[glowline]\ncommand=env > {probe}; echo done\ninterval=once\nformat=json\n", encoding="utf-8")
    proc = start_i3blocks(host, conf)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (probe.exists() and probe.read_text()):
        time.sleep(0.05)
    stop(proc)
    exported = dict(line.split("=", 1) for line in probe.read_text().splitlines() if "=" in line)
    assert exported.get("BLOCK_NAME") == "glowline"
    legacy = not any(name in exported for name in ("interval", "command", "name"))
    assert legacy == (version == "1.4"), (version, sorted(exported))
    assert ("format" in exported) == (not legacy)


def read_block(out: str, name: str) -> dict[str, Any]:
    blocks: dict[str, Any] = {}
    for line in out.splitlines():
        line = line.lstrip(",")
        if line.startswith("[{") or line.startswith("[]"):
            for block in json.loads(line):
                if block.get("name") == name:
                    blocks = block
    return blocks


def test_format_json_works_with_the_documented_14_command(host: Host, tmp_path: Path) -> None:
    """1.4 parses a `format=json` block's output as JSON but does not export $format: the command sets it."""
    version = i3blocks_version()
    conf = tmp_path / "i3blocks.conf"
    conf.write_text("[glowline]\ncommand=format=json glowline --format i3blocks --cached-only\ninterval=once\n"
                    "format=json\n", encoding="utf-8")
    proc = start_i3blocks(host, conf)
    time.sleep(2)
    out = stop(proc)
    block = read_block(out, "glowline")
    assert "kWh" in block.get("full_text", ""), (version, out[-500:])
    assert block.get("color", "").startswith("#") and "kWh" in block.get("short_text", "")
