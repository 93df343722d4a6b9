"""Draw a series of daily values as a one-line sparkline, zero-based, with gaps; no imports (status-line path).

Energy is a quantity, so bars are scaled from 0 (not from the series minimum): a day of 9 kWh next to a day of
10 kWh looks nearly equal, as it is. Missing values (None, NaN, inf) are gap cells; negative values are clamped to 0
(export is a separate resource and never negative). One cell per value; ``resample`` fits a series to N cells.
"""

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy still reads the block below
if TYPE_CHECKING:
    from collections.abc import Sequence

#: Unicode block elements U+2581..U+2588, lowest to full.
UNICODE_RAMP = "▁▂▃▄▅▆▇█"
#: ASCII fallback (--ascii), lowest to full; every glyph has ink, so a zero day never looks like a gap.
ASCII_RAMP = "_.-=+*#"
#: A cell with no data, in both ramps: a space (the ramps never use one, so a gap stays visibly a gap).
GAP = " "


def clean(value: float | None) -> float | None:
    """None for missing, NaN or infinite values; negative values become 0.0."""
    if value is None:
        return None
    value = float(value)
    if value - value != 0.0:  # NaN and +-inf: NaN - NaN and inf - inf are NaN (no math import needed)
        return None
    return value if value > 0.0 else 0.0


def resample(values: "Sequence[float | None]", width: int) -> list[float | None]:
    """Fit ``values`` into ``width`` cells: wider repeats values (nearest sample), narrower averages buckets.

    Each cell covers the source indices ``[i*n//width, (i+1)*n//width)`` (at least one); a bucket's value is the
    mean of its present values, or None when all are missing. Bad values are cleaned first (see ``clean``).
    """
    if width <= 0:
        return []
    cleaned = [clean(v) for v in values]
    count = len(cleaned)
    if count == 0:
        return [None] * width
    cells: list[float | None] = []
    for i in range(width):
        start = i * count // width
        stop = max(start + 1, (i + 1) * count // width)
        present = [v for v in cleaned[start:stop] if v is not None]
        cells.append(sum(v / len(present) for v in present) if present else None)  # no overflow near 1e308
    return cells


def bucket_of(cell: int, count: int, width: int) -> range:
    """The source indices that ``resample`` puts into ``cell`` (for colouring a resampled cell by its days)."""
    start = cell * count // width
    return range(start, max(start + 1, (cell + 1) * count // width))


def cell(value: float | None, top: float, ramp: str) -> str:
    """One glyph for ``value`` on a 0..``top`` scale (half-up rounding); GAP for None."""
    if value is None:
        return GAP
    steps = len(ramp) - 1
    if top <= 0.0:
        return ramp[0]
    index = int(value / top * steps + 0.5)  # value <= top, so no overflow
    return ramp[min(steps, max(0, index))]


def bars(values: "Sequence[float | None]", width: int | None = None, ascii: bool = False,
         top: float | None = None) -> str:
    """The sparkline for ``values``: one cell each, or ``width`` cells when given (see ``resample``).

    Scaled from 0 to the largest present value, or to a fixed ``top`` (--scale-max: weeks compare; a value above
    it draws a full bar); an all-zero series draws the lowest bar everywhere; an empty or all-missing series draws
    gaps only.
    """
    cells = resample(values, width) if width is not None else [clean(v) for v in values]
    if top is not None and top > 0.0:
        cells = [None if v is None else min(v, top) for v in cells]
    else:
        present = [v for v in cells if v is not None]
        top = max(present) if present else 0.0
    ramp = ASCII_RAMP if ascii else UNICODE_RAMP
    return "".join(cell(v, top, ramp) for v in cells)
