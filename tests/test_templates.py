"""Issue 23: the line in the user's own shape (--template, config templates), icons, a fixed scale (--scale-max) and
i3status-rust's custom block, all through the real CLI against the emulator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glowline.status import template
from tests.helpers import age_cache, glowline_env, run, run_json
from tests.test_config import write_config
from tests.test_fastpath import HEAVY, SLOW_STDLIB, imported

RAMP = "▁▂▃▄▅▆▇█"


@pytest.fixture
def env(home: Path, emulator: Any) -> dict[str, str]:
    env = glowline_env(home, emulator)
    assert run(env, "fetch", "--days", "40").returncode == 0
    return env


def kwh(value: float) -> str:
    return f"{value:.1f} kWh"


def plain_bars(env: dict[str, str], *args: str) -> str:
    return run(env, *args).stdout.split(" ")[0]


# ------------------------------------------------------------------------------------------------ templates


def test_today_and_the_bars(env: dict[str, str]) -> None:
    doc = run_json(env)
    proc = run(env, "--template", "{today} today, {spark}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{kwh(doc['days'][-1]['value'])} today, {plain_bars(env)}\n"


def test_every_field_draws_as_the_line_does(env: dict[str, str]) -> None:
    doc = run_json(env)
    fields = " | ".join("{" + name + "}" for name in ("total", "unit", "yesterday", "typical", "resource", "level"))
    out = run(env, "--template", fields).stdout.rstrip("\n").split(" | ")
    assert out == [kwh(doc["total"]), "kWh", kwh(doc["days"][-2]["value"]), kwh(doc["typical"]), "electricity",
                   doc["level"]]


def test_an_empty_field_takes_its_space_with_it(env: dict[str, str]) -> None:
    bars = plain_bars(env)
    # no live power, fresh data (no age), no cost cached: each is empty and so is one space beside it
    assert run(env, "--template", "{live} {spark}").stdout == f"{bars}\n"
    assert run(env, "--template", "{spark} {age} end").stdout == f"{bars} end\n"
    assert run(env, "--template", "{spark} {cost_today}").stdout == f"{bars}\n"
    assert run(env, "--template", "{live} {age} {spark}").stdout == f"{bars}\n"
    assert run(env, "--template", "{{{spark}}}").stdout == "{" + bars + "}\n"


def test_the_age_shows_when_stale(env: dict[str, str], home: Path) -> None:
    age_cache(home, 3 * 3600)
    assert run(env, "--cached-only", "--template", "[{age}]").stdout == "[3h]\n"


def test_cost_today_from_the_cost_resources_cache(env: dict[str, str]) -> None:
    assert run(env, "fetch", "--resource", "electricity-cost").returncode == 0
    cost = run_json(env, "--resource", "electricity-cost")["days"][-1]["value"]
    assert run(env, "--template", "{cost_today}").stdout == f"£{cost:.2f}\n"


@pytest.mark.parametrize("args", [(), ("--format", "tmux")])
def test_an_unknown_field_is_named(env: dict[str, str], args: tuple[str, ...]) -> None:
    proc = run(env, *args, "--template", "{todya} {spark}")
    if not args:
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and "{todya}" in proc.stderr and "did you mean {today}" in proc.stderr
    else:  # a status format: its degraded line, exit 0
        assert proc.returncode == 0 and "usage error" in proc.stdout and "{" not in proc.stdout.replace("#[", "")


def test_colour_formats_still_wrap_what_they_colour(env: dict[str, str]) -> None:
    tmux = run(env, "--format", "tmux", "--template", "# {total}").stdout
    assert tmux.startswith("#[fg=#") and "##" in tmux and tmux.endswith("#[default]\n")
    assert "kWh" in tmux and "{" not in tmux
    ansi = run(env, "--format", "ansi", "--color", "truecolor", "--template", "{spark}").stdout
    assert ansi.count("\x1b[38;2;") >= 2 and ansi.endswith("\x1b[0m\n")  # days by level, today as partial
    waybar = json.loads(run(env, "--format", "waybar", "--template", "<{total}>").stdout)
    assert waybar["text"].startswith("&lt;") and waybar["text"].endswith("&gt;")


def test_templates_from_the_config_per_format(env: dict[str, str], home: Path) -> None:
    write_config(home, 'template = "{unit}"\n[templates]\ntmux = "{resource}"\n')
    assert run(env).stdout == "kWh\n"
    assert "electricity" in run(env, "--format", "tmux").stdout
    assert run(env, "--format", "tmux", "--template", "{level}").stdout.count("#[fg=") == 1  # the command line wins
    write_config(home, '[templates]\nprompt = "{todya}"\n')
    proc = run(env)
    assert proc.returncode == 8 and "templates.prompt" in proc.stderr and "did you mean {today}" in proc.stderr


def test_the_templated_warm_line_imports_nothing_heavy(env: dict[str, str], home: Path) -> None:
    write_config(home, '[templates]\ntmux = "{icon} {today} today, {spark} {cost_today}"\n[icons]\nset = "nerd"\n')
    run(env, "--format", "tmux")  # compiles the config
    compiled = (home / ".cache" / "glowline" / "config.compiled").read_text()
    assert "templates.tmux\tl\tFicon\x1fL \x1fFtoday" in compiled  # compiled once: tokens, not the TOML's text
    modules = imported(env, "--format", "tmux")
    assert "glowline.status.template" in modules
    assert not modules & (HEAVY | SLOW_STDLIB), modules & (HEAVY | SLOW_STDLIB)


def test_parse_and_suggest() -> None:
    assert template.parse("a {spark}{{b}}") == ("La ", "Fspark", "L{b}")
    for bad, hint in (("{todya}", "{today}"), ("{Spark}", "{spark}"), ("{cost}", "{cost_today}")):
        with pytest.raises(template.TemplateError, match=hint.replace("{", r"\{")):
            template.parse(bad)
    with pytest.raises(template.TemplateError, match="fields are"):
        template.parse("{zzzzzzzz}")
    with pytest.raises(template.TemplateError, match="without"):
        template.parse("{spark")


# ------------------------------------------------------------------------------------------------ icons


def test_icons_by_set_resource_and_state(env: dict[str, str], home: Path) -> None:
    write_config(home, '[icons]\nset = "emoji"\n')
    assert run(env, "--template", "{icon} {total}").stdout.startswith("⚡ ")
    assert run(env, "--template", "{icon} {unit}", "--ascii").stdout == "kWh\n"  # never on --ascii
    write_config(home, '[icons]\nset = "nerd"\n')
    assert run(env, "--template", "{icon}").stdout == "\uf0e7\n"
    write_config(home, '[icons]\nset = "nerd"\nelectricity-stale = "S"\n')
    age_cache(home, 3 * 3600)
    assert run(env, "--cached-only", "--template", "{icon}").stdout == "S\n"
    write_config(home, '[icons]\nset = "none"\n')
    assert run(env, "--template", "{icon} {unit}").stdout == "kWh\n"


# ------------------------------------------------------------------------------------------------ a fixed scale


def test_scale_max_scales_the_bars_to_it(env: dict[str, str], home: Path) -> None:
    values = [d["value"] for d in run_json(env)["days"]]
    top = max(values)
    assert plain_bars(env, "--scale-max", repr(top)) == plain_bars(env)  # the largest day: the same bars
    doubled = plain_bars(env, "--scale-max", repr(2 * top)).rstrip("…")
    expected = "".join(RAMP[min(7, int(v / (2 * top) * 7 + 0.5))] for v in values)
    assert doubled == expected
    assert set(plain_bars(env, "--scale-max", "0.001").rstrip("…")) == {"█"}  # every day above it: full
    write_config(home, "[scale_max]\nelectricity = 1000.0\n")
    assert set(plain_bars(env).rstrip("…")) == {"▁"}
    assert set(plain_bars(env, "--resource", "gas").rstrip("…")) != {"▁"}  # per resource
    assert plain_bars(env, "--scale-max", repr(top)) == plain_bars(env, "--scale-max", repr(top))


def test_scale_max_for_rows(env: dict[str, str]) -> None:
    tall = run(env, "--format", "motd", "--rows", "3", "--scale-max", "1000").stdout.split("\n")
    rows = tall[2:5]
    assert rows[0].strip() == "" and rows[1].strip() == ""  # nothing reaches the upper rows
    free = run(env, "--format", "motd", "--rows", "3").stdout.split("\n")[2:5]
    assert free[0].strip() != ""


def test_scale_max_is_checked(env: dict[str, str]) -> None:
    proc = run(env, "--scale-max", "0")
    assert proc.returncode == 2 and "--scale-max" in proc.stderr


# ------------------------------------------------------------------------------------------------ i3status-rust


def parse_as_i3status_rust(text: str) -> dict[str, Any]:
    """What i3status-rust's custom block does with `json = true`: trim the output, parse one JSON object; `text` is
    required, `icon`, `state` and `short_text` optional with defaults ""/Idle/None; a state outside its enum is an
    error."""
    doc = json.loads(text.strip())
    assert isinstance(doc, dict) and isinstance(doc["text"], str)
    out = {"icon": doc.get("icon", ""), "state": doc.get("state", "Idle"), "text": doc["text"],
           "short_text": doc.get("short_text")}
    assert isinstance(out["icon"], str) and out["state"] in ("Idle", "Info", "Good", "Warning", "Critical")
    assert out["short_text"] is None or isinstance(out["short_text"], str)
    return out


def test_i3status_rs_parses(env: dict[str, str], home: Path) -> None:
    proc = run(env, "--format", "i3status-rs")
    assert proc.returncode == 0 and proc.stdout.count("\n") == 1
    block = parse_as_i3status_rust(proc.stdout)
    assert block["text"] == run(env).stdout.rstrip("\n")
    assert block["short_text"] == run(env, "--short").stdout.rstrip("\n")
    level = run_json(env)["level"]
    assert block["state"] == {"low": "Good", "high": "Warning"}.get(level, "Idle")
    templated = parse_as_i3status_rust(run(env, "--format", "i3status-rs", "--template", "{total}").stdout)
    assert templated["text"] == kwh(run_json(env)["total"])
    age_cache(home, 3 * 3600)
    assert parse_as_i3status_rust(run(env, "--format", "i3status-rs", "--cached-only").stdout)["state"] == "Info"


def test_i3status_rs_without_data(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    block = parse_as_i3status_rust(run(env, "--format", "i3status-rs", "--cached-only").stdout)
    assert block["state"] == "Critical" and block["text"].startswith("glowline:")
    hidden = parse_as_i3status_rust(run(env, "--format", "i3status-rs", "--cached-only", "--on-error", "hide").stdout)
    assert hidden["text"] == ""


def test_the_i3status_rust_snippet(env: dict[str, str], tmp_path: Path) -> None:
    """The hosts doc's block, as i3status-rust runs it: its `command` through a shell, the output parsed as JSON."""
    import subprocess
    import sys

    import tomllib

    from tests.test_hosts import snippet

    block = tomllib.loads(snippet("i3status-rs"))["block"][0]
    assert block["block"] == "custom" and block["json"] is True
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "glowline").symlink_to(Path(sys.executable).parent / "glowline")
    shell_env = {**env, "PATH": f"{folder}:{env.get('PATH', '/usr/bin:/bin')}"}
    proc = subprocess.run(["sh", "-c", block["command"]], env=shell_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert parse_as_i3status_rust(proc.stdout)["text"] == run(env).stdout.rstrip("\n")


def doc_block(doc: str, kind: str, marker: str) -> str:
    import re

    text = (Path(__file__).resolve().parent.parent / "docs" / doc).read_text(encoding="utf-8")
    found = [body for k, body in re.findall(r"```(\w+)\n(.*?)```", text, re.S) if k == kind and marker in body]
    assert len(found) == 1, (doc, marker, found)
    return found[0]


@pytest.mark.parametrize("doc,marker", [("configuration.md", "on_refresh"), ("line.md", "electricity-high")])
def test_the_docs_config_snippets_are_valid(env: dict[str, str], home: Path, doc: str, marker: str) -> None:
    write_config(home, doc_block(doc, "toml", marker))
    proc = run(env, "config", "check")
    assert proc.returncode == 0 and proc.stdout.startswith("OK"), proc.stdout
    assert run(env).returncode == 0


def test_the_docs_template_example(env: dict[str, str]) -> None:
    import subprocess

    command = doc_block("line.md", "sh", "--template").split("\n")[0]
    doc = run_json(env)
    shown = subprocess.run(["sh", "-c", command.replace("glowline", f"{sys.executable} -m glowline", 1)], env=env,
                           capture_output=True, text=True, timeout=60).stdout
    assert shown == f"{kwh(doc['days'][-1]['value'])} today, {plain_bars(env)}\n"


# ---------------------------------------------------------------------------------------- every format, any text

ALL_FIELDS = " ".join("{" + name + "}" for name in template.FIELDS)


@pytest.mark.parametrize("fmt", ["plain", "ansi", "tmux", "i3blocks", "i3bar", "i3status-rs", "waybar", "polybar",
                                 "xbar", "conky", "prompt", "motd", "json", "prometheus"])
def test_every_format_draws_every_field(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each format with a template naming every field, with data (units, gaps, stale, a failure) and without."""
    from glowline.status.formats import get
    from glowline.status.model import RenderOptions
    from glowline.status.template import ICON_BUILTIN
    from tests.test_formats import make_line

    monkeypatch.delenv("format", raising=False)
    shape = template.Template(template.parse(ALL_FIELDS + " {{x}}"))
    lines = (make_line(), make_line(unit="GBP"), make_line(values=[1.0, None, 2.0], error="x", error_kind="offline"),
             make_line(values=[None]), make_line(unit="m3", stale=False))
    for line in lines:
        for ascii in (False, True):
            opts = RenderOptions(template=shape, ascii=ascii, color=True, icons={"set": "emoji"}, scale_max=5.0)
            out = get(fmt).render(line, opts)
            assert out.endswith("\n") or out == "", (fmt, out)
            assert "{spark}" not in out and "{total}" not in out
            if line.has_data and fmt in ("plain", "prompt", "i3blocks"):
                drew_icon = any(glyph in out for glyph in ICON_BUILTIN["emoji"].values())  # by resource or state
                assert "{x}" in out and drew_icon != ascii


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_any_text_is_a_template_or_one_clear_error(text: str) -> None:
    try:
        tokens = template.parse(text)
    except template.TemplateError as exc:
        assert "\n" not in str(exc).replace(repr(text), "") and template.problem(text) == str(exc)
        return
    assert template.problem(text) is None
    from glowline.status.model import RenderOptions
    from tests.test_formats import make_line

    drawn = template.Template(tokens).text(make_line(), RenderOptions())
    assert isinstance(drawn, str)


def test_i3status_rs_stays_on_the_fast_path(env: dict[str, str]) -> None:
    modules = imported(env, "--format", "i3status-rs")
    assert "glowline.status.formats.i3status_rs" in modules
    assert not modules & (HEAVY | SLOW_STDLIB), modules & (HEAVY | SLOW_STDLIB)
