"""Judge days and the total as low/normal/high against the household's own typical day (status-line path: no imports).

The typical day is the median of recent COMPLETE days (robust to one holiday or one party). A day is LOW below
``low`` x typical and HIGH above ``high`` x typical. Incomplete days (today so far, DCC lag) are PARTIAL and can
never make anything look low: for the total, an incomplete day is expected to be exactly what it is so far, unless
it already exceeds a typical day, in which case the excess counts (see ``expected_total``).
"""

from glowline.status.model import HIGH, LOW, NONE, NORMAL, PARTIAL, Line

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy still reads the block below
if TYPE_CHECKING:
    from collections.abc import Sequence

#: Fewer complete days than this and there is no typical day (levels are then all NORMAL).
MIN_HISTORY = 3


def _finite(values: "Sequence[float | None]") -> list[float]:
    return [float(v) for v in values if v is not None and float(v) - float(v) == 0.0]


def typical(values: "Sequence[float | None]") -> float | None:
    """Median of the given complete-day values (None, NaN, inf ignored); None with fewer than 3 of them."""
    present = sorted(_finite(values))
    count = len(present)
    if count < MIN_HISTORY:
        return None
    middle = count // 2
    return present[middle] if count % 2 else (present[middle - 1] + present[middle]) / 2.0


def level_of(
    value: float | None,
    typical: float | None,
    complete: bool,
    low: float = 0.8,
    high: float = 1.25,
) -> str:
    """NONE for no value, PARTIAL for an incomplete day, NORMAL without a typical day, else LOW/NORMAL/HIGH."""
    if value is None or value - value != 0.0:
        return NONE
    if not complete:
        return PARTIAL
    if typical is None:
        return NORMAL
    if typical <= 0.0:
        return HIGH if value > 0.0 else NORMAL
    ratio = value / typical
    if ratio < low:
        return LOW
    if ratio > high:
        return HIGH
    return NORMAL


def expected_total(line: Line, typical: float | None) -> float | None:
    """What the line's total would be in a typical household window; None without a typical day or data.

    typical x (complete days with data) + for each incomplete day with data: min(its value, typical).
    So an incomplete day below typical is neutral, and one already above typical pushes the total towards HIGH.
    """
    if typical is None:
        return None
    expected = 0.0
    seen = False
    for day in line.days:
        if day.value is None:
            continue
        seen = True
        expected += typical if day.complete else min(day.value, typical)
    return expected if seen else None


def total_ratio(line: Line) -> float | None:
    """line.total / expected_total(line, line.typical), or None when there is nothing to compare."""
    expected = expected_total(line, line.typical)
    if expected is None:
        return None
    if expected <= 0.0:
        return None if line.total <= 0.0 else float("inf")
    return line.total / expected


def apply(line: Line, history: "Sequence[float | None]", low: float = 0.8, high: float = 1.25) -> None:
    """Set line.typical, each day's level and line.level.

    ``history``: recent complete daily values to judge against (e.g. the 28 days before the window, same unit).
    With fewer than 3 usable values there, the line's own complete days are used instead.
    The total's level is LOW/NORMAL/HIGH by ``total_ratio`` with the same thresholds; NONE without any data.
    """
    base = typical(history)
    if base is None:
        base = typical([d.value for d in line.days if d.complete])
    line.typical = base
    for day in line.days:
        day.level = level_of(day.value, base, day.complete, low, high)
    if not line.has_data:
        line.level = NONE
        return
    ratio = total_ratio(line)
    if ratio is None:
        line.level = NORMAL
    elif ratio < low:
        line.level = LOW
    elif ratio > high:
        line.level = HIGH
    else:
        line.level = NORMAL
