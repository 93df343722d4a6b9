"""The history read back checked (issue 20 item 5): rows of history.sqlite pass glowline.gate like the API's readings
(text, a blob, 1e308 and -50 are skipped and counted, never an internal error, never in the report, the line, the
JSON cache or an export); a glowline file with a table or column missing is moved aside and rebuilt by `sync` with
one line; a directory named history.sqlite is an error line, never a traceback (doctor too)."""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glowline.data.store.sqlite import HistoryStore, overview
from glowline.emulator import Emulator
from tests.helpers import LONDON, cache_dir, glowline_env, run

HOME = "DCC Sourced"
ELECTRICITY = "electricity.consumption"


def db_path(home: Path) -> Path:
    return home / ".local/share/glowline/history.sqlite"


def today() -> date:
    return datetime.now(LONDON).date()


def synced(home: Path, emulator: Emulator, days: int = 4) -> dict[str, str]:
    env = glowline_env(home, emulator)
    proc = run(env, "sync", "--since", (today() - timedelta(days=days)).isoformat(), "--resource", "electricity")
    assert proc.returncode == 0, proc.stderr
    return env


BAD_VALUES = ("'abc'", "X'00ff10'", "1e308", "-50")


def spoil(home: Path, days_ago: int = 1) -> list[int]:
    """Four stored half-hours of a day replaced by text, a blob, 1e308 and -50; their starts."""
    db = sqlite3.connect(db_path(home))
    try:
        day = today() - timedelta(days=days_ago)
        noon = int(datetime(day.year, day.month, day.day, 12, tzinfo=LONDON).timestamp())
        starts = [noon + n * 1800 for n in range(len(BAD_VALUES))]
        for start, value in zip(starts, BAD_VALUES, strict=True):
            changed = db.execute(f"UPDATE readings SET value = {value} WHERE resource = ? AND start = ?",
                                 (ELECTRICITY, start)).rowcount
            assert changed == 1
        db.commit()
        kinds = {row[0] for row in db.execute(f"SELECT typeof(value) FROM readings WHERE start IN "
                                              f"({','.join(map(str, starts))})")}
        assert kinds == {"text", "blob", "real"}
    finally:
        db.close()
    return starts


def no_absurd_numbers(text: str) -> None:
    """No traceback, no 'abc', no 1e308 (nor the 309-digit total it makes), no -50, in any number of ``text``."""
    assert "Traceback" not in text and "internal error" not in text and "abc" not in text and "e+30" not in text
    for match in re.finditer(r"(?<![\w.-])(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?![\w.])", text):
        number = float(match.group(1))
        assert len(match.group(1)) < 20 and math.isfinite(number), match.group(1)
        assert 0 <= number < 1e5 or 1.5e9 < number < 2.5e9, match.group(1)  # kWh, GBP, counts; or epochs


def test_bad_rows_are_skipped_and_counted_by_the_store(home: Path, emulator: Emulator) -> None:
    synced(home, emulator)
    starts = spoil(home)
    store = HistoryStore(notice=open("/dev/null", "w")).open()  # noqa: SIM115
    try:
        day_start = starts[0] - 12 * 3600
        rows = store.readings(emulator.site_ids()[0], ELECTRICITY, day_start, day_start + 86400)  # DCC Sourced
    finally:
        store.close()
        store.notice.close()
    assert store.skipped == 4
    kept = dict(rows)
    assert all(start not in kept for start in starts) and len(kept) >= 40
    assert all(0 <= v <= 12 for v in kept.values())
    verdict, ranges = overview()
    assert verdict == "ok" and [r.bad for r in ranges if r.resource == ELECTRICITY] == [4]
    doctor = run(glowline_env(home, emulator), "doctor")
    assert "4 stored values fail the plausibility check and are skipped" in doctor.stdout, doctor.stdout
    assert "Traceback" not in doctor.stderr + doctor.stdout


def test_report_line_cache_and_export_never_see_them(home: Path, emulator: Emulator) -> None:
    env = synced(home, emulator, days=8)
    spoil(home)
    spoil(home, days_ago=6)  # older than the settling window: no refresh reads that day again
    report = run(env, "report", "--days", "3", "--resource", "electricity", "--format", "json")
    assert report.returncode == 0, report.stderr
    no_absurd_numbers(report.stdout + report.stderr)
    doc = json.loads(report.stdout)
    yesterday = next(d for d in doc["resources"]["electricity"]["days"]
                     if d["date"] == (today() - timedelta(days=1)).isoformat())
    assert yesterday["complete"] is False  # four half-hours are missing: never a wrong total
    assert run(env, "fetch").returncode == 0
    line = run(env, "--format", "json", "--days", "3")
    assert line.returncode == 0, line.stderr
    no_absurd_numbers(line.stdout + line.stderr)
    for cached in cache_dir(home).glob("*.json"):
        no_absurd_numbers(cached.read_text())
    export = run(env, "export", "--from", (today() - timedelta(days=7)).isoformat(), "--to",
                 (today() - timedelta(days=5)).isoformat(), "--resource", "electricity")
    assert export.returncode == 0, export.stderr
    no_absurd_numbers(export.stdout)
    assert "fail the plausibility check" in export.stderr and len(export.stderr.splitlines()) == 1


@pytest.mark.parametrize("damage", ["DROP TABLE progress", "DROP TABLE readings",
                                    "ALTER TABLE progress DROP COLUMN backfill_from"])
def test_a_hand_damaged_history_is_rebuilt_by_sync(home: Path, emulator: Emulator, damage: str) -> None:
    """`drop table progress` (to reset a sync) made sync exit 11 for ever and doctor advise sync."""
    env = synced(home, emulator, days=2)
    db = sqlite3.connect(db_path(home))
    db.execute(damage)
    db.commit()
    db.close()
    assert overview()[0] == "damaged"
    doctor = run(env, "doctor")
    assert "Traceback" not in doctor.stderr + doctor.stdout
    assert "a table or column of its schema is missing" in doctor.stdout and "glowline sync" in doctor.stdout
    proc = run(env, "sync", "--since", (today() - timedelta(days=2)).isoformat(), "--resource", "electricity")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "damaged" in lines[0] and "moved aside to" in lines[0], proc.stderr
    db = sqlite3.connect(db_path(home))
    try:
        assert db.execute("SELECT count(*) FROM readings").fetchone()[0] > 40
        assert db.execute("SELECT count(*) FROM progress").fetchone()[0] == 1
    finally:
        db.close()
    assert overview()[0] == "ok"
    again = run(env, "sync", "--resource", "electricity")
    assert again.returncode == 0 and again.stderr == ""


def test_a_directory_named_history_sqlite_is_one_line(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    db_path(home).mkdir(parents=True, mode=0o700)
    proc = run(env, "sync", "--since", (today() - timedelta(days=1)).isoformat())
    assert proc.returncode == 11 and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "history.sqlite" in proc.stderr
    assert overview()[0] == "notafile"
    doctor = run(env, "doctor")
    assert "Traceback" not in doctor.stderr + doctor.stdout and "internal error" not in doctor.stdout
    assert "is not a file" in doctor.stdout, doctor.stdout
    assert run(env, "fetch").returncode == 0  # the line's data does not depend on the history


cell = st.one_of(st.text(max_size=12), st.binary(max_size=12), st.integers(-(2**63), 2**63 - 1),
                 st.floats(allow_nan=False), st.sampled_from([1e308, -50, 0, 0.5, 12.0, 12.000001, 1800]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.one_of(st.integers(0, 100).map(lambda n: 1_800_000_000 + n * 900), cell),
                          st.one_of(st.just(1800), cell), cell), max_size=12),
       st.sampled_from([ELECTRICITY, "electricity.consumption.cost", "gas.consumption"]))
def test_property_whatever_a_row_holds_the_reader_answers_plausible_half_hours_or_nothing(
        rows: list[tuple[object, object, object]], resource: str) -> None:
    """A property test of the history reader: any start, seconds and value a hand (or another program) puts in a
    row; the store's reader and doctor's overview never raise, and every value read back passes the gate."""
    from glowline import gate

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "history.sqlite")
        with open(os.devnull, "w") as quiet:
            store = HistoryStore(path, notice=quiet).open()
            try:
                for start, seconds, value in rows:
                    store.db.execute("INSERT OR REPLACE INTO readings VALUES ('site', ?, ?, ?, ?)",
                                     (resource, start, seconds, value))
                store.db.execute("INSERT OR REPLACE INTO progress (site, resource, resource_id, synced_from, "
                                 "synced_to, updated_at) VALUES ('site', ?, 'rid', 0, 2000000000, 0)", (resource,))
                held = store.db.execute("SELECT count(*) FROM readings WHERE resource = ? AND start >= 0 AND "
                                        "start < 2000000000", (resource,)).fetchone()[0]
                read = store.readings("site", resource, 0, 2_000_000_000)
                assert len(read) + store.skipped == held  # every row read is kept or counted
                for start, value in read:
                    assert isinstance(start, int) and start % 1800 == 0
                    assert gate.reading(resource, value, 1800) == value
            finally:
                store.close()
        verdict, ranges = overview(path)
        assert verdict == "ok" and len(ranges) == 1
        assert ranges[0].bad >= store.skipped  # doctor counts at least what the reader skipped (and rows off the grid)
