"""`glowline completion bash|zsh|fish`, run for real: bash sources the script and its completion function answers
COMP_WORDS as bash would; zsh parses it (`zsh -n`) and registers it with compinit; fish checks it (`--no-execute`)
and answers `complete -C` from it. None of it may touch the status line's fast path."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from glowline.catalog import FORMATS, RESOURCES, WATCH_FORMATS
from glowline.commands import COMMANDS
from tests.tools import require


def script(shell: str, home: Path) -> Path:
    proc = subprocess.run([sys.executable, "-m", "glowline", "completion", shell], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0 and proc.stderr == "", proc
    path = home / f"glowline.{shell}"
    path.write_text(proc.stdout, encoding="utf-8")
    return path


def bash_complete(path: Path, *words: str) -> list[str]:
    """What bash's completion function offers for ``glowline words...`` (the last word is the one being typed)."""
    words_list = " ".join(f"'{w}'" for w in ("glowline", *words))
    program = (f"source {path}\n"
               f"COMP_WORDS=({words_list}); COMP_CWORD={len(words)}\n"
               '_glowline; printf "%s\\n" "${COMPREPLY[@]}"\n')
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0 and proc.stderr == "", proc
    return [w for w in proc.stdout.splitlines() if w]


def test_bash_loads_the_script_and_completes_commands_options_and_choices(home: Path) -> None:
    require("bash")
    path = script("bash", home)
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", f"source {path}; complete -p glowline"],
                          capture_output=True, text=True, timeout=30)
    assert proc.stdout.strip() == "complete -F _glowline glowline", proc
    assert bash_complete(path, "") == bash_complete(path, "") and set(COMMANDS) <= set(bash_complete(path, ""))
    assert bash_complete(path, "rep") == ["report"]
    assert bash_complete(path, "--format", "") == list(FORMATS)
    assert bash_complete(path, "--days", "7", "--format", "wa") == ["waybar"]
    assert bash_complete(path, "watch", "--format", "") == list(WATCH_FORMATS)  # watch's own choices
    assert bash_complete(path, "report", "--resource", "") == list(RESOURCES)
    assert bash_complete(path, "report", "--da") == ["--days"]
    assert "--interval" in bash_complete(path, "watch", "--") and "--interval" not in bash_complete(path, "--")
    assert {"bash", "zsh", "fish"} <= set(bash_complete(path, "completion", ""))
    assert {"path", "show", "init", "check"} <= set(bash_complete(path, "config", ""))
    assert bash_complete(path, "--tz", "Europe/Lond") == ["Europe/London"]
    assert bash_complete(path, "--site", "report", "--wid") == ["--width"]  # "report" here is --site's value


def test_zsh_parses_the_script_and_compinit_registers_it(home: Path) -> None:
    require("zsh")
    path = script("zsh", home)
    check = subprocess.run(["zsh", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0 and check.stderr == "", check
    program = (f"autoload -U compinit; compinit -u -D; source {path}\n"
               "print -r -- $_comps[glowline]; whence -w _glowline\n")
    proc = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True, timeout=30,
                          env={"HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc
    assert proc.stdout.splitlines() == ["_glowline", "_glowline: function"], proc
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#compdef glowline") and "'--format[" in text and "(i3bar i3blocks waybar polybar)" in text


def test_fish_checks_the_script_and_completes_from_it(home: Path) -> None:
    require("fish")
    path = script("fish", home)
    check = subprocess.run(["fish", "--no-execute", str(path)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0 and check.stderr == "", check
    program = (f"source {path}\n"
               "complete -C 'glowline rep'\n"
               "echo ---\n"
               "complete -C 'glowline watch --format '\n")
    proc = subprocess.run(["fish", "--no-config", "-c", program], capture_output=True, text=True, timeout=30,
                          env={"HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc
    first, second = proc.stdout.split("---\n")
    assert [row.split("\t")[0] for row in first.splitlines()] == ["report"]
    assert "a terminal report" in first  # the subcommand's help as the description
    assert sorted(row.split("\t")[0] for row in second.splitlines()) == sorted(WATCH_FORMATS)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_option_of_every_command_is_in_the_script(shell: str, home: Path) -> None:
    from glowline.commands.options import build_parser
    from glowline.shell_completion import Command

    text = script(shell, home).read_text(encoding="utf-8")
    root = Command("glowline", build_parser())
    for command in [root, *root.subcommands]:
        for option in command.options:
            long = next(f for f in option.flags if f.startswith("--"))
            assert (long[2:] if shell == "fish" else long) in text, (command.name, long)


def test_an_unknown_shell_is_one_line_with_the_choices() -> None:
    proc = subprocess.run([sys.executable, "-m", "glowline", "completion", "tcsh"], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1
    assert "bash, zsh, fish" in proc.stderr


def test_sites_complete_from_the_cache_in_bash_and_fish(home: Path, emulator: Any) -> None:
    """`--site` offers the names and veIds the last discovery cached (sites.json), read by the shell at Tab time."""
    from tests.helpers import cache_dir, glowline_env, run

    require("bash", "fish")
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    assert (cache_dir(home) / "sites.json").exists()
    bash_path, fish_path = script("bash", home), script("fish", home)
    shell_env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "GLOWLINE_CACHE_DIR": str(cache_dir(home))}
    show = "_glowline; printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    program = (f"source {bash_path}\n"
               f"COMP_WORDS=(glowline report --site 'DCC'); COMP_CWORD=3; {show}"
               f"COMP_WORDS=(glowline --site ''); COMP_CWORD=2; {show}")
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                          timeout=30, env=shell_env)
    assert proc.returncode == 0 and proc.stderr == "", proc
    lines = proc.stdout.splitlines()
    assert lines[0] == "DCC\\ Sourced"  # escaped for the command line
    names = [line for line in lines[1:] if not re.fullmatch(r"[0-9a-f-]{36}", line)]
    ids = [line for line in lines[1:] if re.fullmatch(r"[0-9a-f-]{36}", line)]
    assert names == ["DCC\\ Sourced", "Holiday\\ Cottage"] and len(ids) == 2, lines  # the emulator's two sites
    fish = subprocess.run(["fish", "--no-config", "-c", f"source {fish_path}; complete -C 'glowline --site '"],
                          capture_output=True, text=True, timeout=30, env=shell_env)
    offered = {row.split("\t")[0] for row in fish.stdout.splitlines()}
    assert offered == {"DCC Sourced", "Holiday Cottage", *ids}, fish
    empty = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                           timeout=30, env={**shell_env, "GLOWLINE_CACHE_DIR": str(home / "nothing")})
    assert empty.returncode == 0 and empty.stdout.strip() == "" and empty.stderr == ""  # no cache: nothing, quietly
