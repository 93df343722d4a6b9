"""The report on a terminal, or piped: drawn by rich within a width, colour only on a colour terminal, and saved
as SVG/HTML through rich's recording console."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import IO, Any

from glowline.errors import UsageError
from glowline.report.cells import Style
from glowline.report.model import Report
from glowline.report.terminal_days import draw_days


def render(report: Report, out: IO[str], width: int, color: bool | None = None, rows: int = 1,
           draw: Callable[[Report, Any, int, Style], None] | None = None, svg: str | None = None,
           html: str | None = None) -> None:
    """Draw the report on ``out`` within ``width`` columns, its hourly charts ``rows`` high; no ANSI unless ``out``
    is a colour terminal. ``draw`` draws another view (--month, --year); ``svg``/``html`` save what was drawn,
    exactly, through rich's recording console (in colour, as a terminal shows it).

    Piped or redirected, the text is drawn into a buffer first and written without rich's trailing padding.
    """
    import io

    from rich.console import Console

    options: dict[str, Any] = {
        "width": width, "highlight": False, "markup": False, "emoji": False, "soft_wrap": False,
        "no_color": bool(os.environ.get("NO_COLOR")), "force_terminal": color,
        "color_system": "auto" if color is not False else None, "legacy_windows": False,
    }
    def paint(console: Any, styled: bool) -> None:
        if draw is None:
            draw_days(report, console, width, styled=styled, rows=rows)
        else:
            draw(report, console, width, Style(styled))

    recording = bool(svg or html)
    console = Console(file=out, record=recording, **options)
    if console.is_terminal:
        paint(console, not options["no_color"])
        save(console, svg, html)
        return
    buffer = io.StringIO()
    plain = Console(file=buffer, **{**options, "force_terminal": False})
    paint(plain, False)
    out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))
    if recording:  # the picture is of the terminal: the same view, drawn in colour into a recording console
        picture = Console(file=io.StringIO(), record=True, **{**options, "force_terminal": True,
                                                             "color_system": "truecolor", "no_color": False})
        paint(picture, True)
        save(picture, svg, html)


def save(console: Any, svg: str | None, html: str | None) -> None:
    """Write the recorded console as SVG and/or HTML (rich's own export), atomically."""
    for path, export in ((svg, "export_svg"), (html, "export_html")):
        if not path:
            continue
        text = getattr(console, export)(title="glowline report", clear=False) if export == "export_svg" \
            else console.export_html(clear=False)
        part = f"{path}.part"
        try:
            with open(part, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(part, path)
        except OSError as exc:
            try:
                os.unlink(part)
            except OSError:
                pass
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def terminal_width(out: IO[str], given: int | None) -> int:
    """--width, else the terminal's width when ``out`` is one, else 80."""
    if given:
        return given
    try:
        if out.isatty():
            return max(40, shutil.get_terminal_size((80, 24)).columns)
    except (AttributeError, ValueError):
        pass
    return 80
