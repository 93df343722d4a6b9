"""Colour that fits the terminal, in real processes on a real pty: the default line is coloured on a terminal and
plain when piped; NO_COLOR, FORCE_COLOR (and its levels), --color and TERM=dumb decide as documented; truecolor
when COLORTERM says so, else the nearest of 256 (TERM *-256color), else 16; the coloured route stays light."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from glowline.status import colors
from tests.helpers import ROOT, glowline_env, read_pty, run

ESC = re.compile(r"\x1b\[[0-9;]*m")
TRUE, C256, C16 = r"\x1b\[38;2;\d+;\d+;\d+m", r"\x1b\[38;5;\d+m", r"\x1b\[(3[0-7]|9[0-7])m"


def on_pty(env: dict[str, str], *args: str, importtime: bool = False) -> tuple[str, str]:
    """`glowline ARGS` with its stdout on a pty (a terminal, as isatty sees it); (stdout, stderr)."""
    master, slave = pty.openpty()
    flags = ["-X", "importtime"] if importtime else []
    proc = subprocess.Popen([sys.executable, *flags, str(ROOT / "bin" / "glowline"), *args], env=env, stdout=slave,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    os.close(slave)
    out = read_pty(master)
    os.close(master)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return out.decode("utf-8"), err


@pytest.fixture
def warm(home: Path, emulator: Any) -> dict[str, str]:
    env = glowline_env(home, emulator)
    for var in ("COLORTERM", "TERM", "NO_COLOR", "FORCE_COLOR"):
        env.pop(var, None)
    assert run(env, "fetch").returncode == 0
    return env


@pytest.mark.parametrize(("extra", "args", "pattern"), [
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, [], TRUE),
    ({"TERM": "xterm-256color"}, [], C256),
    ({"TERM": "xterm"}, [], C16),
    ({"TERM": "xterm", "COLORTERM": "24bit"}, ["--format", "ansi"], TRUE),
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, ["--color", "16"], C16),
    ({"TERM": "xterm"}, ["--color", "truecolor"], TRUE),
    ({"TERM": "xterm", "FORCE_COLOR": "2"}, [], C256),
])
def test_a_terminal_gets_colour_at_its_depth(warm: dict[str, str], extra: dict[str, str], args: list[str],
                                             pattern: str) -> None:
    out, _ = on_pty({**warm, **extra}, *args)
    assert re.search(pattern, out), repr(out)
    assert "kWh" in out and out.rstrip("\r\n").endswith("\x1b[0m")
    plain = ESC.sub("", run(warm, *args).stdout).replace("\n", "\r\n")
    plain = plain.replace("…", "")  # colour marks an incomplete day by its bar's colour instead
    assert ESC.sub("", out) == plain  # the same line, only coloured


@pytest.mark.parametrize(("extra", "args"), [
    ({"TERM": "dumb", "COLORTERM": "truecolor"}, []),
    ({"TERM": "xterm-256color", "NO_COLOR": "1"}, []),
    ({"TERM": "xterm-256color", "NO_COLOR": "1", "FORCE_COLOR": "1"}, []),  # NO_COLOR wins over FORCE_COLOR
    ({"TERM": "xterm-256color"}, ["--color", "never"]),
    ({"TERM": "xterm-256color", "FORCE_COLOR": "1"}, ["--format", "tmux"]),  # machine formats: never ANSI
])
def test_a_terminal_stays_plain_when_asked(warm: dict[str, str], extra: dict[str, str], args: list[str]) -> None:
    out, _ = on_pty({**warm, **extra}, *args)
    assert "\x1b" not in out and out.strip(), repr(out)


@pytest.mark.parametrize(("extra", "args", "pattern"), [
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, [], None),  # piped: plain
    ({"FORCE_COLOR": "1", "TERM": "xterm-256color"}, [], C256),  # FORCE_COLOR: coloured even when piped
    ({"FORCE_COLOR": "3"}, [], TRUE),
    ({}, ["--color", "always", "--format", "prompt"], C16),  # always: the detected depth (no TERM: 16)
    ({"NO_COLOR": "1"}, ["--color", "256"], C256),  # --color wins over NO_COLOR
])
def test_piped(warm: dict[str, str], extra: dict[str, str], args: list[str], pattern: str | None) -> None:
    out = run({**warm, **extra}, *args).stdout
    if pattern is None:
        assert "\x1b" not in out and "kWh" in out
    else:
        assert re.search(pattern, out), repr(out)


def test_the_coloured_terminal_route_stays_light(warm: dict[str, str]) -> None:
    _, err = on_pty({**warm, "TERM": "xterm-256color"}, "--format", "plain", importtime=True)
    modules = {line.rsplit("|", 1)[1].strip() for line in err.splitlines() if line.startswith("import time:")}
    assert "glowline.status.colors" in modules and "glowline.status.formats.ansi" in modules
    assert not modules & {"sparklines", "rich", "json", "re", "argparse", "datetime", "typing", "requests"}


def test_nearest_palette_entries() -> None:
    assert colors.nearest_256(255, 0, 0) == 196 and colors.nearest_256(0, 0, 0) == 16
    assert colors.nearest_256(128, 128, 128) == 244 and colors.nearest_256(0x88, 0xc0, 0xd0) == 110
    assert colors.nearest_16(255, 0, 0) == 9 and colors.nearest_16(0, 0, 0) == 0
    assert colors.escape("#ff0000", colors.BASIC) == "\x1b[91m" and colors.escape("#cd0000", colors.BASIC) == "\x1b[31m"
    assert colors.escape("#a3be8c", colors.TRUECOLOR) == "\x1b[38;2;163;190;140m"
    assert colors.escape("#a3be8c", colors.NONE) == ""
