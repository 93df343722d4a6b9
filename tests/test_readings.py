"""Readings logic on hand-made series: the DCC-lag horizon, 23/25-hour local days, windows under the span limits."""

from __future__ import annotations

from datetime import date

from glowline.data.readings import Series, day_bounds, local_days, period_for, windows, zone

LONDON = zone("Europe/London")


def test_windows_respect_span_limits() -> None:
    start = 1_700_000_000 // 3600 * 3600
    spans = list(windows(start, start + 365 * 86400, "PT1H"))
    assert len(spans) == 12  # 365 days in 31-day requests
    assert all(b - a <= 31 * 86400 for a, b in spans)
    assert spans[0][0] == start and spans[-1][1] == start + 365 * 86400
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))
    assert len(list(windows(start, start + 25 * 86400, "PT30M"))) == 3


def test_trailing_zeros_are_pending_not_usage() -> None:
    s = Series(0, 3600, [1.0, 0.0, 2.0, 0.5, 0.0, 0.0, None])
    assert s.pending_from() == 4 * 3600  # zeros after the last non-zero bucket
    # the last non-zero hour may hold only its first half-hour: only that half counts as delivered
    assert s.horizon(now=10**9) == 3 * 3600 + 1800
    assert Series(0, 1800, [1.0, 0.2, 0.0]).horizon(now=10**9) == 2 * 1800
    assert Series(0, 3600, [0.0, None]).horizon(now=10**9) == 0  # nothing delivered yet


def test_merge_new_answer_wins_and_extends_both_ways() -> None:
    s = Series(3600, 3600, [1.0, 2.0, 0.0])
    s.merge(7200, 4 * 3600 + 3600, [(7200, 2.5), (10800, 3.0), (14400, 0.0)])
    assert s.start == 3600 and s.values == [1.0, 2.5, 3.0, 0.0]
    s.merge(0, 3600, [(0, 9.0)])
    assert s.start == 0 and s.values == [9.0, 1.0, 2.5, 3.0, 0.0]


def test_local_days_across_both_clock_changes() -> None:
    # 2026-03-29 has 23 hours in London, 2026-10-25 has 25
    for day, hours in ((date(2026, 3, 29), 23), (date(2026, 10, 25), 25)):
        (_, start, end), = day_bounds(day, 1, LONDON)
        assert (end - start) // 3600 == hours
        series = Series(start - 86400, 3600, [1.0] * (hours + 48))
        totals = local_days(series, day_bounds(day, 1, LONDON), horizon=end + 86400)
        assert totals[0].value == hours and totals[0].complete and totals[0].hours == hours


def test_day_after_horizon_is_incomplete_and_gaps_are_not_zero() -> None:
    (_, start, end), = day_bounds(date(2026, 1, 10), 1, LONDON)
    values: list[float | None] = [0.5] * 24
    values[5] = None  # a gap the API could not fill
    totals = local_days(Series(start, 3600, values), day_bounds(date(2026, 1, 10), 1, LONDON), horizon=end + 3600)
    assert totals[0].value == 0.5 * 23 and not totals[0].complete
    # lagged: the last three hours are zeros -> pending, left out, day incomplete
    lagged = Series(start, 3600, [0.5] * 21 + [0.0] * 3)
    t = local_days(lagged, day_bounds(date(2026, 1, 10), 1, LONDON), horizon=lagged.horizon(now=end + 3600))
    assert t[0].value == 0.5 * 21 and not t[0].complete


def test_period_is_hourly_for_whole_hour_zones_only() -> None:
    start = 1_767_225_600  # 2026-01-01T00:00Z
    assert period_for(LONDON, start, start + 10 * 86400) == "PT1H"
    assert period_for(zone("Asia/Kolkata"), start, start + 10 * 86400) == "PT30M"
