"""True to the real service (issue 19, the readings side): the emulator plays the service's habits over time
(provisional zeros filled in later, holes back-filled hours later, an absurd half-hour corrected later, ``lastTs`` as
the end of the half-hour) and glowline's numbers still end exact.

One clock is injected into the emulator and into the refresh (``glowline.data.sync``'s clock; report's context) so a
test runs days of hourly `glowline fetch --resource all` in a minute; the commands run in-process through
glowline.cli.main over real HTTP to the emulator, with real JSON caches and a real SQLite history.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from glowline import cli, paths
from glowline.data import settling, sync
from glowline.data.readings import Series, coarsen, floor, screen
from glowline.emulator import APPLICATION_ID, DEMO_PASSWORD, DEMO_USERNAME, Emulator, Habits
from glowline.errors import MalformedResponse
from tests.helpers import LONDON, Clock, age_cache, glowline_env, local_day_bounds, run

HOME = "DCC Sourced"
HOUR = 3600
DAY = 86400
ALL = {"electricity": "electricity.consumption", "gas": "gas.consumption",
       "electricity-cost": "electricity.consumption.cost", "gas-cost": "gas.consumption.cost",
       "export": "electricity.export"}


@dataclass
class World:
    """The emulator, the one clock, and how to run glowline's commands at that clock."""

    emu: Emulator
    clock: Clock
    home: Path
    capsys: pytest.CaptureFixture[str]

    def glowline(self, *args: str) -> tuple[int, str, str]:
        """``glowline ARGS`` in-process at the injected clock: (exit code, stdout, stderr)."""
        self.capsys.readouterr()
        code = cli.main(list(args))
        out, err = self.capsys.readouterr()
        return code, out, err

    def entry(self, classifier: str) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(Path(paths.series_path("", classifier)).read_text())
        return doc

    def truth(self, classifier: str, day: date) -> float:
        """The day's true total from the emulator's own half-hours (the API unit)."""
        rid = self.entry(classifier)["resource_id"]
        a, b = local_day_bounds(day)
        values = [v for _, v in self.emu.half_hours(rid, a, b) if v is not None]
        return math.fsum(values)


def _world(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], habits: Habits,
           start: float) -> World:
    clock = Clock(start)
    emu = Emulator(now=clock, habits=habits)
    emu.start()
    monkeypatch.setenv("GLOWLINE_API_URL", emu.url)
    monkeypatch.setenv("GLOWLINE_USERNAME", DEMO_USERNAME)
    monkeypatch.setenv("GLOWLINE_PASSWORD", DEMO_PASSWORD)
    # the injected clock: the refresh's and the commands' "now" (nothing else of `time` changes)
    shim = types.SimpleNamespace(**{name: getattr(time, name) for name in dir(time) if not name.startswith("_")})
    shim.time = clock
    monkeypatch.setattr(sync, "time", shim)
    from glowline.commands import context, fetch

    monkeypatch.setattr(context, "time", shim)
    monkeypatch.setattr(fetch, "time", shim)  # whether a fetch is due: the half-hour clock, at the same "now"
    return World(emu, clock, home, capsys)


@pytest.fixture
def world(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[World]:
    """Five days back (so the last fetch is about now, and the real line process sees the same days), at :07."""
    start = floor(time.time() - 5 * DAY - 120, 60)
    w = _world(home, monkeypatch, capsys, REAL, start)
    try:
        yield w
    finally:
        w.emu.stop()


#: the habits of the "Done when": provisional zeros, late holes, a glitch (set per test) and lastTs as the end
REAL = Habits(provisional_zeros=True, late_holes=True, last_ts_end=True)


def history_rows(classifier: str) -> dict[int, float]:
    path = Path(os.environ["XDG_DATA_HOME"]) / "glowline" / "history.sqlite"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT start, value FROM readings WHERE resource = ?", (classifier,)))
    finally:
        db.close()


def history_range(classifier: str) -> tuple[int, int]:
    path = Path(os.environ["XDG_DATA_HOME"]) / "glowline" / "history.sqlite"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT synced_from, synced_to FROM progress WHERE resource = ?", (classifier,)).fetchone()
        return int(row[0]), int(row[1])
    finally:
        db.close()


def settled_days(end: float, back: int, classifier: str) -> list[date]:
    """The local days whose every half-hour the service had final well before ``end`` (its habits settle within
    about 1.5 days, export 2.5 days) and that glowline re-read at least once since: they must be exact."""
    margin = (3.5 if classifier == "electricity.export" else 3) * DAY
    last = datetime.fromtimestamp(end, LONDON).date()
    days = [last - timedelta(days=n) for n in range(back)]
    return sorted(d for d in days if local_day_bounds(d)[1] <= end - margin)


def kwh(value: float | None, unit: str) -> float | None:
    """A value in the API unit as the line and report print it (kWh to the Wh, pence as GBP to 1/100 p)."""
    if value is None:
        return None
    return round(value / 100, 4) if unit == "GBP" else round(value, 3)


# -- the "Done when" ------------------------------------------------------------------------------------------------


def test_five_days_of_hourly_fetches_against_the_real_services_habits_end_exact(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    start = floor(time.time() - 5 * DAY - 120, 60)
    glitch = floor(start + 6 * HOUR, 1800)  # delivered during the run, corrected 29 hours later
    w = _world(home, monkeypatch, capsys, Habits(provisional_zeros=True, late_holes=True, glitch_at=glitch,
                                                 last_ts_end=True), start)
    try:
        fetches = 120
        per_resource: dict[str, int] = {}
        for n in range(fetches):
            if n == 1:
                w.emu.reset_counts()  # the cold first fetch (a month in hourly buckets) is not the steady state
            code, _, err = w.glowline("fetch", "--resource", "all")
            assert code == 0, (n, err)  # no fetch fails, the glitch's included
            elec = w.entry("electricity.consumption")
            assert max(v for v in elec["values"] if v is not None) < 10, n  # the glitch is never drawn
            w.clock.now += HOUR
        for r in w.emu.requests:
            if r.kind == "readings":
                per_resource[r.path.split("/")[-2]] = per_resource.get(r.path.split("/")[-2], 0) + 1
        assert len(per_resource) == len(ALL)
        worst = max(per_resource.values()) / (fetches - 1)
        assert worst <= 1.35, per_resource  # polite: about one readings request per resource per fetch
        with capsys.disabled():  # the measure, for `pytest -s`
            print(f"\nreadings requests per resource per fetch: {worst:.2f} at most ({per_resource})")
        w.clock.now -= HOUR
        end = w.clock.now

        # the line, as the status bar prints it (a real process: its "today" is the real clock, about ``end``)
        env = glowline_env(home, w.emu)
        for name, classifier in ALL.items():
            proc = run(env, "--cached-only", "--format", "json", "--resource", name, "--days", "10")
            assert proc.returncode == 0, proc.stderr
            line = json.loads(proc.stdout)
            shown = {d["date"]: d for d in line["days"]}
            days = settled_days(end, 10, classifier)
            assert len(days) >= 5
            for day in days:
                got = shown[day.isoformat()]
                assert got["complete"] and got["value"] == kwh(w.truth(classifier, day), line["unit"]), (name, day)

        # the report at the same clock: its kWh per day
        code, out, err = w.glowline("report", "--format", "json", "--days", "10", "--resource", "electricity,gas")
        assert code == 0, err
        report = json.loads(out)
        for name in ("electricity", "gas"):
            classifier = ALL[name]
            by_day = {d["date"]: d for d in report["resources"][name]["days"]}
            for day in settled_days(end, 10, classifier):
                got = by_day[day.isoformat()]
                assert got["complete"] and got["kwh"] == round(w.truth(classifier, day), 3), (name, day, got)

        # export, per day and per half-hour, at the same clock
        code, out, err = w.glowline("export", "--days", "10", "--period", "day", "--format", "json")
        assert code == 0, err
        rows = {r["timestamp"][:10]: r for r in json.loads(out)["rows"]}
        code, out, err = w.glowline("export", "--days", "10", "--format", "json", "--resource", "electricity")
        assert code == 0, err
        halves = json.loads(out)["rows"]
        for name in ("electricity", "gas"):
            classifier = ALL[name]
            for day in settled_days(end, 10, classifier):
                assert rows[day.isoformat()][f"{name}_kwh"] == pytest.approx(w.truth(classifier, day), abs=5e-4), day
                if name == "electricity":
                    shown = [r["electricity_kwh"] for r in halves if r["timestamp"].startswith(day.isoformat())]
                    assert len(shown) == 48 and None not in shown
                    assert math.fsum(shown) == pytest.approx(w.truth(classifier, day), abs=5e-4), day

        # history.sqlite: every settled day it holds, half-hour by half-hour, and no glitch
        for classifier in ALL.values():
            rows = history_rows(classifier)
            held_from, held_to = history_range(classifier)
            rid = w.entry(classifier)["resource_id"]
            days = [d for d in settled_days(end, 10, classifier)
                    if held_from <= local_day_bounds(d)[0] and local_day_bounds(d)[1] <= held_to]
            assert len(days) >= 3, classifier
            for day in days:
                a, b = local_day_bounds(day)
                truth = {ts: v for ts, v in w.emu.half_hours(rid, a, b) if v is not None}
                stored = {ts: v for ts, v in rows.items() if a <= ts < b}
                assert stored.keys() == truth.keys() and all(
                    stored[ts] == pytest.approx(truth[ts], abs=1e-9) for ts in truth), (classifier, day)
        assert all(v < 10 for v in history_rows(ALL["electricity"]).values())  # the glitch never stored
        code, out, _ = w.glowline("doctor", "--format", "json")
        check = next(c for c in json.loads(out)["checks"] if c["name"] == "history")
        assert check["level"] == "OK" and "revised" in check["text"] and "filled late" in check["text"], check
        print(check["text"])
    finally:
        w.emu.stop()


# -- finding 1: revisions are picked up ----------------------------------------------------------------------------


def test_provisional_zeros_and_late_holes_are_read_again_until_the_days_are_exact(world: World) -> None:
    """Issue 19 finding 1: a refresh re-read only its last 3 hours and the history kept what it first saw, so settled
    days stayed kWh short for good (13.9 kWh shown as 7.7). Electricity alone, hourly, for four days."""
    w = world
    for _ in range(4 * 24):
        code, _, err = w.glowline("fetch", "--resource", "electricity")
        assert code == 0, err
        w.clock.now += HOUR
    w.clock.now -= HOUR
    classifier = ALL["electricity"]
    days_file = Path(paths.days_path("", classifier, "Europe/London")).read_text()
    assert days_file
    series = w.entry(classifier)
    cached = Series(series["start"], series["step"], series["values"])
    rows = history_rows(classifier)
    days = settled_days(w.clock.now, 8, classifier)
    assert len(days) >= 4
    for day in days:
        a, b = local_day_bounds(day)
        truth = w.truth(classifier, day)
        got = math.fsum(v or 0.0 for v in cached.values[(a - cached.start) // cached.step:(b - cached.start)
                                                         // cached.step])
        assert round(got, 3) == round(truth, 3), (day, got, truth)
        if history_range(classifier)[0] <= a:
            assert round(math.fsum(v for ts, v in rows.items() if a <= ts < b), 3) == round(truth, 3), day


# -- finding 2: one glitch is one half-hour ------------------------------------------------------------------------


def test_one_absurd_half_hour_costs_that_half_hour_never_a_fetch_or_the_report(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19 finding 2: a single 47.5 kWh half-hour (corrected 29 hours later) failed every refresh with exit 6
    until then, and report failed whole. Now it is left out (a hole, asked again), recorded for doctor, and its true
    value arrives once corrected."""
    start = floor(time.time() - 3 * DAY, 60)
    glitch = floor(start - 3 * HOUR, 1800)  # delivered an hour before the first fetch
    w = _world(home, monkeypatch, capsys, Habits(glitch_at=glitch), start)
    try:
        rid = None
        failed = 0
        for n in range(40):
            code, _, err = w.glowline("fetch", "--resource", "electricity")
            failed += code != 0
            assert code == 0, (n, err)
            entry = w.entry(ALL["electricity"])
            rid = entry["resource_id"]
            series = Series(entry["start"], entry["step"], entry["values"])
            bucket = series.values[(glitch - series.start) // series.step]
            if n in (1, 20):  # while served absurd: left out (not delivered), never drawn, never stored
                assert bucket is None
                assert glitch not in history_rows(ALL["electricity"])
                code, out, err = w.glowline("report", "--format", "json", "--days", "3", "--resource", "electricity")
                assert code == 0, err
                shown = json.loads(out)["resources"]["electricity"]["days"]
                assert all(d["kwh"] is None or d["kwh"] < 30 for d in shown)
                for span in (["--days", "3"], ["--days", "3", "--period", "hour"]):  # export goes on too
                    code, out, err = w.glowline("export", *span, "--resource", "electricity")
                    assert code == 0 and "47.5" not in out and out.count("\n") > 40, err
            w.clock.now += HOUR
        assert failed == 0
        truth = dict(w.emu.half_hours(rid, glitch, glitch + 1800))[glitch]
        hour = floor(glitch, 3600)
        assert series.values[(hour - series.start) // series.step] == pytest.approx(
            math.fsum(v for _, v in w.emu.half_hours(rid, hour, hour + 3600) if v is not None))  # corrected, read
        assert history_rows(ALL["electricity"])[glitch] == pytest.approx(truth)
        from glowline.data.store.sqlite import changes

        counts, glitches = changes(start - DAY)
        assert counts.get("glitch", 0) >= 1 and (glitch, 47.5) in [(g[2], g[3]) for g in glitches]
        db = sqlite3.connect(Path(os.environ["XDG_DATA_HOME"]) / "glowline" / "history.sqlite")
        assert db.execute("SELECT count(*) FROM changes WHERE kind = 'glitch' AND start = ? AND new = 47.5",
                          (glitch,)).fetchone()[0] == 1  # recorded once, not at every refresh that saw it
        db.close()
        # doctor says it: what was revised or filled late in the last week, and the glitch left out
        code, out, err = w.glowline("doctor", "--format", "json")
        check = next(c for c in json.loads(out)["checks"] if c["name"] == "history")
        assert "filled late" in check["text"] and "implausible half-hour" in check["text"], check
        assert f"electricity.consumption {datetime.fromtimestamp(glitch).strftime('%Y-%m-%d %H:%M')} 47.5" \
            in check["text"], check
    finally:
        w.emu.stop()


def test_an_answer_that_is_all_glitch_is_still_a_failed_refresh() -> None:
    kept, refused = screen("electricity.consumption", [(0, 0.2), (1800, 47.5), (3600, None)], 1800)
    assert kept == [(0, 0.2), (1800, None), (3600, None)] and refused == [(1800, 47.5)]
    with pytest.raises(MalformedResponse, match="only implausible"):
        screen("electricity.consumption", [(0, -5.0), (1800, 47.5), (3600, None)], 1800)
    assert screen("electricity.consumption", [(0, None)], 1800) == ([(0, None)], [])


def test_a_bucket_with_a_half_hour_missing_behind_the_horizon_is_no_short_sum() -> None:
    halves = [(0, 0.2), (1800, None), (3600, 0.1), (5400, 0.3), (7200, 0.4), (9000, None)]
    assert coarsen(halves, 0, 3600) == [(0, 0.2), (3600, 0.4), (7200, 0.4)]  # as the API's PT1H sums
    assert coarsen(halves, 0, 3600, 9000) == [(0, None), (3600, 0.4), (7200, 0.4)]  # the edge's half is pending
    assert coarsen(halves, 0, 3600, 10800) == [(0, None), (3600, 0.4), (7200, None)]


# -- the settling window's rules ------------------------------------------------------------------------------------


def test_the_back_off_of_a_hole_is_1_hour_6_hours_a_day_then_daily_for_30_days() -> None:
    holes = settling.Holes()
    noticed = 1_000_000_000
    holes.update(0, 1800, [(0, None)], noticed)
    asked = []
    now = noticed
    while now < noticed + 35 * DAY:
        now += 600
        if holes.due(now):
            asked.append(now - noticed)
            holes.update(0, 1800, [(0, None)], now)
    assert asked[:5] == [HOUR, 7 * HOUR, 31 * HOUR, 55 * HOUR, 79 * HOUR]
    assert max(asked) <= 30 * DAY and len(asked) == 3 + 28  # daily up to 30 days, then left to `glowline sync`
    holes.update(0, 1800, [(0, 0.1)], now)
    assert holes.items == {}


def test_the_settling_window_is_configurable_and_checked(home: Path) -> None:
    from glowline import config
    from glowline.errors import ConfigError

    assert settling.window("electricity.consumption") == 3 * DAY
    assert settling.window("electricity.export") == 7 * DAY
    conf = config.validate({"settle": {"days": 2, "export_days": 5.5}})
    assert settling.window("gas.consumption", conf) == 2 * DAY
    assert settling.window("electricity.export", conf) == int(5.5 * DAY)
    for bad in ({"days": 0}, {"days": 12}, {"export_days": -1}, {"days": "3"}, {"weeks": 1}):
        with pytest.raises(ConfigError, match="settle"):
            config.validate({"settle": bad})


def test_the_emulator_plays_each_habit_as_a_function_of_its_clock(home: Path) -> None:
    clock = Clock(float(floor(time.time(), 1800) + 600))
    glitch = floor(clock.now, 1800) - 6 * 1800
    emu = Emulator(now=clock, habits=Habits(provisional_zeros=True, late_holes=True, glitch_at=glitch,
                                            last_ts_end=True))
    plain = Emulator(now=clock)
    try:
        rid = emu.resource_id(HOME, "electricity.consumption")
        a = floor(clock.now, 1800) - 3 * DAY
        truth = dict(emu.half_hours(rid, a, clock.now))
        served = dict(emu.delivered(rid, a, clock.now))
        assert served[glitch] == 47.5
        zeros = [ts for ts, v in served.items() if v == 0 and truth[ts] and ts < glitch]
        holes = [ts for ts, v in served.items() if v is None and ts < glitch]
        assert zeros and holes  # provisional zeros and holes behind last-time
        clock.now += 2 * DAY  # later, everything of then is filled in and corrected
        assert dict(emu.delivered(rid, a, glitch + 1800)) == {ts: truth[ts] for ts in truth if ts <= glitch}
        emu.start()
        plain.start()
        import requests

        def last_ts(e: Emulator) -> int:
            token = requests.post(e.url + "auth", json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
                                  headers={"applicationId": APPLICATION_ID}, timeout=10).json()["token"]
            doc = requests.get(e.url + f"resource/{rid}/last-time", headers={
                "applicationId": APPLICATION_ID, "token": token}, timeout=10).json()
            return int(doc["data"]["lastTs"])

        assert last_ts(emu) == last_ts(plain) + 1800  # the end of the last delivered half-hour, not its start
    finally:
        emu.stop()
        plain.stop()


# -- last-time read safely, and never final on one reading --------------------------------------------------------


@pytest.mark.parametrize("last_ts_end", [False, True])
def test_the_edge_is_right_whichever_end_of_the_half_hour_last_time_means(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], last_ts_end: bool) -> None:
    """Read as the start, ``lastTs`` = end takes the undelivered half-hour at the edge for a delivered 0: it is
    re-read with the rest, so the history and the line end exact either way."""
    start = floor(time.time() - 2 * DAY, 60)
    w = _world(home, monkeypatch, capsys, Habits(last_ts_end=last_ts_end), start)
    try:
        classifier = ALL["electricity"]
        edges = []
        for _ in range(8):
            assert w.glowline("fetch")[0] == 0
            entry = w.entry(classifier)
            edges.append(entry["delivered_until"] - 1800)  # the newest half-hour glowline takes as delivered
            w.clock.now += HOUR
        rid = w.entry(classifier)["resource_id"]
        rows = history_rows(classifier)
        truth = dict(w.emu.half_hours(rid, edges[0], edges[-2] + 1800))
        for edge in edges[:-2]:  # each edge, read again by the later refreshes: its true value
            assert rows[edge] == pytest.approx(truth[edge]), edge
    finally:
        w.emu.stop()


def test_every_young_half_hour_is_read_again_at_least_once_a_day_in_one_request_per_refresh(world: World) -> None:
    w = world
    asked: list[tuple[float, int, int]] = []  # (clock, from, to) of every readings request
    rid = None
    for _ in range(4 * 24):
        w.emu.reset_counts()
        assert w.glowline("fetch")[0] == 0
        reads = [r for r in w.emu.requests if r.kind == "readings"]
        assert len(reads) == 1  # the settling read and the holes due ride on the one request
        for r in reads:
            a = datetime.fromisoformat(r.query["from"] + "+00:00").timestamp()
            b = datetime.fromisoformat(r.query["to"] + "+00:00").timestamp() + 1
            asked.append((w.clock.now, int(a), int(b)))
        rid = w.entry(ALL["electricity"])["resource_id"]
        w.clock.now += HOUR
    assert rid is not None
    first_day = list(range(floor(asked[1][0], 1800), floor(asked[1][0] + DAY, 1800), 1800))
    for t in first_day:  # half-hours that came during the run: read again every day while younger than 3 days
        reads = sorted(at for at, a, b in asked if a <= t < b and at > t)
        for day in (1, 2, 3) if reads[0] + 3 * DAY <= asked[-1][0] else (1, 2):
            assert any(reads[0] + (day - 1) * DAY < at <= reads[0] + day * DAY for at in reads), (t, day)


def test_a_half_hour_the_service_no_longer_delivers_is_removed_from_the_history_and_recorded(home: Path) -> None:
    from glowline.data.store.sqlite import HistoryStore, changes

    with HistoryStore() as store:
        store.add_recent("site", "gas.consumption", "rid", [(0, 0.5), (1800, 0.0), (3600, 0.25)], 0, 5400, 5400, 10)
        store.add_recent("site", "gas.consumption", "rid", [(0, 0.5), (1800, 0.75), (5400, 0.1)], 0, 7200, 7200, 20)
        assert store.readings("site", "gas.consumption", 0, 7200) == [(0, 0.5), (1800, 0.75), (5400, 0.1)]
    counts, glitches = changes(0)
    assert counts == {"revised": 1, "removed": 1} and glitches == []  # 5400 was new, not filled late


def test_glowline_sync_alone_takes_the_revisions_once_a_day(world: World) -> None:
    """A history kept by a daily `glowline sync` (no status line, no fetch) also ends exact: what is new starts at
    the settling window once a day, in the same window."""
    from glowline.data import account, history
    from glowline.data.store.sqlite import HistoryStore

    w = world
    classifier = ALL["gas"]
    since = floor(w.clock.now - 6 * DAY, 1800)
    asked = []
    for n in range(4):
        w.emu.reset_counts()
        with account.open_session() as session, HistoryStore() as store:
            site = account.pick_site(session.sites(), "", classifier)
            plan = history.plan(session, store, site, classifier, since if n == 0 else None, w.clock.now)
            history.run(session, store, plan, lambda k: None)
        asked.append(w.emu.count("readings"))
        w.clock.now += DAY
    w.clock.now -= DAY
    assert asked[1:] == [1, 1, 1]  # one request a day: what is new and the settling window together
    with account.open_session() as session:
        rid = account.pick_site(session.sites(), "", classifier).resource(classifier).resource_id
    rows = history_rows(classifier)
    days = settled_days(w.clock.now, 8, classifier)
    assert len(days) >= 4
    for day in days:
        a, b = local_day_bounds(day)
        truth = {ts: v for ts, v in w.emu.half_hours(rid, a, b) if v is not None}
        assert {ts: v for ts, v in rows.items() if a <= ts < b} == pytest.approx(truth), day


def test_a_hole_beyond_the_refreshs_reach_costs_one_more_request_when_due(world: World) -> None:
    """A hole older than the 10 days the refresh's request covers (the DCC can fill reads weeks later) is asked in
    one more half-hourly request when its back-off says so, and leaves the tracker once delivered."""
    w = world
    classifier = ALL["electricity"]
    assert w.glowline("fetch")[0] == 0
    w.clock.now += HOUR
    assert w.glowline("fetch")[0] == 0
    path = Path(paths.series_path("", classifier))
    doc = json.loads(path.read_text())
    old = floor(w.clock.now - 15 * DAY, 1800) + 1800
    doc["holes"] = [[old, w.clock.now - 2 * HOUR, w.clock.now - 2 * HOUR]]  # seen missing 2 hours ago: due
    path.write_text(json.dumps(doc))
    w.clock.now += HOUR
    w.emu.reset_counts()
    assert w.glowline("fetch")[0] == 0
    reads = sorted(datetime.fromisoformat(r.query["from"] + "+00:00").timestamp()
                   for r in w.emu.requests if r.kind == "readings")
    assert len(reads) == 2 and reads[0] == floor(old, 3600), reads
    assert old not in [h[0] for h in json.loads(path.read_text())["holes"]]  # delivered: no hole any more
    assert old in history_rows(classifier)
    w.clock.now += HOUR
    w.emu.reset_counts()
    assert w.glowline("fetch")[0] == 0
    assert w.emu.count("readings") == 1  # nothing due any more


def test_glowline_emulator_plays_the_real_service_on_asking() -> None:
    """`glowline emulator --real-service` (and each habit's own flag): lastTs as the end, the glitch 3 hours back."""
    import signal
    import subprocess
    import sys

    import requests

    from tests.helpers import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "glowline", "emulator", "--port", "0", "--real-service"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        headers = {"applicationId": APPLICATION_ID}
        token = requests.post(url + "auth", json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
                              headers=headers, timeout=10).json()["token"]
        headers["token"] = token
        resources = requests.get(url + "resource", headers=headers, timeout=10).json()
        rid = next(r["resourceId"] for r in resources if r["classifier"] == "electricity.consumption"
                   and r["dataSourceType"] == "AMRAPI")
        now = time.time()
        last = requests.get(url + f"resource/{rid}/last-time", headers=headers, timeout=10).json()["data"]["lastTs"]
        # lag 2: the end of the half-hour that started 3 before now's (a boundary may pass meanwhile)
        assert last in (floor(now, 1800) - 2 * 1800, floor(now, 1800) - 1800)

        def utc(epoch: int) -> str:
            return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")

        a = floor(now, 1800) - 7 * 1800
        doc = requests.get(url + f"resource/{rid}/readings", headers=headers, timeout=10, params={
            "from": utc(a), "to": utc(a + 3 * 1800 - 1), "period": "PT30M", "function": "sum", "offset": "0",
            "nulls": "1"}).json()
        assert [v for _, v in doc["data"]].count(47.5) == 1  # the glitch: the half-hour 3 hours before the start
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_spoilt_history_row_within_the_settling_window_is_replaced_by_the_next_settling_read(
        home: Path, emulator: Emulator) -> None:
    """Rows spoilt by hand (text, 1e308, -50) are skipped when read back (tests/test_history_gate.py); one within the
    settling window is also replaced by the API's value at the next settling read."""
    env = glowline_env(home, emulator)
    since = (datetime.now(LONDON).date() - timedelta(days=2)).isoformat()
    assert run(env, "sync", "--since", since, "--resource", "electricity").returncode == 0
    assert run(env, "fetch").returncode == 0  # cold: hourly buckets, no settling read yet
    path = Path(os.environ["XDG_DATA_HOME"]) / "glowline" / "history.sqlite"
    db = sqlite3.connect(path)
    starts = [floor(time.time() - DAY, 1800) + n * 1800 for n in range(3)]
    for start, value in zip(starts, ("'abc'", "1e308", "-50"), strict=True):
        assert db.execute(f"UPDATE readings SET value = {value} WHERE resource = ? AND start = ?",
                          (ALL["electricity"], start)).rowcount == 1
    db.commit()
    db.close()
    age_cache(home, 3600)  # due again on the half-hour clock
    assert run(env, "fetch").returncode == 0  # the first warm refresh reads the settling window again
    rid = emulator.resource_id(HOME, ALL["electricity"])
    truth = dict(emulator.half_hours(rid, starts[0], starts[-1] + 1800))
    rows = history_rows(ALL["electricity"])
    assert {ts: rows[ts] for ts in starts} == pytest.approx({ts: truth[ts] for ts in starts})
