"""``catchup`` as the API asks (glowmarkt-api.md 4 and 8; issue 19 finding 5: it was never called): once per resource
per half-hour, after the boundary and the refresh clock's jitter, just before the readings request of a due refresh;
a failed catchup never fails the refresh. One clock injected into the emulator and the refresh, real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from glowline.data.catchup import due
from glowline.data.sync import refresh
from glowline.status.policy import JITTER, jitter

ELECTRICITY, GAS = "electricity.consumption", "gas.consumption"
TZ = "Europe/London"
HOME = "DCC Sourced"


def kinds(emu: Any) -> list[tuple[str, str]]:
    """(kind, resource id) of every request, in order."""
    out = []
    for r in emu.requests:
        rid = r.path.split("/resource/")[1].split("/")[0] if "/resource/" in r.path else ""
        out.append((r.kind, rid))
    return out


def catchups(emu: Any, rid: str | None = None) -> int:
    return sum(1 for kind, r in kinds(emu) if kind == "catchup" and (rid is None or r == rid))


def boundary(clock: Any) -> int:
    return int(clock.now) // 1800 * 1800 + 1800


def test_once_per_half_hour_and_before_the_readings_request(clocked: tuple[Any, Any]) -> None:
    emu, clock = clocked
    rid = emu.resource_id(HOME, ELECTRICITY)
    b = boundary(clock)
    clock.now = b + 200  # past any jitter
    emu.reset_counts()
    refresh("", ELECTRICITY, 3, TZ, now=clock.now)
    seen = kinds(emu)
    assert catchups(emu, rid) == 1
    assert seen.index(("catchup", rid)) < seen.index(("readings", rid))  # fired before the readings request
    clock.now = b + 900  # the same half-hour: a second refresh asks no catchup
    refresh("", ELECTRICITY, 3, TZ, now=clock.now)
    assert catchups(emu, rid) == 1
    clock.now = b + 1800 + 150  # the next half-hour, past the jitter
    emu.reset_counts()
    refresh("", ELECTRICITY, 3, TZ, now=clock.now)
    seen = kinds(emu)
    assert catchups(emu, rid) == 1 and seen.index(("catchup", rid)) < seen.index(("readings", rid))


def test_not_before_the_boundarys_jitter(clocked: tuple[Any, Any]) -> None:
    emu, clock = clocked
    b = boundary(clock)
    clock.now = b + 330  # a fetch whose milliseconds give a jitter of 90 s
    assert jitter(clock.now) == 90.0
    refresh("", ELECTRICITY, 3, TZ, now=clock.now)
    emu.reset_counts()
    clock.now = b + 1800 + 30  # 30 s after the next boundary: within the jitter, no catchup yet
    refresh("", ELECTRICITY, 3, TZ, now=clock.now)
    assert catchups(emu) == 0 and emu.count("readings") >= 1
    clock.now = b + 1800 + 100  # the previous fetch (+30 s) gives a jitter of 30 s: now it is due
    refresh("", ELECTRICITY, 3, TZ, now=clock.now)
    assert catchups(emu) == 1


def test_due_rule() -> None:
    b = 1_800_000_000 // 1800 * 1800
    assert due(None, b + JITTER, b + 7.0)
    assert not due(None, b + 6.0, b + 7.0)  # jitter 7 s: not yet
    assert not due(b, b + 1799, b)  # asked this half-hour already
    assert due(b - 1800, b + 1, b)
    assert due(b + 10 * 1800, b + 1, b)  # a stamp ahead of the clock (set back): asked again


@pytest.mark.parametrize("fault", ["500", "drop", "403", "badjson", "html"])
def test_a_failed_catchup_never_fails_the_refresh(clocked: tuple[Any, Any], fault: str) -> None:
    emu, clock = clocked
    clock.now = boundary(clock) + 200
    emu.fault(fault, path="/catchup")
    entry = refresh("", ELECTRICITY, 3, TZ, now=clock.now)
    asked = catchups(emu)
    # one call: a kept-alive connection dropped is tried once more on a new one; catchup never logs in again
    assert entry.series.values and asked == (2 if fault == "drop" else 1)
    if fault == "403":  # and its 403 does not stop the readings from logging in again on a 403 of their own
        assert emu.count("auth") <= 1
    clock.now += 60  # the same half-hour: not asked again (no retry storm)
    refresh("", ELECTRICITY, 3, TZ, now=clock.now)
    assert catchups(emu) == asked


def test_every_resource_has_its_own_and_the_steady_state_is_one_per_half_hour(clocked: tuple[Any, Any]) -> None:
    emu, clock = clocked
    start = boundary(clock) + 125
    emu.reset_counts()
    for step in range(36):  # three hours of refreshes every five minutes, electricity and gas
        clock.now = start + step * 300
        for classifier in (ELECTRICITY, GAS):
            refresh("", classifier, 3, TZ, now=clock.now)
    for classifier in (ELECTRICITY, GAS):
        assert catchups(emu, emu.resource_id(HOME, classifier)) == 6  # one per half-hour, each resource
