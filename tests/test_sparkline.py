"""Sparkline drawing: zero baseline, gaps, bad values, resampling, ASCII ramp."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from glowline.status import formats
from glowline.status.formats import ASCII_RAMP, GAP, UNICODE_RAMP, bars, resample


def test_ramps_have_no_gap_glyph_and_ascii_is_ascii() -> None:
    assert GAP not in UNICODE_RAMP
    assert GAP not in ASCII_RAMP
    assert ASCII_RAMP.isascii()
    assert len(set(UNICODE_RAMP)) == len(UNICODE_RAMP) == 8


def test_zero_baseline_not_series_minimum() -> None:
    # 9 vs 10 kWh are nearly equal days: both near the top, not "lowest vs highest".
    drawn = bars([9.0, 10.0])
    assert drawn[1] == UNICODE_RAMP[-1]
    assert UNICODE_RAMP.index(drawn[0]) >= len(UNICODE_RAMP) - 2


def test_known_series() -> None:
    # value * 7 / max, rounded half up: 0 -> 0, 7 -> 3.5 -> 4, 14 -> 7
    assert bars([0.0, 7.0, 14.0]) == UNICODE_RAMP[0] + UNICODE_RAMP[4] + UNICODE_RAMP[7]
    assert bars([0.0, 7.0, 14.0], ascii=True) == ASCII_RAMP[0] + ASCII_RAMP[3] + ASCII_RAMP[6]


def test_none_nan_inf_are_gaps() -> None:
    drawn = bars([1.0, None, math.nan, math.inf, -math.inf, 2.0])
    assert drawn[1:5] == GAP * 4
    assert drawn[0] != GAP and drawn[5] == UNICODE_RAMP[-1]


def test_negative_is_clamped_to_zero() -> None:
    assert bars([-5.0, 10.0]) == UNICODE_RAMP[0] + UNICODE_RAMP[-1]


def test_all_zero_draws_lowest_bars() -> None:
    assert bars([0.0, 0.0, 0.0]) == UNICODE_RAMP[0] * 3
    assert bars([0.0, 0.0], ascii=True) == ASCII_RAMP[0] * 2


def test_empty_and_all_missing() -> None:
    assert bars([]) == ""
    assert bars([None, None]) == GAP * 2
    assert bars([], width=4) == GAP * 4


def test_resample_narrower_averages_buckets() -> None:
    values: list[float | None] = [float(v) for v in range(10)]
    cells = resample(values, 5)
    assert cells == [(2 * i + 2 * i + 1) / 2 for i in range(5)]


def test_resample_none_aware() -> None:
    assert resample([1.0, None, None, None], 2) == [1.0, None]
    assert resample([None, 4.0, math.nan, 2.0], 2) == [4.0, 2.0]


def test_resample_wider_repeats_values() -> None:
    assert resample([1.0, 2.0, 3.0], 6) == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    assert resample([1.0, 2.0], 3) == [1.0, 1.0, 2.0]


def test_resample_zero_width() -> None:
    assert resample([1.0, 2.0], 0) == []


def test_bucket_of_matches_resample() -> None:
    values: list[float | None] = [float(v) for v in range(7)]
    for width in (1, 3, 7, 10):
        cells = resample(values, width)
        for index in range(width):
            bucket = [values[i] for i in formats.bucket_of(index, len(values), width)]
            present = [v for v in bucket if v is not None]
            assert cells[index] == sum(present) / len(present)


values_strategy = st.lists(
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=64)),
    max_size=40,
)


@given(values_strategy, st.one_of(st.none(), st.integers(min_value=0, max_value=60)), st.booleans())
def test_bars_shape_and_alphabet(values: list[float | None], width: int | None, ascii: bool) -> None:
    drawn = bars(values, width, ascii)
    assert len(drawn) == (len(values) if width is None else width)
    allowed = set((ASCII_RAMP if ascii else UNICODE_RAMP) + GAP)
    assert set(drawn) <= allowed


@given(st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=30))
def test_bars_monotonic(values: list[float]) -> None:
    drawn = bars(list(values))
    order = sorted(range(len(values)), key=lambda i: values[i])
    heights = [UNICODE_RAMP.index(drawn[i]) for i in order]
    assert heights == sorted(heights)
    if max(values) > 0:
        assert drawn[values.index(max(values))] == UNICODE_RAMP[-1]
