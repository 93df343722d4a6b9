"""The report's pager on a real pseudo-terminal: $PAGER (else less -R) gets the terminal's view in colour, with
LESS=FRX unless set and no password in its environment; never when piped, with --no-pager, PAGER= or PAGER=cat."""

from __future__ import annotations

import os
import pty
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from glowline.report import pager
from tests.helpers import glowline_env, read_pty, run, stop_process


def on_pty(env: dict[str, str], *args: str) -> str:
    """``glowline ARGS`` with stdin, stdout and stderr on a new pseudo-terminal; what it showed there."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "glowline", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    try:
        shown = read_pty(master)
        assert proc.wait(timeout=60) == 0, shown[-2000:]
    finally:
        stop_process(proc)
        os.close(master)
    return shown.decode("utf-8", "replace")


def recording_pager(tmp_path: Path) -> tuple[str, Path, Path]:
    """A PAGER that keeps what it was given and its environment."""
    paged, environ = tmp_path / "paged.txt", tmp_path / "pager-env.txt"
    script = f"env > {shlex.quote(str(environ))}; cat > {shlex.quote(str(paged))}"
    return f"sh -c {shlex.quote(script)}", paged, environ


def test_a_terminal_pages_through_pager_without_the_password(home: Path, emulator: Any, tmp_path: Path) -> None:
    command, paged, environ = recording_pager(tmp_path)
    env = glowline_env(home, emulator, PAGER=command, TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("LESS", None)
    shown = on_pty(env, "report", "--days", "5", "--width", "80")
    text = paged.read_text(encoding="utf-8")
    assert "glowline report · DCC Sourced" in text and "always-on load" in text
    assert "\x1b[" in text  # the terminal's view: colour, for less -R
    assert "glowline report" not in shown  # it went to the pager, not straight to the terminal
    seen = environ.read_text(encoding="utf-8")
    assert env["GLOWLINE_PASSWORD"] not in seen and "GLOWLINE_PASSWORD" not in seen
    assert "LESS=FRX" in seen.splitlines()


@pytest.mark.parametrize("how", ["piped", "--no-pager", "PAGER=", "PAGER=cat"])
def test_never_paged_when_piped_or_turned_off(home: Path, emulator: Any, tmp_path: Path, how: str) -> None:
    command, paged, _ = recording_pager(tmp_path)
    env = glowline_env(home, emulator, PAGER=command, TERM="xterm-256color")
    args = ["report", "--days", "3", "--width", "80"]
    if how == "piped":
        proc = run(env, *args)
        assert proc.returncode == 0 and "glowline report" in proc.stdout and "\x1b" not in proc.stdout
    else:
        if how == "--no-pager":
            args.append("--no-pager")
        else:
            env["PAGER"] = how.split("=", 1)[1]
        assert "glowline report" in on_pty(env, *args)
    assert not paged.exists()


def test_the_pager_command_and_its_environment() -> None:
    assert pager.command({}) in (["less", "-R"], None)  # None only where less is not installed
    assert pager.command({"PAGER": ""}) is None and pager.command({"PAGER": "/bin/cat"}) is None
    assert pager.command({"PAGER": "'unclosed"}) is None
    assert pager.command({"PAGER": "no-such-pager-here -x"}) is None
    assert pager.command({"PAGER": "sh -c 'cat'"}) == ["sh", "-c", "cat"]
    env = pager.child_env({"GLOWLINE_PASSWORD": "x", "GLOWLINE_MQTT_PASSWORD": "y", "LESS": "R", "HOME": "/h"})
    assert env == {"LESS": "R", "HOME": "/h"}
