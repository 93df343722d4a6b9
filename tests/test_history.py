"""The SQLite history and `glowline sync`: real processes against the emulator over HTTP, real SQLite files.

Exact day totals from sqlite3 against the emulator's half-hours, a second sync that asks only for what is new, a
sync killed with SIGKILL that resumes without fetching anything twice, a corrupt, foreign or newer database file,
and a disk that fills up mid-sync.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from glowline.catalog import RESOURCES
from glowline.data.sync import REREAD
from glowline.emulator import Emulator
from tests.helpers import LONDON, ROOT, glowline_env, local_day_bounds, run, tmpfs, wait_until

HOME = "DCC Sourced"


def db_path(home: Path) -> Path:
    return home / ".local/share/glowline/history.sqlite"


def today() -> date:
    return datetime.now(LONDON).date()


def resource_ids(emu: Emulator) -> dict[str, str]:
    return {c: emu.resource_id(HOME, c) for c in RESOURCES.values()}


def readings_by_resource(emu: Emulator) -> dict[str, list[tuple[str, str]]]:
    """The readings requests the emulator saw, per resource id: (from, to)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for r in emu.requests:
        if r.kind == "readings":
            rid = r.path.split("/resource/")[1].split("/")[0]
            found.setdefault(rid, []).append((r.query["from"], r.query["to"]))
    return found


def utc(wall: str) -> int:
    """An API query's ``from``/``to`` (UTC wall clock, offset=0) as an epoch."""
    return int(datetime.fromisoformat(wall + "+00:00").timestamp())


def synced_to_of(home: Path) -> dict[str, int]:
    db = sqlite3.connect(db_path(home))
    try:
        return dict(db.execute("SELECT resource, synced_to FROM progress"))
    finally:
        db.close()


def day_sum(db: sqlite3.Connection, site: str, classifier: str, day: date) -> tuple[float, int]:
    start, end = local_day_bounds(day)
    rows = db.execute("SELECT value FROM readings WHERE site = ? AND resource = ? AND start >= ? AND start < ?",
                      (site, classifier, start, end)).fetchall()
    return math.fsum(v for (v,) in rows), len(rows)


def assert_days_exact(emu: Emulator, db: sqlite3.Connection, first: date, last: date) -> None:
    (site_db,) = {s for (s,) in db.execute("SELECT DISTINCT site FROM readings")}
    for classifier, rid in resource_ids(emu).items():
        (delivered,) = db.execute("SELECT synced_to FROM progress WHERE resource = ?", (classifier,)).fetchone()
        day = first
        while day <= last:
            start, end = local_day_bounds(day)
            values = [v for ts, v in emu.half_hours(rid, start, end) if v is not None and ts < delivered]
            got, count = day_sum(db, site_db, classifier, day)
            assert count == len(values), (classifier, day)
            assert round(got * 1000) == round(math.fsum(values) * 1000), (classifier, day)  # to the Wh (or mp)
            assert got == pytest.approx(math.fsum(values), abs=1e-9)
            day += timedelta(days=1)


def test_sync_400_days_gives_exact_local_days_and_a_second_sync_asks_only_for_what_is_new(
        home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    since = today() - timedelta(days=400)
    proc = run(env, "sync", "--since", since.isoformat(), "--resource", "all", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""  # quiet when not on a terminal
    per = readings_by_resource(emulator)
    assert set(per) == set(resource_ids(emulator).values())
    for windows in per.values():  # PT30M within its 10-day span, one window each, never twice
        assert len(windows) == len(set(windows)) and 40 <= len(windows) <= 42
    assert os.stat(db_path(home)).st_mode & 0o777 == 0o600
    assert os.stat(db_path(home).parent).st_mode & 0o777 == 0o700
    db = sqlite3.connect(f"file:{db_path(home)}?mode=ro", uri=True)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {s for (s,) in db.execute("SELECT DISTINCT seconds FROM readings")} == {1800}
    columns = [row[1] for row in db.execute("PRAGMA table_info(readings)")]
    assert columns == ["site", "resource", "start", "seconds", "value"]
    assert_days_exact(emulator, db, since, today())
    # the first half-hour is the local midnight of --since: nothing before it was asked for
    (first,) = db.execute("SELECT min(start) FROM readings").fetchone()
    assert first == local_day_bounds(since)[0]
    # a DST day in the range has 46 or 50 half-hours, summed exactly
    counts = {day_sum(db, *db.execute("SELECT site, 'gas.consumption' FROM readings LIMIT 1").fetchone(), d)[1]
              for d in (date(2026, 3, 29), date(2026, 10, 25)) if d >= since and d < today()}
    assert counts <= {46, 50}
    db.close()

    emulator.reset_counts()
    proc = run(env, "sync", timeout=60)
    assert proc.returncode == 0, proc.stderr
    kinds = [r.kind for r in emulator.requests]
    assert kinds.count("readings") <= len(RESOURCES)  # at most one readings request per resource
    for windows in readings_by_resource(emulator).values():
        assert len(windows) <= 1
    assert kinds.count("first-time") == 0 and kinds.count("auth") == 0
    assert len(kinds) <= 2 * len(RESOURCES)  # last-time, and readings only where something new was delivered


def test_a_sync_killed_mid_way_resumes_without_fetching_anything_twice(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("slow", path="/readings", delay=0.05)
    proc = subprocess.Popen([sys.executable, "-m", "glowline", "sync", "--since",
                             (today() - timedelta(days=200)).isoformat()],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: emulator.count("readings") >= 30, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    emulator.clear_faults()
    first_run = readings_by_resource(emulator)
    db = sqlite3.connect(db_path(home))
    progress = {c: (a, b) for c, a, b in db.execute("SELECT resource, synced_from, synced_to FROM progress")}
    db.close()
    assert progress, "nothing was committed before the kill"
    emulator.reset_counts()
    done = run(env, "sync", timeout=120)
    assert done.returncode == 0, done.stderr
    ids = resource_ids(emulator)
    for classifier, rid in ids.items():
        again = readings_by_resource(emulator).get(rid, [])
        if classifier in progress:  # the resumed run starts where the last commit ended
            committed_to = progress[classifier][1]
            for a, _ in again:
                assert int(datetime.fromisoformat(a + "+00:00").timestamp()) >= committed_to, (classifier, a)
        both = first_run.get(rid, []) + again
        # every window asked at most twice: once in flight when killed, never a committed one again
        assert len(both) - len(set(both)) <= 1, classifier
    db = sqlite3.connect(db_path(home))
    assert_days_exact(emulator, db, today() - timedelta(days=200), today())
    (dupes,) = db.execute("SELECT count(*) - count(DISTINCT site || resource || start) FROM readings").fetchone()
    assert dupes == 0
    db.close()


def test_undelivered_half_hours_are_absent_not_zero(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "sync", "--since", (today() - timedelta(days=3)).isoformat()).returncode == 0
    db = sqlite3.connect(db_path(home))
    for classifier, rid in resource_ids(emulator).items():
        (synced_to,) = db.execute("SELECT synced_to FROM progress WHERE resource = ?", (classifier,)).fetchone()
        (last,) = db.execute("SELECT max(start) FROM readings WHERE resource = ?", (classifier,)).fetchone()
        assert last < synced_to
        lagged = [ts for ts, v in emulator.delivered(rid, synced_to, synced_to + 86400) if v == 0]
        stored = db.execute("SELECT count(*) FROM readings WHERE resource = ? AND start >= ?",
                            (classifier, synced_to)).fetchone()[0]
        assert stored == 0, (classifier, lagged)  # the lagged zeros the API sent are not stored
    db.close()


def test_the_readmes_sqlite3_snippet_gives_the_local_days(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "sync", "--since", (today() - timedelta(days=12)).isoformat()).returncode == 0
    readme = (ROOT / "docs" / "history.md").read_text(encoding="utf-8")
    snippet = readme.split("sqlite3 ~/.local/share/glowline/history.sqlite \"")[1].split('"\n')[0]
    code = ("import sqlite3, sys, json; db = sqlite3.connect(sys.argv[1]); "
            "print(json.dumps(db.execute(sys.argv[2]).fetchall()))")
    proc = subprocess.run([sys.executable, "-c", code, str(db_path(home)), snippet], capture_output=True, text=True,
                          env={**env, "TZ": "Europe/London"}, timeout=30, check=True)
    rows = json.loads(proc.stdout)
    assert len(rows) == 7
    rid = emulator.resource_id(HOME, "electricity.consumption")
    db = sqlite3.connect(db_path(home))
    (delivered,) = db.execute("SELECT synced_to FROM progress WHERE resource = 'electricity.consumption'").fetchone()
    for day_text, kwh in rows:
        start, end = local_day_bounds(date.fromisoformat(day_text))
        values = [v for ts, v in emulator.half_hours(rid, start, end) if v is not None and ts < delivered]
        assert kwh == round(math.fsum(values), 3)
    db.close()


# bad files -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["garbage", "foreign", "truncated"])
def test_a_corrupt_or_foreign_database_is_moved_aside_with_one_line(home: Path, emulator: Emulator,
                                                                      kind: str) -> None:
    env = glowline_env(home, emulator)
    path = db_path(home)
    path.parent.mkdir(parents=True, mode=0o700)
    if kind == "garbage":
        path.write_bytes(os.urandom(5000))
    elif kind == "foreign":
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE photos (name TEXT)")
        other.execute("INSERT INTO photos VALUES ('cat.jpg')")
        other.commit()
        other.close()
    else:
        assert run(env, "sync", "--since", (today() - timedelta(days=2)).isoformat()).returncode == 0
        data = path.read_bytes()
        path.write_bytes(data[:100] + b"\xff" * 3000 + data[3100:6000])
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    before = path.read_bytes()
    proc = run(env, "sync", "--since", (today() - timedelta(days=2)).isoformat())
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "moved aside to" in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    aside = [p for p in path.parent.iterdir() if p.name.startswith("history.sqlite.") and "-" in p.name
             and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].read_bytes() == before  # kept as it was, for the user
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM readings").fetchone()[0] > 0
    db.close()


def test_a_database_from_a_newer_glowline_is_refused_untouched(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "sync", "--since", (today() - timedelta(days=2)).isoformat()).returncode == 0
    db = sqlite3.connect(db_path(home))
    db.execute("PRAGMA user_version = 7")
    db.execute("PRAGMA journal_mode = DELETE")  # no -wal or -shm left beside it
    db.close()
    files = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in db_path(home).parent.iterdir()}
    emulator.reset_counts()
    proc = run(env, "sync")
    assert proc.returncode == 11, proc
    assert proc.stderr.count("\n") == 1 and "newer glowline" in proc.stderr and "untouched" in proc.stderr
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in db_path(home).parent.iterdir()} == files
    assert emulator.count() == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs of the test's own: a few weeks of five resources' half-hours fill it."""
    with tmpfs(tmp_path / "disk", "1m") as folder:
        yield folder


def test_a_full_disk_mid_sync_loses_nothing_committed_and_the_sync_resumes(
        home: Path, emulator: Emulator, small_disk: Path, tmp_path: Path) -> None:
    env = {**glowline_env(home, emulator), "GLOWLINE_DATA_DIR": str(small_disk / "glowline")}
    since = today() - timedelta(days=400)
    proc = run(env, "sync", "--since", since.isoformat(), timeout=120)
    assert proc.returncode == 11, proc
    assert proc.stderr.count("\n") == 1 and "No space left on device" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    # what was committed is whole: every resource's rows are exactly its progress range, the file checks clean
    moved = tmp_path / "big" / "glowline"
    moved.mkdir(parents=True, mode=0o700)
    db = sqlite3.connect(small_disk / "glowline" / "history.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    progress = list(db.execute("SELECT resource, synced_from, synced_to FROM progress"))
    assert progress
    for classifier, a, b in progress:
        outside = db.execute("SELECT count(*) FROM readings WHERE resource = ? AND (start < ? OR start >= ?)",
                             (classifier, a, b)).fetchone()[0]
        assert outside == 0
    db.execute(f"VACUUM INTO '{moved / 'history.sqlite'}'")
    db.close()
    os.chmod(moved / "history.sqlite", 0o600)
    env["GLOWLINE_DATA_DIR"] = str(moved)
    emulator.reset_counts()
    proc = run(env, "sync", "--since", since.isoformat(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    committed = {c: b for c, _, b in progress}
    for classifier, rid in resource_ids(emulator).items():
        for a, _ in readings_by_resource(emulator).get(rid, []):
            if classifier in committed:
                assert int(datetime.fromisoformat(a + "+00:00").timestamp()) >= committed[classifier]
    db = sqlite3.connect(moved / "history.sqlite")
    assert_days_exact(emulator, db, since, today())
    db.close()


def test_sync_options_are_checked(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    for args in (["--since", "yesterday"], ["--resource", "water"], ["--since", "2999-01-01"]):
        proc = run(env, "sync", *args)
        assert proc.returncode == 2 and proc.stderr.count("\n") <= 3 and "Traceback" not in proc.stderr, proc
    assert not db_path(home).exists() or emulator.count("readings") == 0


def test_the_status_line_never_imports_sqlite3(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "sync", "--since", (today() - timedelta(days=1)).isoformat()).returncode == 0
    assert run(env, "fetch").returncode == 0
    code = "import sys, glowline.cli as c; rc = c.main(['--cached-only']); print('sqlite3' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert proc.stdout.strip().splitlines()[-1] == "False", proc


def reread_from(synced_to: int, classifier: str) -> float:
    """The earliest a refresh re-reads: REREAD before what is stored, or, once a day, the settling window."""
    from glowline.data import settling

    return min(synced_to - REREAD, time.time() - settling.window(classifier)) - 3600


def test_export_reads_the_history_and_asks_the_api_only_for_what_is_newer(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    first, last = today() - timedelta(days=40), today() - timedelta(days=20)
    span = ["--from", first.isoformat(), "--to", last.isoformat(), "--resource", "electricity,gas"]
    before = run(env, "export", *span)  # no history yet: the API's half-hours
    assert before.returncode == 0, before.stderr
    assert run(env, "sync", "--since", (today() - timedelta(days=60)).isoformat()).returncode == 0
    synced = synced_to_of(home)
    emulator.reset_counts()
    after = run(env, "export", *span)
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout  # the same file, value for value
    assert all(len(w) == 1 for w in readings_by_resource(emulator).values())  # the newest hours: one each
    for r in emulator.requests:  # and nothing the history holds: no day of the range is asked again
        if r.kind == "readings":
            rid = r.path.split("/resource/")[1].split("/")[0]
            classifier = next(c for c, i in resource_ids(emulator).items() if i == rid)
            assert r.query["period"] == "PT30M" and utc(r.query["from"]) >= reread_from(synced[classifier], classifier)
    synced = synced_to_of(home)
    emulator.reset_counts()
    recent = run(env, "export", "--days", "3", "--resource", "electricity")
    assert recent.returncode == 0, recent.stderr
    for r in emulator.requests:  # only what is newer than the history (and the refresh's re-read before it)
        if r.kind == "readings" and resource_ids(emulator)["electricity.consumption"] in r.path:
            assert utc(r.query["from"]) >= reread_from(synced["electricity.consumption"], "electricity.consumption")


def test_tariffs_are_kept_beside_the_readings_and_read_again_only_weekly(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "sync", "--since", (today() - timedelta(days=2)).isoformat()).returncode == 0
    assert emulator.count("tariff-list") == 2  # electricity and gas consumption
    db = sqlite3.connect(db_path(home))
    kept = dict(db.execute("SELECT resource, document FROM tariffs"))
    db.close()
    assert set(kept) == {"electricity.consumption", "gas.consumption"}
    for document in kept.values():
        assert isinstance(json.loads(document)["data"], list)
    emulator.reset_counts()
    assert run(env, "sync").returncode == 0
    assert emulator.count("tariff-list") == 0


def test_a_version_1_database_is_migrated_in_place_keeping_its_data(home: Path, emulator: Emulator) -> None:
    from glowline.data.store import sqlite as store

    env = glowline_env(home, emulator)
    path = db_path(home)
    path.parent.mkdir(parents=True, mode=0o700)
    old = sqlite3.connect(path)
    old.executescript(store.MIGRATIONS[0])
    old.execute(f"PRAGMA application_id={store.APPLICATION_ID}")
    old.execute("PRAGMA user_version=1")
    old.execute("INSERT INTO readings VALUES ('somewhere', 'electricity.consumption', 1800, 1800, 0.25)")
    old.commit()
    old.close()
    proc = run(env, "sync", "--since", (today() - timedelta(days=2)).isoformat())
    assert proc.returncode == 0 and proc.stderr == "", proc
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION == 5
    assert db.execute("SELECT value FROM readings WHERE site = 'somewhere'").fetchone() == (0.25,)
    assert db.execute("SELECT count(*) FROM tariffs").fetchone()[0] == 2
    db.close()
