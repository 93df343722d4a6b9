"""Refreshes feed the SQLite history, and the history feeds the refreshes: one clock injected into both the emulator
and the refresh (real HTTP, real SQLite files), or real processes.

Every refresh after the first reads its newest hours in half-hours (still one readings request) and adds them to the
history, continuing its range exactly; a plain `glowline sync` then backfills only what no refresh stored; a status
line, report or export that needs older days reads them from the history instead of asking the API again, with the
same numbers the API alone gives; a history that cannot be used never stops a refresh; two writers never shrink
each other's range.
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from glowline import paths
from glowline.data.readings import day_start, floor
from glowline.data.sync import REREAD, refresh
from glowline.emulator import Emulator
from glowline.status import days as days_file
from glowline.status.spawn import is_locked
from tests.helpers import LONDON, Clock, age_cache, cache_dir, glowline_env, run, tmpfs, wait_until

ELECTRICITY = "electricity.consumption"
TZ = "Europe/London"
HOME = "DCC Sourced"


def db_file() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "glowline" / "history.sqlite"


def readings_requests(emu: Emulator, rid: str | None = None) -> list[tuple[str, int]]:
    """(period, from as an epoch) of every readings request (of one resource id)."""
    out = []
    for r in emu.requests:
        if r.kind == "readings" and (rid is None or f"/resource/{rid}/" in r.path):
            start = datetime.fromisoformat(r.query["from"] + "+00:00").timestamp()
            out.append((r.query["period"], int(start)))
    return out


def progress(classifier: str = ELECTRICITY) -> tuple[int, int, int | None]:
    db = sqlite3.connect(f"file:{db_file()}?mode=ro", uri=True)
    try:
        return db.execute("SELECT synced_from, synced_to, backfill_from FROM progress WHERE resource = ?",
                          (classifier,)).fetchone()
    finally:
        db.close()


def stored(a: int, b: int, classifier: str = ELECTRICITY) -> dict[int, float]:
    db = sqlite3.connect(f"file:{db_file()}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT start, value FROM readings WHERE resource = ? AND start >= ? AND start < ?",
                               (classifier, a, b)))
    finally:
        db.close()


def assert_exact(emu: Emulator, rid: str, a: int, b: int) -> None:
    """The history holds exactly the emulator's half-hours of [a, b): each value, and none more."""
    truth = {ts: v for ts, v in emu.half_hours(rid, a, b) if v is not None}
    got = stored(a, b)
    assert set(got) == set(truth)
    assert all(got[ts] == pytest.approx(truth[ts], abs=1e-12) for ts in truth)


def days_of(classifier: str = ELECTRICITY, tz_name: str = TZ) -> list[tuple[str, float | None, bool]]:
    summ = days_file.read(paths.days_path("", classifier, tz_name))
    assert summ is not None
    return [(d.date, d.value, d.complete) for d in summ.days]


def sync(clock: Clock, classifier: str, since: int | None) -> int:
    """`glowline sync` of one resource at the injected clock; the number of windows it asked for."""
    from glowline.data import account, history
    from glowline.data.store.sqlite import HistoryStore

    with account.open_session() as session, HistoryStore() as store:
        site = account.pick_site(session.sites(), "", classifier)
        plan = history.plan(session, store, site, classifier, since, clock.now)
        history.run(session, store, plan, lambda n: None)
        return plan.requests


def forget_cache(classifier: str = ELECTRICITY, tz_name: str = TZ) -> None:
    os.unlink(paths.series_path("", classifier))
    os.unlink(paths.days_path("", classifier, tz_name))


# -- refreshes feed the history ------------------------------------------------------------------------------------


def test_every_refresh_after_the_first_feeds_the_history_exactly_with_one_request(
        clocked: tuple[Emulator, Clock]) -> None:
    emu, clock = clocked
    rid = emu.resource_id(HOME, ELECTRICITY)
    refresh("", ELECTRICITY, 10, TZ, now=clock.now)  # cold, nothing stored: one hourly request for 31 days
    assert [p for p, _ in readings_requests(emu)] == ["PT1H"]
    assert not db_file().exists()  # the cold line opens no database

    first = None
    for _ in range(50):  # a day of refreshes, one per half-hour
        clock.now += 1800
        emu.reset_counts()
        refresh("", ELECTRICITY, 10, TZ, now=clock.now)
        (request,) = readings_requests(emu)
        assert request[0] == "PT30M"  # still one request, now in half-hours
        synced_from, synced_to, backfill = progress()
        first = synced_from if first is None else first
        assert synced_from == first and backfill is None  # one range, continued by every refresh
        assert request[1] <= synced_to  # each read continues what is stored: no gap
        assert stored(synced_to, synced_to + 86400) == {}  # nothing undelivered is stored, not even a zero
    assert first is not None
    synced_from, synced_to, _ = progress()
    assert synced_to - synced_from >= 86400
    assert_exact(emu, rid, synced_from, synced_to)
    # the API's own delivery horizon: the history holds every delivered half-hour
    from glowline.data import account

    with account.open_session() as session:
        assert synced_to == session.source.last_time(rid)
    # and the local days the history holds in full sum to the status line's days, to the Wh
    for day, value, complete in days_of():
        a, b = day_start(datetime.fromisoformat(day).date(), LONDON), \
            day_start(datetime.fromisoformat(day).date() + timedelta(days=1), LONDON)
        if complete and synced_from <= a and b <= synced_to:
            assert value is not None and round(value * 1000) == round(math.fsum(stored(a, b).values()) * 1000)


def test_a_plain_sync_backfills_what_no_refresh_stored_and_nothing_twice(clocked: tuple[Emulator, Clock]) -> None:
    from glowline.data import account, history
    from glowline.data.store.sqlite import HistoryStore

    emu, clock = clocked
    rid = emu.resource_id(HOME, ELECTRICITY)
    refresh("", ELECTRICITY, 10, TZ, now=clock.now)
    clock.now += 3600
    refresh("", ELECTRICITY, 10, TZ, now=clock.now)
    fed_from, fed_to, _ = progress()
    # a plain `glowline sync` after only refreshes: from the first reading, as if nothing had been synced
    with account.open_session() as session, HistoryStore() as store:
        site = account.pick_site(session.sites(), "", ELECTRICITY)
        plan = history.plan(session, store, site, ELECTRICITY, None, clock.now)
    assert plan.start == floor(emu.first_time, 1800)
    assert plan.older and plan.older[0][1] == fed_from  # backwards from what the refreshes stored
    # backfill 12 days: only the older windows, then one for what is new
    since = day_start(datetime.fromtimestamp(clock.now, LONDON).date() - timedelta(days=12), LONDON)
    emu.reset_counts()
    sync(clock, ELECTRICITY, since)
    asked = readings_requests(emu, rid)
    assert all(start < fed_from or start >= fed_to for _, start in asked)  # nothing the refreshes stored
    synced_from, synced_to, backfill = progress()
    assert synced_from == since and backfill == since and synced_to >= fed_to
    assert_exact(emu, rid, synced_from, synced_to)
    # a second plain sync continues: what is new only
    emu.reset_counts()
    assert sync(clock, ELECTRICITY, None) <= 1


def test_a_sync_cut_short_in_its_backfill_resumes_the_backfill(clocked: tuple[Emulator, Clock]) -> None:
    from glowline.data import account, history
    from glowline.data.store.sqlite import HistoryStore

    emu, clock = clocked
    rid = emu.resource_id(HOME, ELECTRICITY)
    today = datetime.fromtimestamp(clock.now, LONDON).date()
    sync(clock, ELECTRICITY, day_start(today - timedelta(days=3), LONDON))
    since = day_start(today - timedelta(days=40), LONDON)
    with account.open_session() as session, HistoryStore() as store:  # the backfill killed after one window
        site = account.pick_site(session.sites(), "", ELECTRICITY)
        plan = history.plan(session, store, site, ELECTRICITY, since, clock.now)
        assert len(plan.older) == 4
        plan.older, plan.newer = plan.older[:1], []
        history.run(session, store, plan, lambda n: None)
    cut_from, cut_to, backfill = progress()
    assert since < cut_from and backfill == since
    emu.reset_counts()
    assert sync(clock, ELECTRICITY, None) >= 3  # a plain sync goes on with the backfill it was asked for
    assert progress()[0] == since
    assert all(start < cut_from or start >= cut_to for _, start in readings_requests(emu, rid))
    assert_exact(emu, rid, since, progress()[1])


# -- the history feeds the refreshes --------------------------------------------------------------------------------


@pytest.mark.parametrize(("tz_name", "period"), [("Europe/London", "PT1H"), ("Asia/Kathmandu", "PT30M")])
def test_a_status_line_with_no_cache_after_a_sync_reads_the_history_with_the_apis_numbers(
        clocked: tuple[Emulator, Clock], tz_name: str, period: str) -> None:
    """Hourly days (London) and half-hourly ones (a zone whose midnight is at :15, +05:45) alike."""
    emu, clock = clocked
    today = datetime.fromtimestamp(clock.now, LONDON).date()
    sync(clock, ELECTRICITY, day_start(today - timedelta(days=45), LONDON))
    _, synced_to, _ = progress()
    emu.reset_counts()
    refresh("", ELECTRICITY, 10, tz_name, now=clock.now)  # a new status line: no cache, a history
    (request,) = readings_requests(emu)
    assert request[0] == "PT30M" and request[1] >= synced_to - REREAD - 3600  # only the newest hours
    from_history = days_of(tz_name=tz_name)
    # the same days from the API alone: the numbers depend on the data, not on which commands ran before
    db_file().rename(db_file().with_name("elsewhere.sqlite"))
    forget_cache(tz_name=tz_name)
    emu.reset_counts()
    refresh("", ELECTRICITY, 10, tz_name, now=clock.now)
    assert {p for p, _ in readings_requests(emu)} == {period}
    assert days_of(tz_name=tz_name) == from_history
    assert sum(1 for _, v, complete in from_history if complete and v) >= 28


def test_more_days_than_cached_come_from_the_history(clocked: tuple[Emulator, Clock]) -> None:
    emu, clock = clocked
    today = datetime.fromtimestamp(clock.now, LONDON).date()
    refresh("", ELECTRICITY, 10, TZ, now=clock.now)
    sync(clock, ELECTRICITY, day_start(today - timedelta(days=100), LONDON))
    emu.reset_counts()
    refresh("", ELECTRICITY, 60, TZ, now=clock.now, max_age=3600)  # 81 days: 3 hourly requests without history
    assert readings_requests(emu) == []
    from_history = days_of()
    forget_cache()
    db_file().unlink()
    refresh("", ELECTRICITY, 60, TZ, now=clock.now)
    assert days_of() == from_history


def test_report_reads_the_synced_history_and_asks_only_for_the_newest_hours(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    since = (datetime.now(LONDON).date() - timedelta(days=100)).isoformat()
    assert run(env, "sync", "--since", since, "--resource", "electricity,gas", timeout=120).returncode == 0
    emulator.reset_counts()
    proc = run(env, "report", "--days", "30", "--resource", "electricity,gas", timeout=60)  # 81 days of each
    assert proc.returncode == 0, proc.stderr
    per: dict[str, list[tuple[str, int]]] = {}
    for classifier in ("electricity.consumption", "gas.consumption"):
        per[classifier] = readings_requests(emulator, emulator.resource_id(HOME, classifier))
    assert all(len(asked) == 1 and asked[0][0] == "PT30M" for asked in per.values()), per


# -- never in the way ---------------------------------------------------------------------------------------------


def test_a_history_from_a_newer_glowline_is_left_untouched_and_the_refresh_goes_on(
        clocked: tuple[Emulator, Clock]) -> None:
    _, clock = clocked
    today = datetime.fromtimestamp(clock.now, LONDON).date()
    sync(clock, ELECTRICITY, day_start(today - timedelta(days=2), LONDON))
    db = sqlite3.connect(db_file())
    db.execute("PRAGMA user_version = 9")
    db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in db_file().parent.iterdir()}
    for _ in range(2):  # cold, then a refresh that would feed it
        refresh("", ELECTRICITY, 10, TZ, now=clock.now)
        clock.now += 3600
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in db_file().parent.iterdir()} == before
    assert days_of()


def test_a_full_data_disk_never_stops_the_status_line(home: Path, emulator: Emulator, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "64k") as disk:
        (disk / "filler").write_bytes(b"\0" * 60_000)
        env = {**glowline_env(home, emulator), "GLOWLINE_DATA_DIR": str(disk / "glowline")}
        assert run(env, "fetch").returncode == 0
        age_cache(home, 3600)  # the next refresh reads the newest hours in half-hours and would feed the history
        proc = run(env, "fetch")
        assert proc.returncode == 0 and proc.stderr == "", proc
        line = run(env, "--cached-only")
        assert line.returncode == 0 and "kWh" in line.stdout


def test_two_writers_never_shrink_each_others_range(home: Path) -> None:
    from glowline.data.store.sqlite import HistoryStore, Progress

    with HistoryStore() as store:
        sync_view = Progress("rid", 0, 36000, 72000, 72000, 36000)  # a sync's progress, held while it fetches
        store.add_window("site", ELECTRICITY, [(36000, 0.1)], sync_view)
        assert store.add_recent("site", ELECTRICITY, "rid", [(72000, 0.2)], 70200, 75600, 75600)  # a refresh
        sync_view.synced_from = 18000  # the sync commits an older window with what it read before
        store.add_window("site", ELECTRICITY, [(18000, 0.3)], sync_view)
        p = store.progress("site", ELECTRICITY)
        assert p is not None and (p.synced_from, p.synced_to, p.backfill_from) == (18000, 75600, 36000)
        # a refresh that does not continue the range stores its half-hours and leaves the range alone
        assert not store.add_recent("site", ELECTRICITY, "rid", [(180000, 0.4)], 180000, 181800, 181800)
        p = store.progress("site", ELECTRICITY)
        assert p is not None and (p.synced_from, p.synced_to) == (18000, 75600)
        assert store.readings("site", ELECTRICITY, 180000, 181800) == [(180000, 0.4)]
        # one that overlaps the range's start joins it from there
        assert store.add_recent("site", ELECTRICITY, "rid", [(16200, 0.5)], 16200, 19800, 19800)
        p = store.progress("site", ELECTRICITY)
        assert p is not None and (p.synced_from, p.synced_to) == (16200, 75600)
        # the site's resource replaced: its range starts again under the new id
        assert store.add_recent("site", ELECTRICITY, "new", [], 190000, 190000, 190000)
        p = store.progress("site", ELECTRICITY)
        assert p is not None and (p.resource_id, p.synced_from, p.synced_to) == ("new", 190000, 190000)


def test_a_version_2_database_is_migrated_keeping_what_its_syncs_asked_for(home: Path) -> None:
    from glowline.data.store import sqlite as store

    db_file().parent.mkdir(parents=True, mode=0o700)
    old = sqlite3.connect(db_file())
    for step in store.MIGRATIONS[:2]:
        old.executescript(step)
    old.execute(f"PRAGMA application_id={store.APPLICATION_ID}")
    old.execute("PRAGMA user_version=2")
    old.execute("INSERT INTO progress VALUES ('site', 'gas.consumption', 'rid', 0, 1800, 36000, 36000, 0)")
    old.commit()
    old.close()
    with store.HistoryStore() as history:
        p = history.progress("site", "gas.consumption")
    assert p is not None and (p.synced_from, p.synced_to, p.backfill_from) == (1800, 36000, 1800)
    db = sqlite3.connect(db_file())
    assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION == 5
    db.close()


def test_a_sync_onto_a_full_disk_says_so_and_moves_nothing_aside(home: Path, emulator: Emulator,
                                                                  tmp_path: Path) -> None:
    """The new file cannot even take its schema: the disk's fault, not the file's (it was once called corrupt)."""
    with tmpfs(tmp_path / "disk", "64k") as disk:
        (disk / "filler").write_bytes(b"\0" * 60_000)
        env = {**glowline_env(home, emulator), "GLOWLINE_DATA_DIR": str(disk / "glowline")}
        for _ in range(2):
            proc = run(env, "sync", "--since", datetime.now(LONDON).date().isoformat())
            assert proc.returncode == 11 and proc.stderr.count("\n") == 1, proc
            assert "No space left on device" in proc.stderr and "moved aside" not in proc.stderr
        assert [p.name for p in (disk / "glowline").iterdir() if "corrupt" in p.name] == []


def test_doctor_says_what_the_history_holds_and_when_a_refresh_can_no_longer_join_it(
        home: Path, emulator: Emulator) -> None:
    import json

    env = glowline_env(home, emulator)

    def history_check() -> dict[str, str]:
        proc = run(env, "doctor", "--format", "json", timeout=60)
        return next(c for c in json.loads(proc.stdout)["checks"] if c["name"] == "history")

    assert history_check()["level"] == "OK" and "no " in history_check()["text"]
    assert run(env, "sync", "--since", (datetime.now(LONDON).date() - timedelta(days=2)).isoformat(),
               "--resource", "gas").returncode == 0
    check = history_check()
    assert check["level"] == "OK" and "gas.consumption" in check["text"] and "half-hours" in check["text"], check
    db = sqlite3.connect(db_file())
    db.execute("UPDATE progress SET synced_to = synced_to - 12 * 86400")
    db.commit()
    db.close()
    check = history_check()
    assert check["level"] == "WARN" and "10 days behind" in check["text"] and "glowline sync" in check["fix"]
    db = sqlite3.connect(db_file())
    db.execute("PRAGMA user_version = 9")
    db.close()
    check = history_check()
    assert check["level"] == "WARN" and "newer glowline" in check["text"]
    db = sqlite3.connect(db_file())  # doctor reads, never moves aside or migrates
    assert db.execute("PRAGMA user_version").fetchone()[0] == 9
    db.close()
    assert [p.name for p in db_file().parent.iterdir() if ".sqlite." in p.name] == []


def test_the_demo_never_touches_the_users_history(home: Path, emulator: Emulator) -> None:
    """The demo, report --demo and export --demo refresh against their own emulator: their half-hours go to a
    history of their own, and the user's is neither read nor written (it was the user's data folder before)."""
    env = glowline_env(home, emulator)
    assert run(env, "sync", "--since", datetime.now(LONDON).date().isoformat(), "--resource", "gas").returncode == 0
    mine = db_file().read_bytes()
    for args in (["demo"], ["report", "--demo", "--days", "40"], ["report", "--demo", "--days", "40"],
                 ["export", "--demo", "--days", "40"]):
        proc = run(env, *args, timeout=60)
        assert proc.returncode == 0, proc
    assert db_file().read_bytes() == mine
    assert sorted(p.name for p in db_file().parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "history.lock", "history.sqlite"]


def test_a_status_bars_background_refresh_feeds_the_history(home: Path, emulator: Emulator) -> None:
    """The real route: a stale line prints at once and its detached refresher adds the newest half-hours."""
    env = glowline_env(home, emulator)
    assert run(env, "--format", "tmux", "--timeout", "30").returncode == 0  # cold: the line waits for its refresh
    assert not db_file().exists()
    age_cache(home, 3600)
    emulator.reset_counts()
    stale = run(env, "--format", "tmux")
    assert stale.returncode == 0 and "kWh" in stale.stdout

    def refreshed() -> bool:
        return emulator.count("readings") == 1 and not is_locked(
            str(cache_dir(home) / "default--electricity.consumption.lock")) and db_file().exists()

    assert wait_until(refreshed, 20)
    assert [p for p, _ in readings_requests(emulator)] == ["PT30M"]
    synced_from, synced_to, backfill = progress()
    assert synced_from < synced_to and backfill is None
    assert_exact(emulator, emulator.resource_id(HOME, ELECTRICITY), synced_from, synced_to)


def test_doctor_finds_a_history_others_can_read(home: Path, emulator: Emulator) -> None:
    import json

    env = glowline_env(home, emulator)
    assert run(env, "sync", "--since", datetime.now(LONDON).date().isoformat(), "--resource", "gas").returncode == 0
    os.chmod(db_file(), 0o644)
    proc = run(env, "doctor", "--format", "json", timeout=60)
    files = next(c for c in json.loads(proc.stdout)["checks"] if c["name"] == "files")
    assert files["level"] == "WARN" and f"{db_file()} 0644" in files["text"], files


def test_readers_are_never_blocked_even_after_another_program_switched_off_wal(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    today = datetime.now(LONDON).date()
    assert run(env, "sync", "--since", today.isoformat(), "--resource", "gas").returncode == 0
    db = sqlite3.connect(db_file())
    assert db.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    db.close()
    assert run(env, "sync", "--resource", "gas").returncode == 0
    db = sqlite3.connect(db_file())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # set again on opening
    db.close()
    reader = sqlite3.connect(db_file())
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM readings").fetchone()[0] > 0  # a reader inside a read transaction
    try:  # a sync that writes older windows meanwhile: neither waits for the other
        started = time.monotonic()
        older = (today - timedelta(days=3)).isoformat()
        assert run(env, "sync", "--since", older, "--resource", "gas").returncode == 0
        assert time.monotonic() - started < 20
        assert reader.execute("SELECT count(*) FROM readings").fetchone()[0] > 0
    finally:
        reader.close()
