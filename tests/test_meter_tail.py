"""Today, exactly (issue 22): the meter's own registers fill the hours the DCC has not delivered yet.

Through a REAL mosquitto and `glowline live --daemon`: the emulated IHD's messages (a burst in meter order, then live
ones) are recorded at half-hour boundaries by their stamps, and today's and yesterday's electricity and gas in
`--format json` equal the meter's registers to 5 Wh, with "from_meter" saying how much came from the register; with
no live data the line is the delivered half-hours alone. The record and the tail are also tested on their own: late,
older and backwards messages, missing samples, stale data, half-hours arriving (the tail shrinks, nothing counted
twice), gas steps, export, BST days.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from glowline.data import registers as recording
from glowline.emulator import Emulator
from glowline.emulator.household import LONDON
from glowline.status import registers as record_file
from glowline.status import tail
from glowline.status.days import Summary
from glowline.status.model import Day
from tests.helpers import cache_dir, glowline_env, run, wait_until
from tests.live_broker import Broker, broker, popen, stop  # noqa: F401  (broker: the fixture)

HH = 1800
MAC = "BCDDC2C6A91C"
COTTAGE = "Holiday Cottage"
WH = 0.005  # the tolerance: 5 Wh


def local_midnight(epoch: float, days_back: int = 0) -> int:
    day = datetime.fromtimestamp(epoch, LONDON).date() - timedelta(days=days_back)
    return int(datetime(day.year, day.month, day.day, tzinfo=LONDON).timestamp())


# -- the record ------------------------------------------------------------------------------------------------------


def recorder(tmp_path: Path, now: float) -> recording.Recorder:
    return recording.Recorder(str(tmp_path / "live.registers"), clock=lambda: now, write_every=0.0)


def test_electricity_is_interpolated_at_the_boundary_by_the_meters_stamps(tmp_path: Path) -> None:
    b = 1_780_000_200  # a half-hour boundary
    assert b % HH == 0
    rec = recorder(tmp_path, b + 3 * HH)
    assert rec.add(MAC, "electricity.consumption", b - 4, 100.000)
    assert rec.add(MAC, "electricity.consumption", b + 6, 100.010)
    track = rec.record[MAC]["electricity.consumption"]
    assert track.boundaries[b] == pytest.approx(100.004)
    # older than the newest seen: ignored; backwards: a glitch, ignored
    assert not rec.add(MAC, "electricity.consumption", b + 2, 100.100)
    assert not rec.add(MAC, "electricity.consumption", b + 12, 99.0)
    assert track.newest == 100.010 and track.newest_at == b + 6 and rec.ignored == 2
    # a gap longer than MAX_GAP around a boundary: no sample there (never a guess)
    assert rec.add(MAC, "electricity.consumption", b + HH + 400, 100.500)
    assert b + HH not in track.boundaries
    # a message stamped on the boundary is the boundary
    assert rec.add(MAC, "electricity.consumption", b + 2 * HH, 100.600)
    assert track.boundaries[b + 2 * HH] == 100.600
    # implausible registers and stamps never enter: the gate
    assert not rec.add(MAC, "electricity.consumption", b + 2 * HH + 10, float("nan"))
    assert not rec.add(MAC, "electricity.consumption", b + 86400 * 365, 101.0)


def test_gas_steps_at_the_boundary(tmp_path: Path) -> None:
    b = 1_780_000_200
    rec = recorder(tmp_path, b + 3 * HH)
    rec.add(MAC, "gas.consumption", b - 20, 500.0)  # the step at b - HH
    rec.add(MAC, "gas.consumption", b + 10, 500.0)  # the meter has not stepped yet
    rec.add(MAC, "gas.consumption", b + 190, 500.7)  # the step at b, a few minutes late
    rec.add(MAC, "gas.consumption", b + 1000, 500.7)
    track = rec.record[MAC]["gas.consumption"]
    assert track.boundaries[b - HH] == 500.0 and track.boundaries[b] == 500.7


def test_the_record_is_written_atomically_bounded_and_read_back(tmp_path: Path) -> None:
    start = 1_780_000_200
    rec = recorder(tmp_path, start + 10 * 86400)
    for i in range(0, 8 * 86400, 600):  # eight days of messages every 10 minutes (below MAX_GAP: 5 minutes?)
        rec.add(MAC, "electricity.consumption", start + i, 1000 + i / 3600)
        rec.add(MAC, "electricity.export", start + i, 0.0)
    rec.save()
    path = tmp_path / "live.registers"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    back = record_file.read(path=str(path))
    track = back[MAC]["electricity.consumption"]
    assert track.newest_at == start + 8 * 86400 - 600
    assert min(track.boundaries) >= track.newest_at - recording.KEEP_SECONDS  # a few days, never more
    assert path.stat().st_size < record_file.MAX_BYTES
    assert record_file.read("gas.consumption", str(path)) == {}
    assert set(record_file.read("electricity.export", str(path))[MAC]) == {"electricity.export"}
    path.write_text(path.read_text().replace("end\n", ""))  # truncated: no record, no error
    assert record_file.read(path=str(path)) == {}


# -- the tail --------------------------------------------------------------------------------------------------------


def summary(days: list[Day], delivered: int, meter: str = MAC, resource: str = "electricity.consumption",
            since: str = "07:30") -> Summary:
    return Summary(resource, "kWh", "Europe/London", COTTAGE, delivered, days, meter, delivered, since)


def write_record(path: Path, resource: str, newest_at: int, newest: float, boundaries: dict[int, float]) -> None:
    track = record_file.Track(newest_at, newest, boundaries)
    path.write_text(record_file.encode({MAC: {resource: track}}))


def test_the_tail_fills_what_the_dcc_has_not_delivered_and_shrinks_as_half_hours_arrive(tmp_path: Path) -> None:
    # 2026-07-01 is a BST day: local midnight is 23:00 UTC the day before
    today = local_midnight(datetime(2026, 7, 1, 12, tzinfo=LONDON).timestamp())
    yday = today - 86400
    assert datetime.fromtimestamp(today, LONDON).hour == 0 and today % 3600 == 0
    h = today - 2 * 3600  # the DCC has delivered up to 22:00 yesterday
    now = today + 9 * 3600 + 17
    path = tmp_path / "live.registers"
    regs = {h: 10.0, today: 10.7, today + 3600: 11.6}
    write_record(path, "electricity.consumption", now - 5, 13.5, regs)
    days = [Day("2026-06-30", yday, today, 8.0, False), Day("2026-07-01", today, today + 86400, None, False)]
    got = tail.tails(summary(days, h, since="22:00"), now, 60.0, str(path))
    assert got["2026-06-30"] == (pytest.approx(0.7), "22:00")
    assert got["2026-07-01"] == (pytest.approx(2.8), "00:00")
    # the DCC delivers up to 01:00 today: yesterday is whole, today's delivered part replaces the register's
    days = [Day("2026-06-30", yday, today, 8.7, True), Day("2026-07-01", today, today + 86400, 0.9, False)]
    got = tail.tails(summary(days, today + 3600, since="01:00"), now, 60.0, str(path))
    assert "2026-06-30" not in got and got["2026-07-01"] == (pytest.approx(1.9), "01:00")
    assert 0.9 + got["2026-07-01"][0] == pytest.approx(2.8)  # the same day, nothing counted twice
    # stale live data, no sample at the horizon, another device, a cost resource: no tail, no error
    assert tail.tails(summary(days, today + 3600), now + 120, 60.0, str(path)) == {}
    assert tail.tails(summary(days, today + 1800), now, 60.0, str(path)) == {}
    assert tail.tails(summary(days, today + 3600, meter="AAAAAAAAAAAA"), now, 60.0, str(path)) == {}
    assert tail.tails(summary(days, today + 3600, meter=""), now, 60.0, str(path)) == {}
    assert tail.tails(summary(days, today + 3600, resource="electricity.consumption.cost"), now, 60.0,
                      str(path)) == {}
    (tmp_path / "missing").mkdir()
    assert tail.tails(summary(days, today + 3600), now, 60.0, str(tmp_path / "missing" / "x")) == {}


def test_gas_and_export_take_the_same_tail(tmp_path: Path) -> None:
    today = local_midnight(datetime(2026, 12, 4, 12, tzinfo=LONDON).timestamp())
    now = today + 5 * 3600 + 40
    path = tmp_path / "live.registers"
    for resource in ("gas.consumption", "electricity.export"):
        write_record(path, resource, now - 3, 7.5, {today + 3600: 5.0})
        days = [Day("2026-12-04", today, today + 86400, 1.25, False)]
        assert tail.tails(summary(days, today + 3600, resource=resource, since="01:00"), now, 60.0,
                          str(path)) == {"2026-12-04": (pytest.approx(2.5), "01:00")}


def test_the_meter_that_agrees_with_the_dcc_is_the_sites(tmp_path: Path) -> None:
    b = 1_780_000_200
    mine = record_file.Track(b + 7300, 12.0, {b: 10.0, b + HH: 10.5, b + 2 * HH: 11.2})
    other = record_file.Track(b + 7300, 52.0, {b: 50.0, b + HH: 51.5, b + 2 * HH: 51.6})
    record = {MAC: {"electricity.consumption": mine}, "AAAAAAAAAAAA": {"electricity.consumption": other}}
    dcc = [(b, 0.5), (b + HH, 0.701), (b + 2 * HH, 0.0)]
    assert recording.compare(mine, dcc, HH, b + 2 * HH).text() == "meter and DCC agree on 2 half-hours, worst 1 Wh"
    disagree = recording.compare(other, dcc, HH, b + 2 * HH)
    assert not disagree.agrees and disagree.text().startswith("meter and DCC disagree on 2 of 2 half-hours")
    assert recording.pick_device(record, "electricity.consumption", dcc, HH, b + 2 * HH, only_site=False) == MAC
    # before any overlap: a one-site account takes the one device the status line finds (or [live] device)
    early = {MAC: {"electricity.consumption": mine}}
    assert recording.pick_device(early, "electricity.consumption", dcc, HH, b, only_site=True) == "*"
    assert recording.pick_device({}, "electricity.consumption", dcc, HH, b, only_site=True) == "*"
    assert recording.pick_device(early, "electricity.consumption", dcc, HH, b, True, MAC) == MAC
    assert recording.pick_device(early, "electricity.consumption", dcc, HH, b, only_site=False) == ""
    assert recording.pick_device(record, "electricity.consumption", dcc, HH, b + 2 * HH, False, "AAAAAAAAAAAA") == ""
    # a device that disagrees is never taken, not even on a one-site account
    wrong = {"AAAAAAAAAAAA": {"electricity.consumption": other}}
    assert recording.pick_device(wrong, "electricity.consumption", dcc, HH, b + 2 * HH, only_site=True) == ""
    assert record_file.track_of(early, "*", "electricity.consumption") is mine
    assert record_file.track_of(record, "*", "electricity.consumption") is None  # two devices: which one?


# -- through mosquitto and `glowline live --daemon` -------------------------------------------------------------------


@pytest.fixture
def lagging(broker: Broker) -> Iterator[tuple[Emulator, Any, int]]:  # noqa: F811
    """The emulator with its DCC delivering the cottage's electricity and gas only up to 22:00 yesterday (local),
    its IHD (not started) current; (emulator, IHD publisher, the delivery horizon)."""
    emu = Emulator().start()
    now = time.time()
    horizon = local_midnight(now) - 2 * 3600
    for classifier in ("electricity.consumption", "gas.consumption"):
        emu.hold_at(emu.resource_id(COTTAGE, classifier), horizon)  # however long the test takes
    ihd = emu.ihd(broker.url, interval=0.5)
    try:
        yield emu, ihd, horizon
    finally:
        ihd.stop()
        emu.stop()


def line(env: dict[str, str], resource: str) -> dict[str, Any]:
    proc = run(env, "--format", "json", "--site", COTTAGE, "--resource", resource, "--days", "2", timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def meter(ihd: Any, resource: str, since: int, until: float) -> float:
    """What the emulated meter's register moved from ``since`` to ``until`` (gas: as of its last step)."""
    res = ihd.electricity if resource == "electricity" else ihd.gas
    if resource == "gas":
        until = until // HH * HH
    return float(ihd.household.register_kwh(res, since, until))


def test_today_and_yesterday_equal_the_meter_through_the_daemon(
    home: Path, broker: Broker, lagging: tuple[Emulator, Any, int]  # noqa: F811
) -> None:
    emu, ihd, horizon = lagging
    env = glowline_env(home, emu, GLOWLINE_MQTT_URL=broker.url)
    record = cache_dir(home) / "live.registers"
    # without live data: the delivered half-hours alone, no error
    for resource in ("electricity", "gas"):
        alone = line(glowline_env(home.parent / "alone", emu), resource)
        assert alone["error"] is None and all(not d.get("from_meter") for d in alone["days"])
        res = emu.resource_id(COTTAGE, f"{resource}.consumption")
        delivered = sum(v for _, v in emu.delivered(res, local_midnight(time.time(), 1), horizon) if v)
        assert alone["days"][0]["value"] == pytest.approx(delivered, abs=0.0011)
    daemon = popen(env, "live", "--daemon")
    try:
        start = horizon - 2 * 3600 + 7  # the IHD's messages of the last hours, queued by the broker: one burst
        assert wait_until(lambda: ihd.burst(start - 600, start - 590) > 0 and record.exists(), 20)
        ihd.burst(start, time.time(), 20.0)
        ihd.start()
        assert wait_until(lambda: "\tgas.consumption\t" in record.read_text()
                          and time.time() - newest(record) < 3, 20)
        for resource in ("electricity", "gas"):  # the first line refreshes: the IHD that agrees is the site's
            before = time.time()
            doc = line(env, resource)
            after = time.time()
            yday, today = doc["days"]
            midnight, yday_start = local_midnight(before), local_midnight(before, 1)
            assert meter(ihd, resource, midnight, before) - WH <= today["value"] <= meter(
                ihd, resource, midnight, after) + WH, (resource, today)
            assert today["from_meter"] == pytest.approx(today["value"], abs=0.0011)  # all of today is the meter's
            assert yday["value"] == pytest.approx(meter(ihd, resource, yday_start, midnight), abs=WH)
            assert yday["from_meter"] == pytest.approx(meter(ihd, resource, horizon, midnight), abs=WH)
            assert not today["complete"] and not yday["complete"]  # not over and delivered
        # report: the same days, marked, in its table and its JSON
        shown = {}
        for resource in ("electricity", "gas"):
            shown[resource] = line(env, resource)["days"]
        rep = run(env, "report", "--site", COTTAGE, "--days", "2", "--format", "json", timeout=90)
        assert rep.returncode == 0, rep.stderr
        for resource in ("electricity", "gas"):
            days = json.loads(rep.stdout)["resources"][resource]["days"]
            for got, want in zip(days, shown[resource], strict=True):
                assert got["from_meter"] == pytest.approx(want["from_meter"], abs=WH)
                assert got["kwh"] == pytest.approx(want["value"], abs=WH)
        text = run(env, "report", "--site", COTTAGE, "--days", "2", "--width", "120", timeout=90).stdout
        assert "~m" in text and "m: with the meter's register" in text and "from the meter since 22:00" in text
        proc = run(env, "doctor", "--format", "json", "--timeout", "5", timeout=90)
        checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
        meter_check = checks["meter"]
        assert meter_check["level"] == "OK", meter_check
        for classifier in ("electricity.consumption", "gas.consumption"):
            assert f"{ihd.mac} {classifier} ({COTTAGE}): meter and DCC agree on " in meter_check["text"]
        assert "half-hours, worst 0 Wh" in meter_check["text"] or "worst 1 Wh" in meter_check["text"], meter_check
        # the IHD goes quiet: once its newest message is older than [live] max_age, the days are the DCC's alone
        ihd.stop()
        config = home / ".config" / "glowline" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("[live]\nmax_age = 2\n")
        time.sleep(3)
        for resource in ("electricity", "gas"):
            quiet = line(env, resource)
            assert quiet["error"] is None and all("from_meter" not in d for d in quiet["days"]), quiet
            assert quiet["days"][1]["value"] is None and quiet["days"][0]["value"] < shown[resource][0]["value"]
    finally:
        assert stop(daemon) == 0


def newest(record: Path) -> float:
    stamps = [float(line.split("\t")[3]) for line in record.read_text().splitlines()
              if line.startswith("n\t") and "\telectricity.consumption\t" in line]
    return max(stamps, default=0.0)


# -- doctor ----------------------------------------------------------------------------------------------------------


def test_doctor_flags_a_register_that_disagrees_with_the_dcc(home: Path) -> None:
    """A second meter (or another home's IHD): the DCC's half-hours and the register's movement differ."""
    from glowline.data.store.sqlite import HistoryStore
    from tests.helpers import env_for

    b = (int(time.time()) // HH - 10) * HH
    halves = [(b + i * HH, 0.4) for i in range(6)]
    with HistoryStore(timeout=5.0).open() as store:
        store.add_recent("site-1", "electricity.consumption", "rid-1", halves, b, b + 6 * HH, b + 6 * HH)
    agrees = {b + i * HH: 100.0 + 0.4 * i for i in range(7)}
    differs = {b + i * HH: 100.0 + 0.9 * i for i in range(7)}
    cache_dir(home).mkdir(parents=True, mode=0o700)
    for boundaries, level, words in ((agrees, "OK", "meter and DCC agree on 6 half-hours, worst 0 Wh"),
                                     (differs, "WARN", "meter and DCC disagree on 6 of 6 half-hours, worst 500 Wh")):
        write_record(cache_dir(home) / "live.registers", "electricity.consumption", b + 7 * HH, 105.0, boundaries)
        proc = run(env_for(home), "doctor", "--format", "json", "--timeout", "2", timeout=90)
        check = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}["meter"]
        assert check["level"] == level and words in check["text"], check
        assert f"{MAC} electricity.consumption (site-1)" in check["text"]
    assert "is [live] device this site's meter" in check["fix"]


def test_the_emulator_holds_back_the_dccs_half_hours_while_the_ihd_stays_current() -> None:
    with Emulator() as emu:
        rid = emu.resource_id(COTTAGE, "electricity.consumption")
        now = time.time()
        current = int(now) // HH * HH
        emu.set_lag(rid, 20)  # ten hours
        delivered = dict(emu.delivered(rid, current - 24 * HH, current))
        assert all(delivered[current - k * HH] == 0 for k in range(1, 21))
        assert delivered[current - 21 * HH] and delivered[current - 21 * HH] == dict(
            emu.half_hours(rid, current - 21 * HH, current - 20 * HH))[current - 21 * HH]
        ihd = emu.ihd("mqtt://127.0.0.1:1")
        doc = json.loads(ihd.electricity_payload(now))["electricitymeter"]
        true = sum(v or 0.0 for _, v in emu.half_hours(rid, current - 20 * HH, current))
        moved = doc["energy"]["import"]["cumulative"] - json.loads(
            ihd.electricity_payload(current - 20 * HH))["electricitymeter"]["energy"]["import"]["cumulative"]
        part = float(ihd.household.register_kwh(ihd.electricity, current, int(now)))
        assert moved == pytest.approx(true + part, abs=0.002)  # the IHD's register has all of it
        emu.hold_at(rid, current - 30 * HH)  # delivery stops there, however late it gets
        assert dict(emu.delivered(rid, current - 31 * HH, current - 29 * HH)) == {
            current - 31 * HH: dict(emu.half_hours(rid, current - 31 * HH, current - 30 * HH))[current - 31 * HH],
            current - 30 * HH: 0}
        emu.hold_at(rid, None)
        emu.set_lag(None, 0)  # every resource delivered up to the current half-hour
        assert dict(emu.delivered(rid, current - HH, current))[current - HH] == dict(
            emu.half_hours(rid, current - HH, current))[current - HH]


def test_the_record_stays_bounded_with_many_devices_and_old_ones(tmp_path: Path) -> None:
    """A broker shared with the neighbours' IHDs, a device replaced last week: the record keeps the devices heard
    from most recently, forgets registers silent for KEEP_SECONDS, and stays within what the status line reads."""
    start = 1_780_000_200
    rec = recorder(tmp_path, start + 20 * 86400)
    rec.add("OLD000000000", "electricity.consumption", start, 5.0)
    later = start + recording.KEEP_SECONDS + 3600
    for n in range(12):
        for i in range(0, 4 * 86400, 60):
            rec.add(f"{n:012X}", "electricity.consumption", later + i + n, 100.0 + i / 3600)
    rec.save()
    back = record_file.read(path=str(tmp_path / "live.registers"))
    assert "OLD000000000" not in back and len(back) == recording.MAX_DEVICES
    assert set(back) == {f"{n:012X}" for n in range(12 - recording.MAX_DEVICES, 12)}
    assert (tmp_path / "live.registers").stat().st_size < record_file.MAX_BYTES


def test_export_takes_the_registers_tail_the_same_way(home: Path, broker: Broker) -> None:  # noqa: F811
    """Export settles about a day late: with the DCC's export delivered only to 10:00 on a recent sunny day and an IHD
    at the home that exports, every day since equals the export register's movement, and says what it took."""
    home_site = "DCC Sourced"
    with Emulator() as emu:
        rid = emu.resource_id(home_site, "electricity.export", source="ADHOC")
        ihd = emu.ihd(broker.url, interval=0.5, site=home_site, mac="AABBCCDDEEFF")
        export = ihd.export
        assert export is not None
        now = time.time()
        register = ihd.household.register_kwh
        # the latest of the last three days whose afternoon exported something (a winter day can be all cloud)
        back = next(d for d in (1, 2, 3) if register(export, local_midnight(now, d) + 10 * 3600,
                                                     local_midnight(now, d - 1)) > 0.05)
        horizon = local_midnight(now, back) + 10 * 3600
        emu.set_lag(rid, 0)
        emu.hold_at(rid, horizon)
        env = glowline_env(home, emu, GLOWLINE_MQTT_URL=broker.url)
        record = cache_dir(home) / "live.registers"
        daemon = popen(env, "live", "--daemon")
        try:
            start = horizon - 2 * 3600  # every 3 minutes, one on each boundary: a day or more of messages at once
            assert wait_until(lambda: ihd.burst(start - 600, start - 590) > 0 and record.exists(), 20)
            ihd.burst(start, time.time(), 180.0)
            ihd.start()
            assert wait_until(lambda: time.time() - newest(record) < 3, 30)
            proc = run(env, "--format", "json", "--site", home_site, "--resource", "export", "--days", str(back + 1))
            assert proc.returncode == 0, proc.stderr
            days = json.loads(proc.stdout)["days"]
            assert len(days) == back + 1
            for i, day in enumerate(days):
                start_of, end_of = local_midnight(now, back - i), local_midnight(now, back - i - 1)
                until = min(end_of, time.time())
                assert day["value"] == pytest.approx(register(export, start_of, until), abs=WH), (i, day)
                took = register(export, max(start_of, horizon), until)
                assert day.get("from_meter", 0.0) == pytest.approx(took, abs=WH), (i, day)
            assert days[0]["from_meter"] > 0.05 and not days[0]["complete"]
        finally:
            ihd.stop()
            assert stop(daemon) == 0


def test_two_subscribers_never_drop_each_others_boundaries(tmp_path: Path) -> None:
    """The daemon and a `watch` (or a one-shot `glowline live`) write the same record: each keeps what the other
    recorded."""
    b = 1_780_000_200
    daemon, watch = recorder(tmp_path, b + 3 * HH), recorder(tmp_path, b + 3 * HH)  # both loaded an empty record
    daemon.add(MAC, "electricity.consumption", b - 5, 10.0)
    daemon.add(MAC, "electricity.consumption", b + 5, 10.2)
    daemon.save()
    watch.add(MAC, "electricity.consumption", b + HH - 5, 11.0)
    watch.add(MAC, "electricity.consumption", b + HH + 5, 11.2)
    watch.save()  # written last, from a recorder that never saw the boundary b
    track = record_file.read(path=str(tmp_path / "live.registers"))[MAC]["electricity.consumption"]
    assert track.boundaries == {b: pytest.approx(10.1), b + HH: pytest.approx(11.1)}
    assert (track.newest_at, track.newest) == (b + HH + 5, 11.2)


def test_a_live_watch_records_the_registers_too(home: Path, broker: Broker) -> None:  # noqa: F811
    """Whatever subscribes to the IHD records: a `watch` with [live] configured, no daemon running."""
    with Emulator(mqtt=broker.url, mqtt_interval=0.2) as emu:
        env = glowline_env(home, emu, GLOWLINE_MQTT_URL=broker.url)
        watch = popen(env, "watch", "--format", "i3bar", "--interval", "300")
        record = cache_dir(home) / "live.registers"
        try:
            assert wait_until(lambda: record.exists() and time.time() - newest(record) < 5, 30)
            text = record.read_text()
            for classifier in ("electricity.consumption", "electricity.export", "gas.consumption"):
                assert f"n\t{emu.glow_mac}\t{classifier}\t" in text, text[:500]
        finally:
            assert stop(watch) == 0
