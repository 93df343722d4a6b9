"""Help like gh and ripgrep (issue 21, finding 10): `glowline help [COMMAND]`, `-V`, and a man page generated from
the argument parser, installed with the package as share/man/man1/glowline.1, so `man glowline` works after
installing the built wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from glowline import __version__
from glowline.commands import COMMANDS
from tests.helpers import ROOT, env_for

MAN_PAGE = ROOT / "man" / "glowline.1"


def glowline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "glowline", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "100"})


@pytest.mark.parametrize("command", ["report", "fetch", "login", "watch"])
def test_help_command_is_the_commands_own_help(home: Path, command: str) -> None:
    via_help = glowline("help", command)
    direct = glowline(command, "--help")
    assert (via_help.returncode, via_help.stderr) == (0, "")
    assert via_help.stdout == direct.stdout and f"usage: glowline {command}" in via_help.stdout


def test_help_alone_is_glowlines_help(home: Path) -> None:
    assert glowline("help").stdout == glowline("--help").stdout
    assert "help" in glowline("--help").stdout


def test_help_for_an_unknown_command_is_one_line_with_the_nearest(home: Path) -> None:
    done = glowline("help", "repot")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "did you mean `report`?" in done.stderr, done.stderr


def test_dash_capital_v_prints_the_version(home: Path) -> None:
    done = glowline("-V")
    assert (done.returncode, done.stdout) == (0, f"glowline {__version__}\n")
    assert glowline("-V").stdout == glowline("--version").stdout


def test_the_man_page_is_generated_from_the_parser_and_current(home: Path) -> None:
    generated = glowline("help", "--man")
    assert generated.returncode == 0
    assert MAN_PAGE.read_text(encoding="utf-8") == generated.stdout, "run `glowline help --man > man/glowline.1`"
    for command in COMMANDS:
        assert f'.SS "glowline {command}"' in generated.stdout
    for flag in ("\\-\\-days", "\\-\\-format", "\\-\\-insecure\\-storage", "\\-\\-now", "\\-V"):
        assert flag in generated.stdout, flag


def test_man_reads_the_page(home: Path) -> None:
    done = subprocess.run(["man", "-l", "-P", "cat", str(MAN_PAGE)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MANWIDTH": "100"})
    assert done.returncode == 0, done.stderr
    for heading in ("NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "EXIT STATUS", "FILES", "ENVIRONMENT"):
        assert f"\n{heading}\n" in done.stdout, heading
    assert "glowline report" in done.stdout and "--insecure-storage" in done.stdout


def test_man_glowline_works_after_installing_the_wheel(tmp_path: Path, home: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = tmp_path / "dist" / f"glowline-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as whl:
        assert f"glowline-{__version__}.data/data/share/man/man1/glowline.1" in whl.namelist()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True,
                   timeout=120)
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                                "--no-deps", "--no-index", "-q", str(wheel)], capture_output=True, text=True,
                               timeout=300)
    assert installed.returncode == 0, installed.stderr[-2000:]
    page = venv / "share" / "man" / "man1" / "glowline.1"
    assert page.read_text(encoding="utf-8") == MAN_PAGE.read_text(encoding="utf-8")
    env = {**env_for(home), "MANPATH": str(venv / "share" / "man"), "MANWIDTH": "100"}
    done = subprocess.run(["man", "-P", "cat", "glowline"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0 and "GLOWLINE(1)" in done.stdout and "EXIT STATUS" in done.stdout, done
