"""Multi-row sparklines (``--rows 2..4``) for the MOTD and the report, drawn by the ``sparklines`` package.

Imported only when more than one row is asked for: ``import sparklines`` costs ~8 ms (typing, dataclasses, re ...;
docs/performance.md), a third of a warm status line, so the one-row line keeps glowline's own scaler
(glowline.status.formats). The input is cleaned first: the package raises on NaN and draws an all-zero series
as half-height bars, so gaps go in as None and an all-zero series is drawn here as a flat baseline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

ASCII_BLOCKS = " _.-=+*##"
UNICODE_BLOCKS = " ▁▂▃▄▅▆▇█"


def rows(values: Sequence[float | None], height: int, ascii: bool = False, top: float | None = None) -> list[str]:
    """``height`` lines (top first), one cell per value, scaled from zero to ``top`` (default: the largest value)
    so that several series can share one scale; a gap (None, NaN) is a blank column."""
    clean: list[float | None] = [None if v is None or not math.isfinite(v) else max(float(v), 0.0) for v in values]
    if not clean:
        return [""] * height
    if all(not v for v in clean):  # all zero or gaps: a flat baseline under each zero, nothing above
        base = "".join(" " if v is None else ("_" if ascii else "▁") for v in clean)
        return [" " * len(clean)] * (height - 1) + [base]
    from sparklines import sparklines  # type: ignore[import-untyped]

    peak = max(v for v in clean if v is not None)
    lines: list[str] = sparklines(clean, num_lines=height, minimum=0.0, maximum=max(top or 0.0, peak))
    lines = [line.ljust(len(clean)) for line in lines]
    if ascii:
        table = str.maketrans(UNICODE_BLOCKS, ASCII_BLOCKS)
        lines = [line.translate(table) for line in lines]
    return lines
