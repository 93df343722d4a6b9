"""Help that helps, in real processes: a mistyped command or option suggests the nearest, argparse errors are one
line without the usage block, every option of every command has a description, the exit-code table is aligned,
`--version -v` names the Python and the keyring backend."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import read_pty


def glowline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "glowline", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("args", "suggestion"), [
    (["repot"], "did you mean `report`?"),
    (["--colour", "always"], "unknown option '--colour': did you mean `--color`?"),
    (["report", "--dyas", "3"], "did you mean `--days`?"),
    (["--format", "jsn"], "did you mean `json`?"),
    (["config", "shwo"], "did you mean `show`?"),
])
def test_a_typo_gets_one_line_with_the_nearest(home: Path, args: list[str], suggestion: str) -> None:
    proc = glowline(*args)
    assert proc.returncode == 2 and proc.stdout == "", proc
    assert proc.stderr.count("\n") == 1 and "usage:" not in proc.stderr, proc.stderr
    assert suggestion in proc.stderr, proc.stderr


@pytest.mark.parametrize("args", [["--days", "x"], ["export", "--days", "x"], ["--width", "0"], ["--format"],
                                  ["emulator", "--port", "x"], ["watch", "--format", "i3bar", "--interval", "y"]])
def test_bad_values_are_one_line_in_plain_words(home: Path, args: list[str]) -> None:
    proc = glowline(*args)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "usage:" not in proc.stderr, proc
    assert not re.search(r"\ba int\b|\ba float\b|invalid int value", proc.stderr), proc.stderr


def test_every_option_of_every_command_has_a_description() -> None:
    import argparse

    from glowline.commands.options import build_parser

    parser = build_parser()
    parsers = {"glowline": parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers.update({f"glowline {name}": sub for name, sub in action.choices.items()})
            assert all(choice.help for choice in action._choices_actions)
    bare = [f"{name} {a.option_strings or a.dest}" for name, p in parsers.items() for a in p._actions
            if not (a.help and a.help.strip()) and a.help != argparse.SUPPRESS]
    assert bare == []


@pytest.mark.parametrize("command", [[], ["doctor"]])
def test_the_exit_code_table_is_aligned(command: list[str]) -> None:
    text = glowline(*command, "--help").stdout
    table = text.split("exit codes:\n", 1)[1].splitlines()
    rows = [row for row in table if re.match(r"\s+\d+\s", row)]
    assert len(rows) >= 10
    starts = {re.match(r"\s+\d+\s+", row).end() for row in rows}  # type: ignore[union-attr]
    assert len(starts) == 1, rows


def test_version_and_verbose_version(home: Path) -> None:
    from glowline import __version__

    assert glowline("--version").stdout == f"glowline {__version__}\n"
    lines = glowline("--version", "-v").stdout.splitlines()
    assert lines[0] == f"glowline {__version__}"
    assert lines[1].startswith(f"python {sys.version.split()[0]} ")
    assert lines[2].startswith("keyring ")


def test_watch_help_lists_only_what_applies_to_watch() -> None:
    text = glowline("watch", "--help").stdout
    assert "--interval" in text and "--format {i3bar,i3blocks,waybar,polybar}" in text
    for foreign in ("--color", "--prompt-wrap", "--rows"):
        assert foreign not in text, foreign
    proc = glowline("watch", "--format", "i3bar", "--color", "always")
    assert proc.returncode == 2 and "'--color' does not apply to `glowline watch`" in proc.stderr
    assert "(see `glowline watch --help`)" in proc.stderr


def test_demo_ends_with_the_next_step_on_a_terminal(home: Path) -> None:
    import os
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "glowline", "demo"], stdout=subprocess.PIPE, stderr=slave,
                            text=True)
    os.close(slave)
    err = read_pty(master)
    os.close(master)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "kWh" in out
    last = err.decode("utf-8").strip().splitlines()[-1]
    assert "Next: `glowline login`" in last
    piped = glowline("demo")
    assert piped.returncode == 0 and piped.stderr == "" and "kWh" in piped.stdout  # scripts get the line only
