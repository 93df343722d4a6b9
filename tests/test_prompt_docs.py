"""Issue 23's snippets in docs/hosts.md, run as written in a fresh HOME: prompts reading the pre-rendered line (zsh,
bash, fish, Starship, tmux, Oh My Posh, powerlevel10k), the refresh hooks' bar configs, and the tmux plugin."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tomllib

from tests.helpers import ROOT, glowline_env, run
from tests.test_tmux_plugin import tmux

DOC = ROOT / "docs" / "hosts.md"


def block(kind: str, marker: str) -> str:
    """The one code block of docs/hosts.md (outside the hosts section the host tests run) holding ``marker``."""
    text = DOC.read_text(encoding="utf-8")
    rest = text[text.index("<!-- hosts:end -->"):]
    found = [body for k, body in re.findall(r"```(\w+)\n(.*?)```", rest, re.S) if k == kind and marker in body]
    assert len(found) == 1, (kind, marker, found)
    return found[0]


def sh(env: dict[str, str], argv: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def env(home: Path, emulator: Any) -> dict[str, str]:
    config = home / ".config" / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(block("toml", "[files]"), encoding="utf-8")
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    return env


def prompt_line(env: dict[str, str]) -> str:
    return run(env, "--format", "prompt", "--cached-only").stdout.rstrip("\n")


def test_zsh_reads_the_file(env: dict[str, str]) -> None:
    script = block("zsh", "PROMPT=") + '\nprint -rn -- "${(%e)PROMPT}"'
    out = sh(env, ["zsh", "-f", "-c", 'PROMPT="%# "; ' + script])
    assert out.startswith(prompt_line(env) + " ") and out.endswith("# ")


def test_bash_reads_the_file(env: dict[str, str]) -> None:
    script = 'PS1="\\$ "\n' + block("bash", "PROMPT_COMMAND") + '\neval "$PROMPT_COMMAND"\nprintf %s "${PS1@P}"'
    assert sh(env, ["bash", "--norc", "-c", script]).startswith(prompt_line(env) + " ")


def test_fish_reads_the_file(env: dict[str, str]) -> None:
    assert sh(env, ["fish", "--no-config", "-c", block("fish", "fish_right_prompt") + "\nfish_right_prompt"]) == \
        prompt_line(env)


def test_starship_tmux_and_oh_my_posh_cat_the_file(env: dict[str, str], home: Path) -> None:
    starship = tomllib.loads(block("toml", "custom.glowline_file"))["custom"]["glowline_file"]
    assert sh(env, ["sh"], starship["command"]).rstrip("\n") == prompt_line(env)
    status = block("tmux", "tmux.line")
    command = re.search(r"#\((.*?)\)", status)
    assert command is not None
    tmux_line = run(env, "--format", "tmux", "--cached-only").stdout
    assert sh(env, ["sh", "-c", command.group(1)]) == tmux_line
    segment = json.loads(block("json", '"type": "command"'))
    assert segment["type"] == "command" and segment["properties"]["shell"] == "sh"
    assert sh(env, ["sh", "-c", segment["properties"]["command"]]).rstrip("\n") == prompt_line(env)


def test_powerlevel10k_segment(env: dict[str, str]) -> None:
    stub = 'p10k() { print -r -- "$@" }\n'
    script = (stub + block("zsh", "prompt_glowline")
              + "\nprompt_glowline\nprint -r -- $POWERLEVEL9K_RIGHT_PROMPT_ELEMENTS")
    out = sh(env, ["zsh", "-f", "-c", script]).split("\n")
    assert out[0] == f"segment -f 110 -t {prompt_line(env)}"
    assert out[1].split()[-1] == "glowline"


def test_the_hook_snippets_fit_their_bars(env: dict[str, str], home: Path) -> None:
    hooks = tomllib.loads(block("toml", "on_refresh"))["hooks"]["on_refresh"]
    module = json.loads(block("jsonc", "custom/glowline-signal"))["custom/glowline-signal"]
    assert hooks == ["pkill", f"-RTMIN+{module['signal']}", "waybar"] and "--format waybar" in module["exec"]
    config = home / ".config" / "glowline" / "config.toml"
    config.write_text(block("toml", "on_refresh"), encoding="utf-8")
    assert run(env, "config", "check").returncode == 0
    doc = DOC.read_text(encoding="utf-8")
    blocks = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"))
    blocks.read_string(block("ini", "signal=10"))
    assert blocks["glowline-signal"]["signal"] == "10" and '"pkill", "-RTMIN+10", "i3blocks"' in doc
    polybar = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"))
    polybar.read_string(block("ini", "custom/ipc"))
    section = polybar["module/glowline"]
    assert section["type"] == "custom/ipc" and shlex.split(section["hook-0"])[:3] == ["glowline", "--format", "polybar"]
    assert '"polybar-msg", "action", "#glowline.hook.0"' in doc  # the module's name and its hook-0


def test_the_tmux_plugin_snippet(env: dict[str, str], home: Path, tmux_sockets: tuple[str, str]) -> None:
    inner, _outer = tmux_sockets
    (home / "src").mkdir()
    (home / "src" / "glowline").symlink_to(ROOT)
    conf = home / ".tmux.conf"
    conf.write_text(block("tmux", "glowline.tmux"), encoding="utf-8")
    tmux(inner, "-f", str(conf), "new-session", "-d", "-s", "main", env=env)
    assert tmux(inner, "show", "-gv", "status-right").strip() == (
        "#(glowline --format tmux --live --template {live} --days 7) #(glowline --format tmux --days 7) %H:%M")
