"""The report's terminal cells: numbers, money, day labels, bars and hourly charts, styles, and rich's Text and
Table as the report uses them (rich imported inside functions)."""

from __future__ import annotations

from datetime import date
from typing import Any

from glowline.report.model import ResourceReport
from glowline.status import formats

EIGHTHS = " ▏▎▍▌▋▊▉"


#: columns of the day label
DAY_W = 12


def bar(value: float | None, top: float, width: int) -> str:
    """A horizontal bar in eighths of a cell, ``width`` cells for ``top``."""
    if value is None or top <= 0 or value <= 0:
        return ""
    eighths = round(value / top * width * 8)
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def money(value: float | None) -> str:
    return "" if value is None else f"£{value:,.2f}"


def day_label(day: date) -> str:
    return f"{day:%a %d %b}" + (" *" if day.weekday() >= 5 else "")


def change_text(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 100:+.1f}%"


class Style:
    """The report's styles, empty when drawn without colour."""

    def __init__(self, styled: bool) -> None:
        self.dim = "dim" if styled else ""
        self.bold = "bold" if styled else ""
        self.styled = styled

    def of(self, r: ResourceReport) -> str:
        return {"electricity": "yellow", "gas": "cyan"}.get(r.name, "green") if self.styled else ""


def cell(text: str, style: str = "") -> Any:
    from rich.text import Text

    return Text(text, style=style)


def new_table(bold: str, show_header: bool = True) -> Any:
    from rich.table import Table

    return Table(box=None, padding=(0, 0, 0, 1), pad_edge=False, show_edge=False, header_style=bold, expand=False,
                 show_header=show_header)


def hour_chart(values: list[float | None], rows: int, top: float | None = None) -> str:
    """One row of glowline's own bars, or ``rows`` rows drawn by the sparklines package (glowline.tall)."""
    if rows == 1:
        top = max([v for v in values if v is not None] or [0.0]) if top is None else top
        return "".join(formats.cell(v, top, formats.UNICODE_RAMP) for v in values)
    from glowline import tall

    return "\n".join(tall.rows(values, rows, top=top))
