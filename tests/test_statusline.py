"""Instant and unbreakable: the cache, one shared refresh, the hard deadline and offline display, run as real
processes against the emulator, with request counts read from the emulator itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.status.spawn import is_locked
from tests.helpers import age_cache, cache_dir, glowline_env, run, run_json, wait_until

LOCK = "default--electricity.consumption.lock"


def refresh_done(home: Path) -> bool:
    return not is_locked(str(cache_dir(home) / LOCK))


def warm(home: Path, emu: Any, *args: str) -> dict[str, str]:
    env = glowline_env(home, emu)
    proc = run(env, *args, "--timeout", "30")
    assert proc.returncode == 0, proc.stderr
    emu.reset_counts()
    return env


def test_fresh_cache_makes_no_request(home: Path, emulator: Any) -> None:
    env = warm(home, emulator)
    first = run(env).stdout
    assert run(env).stdout == first and "kWh" in first
    assert emulator.count() == 0


def test_stale_cache_is_printed_at_once_and_refreshed_with_one_request(home: Path, emulator: Any) -> None:
    env = warm(home, emulator, "--days", "31")
    age_cache(home, 3 * 3600)
    emulator.fault("slow", delay=1.5)  # the refresh takes a while; the line must not wait for it
    started = time.monotonic()
    proc = run(env, "--days", "31")
    assert time.monotonic() - started < 1.0
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("·3h")
    assert wait_until(lambda: emulator.count() >= 1 and refresh_done(home), 10)
    # a valid cached token and cached discovery: exactly one readings call, and the API's delivery horizon
    # (last-time: which zeros are lag), nothing else
    assert emulator.count("readings") == 1 and emulator.count("last-time") == 1 and emulator.count() == 2
    emulator.clear_faults()
    assert "·" not in run(env, "--days", "31").stdout


def test_sixteen_concurrent_stale_callers_make_one_refresh(home: Path, emulator: Any) -> None:
    env = warm(home, emulator)
    age_cache(home, 3600)
    emulator.fault("slow", delay=0.5)
    procs = [
        subprocess.Popen([sys.executable, "-m", "glowline", "--format", "tmux"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(16)
    ]
    outputs = [p.communicate(timeout=30) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all("kWh" in out for out, _ in outputs)
    assert wait_until(lambda: emulator.count() >= 1 and refresh_done(home), 10)
    time.sleep(0.3)
    assert emulator.count("readings") == 1 and emulator.count() == 2  # readings and last-time, once


def test_sixteen_concurrent_cold_callers_share_one_fetch(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    procs = [
        subprocess.Popen([sys.executable, "-m", "glowline", "--format", "json", "--timeout", "20"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(16)
    ]
    docs = [json.loads(p.communicate(timeout=30)[0]) for p in procs]
    assert all(len(d["days"]) == 10 for d in docs)
    assert emulator.count("readings") == 1 and emulator.count("auth") == 1


def test_a_cold_caller_never_takes_a_lock_file_being_created_for_a_failed_attempt(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind the test above failing under load: one cold caller creates the lock file and, before it has
    stamped it "no attempt yet" and locked it, another locks it. That one must refresh, not take the file's new
    mtime for an attempt that just wrote nothing (then it let go at once, and every caller waiting on it drew no
    days). Made deterministic: the rival runs the moment the lock file appears, between the creator's own steps."""
    from glowline import paths
    from glowline.status import line
    from glowline.status.argv import Options

    opts = Options({})
    lock = paths.lock_path(opts.site, opts.classifier)
    refreshed: list[str] = []
    who = ["creator"]
    rival_ran = []

    def refresh_here(_opts: Options, fd: int, _deadline: float) -> bool:
        refreshed.append(who[0])  # writes nothing: as a refresh still under way would have, so far
        os.close(fd)
        return True

    def rival_when_visible(call: Any) -> Any:
        def step(*args: Any, **kwargs: Any) -> Any:
            result = call(*args, **kwargs)
            if not rival_ran and os.path.exists(lock):
                rival_ran.append(True)
                who[0] = "rival"
                line._refresh_and_wait(opts, time.monotonic() + 5, refresh_here)
                who[0] = "creator"
            return result
        return step

    monkeypatch.setattr(os, "open", rival_when_visible(os.open))
    monkeypatch.setattr(os, "link", rival_when_visible(os.link))
    line._refresh_and_wait(opts, time.monotonic() + 5, refresh_here)
    assert rival_ran and refreshed == ["rival"]  # it locked first: it refreshes; the creator then finds it tried


def test_cold_year_is_at_most_thirteen_calls_then_one_per_refresh(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    doc = run_json(env, "--days", "365", "--timeout", "60")
    assert len(doc["days"]) == 365
    assert emulator.count("readings") <= 13  # 365 days and the 21-day typical-day baseline, 31 days a request
    emulator.reset_counts()
    age_cache(home, 3600)
    assert run(env, "--days", "365").returncode == 0
    assert wait_until(lambda: emulator.count() >= 1 and refresh_done(home), 10)
    assert emulator.count("readings") == 1
    # asking for fewer days reuses the same history: no request at all
    emulator.reset_counts()
    assert len(run_json(env, "--days", "30")["days"]) == 30 and emulator.count() == 0


def test_more_days_fetches_only_the_older_part(home: Path, emulator: Any) -> None:
    env = warm(home, emulator, "--days", "10")
    assert len(run_json(env, "--days", "60", "--timeout", "30")["days"]) == 60
    queries = [r.query for r in emulator.requests if r.kind == "readings"]
    assert len(queries) == 2  # the 50 older days (31 + 19), nothing already cached


@pytest.mark.parametrize("fmt", ["plain", "tmux"])
def test_hung_api_with_no_cache_keeps_the_deadline(home: Path, emulator: Any, fmt: str) -> None:
    emulator.fault("hang")
    started = time.monotonic()
    proc = run(glowline_env(home, emulator), "--format", fmt, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 0.3 + 0.25, elapsed  # + interpreter start-up of the measured process
    assert "Traceback" not in proc.stderr
    if fmt == "tmux":
        assert proc.returncode == 0 and proc.stdout.strip()
    else:
        assert proc.returncode == 9 and proc.stderr.count("\n") == 1 and "fetching" in proc.stderr


def test_outage_shows_the_last_good_data_with_its_age(home: Path, emulator: Any) -> None:
    env = warm(home, emulator)
    good = run_json(env)
    age_cache(home, 5 * 3600)
    emulator.fault("500")
    assert run(env).stdout.rstrip().endswith("·5h")
    record = cache_dir(home) / (LOCK[:-5] + "--Europe_London.error")
    assert wait_until(lambda: refresh_done(home) and record.exists(), 10)
    doc = run_json(env, "--cached-only")
    assert doc["stale"] is True and doc["days"] == good["days"] and doc["age_seconds"] >= 5 * 3600
    assert "HTTP 500" in (doc.get("error") or "")
    out = run(env, "--format", "waybar").stdout
    assert json.loads(out)["text"] and "stale" in json.dumps(json.loads(out)["class"])


def test_cached_only_never_touches_the_network(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    proc = run(env, "--cached-only", "--format", "tmux")
    assert proc.returncode == 0 and emulator.count() == 0
    proc = run(env, "--cached-only")
    assert proc.returncode == 9 and "glowline fetch" in proc.stderr
    warm(home, emulator)
    age_cache(home, 7200)
    assert run(env, "--cached-only").stdout.rstrip().endswith("·2h")
    time.sleep(0.3)
    assert emulator.count() == 0


def test_fetch_prints_nothing_and_fills_the_cache(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    proc = run(env, "fetch", "--days", "12")
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""
    emulator.reset_counts()
    assert len(run_json(env, "--days", "12")["days"]) == 12 and emulator.count() == 0
    emulator.fault("500")
    age_cache(home, 3600)  # `fetch` follows the half-hour clock: make the next one due
    proc = run(env, "fetch")
    assert proc.returncode == 5 and proc.stderr.startswith("glowline: ") and proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "garbage\x00\xff",
        lambda text: text[: len(text) // 2],
        lambda text: text.replace("glowline-days 2", "glowline-days 1"),
        lambda text: json.dumps({"something": "else"}),
        lambda text: "",
    ],
    ids=["garbage", "truncated", "older-version", "foreign", "empty"],
)
def test_corrupt_cache_is_rebuilt_never_a_crash(home: Path, emulator: Any, damage: Any) -> None:
    env = warm(home, emulator)
    good = run(env).stdout
    for path in cache_dir(home).iterdir():
        if path.suffix in (".days", ".json"):
            path.write_text(damage(path.read_text()), errors="surrogateescape")
    proc = run(env, "--timeout", "30")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert proc.stdout == good
    assert run(env).stdout == good


def test_older_cache_version_is_refetched(home: Path, emulator: Any) -> None:
    env = warm(home, emulator)
    for path in cache_dir(home).glob("*--*.json"):
        doc = json.loads(path.read_text())
        doc["version"] = 0
        path.write_text(json.dumps(doc))
    for path in cache_dir(home).glob("*.days"):
        path.unlink()
    assert run(env, "--timeout", "30").returncode == 0
    assert emulator.count("readings") == 1


def test_another_time_zone_is_computed_from_the_cached_series(home: Path, emulator: Any) -> None:
    env = warm(home, emulator, "--days", "20")
    doc = run_json(env, "--tz", "America/New_York", "--days", "10")
    assert doc["tz"] == "America/New_York" and len(doc["days"]) == 10
    assert emulator.count() == 0


def test_a_failed_refresh_is_not_retried_by_every_caller(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("500")
    proc = run(env, "--format", "tmux", "--timeout", "10")
    assert proc.returncode == 0 and proc.stdout.strip()
    tried = emulator.count()
    assert tried >= 1
    for _ in range(3):
        assert run(env, "--format", "tmux").returncode == 0
    assert emulator.count() == tried  # an outage is not hammered by every status bar call
    assert run(env, "fetch").returncode == 5 and emulator.count() > tried  # an explicit fetch always tries


def test_a_cache_stamped_in_the_future_counts_as_stale(home: Path, emulator: Any) -> None:
    env = warm(home, emulator)
    age_cache(home, -2 * 86400)  # fetched "the day after tomorrow": a clock that was wrong, or set back since
    assert run(env).returncode == 0
    assert wait_until(lambda: emulator.count("readings") == 1 and refresh_done(home), 10)
