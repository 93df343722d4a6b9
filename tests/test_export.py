"""`glowline export` against the emulator over HTTP: exact values, BST days, lagged zeros, files, JSON, streaming."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from glowline.commands import export as export_command
from glowline.data import export
from tests.test_tariff import parse_args

LONDON = ZoneInfo("Europe/London")
HOME = "DCC Sourced"


def run_export(*argv: str, conf: dict[str, object] | None = None) -> str:
    out = io.StringIO()
    assert export_command.run(parse_args("export", *argv), conf or {}, out) == 0
    return out.getvalue()


def table(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=LONDON).timestamp())


def number(text: str) -> float | None:
    return None if text == "" else float(text)


@pytest.mark.parametrize(("day", "count", "first_offset", "last_offset"), [
    (date(2026, 3, 29), 46, "+00:00", "+01:00"),  # spring forward: 23 hours
    (date(2026, 10, 25), 50, "+01:00", "+00:00"),  # fall back: 25 hours
])
def test_bst_days_have_the_right_rows_and_exact_values(
    account: Any, day: date, count: int, first_offset: str, last_offset: str
) -> None:
    text = run_export("--from", day.isoformat(), "--to", day.isoformat())
    header, rows = table(text)
    assert header == ["timestamp", "timestamp_utc", "electricity_kwh", "gas_kwh", "electricity_gbp", "gas_gbp"]
    assert len(rows) == count
    stamps = [datetime.fromisoformat(r["timestamp_utc"]) for r in rows]
    assert all(s.utcoffset() == timedelta(0) for s in stamps)
    epochs = [int(s.timestamp()) for s in stamps]
    assert epochs == list(range(midnight(day), midnight(day + timedelta(days=1)), 1800))  # no gap, no repeat
    # the local wall clock beside it: the row's instant in London, without its offset
    assert rows[0]["timestamp"] == f"{day.isoformat()}T00:00:00"
    for row, epoch in zip(rows, epochs, strict=True):
        assert row["timestamp"] == datetime.fromtimestamp(epoch, LONDON).replace(tzinfo=None).isoformat()
    offsets = [datetime.fromtimestamp(e, LONDON).isoformat()[-6:] for e in epochs]
    assert offsets[0] == first_offset and offsets[-1] == last_offset
    doc = json.loads(run_export("--from", day.isoformat(), "--to", day.isoformat(), "--format", "json"))
    assert [(r["timestamp"], r["timestamp_utc"]) for r in doc["rows"]] == [
        (r["timestamp"], r["timestamp_utc"]) for r in rows]  # the same keys and values as the CSV's columns
    for name, classifier in (("electricity", "electricity.consumption"), ("gas", "gas.consumption")):
        rid = account.resource_id(HOME, classifier)
        truth = account.half_hours(rid, epochs[0], epochs[-1] + 1800)
        priced = account.half_hours(account.resource_id(HOME, f"{classifier}.cost"), epochs[0], epochs[-1] + 1800)
        assert [number(r[f"{name}_kwh"]) for r in rows] == [v for _, v in truth]
        for r, (_, v), (_, pence) in zip(rows, truth, priced, strict=True):  # *_gbp: the meter's priced half-hours
            assert v is not None and pence is not None
            assert number(r[f"{name}_gbp"]) == pytest.approx(pence / 100, abs=1e-6)


def test_day_and_hour_rows_sum_the_half_hours(account: Any) -> None:
    first, last = date(2026, 10, 24), date(2026, 10, 26)
    days = run_export("--from", first.isoformat(), "--to", last.isoformat(), "--period", "day")
    hours = run_export("--from", first.isoformat(), "--to", last.isoformat(), "--period", "hour")
    _, day_rows = table(days)
    _, hour_rows = table(hours)
    assert [(r["timestamp"], r["timestamp_utc"]) for r in day_rows] == [
        ("2026-10-24T00:00:00", "2026-10-23T23:00:00+00:00"), ("2026-10-25T00:00:00", "2026-10-24T23:00:00+00:00"),
        ("2026-10-26T00:00:00", "2026-10-26T00:00:00+00:00")]
    assert len(hour_rows) == 24 + 25 + 24
    for name, classifier in (("electricity", "electricity.consumption"), ("gas", "gas.consumption")):
        rid = account.resource_id(HOME, classifier)
        for row, n in zip(day_rows, range(3), strict=True):
            day = first + timedelta(days=n)
            truth = account.half_hours(rid, midnight(day), midnight(day + timedelta(days=1)))
            assert number(row[f"{name}_kwh"]) == pytest.approx(math.fsum(v for _, v in truth if v), abs=1e-7)
        total = math.fsum(number(r[f"{name}_kwh"]) or 0 for r in hour_rows)
        truth = account.half_hours(rid, midnight(first), midnight(last + timedelta(days=1)))
        assert total == pytest.approx(math.fsum(v for _, v in truth if v), abs=1e-6)


def test_recent_totals_equal_the_emulator_and_lagged_zeros_are_empty(account: Any) -> None:
    text = run_export("--days", "3")
    _, rows = table(text)
    epochs = [int(datetime.fromisoformat(r["timestamp_utc"]).timestamp()) for r in rows]
    for name, classifier in (("electricity", "electricity.consumption"), ("gas", "gas.consumption")):
        rid = account.resource_id(HOME, classifier)
        delivered = account.delivered(rid, epochs[0], epochs[-1] + 1800)
        true = dict(account.half_hours(rid, epochs[0], epochs[-1] + 1800))
        last = max(t for t, v in delivered if v)  # the last delivered half-hour; zeros after it are DCC lag
        values = {e: number(r[f"{name}_kwh"]) for e, r in zip(epochs, rows, strict=True)}
        assert math.fsum(v for v in values.values() if v is not None) == pytest.approx(
            math.fsum(true[t] or 0 for t in true if t <= last), abs=1e-6)
        lagged = [e for e in epochs if e > last]
        assert lagged, "the emulator lags, so the newest half-hours must be pending"
        assert all(values[e] is None for e in lagged)  # empty, never 0
        assert all(values[e] == true[e] for e in epochs if e <= last)


def test_output_file_json_and_gas_m3(account: Any, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    args = ("--from", "2026-10-01", "--to", "2026-10-02", "--period", "hour")
    assert export_command.run(parse_args("export", *args, "-o", str(target)), {}, io.StringIO()) == 0
    assert target.read_text(encoding="utf-8") == run_export(*args)
    assert not (tmp_path / "out.csv.part").exists()

    doc = json.loads(run_export(*args, "--format", "json", "--gas-unit", "m3"))
    _, rows = table(target.read_text(encoding="utf-8"))
    assert list(doc["columns"]) == ["electricity_kwh", "gas_m3", "electricity_gbp", "gas_gbp"]
    assert len(doc["rows"]) == len(rows) == 48
    for j, c in zip(doc["rows"], rows, strict=True):
        assert (j["timestamp"], j["timestamp_utc"]) == (c["timestamp"], c["timestamp_utc"])
        assert j["electricity_kwh"] == number(c["electricity_kwh"])
        assert j["gas_m3"] == pytest.approx(float(c["gas_kwh"]) * 3.6 / 39.5 / 1.02264, abs=1e-8)
    conf = {"gas": {"unit": "m3", "calorific_value": 40.0, "correction_factor": 1.02264}}
    _, m3 = table(run_export(*args, conf=conf))
    assert float(m3[0]["gas_m3"]) == pytest.approx(float(rows[0]["gas_kwh"]) * 3.6 / 40.0 / 1.02264, abs=1e-8)


def test_resources_as_comma_list_and_repeated(account: Any) -> None:
    a = run_export("--days", "1", "--resource", "gas,electricity-cost")
    b = run_export("--days", "1", "--resource", "gas", "--resource", "electricity-cost")
    assert a == b
    assert a.splitlines()[0] == "timestamp,timestamp_utc,gas_kwh,electricity_cost_gbp,gas_gbp"


def test_streams_window_by_window_within_span_limits(account: Any) -> None:
    """A 30-day half-hourly export is 3 PT30M windows per resource, made only as the rows are consumed."""
    from glowline.data.account import open_session

    session = open_session(config={})
    rid = account.resource_id(HOME, "electricity.consumption")
    days = export.local_range(date(2026, 9, 1), date(2026, 9, 30), LONDON)
    source = export.api_source("electricity", "electricity.consumption", session.source, rid, "PT30M",
                               midnight(date(2026, 11, 1)), 1800)
    account.reset_counts()
    stream = export.rows([source], days, "30m", days[-1][2])
    next(stream)
    assert account.count("readings") == 1
    rest = sum(1 for _ in stream)
    assert rest + 1 == 30 * 48
    assert account.count("readings") == 3
    spans = [r for r in account.requests if r.kind == "readings"]
    assert len(spans) == 3
    session.close()


def test_progress_only_on_a_terminal(account: Any, capsys: pytest.CaptureFixture[str]) -> None:
    run_export("--from", "2026-08-01", "--to", "2026-08-25")
    assert "fetching" not in capsys.readouterr().err


def test_usage_errors(account: Any) -> None:
    from glowline.errors import UsageError

    for argv in (("--days", "2", "--from", "2026-01-01"), ("--to", "2026-01-01"),
                 ("--from", "2026-02-02", "--to", "2026-02-01"), ("--resource", "water")):
        with pytest.raises(UsageError):
            export_command.run(parse_args("export", *argv), {}, io.StringIO())
