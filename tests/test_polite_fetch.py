"""A polite `glowline fetch` (issue 21, finding 9): it follows the status line's half-hour clock (status/policy.py),
so two fetches in a row make one readings request and the examples' 15-minute timer and crontab ask about once per
half-hour; `--now` forces, still at most once per 5 minutes. And `fetch` answers a bad option in one line (finding
11), like every other command."""

from __future__ import annotations

import re
import time
from pathlib import Path

from glowline.emulator import Emulator
from glowline.status import days as days_file
from glowline.status import policy
from tests.helpers import age_cache, cache_dir, glowline_env, run

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_two_fetches_in_a_row_make_one_readings_request(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    first = run(env, "fetch")
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    asked = emulator.count("readings")
    assert asked >= 1
    second = run(env, "fetch")
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    assert emulator.count("readings") == asked  # nothing new was due: no request at all


def test_now_forces_but_at_most_once_per_five_minutes(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    asked = emulator.count("readings")
    assert run(env, "fetch", "--now").returncode == 0
    assert emulator.count("readings") == asked  # fetched seconds ago: the 5-minute floor holds
    age_cache(home, 6 * 60)  # six minutes later: --now may; the clock says so only past a half-hour boundary
    fetched_at = days_file.read(str(next(cache_dir(home).glob("*.days")))).fetched_at
    due = policy.refresh_due(fetched_at, time.time(), 30)
    assert run(env, "fetch").returncode == 0
    assert (emulator.count("readings") > asked) == due
    asked = emulator.count("readings")
    if due:  # the plain fetch just fetched: six minutes more for --now
        age_cache(home, 6 * 60)
    assert run(env, "fetch", "--now").returncode == 0
    assert emulator.count("readings") > asked


def test_a_fetch_is_due_again_after_the_half_hour(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    asked = emulator.count("readings")
    age_cache(home, 3600)
    assert run(env, "fetch").returncode == 0
    assert emulator.count("readings") > asked


def test_the_examples_timer_and_crontab_stay_polite(home: Path, emulator: Emulator) -> None:
    """The examples run `glowline fetch` every 15 minutes; every run after the first inside the same half-hour asks
    nothing, and none of them forces."""
    lines = [line for name in ("crontab", "glowline-fetch.service")
             for line in (EXAMPLES / name).read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    commands = [m.group(1) for line in lines for m in [re.search(r"glowline\"? (fetch.*)$", line)] if m]
    assert commands and all("--now" not in c for c in commands), commands
    env = glowline_env(home, emulator)
    for command in commands:
        words = command.split("2>")[0].split()
        assert run(env, *words).returncode == 0
    assert emulator.count("readings") <= 2  # the first run fetched (electricity: one request for 31 days)
    asked = emulator.count("readings")
    for _quarter in range(3):
        for command in commands:
            assert run(env, *command.split("2>")[0].split()).returncode == 0
    assert emulator.count("readings") == asked


def test_a_bad_option_is_one_line(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    done = run(env, "fetch", "--dayz", "3")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "usage:" not in done.stderr, done.stderr
    assert "--days" in done.stderr  # the nearest valid option


def test_verbose_says_why_nothing_was_fetched(home: Path, emulator: Emulator) -> None:
    """The README's advice `glowline fetch -v` ran into "unknown option"; and a polite no-op must say so when asked."""
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    for args in (("fetch", "-v"), ("-v", "fetch")):
        done = run(env, *args)
        said = [line for line in done.stderr.splitlines() if "nothing fetched" in line]
        assert done.returncode == 0 and len(said) == 1 and "--now" in said[0], (args, done.stderr)
    assert run(env, "fetch").stderr == ""  # without -v: silent, as cron wants
