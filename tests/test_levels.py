"""Levels: the typical day, day levels, and a total that incomplete days never make look low."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glowline.status import model
from glowline.status.model import HIGH, LOW, NONE, NORMAL, PARTIAL, Day, Line


def make_line(values: Sequence[float | None], complete: list[bool] | None = None) -> Line:
    flags = complete if complete is not None else [True] * len(values)
    days = [Day(f"2026-11-{i + 1:02d}", 0, 0, v, c) for i, (v, c) in enumerate(zip(values, flags, strict=True))]
    return Line("electricity.consumption", "electricity", "kWh", "Europe/London", days, now=0.0)


def test_typical_is_median_of_complete_values() -> None:
    assert model.typical([3.0, 1.0, 2.0]) == 2.0
    assert model.typical([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert model.typical([1.0, None, math.nan, math.inf, 5.0, 3.0]) == 3.0


def test_typical_needs_three_days() -> None:
    assert model.typical([]) is None
    assert model.typical([1.0, 2.0]) is None
    assert model.typical([1.0, 2.0, None, math.nan]) is None


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=3, max_size=50))
def test_typical_matches_statistics_median(values: list[float]) -> None:
    assert model.typical(values) == pytest.approx(statistics.median(values))


@pytest.mark.parametrize(
    ("value", "complete", "expected"),
    [
        (None, True, NONE),
        (math.nan, True, NONE),
        (1.0, False, PARTIAL),
        (50.0, False, PARTIAL),  # even a huge partial day is PARTIAL, judged when complete
        (7.9, True, LOW),
        (8.0, True, NORMAL),  # boundaries are NORMAL
        (12.5, True, NORMAL),
        (12.6, True, HIGH),
    ],
)
def test_level_of(value: float | None, complete: bool, expected: str) -> None:
    assert model.level_of(value, 10.0, complete) == expected


def test_level_of_without_or_with_zero_typical() -> None:
    assert model.level_of(3.0, None, True) == NORMAL
    assert model.level_of(0.0, 0.0, True) == NORMAL
    assert model.level_of(0.1, 0.0, True) == HIGH


def test_level_of_custom_thresholds() -> None:
    assert model.level_of(9.0, 10.0, True, low=0.95, high=1.05) == LOW
    assert model.level_of(10.6, 10.0, True, low=0.95, high=1.05) == HIGH


def test_apply_uses_history_for_typical_and_sets_day_levels() -> None:
    line = make_line([10.0, 5.0, 20.0, 3.0], [True, True, True, False])
    model.judge(line, [10.0, 10.0, 10.0, 11.0, 9.0])
    assert line.typical == 10.0
    assert [d.level for d in line.days] == [NORMAL, LOW, HIGH, PARTIAL]


def test_apply_falls_back_to_own_complete_days() -> None:
    line = make_line([10.0, 12.0, 14.0, 100.0], [True, True, True, False])
    model.judge(line, [1.0])
    assert line.typical == 12.0  # the incomplete 100 is not part of the typical day


def test_incomplete_day_never_makes_total_low() -> None:
    # Nine typical days and today just started: total is far below 10 x typical, but the level is NORMAL.
    line = make_line([10.0] * 9 + [0.2], [True] * 9 + [False])
    model.judge(line, [10.0] * 5)
    assert line.level == NORMAL
    # All days incomplete and tiny (DCC lag): still not LOW.
    lagging = make_line([0.5, 0.1], [False, False])
    model.judge(lagging, [10.0] * 5)
    assert lagging.level == NORMAL


def test_incomplete_day_above_typical_counts_towards_high() -> None:
    line = make_line([12.0, 12.0, 40.0], [True, True, False])
    model.judge(line, [10.0] * 5)
    # expected = 10 + 10 + min(40, 10) = 30; total 64 -> ratio 2.13 -> HIGH
    assert model.expected_total(line, 10.0) == 30.0
    assert line.level == HIGH


def test_total_low_from_complete_days() -> None:
    line = make_line([5.0, 6.0, 5.0, 2.0], [True, True, True, False])
    model.judge(line, [10.0] * 5)
    assert line.level == LOW


def test_apply_without_data_or_history() -> None:
    empty = make_line([None, None], [True, False])
    model.judge(empty, [])
    assert empty.level == NONE
    assert [d.level for d in empty.days] == [NONE, NONE]
    short = make_line([4.0, 40.0], [True, True])
    model.judge(short, [])
    assert short.typical is None
    assert short.level == NORMAL
    assert [d.level for d in short.days] == [NORMAL, NORMAL]
