"""`glowline export --format influx` against the emulator: InfluxDB line protocol checked field by field (measurement,
tags, the field, second-precision timestamps) and value by value against the CSV export of the same days."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from glowline.data.export import influx_escape
from tests.test_export import number, run_export, table

#: measurement, tag set, field set, timestamp: split on the unescaped spaces and commas
UNESCAPED_SPACE = re.compile(r"(?<!\\) ")
UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def unescape(text: str) -> str:
    return re.sub(r"\\([\\, =])", r"\1", text)


def parse(line: str) -> tuple[str, dict[str, str], dict[str, str], int]:
    head, fields, stamp = UNESCAPED_SPACE.split(line)
    measurement, *tags = UNESCAPED_COMMA.split(head)
    tag_set = dict(re.split(r"(?<!\\)=", t) for t in tags)
    field_set = dict(f.split("=", 1) for f in fields.split(","))
    return measurement, {unescape(k): unescape(v) for k, v in tag_set.items()}, field_set, int(stamp)


def test_line_protocol_field_by_field_matches_the_csv(account: Any) -> None:
    day = date(2026, 3, 29)  # spring forward: +00:00 and +01:00 in one local day
    influx = run_export("--from", day.isoformat(), "--to", day.isoformat(), "--format", "influx")
    header, rows = table(run_export("--from", day.isoformat(), "--to", day.isoformat()))
    lines = influx.splitlines()
    assert influx.endswith("\n") and all(lines)
    seen: dict[tuple[str, int], float] = {}
    for line in lines:
        measurement, tags, fields, stamp = parse(line)
        assert measurement == "glowline"
        assert list(tags) == ["site", "resource"] and tags["site"] == "DCC Sourced"
        assert list(fields) == ["value"]
        assert re.fullmatch(r"-?\d+(\.\d+)?(e[-+]\d+)?", fields["value"]), fields  # a float (no i suffix)
        assert stamp % 1800 == 0 and 10**9 < stamp < 10**10  # seconds, not ns
        seen[(tags["resource"], stamp)] = float(fields["value"])
    expected = {}
    for row in rows:
        epoch = int(datetime.fromisoformat(row["timestamp_utc"]).timestamp())
        for column in header[2:]:  # after timestamp and timestamp_utc
            value = number(row[column])
            if value is not None:
                expected[(column, epoch)] = value
    assert seen == expected and len(lines) == len(expected)
    assert {r for r, _ in seen} == set(header[2:])


def test_tag_values_are_escaped() -> None:
    assert influx_escape("My home, flat=2") == "My\\ home\\,\\ flat\\=2"
    line = f"glowline,site={influx_escape('a b,c=d')},resource=x value=1.0 1800"
    assert parse(line)[1] == {"site": "a b,c=d", "resource": "x"}
