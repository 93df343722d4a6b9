"""A failed refresh shows at once (issue 21, finding 7): every format draws the age mark and the stale colour as soon
as the last refresh failed, not only once --max-age runs out; the reason goes where the host has room (Waybar's
tooltip, xbar's dropdown, stderr with -v); Prometheus says glowline_stale 1 beside glowline_error 1. And a bar says
"not logged in" when nobody logged in, not "login failed" (finding 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glowline.emulator import Emulator
from glowline.status.formats import DEFAULT_COLORS
from tests.helpers import age_cache, env_for, glowline_env, run

STALE = DEFAULT_COLORS["stale"]
#: the data is an hour old but --max-age is two hours: without the failure the line would be fresh
VIEW = ("--max-age", "120", "--cached-only")


@pytest.fixture
def failed(home: Path, emulator: Emulator) -> dict[str, str]:
    """An hour-old cache, then a failed refresh (HTTP 500 on readings): the failure record is newer than the data."""
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    age_cache(home, 3600)
    fresh = run(env, *VIEW, "--format", "plain")
    assert fresh.returncode == 0 and "·" not in fresh.stdout  # before the failure: not stale
    emulator.fault("500", path="/readings")
    assert run(env, "fetch").returncode != 0
    return env


def test_every_format_shows_the_age_and_the_stale_colour_at_once(failed: dict[str, str]) -> None:
    env = failed
    plain = run(env, *VIEW, "--format", "plain").stdout
    assert plain.rstrip().endswith("·1h"), plain
    for fmt in ("tmux", "polybar", "conky"):
        out = run(env, *VIEW, "--format", fmt).stdout
        assert STALE in out and "1h" in out, (fmt, out)
    ansi = run(env, *VIEW, "--format", "ansi", "--color", "truecolor").stdout
    assert "·1h" in ansi and "\x1b[38;2;176;159;172m" in ansi  # the stale colour, #b09fac
    i3bar = json.loads(run(env, *VIEW, "--format", "i3bar").stdout)
    assert i3bar["color"] == STALE and i3bar["full_text"].endswith("·1h")
    assert "500" not in i3bar["short_text"] and "rror" not in i3bar["short_text"]  # short_text: no reason added
    i3blocks = run(env, *VIEW, "--format", "i3blocks").stdout.splitlines()
    assert i3blocks[2] == STALE and i3blocks[0].endswith("·1h")
    doc = json.loads(run(env, *VIEW, "--format", "json").stdout)
    assert doc["stale"] is True and doc["error"]


def test_the_reason_goes_where_the_host_has_room(failed: dict[str, str]) -> None:
    env = failed
    waybar = json.loads(run(env, *VIEW, "--format", "waybar").stdout)
    assert "stale" in waybar["class"] and "error" in waybar["class"]
    assert "Error:" in waybar["tooltip"] and "500" in waybar["tooltip"]
    xbar = run(env, *VIEW, "--format", "xbar").stdout.splitlines()
    assert f"color={STALE}" in xbar[0]
    assert any(item.startswith("Error:") and "500" in item for item in xbar[xbar.index("---") + 1:])
    quiet = run(env, *VIEW)
    assert quiet.stderr == ""
    verbose = run(env, *VIEW, "-v")
    assert verbose.returncode == 0 and verbose.stdout.rstrip().endswith("·1h")
    said = [line for line in verbose.stderr.splitlines() if "last refresh failed" in line]
    assert len(said) == 1 and "500" in said[0], verbose.stderr


def test_prometheus_says_stale_beside_the_error(failed: dict[str, str]) -> None:
    text = run(failed, *VIEW, "--format", "prometheus").stdout
    samples = {line.split("{")[0].split(" ")[0]: line for line in text.splitlines() if line.startswith("glowline_")}
    assert samples["glowline_error"].endswith(" 1")
    assert samples["glowline_stale"].endswith(" 1"), text


def test_a_successful_refresh_makes_the_line_fresh_again(failed: dict[str, str], emulator: Emulator,
                                                           home: Path) -> None:
    emulator.clear_faults()
    done = run(failed, "fetch", "--now")  # within the failure's back-off a plain fetch waits: --now does not
    assert done.returncode == 0, done.stderr
    plain = run(failed, *VIEW, "--format", "plain").stdout
    assert "·" not in plain and "kWh" in plain


def test_a_bar_says_not_logged_in_when_nobody_logged_in(home: Path, emulator: Emulator) -> None:
    env = env_for(home, GLOWLINE_API_URL=emulator.url, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    for fmt, expected in (("waybar", "glowline: not logged in"), ("tmux", "glowline: not logged in"),
                          ("motd", "Electricity: not logged in")):
        out = run(env, "--format", fmt, "--timeout", "10").stdout
        assert expected in out and "login failed" not in out, (fmt, out)
