"""`glowline report --month` and `--year` against the emulator: the numbers equal the export's day rows summed, the
projection follows its stated method, 80 columns and no ANSI when piped; `--svg`/`--html` save the picture."""

from __future__ import annotations

import calendar
import io
import json
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from glowline.commands import report
from tests.helpers import LONDON, glowline_env, run
from tests.test_export import number, run_export, table
from tests.test_tariff import parse_args


def draw(*argv: str) -> str:
    out = io.StringIO()
    assert report.run(parse_args("report", *argv), {}, out) == 0
    return out.getvalue()


def month_sums(first: str, last: str, column: str) -> float:
    _, rows = table(run_export("--from", first, "--to", last, "--period", "day"))
    return math.fsum(v for v in (number(r[column]) for r in rows) if v is not None)


def fits(text: str, width: int = 80) -> None:
    assert "\x1b" not in text
    for line in text.splitlines():
        assert cell_len(line) <= width and line == line.rstrip(), line


def test_a_past_month_has_every_day_and_the_exports_totals(account: Any) -> None:
    text = draw("--month", "2026-10")
    fits(text)
    assert len(re.findall(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d Oct", text, re.M)) == 31
    assert "October 2026: 31 days\n" in text and "projection" not in text
    doc = json.loads(draw("--month", "2026-10", "--format", "json"))
    assert doc["month"] == "2026-10" and doc["projection"] == {}
    for name in ("electricity", "gas"):
        days = doc["resources"][name]["days"]
        assert days[0]["date"] == "2026-10-01" and len(days) == 31
        total = month_sums("2026-10-01", "2026-10-31", f"{name}_kwh")
        assert math.fsum(d["kwh"] for d in days) == pytest.approx(total, abs=31 * 5e-4)
        assert f"{name}: {total:,.2f} kWh" in text


def test_the_current_month_projects_to_its_end_by_the_stated_method(account: Any) -> None:
    today = datetime.now(LONDON).date()
    text = draw("--month")
    fits(text)
    assert f"{today:%B %Y}: {today.day} days so far" in text
    assert "method: the average of the month's complete days" in text
    doc = json.loads(draw("--month", "--format", "json"))
    length = calendar.monthrange(today.year, today.month)[1]
    for name in ("electricity", "gas"):
        days = doc["resources"][name]["days"]
        complete = [d for d in days if d["complete"]]
        p = doc["projection"][name]
        assert p["days_in_month"] == length and p["complete_days"] == len(complete)
        if complete:
            assert p["value"] == pytest.approx(math.fsum(d["kwh"] for d in complete) / len(complete) * length,
                                               abs=length * 5e-4)
            assert f"{name}: {p['value']:,.2f} kWh" in text


def test_a_year_by_month_beside_the_year_before(account: Any) -> None:
    year = datetime.now(LONDON).year
    text = draw("--year")
    fits(text)
    assert f"{year} by month, beside {year - 1}" in text
    doc = json.loads(draw("--year", "--format", "json"))
    for name in ("electricity", "gas"):
        months = doc["resources"][name]["months"]
        october = next(m for m in months if m["month"] == f"{year}-10")
        assert october["value"] == pytest.approx(month_sums(f"{year}-10-01", f"{year}-10-31", f"{name}_kwh"),
                                                 abs=1e-3)
        assert october["last_year"] == pytest.approx(
            month_sums(f"{year - 1}-10-01", f"{year - 1}-10-31", f"{name}_kwh"), abs=1e-3)
        assert october["complete"] is True
        for m in months:
            if m["change"] is not None and m["complete"]:
                first = date.fromisoformat(m["month"] + "-01")
                now_len = calendar.monthrange(first.year, first.month)[1]
                then_len = calendar.monthrange(first.year - 1, first.month)[1]
                assert m["change"] == pytest.approx((m["value"] / now_len) / (m["last_year"] / then_len) - 1,
                                                    abs=1e-3)
    for width in ("60", "120"):
        fits(draw("--year", "--width", width), int(width))


def test_svg_and_html_save_what_the_terminal_shows(home: Path, emulator: Any, tmp_path: Path) -> None:
    env = glowline_env(home, emulator)
    svg, html = tmp_path / "month.svg", tmp_path / "month.html"
    proc = run(env, "report", "--month", "2026-10", "--svg", str(svg), "--html", str(html))
    assert proc.returncode == 0, proc.stderr
    fits(proc.stdout)
    picture = svg.read_text(encoding="utf-8")
    assert picture.lstrip().startswith("<svg") and picture.rstrip().endswith("</svg>")
    page = html.read_text(encoding="utf-8")
    assert "<html" in page.lower()
    for line in proc.stdout.splitlines():  # the same text, line by line (rich's SVG writes spaces as &#160;)
        words = [w for w in line.split() if w.isalpha() and len(w) > 3]
        for word in words:
            assert word in page and word in picture.replace("&#160;", " "), word
    bad = run(env, "report", "--month", "2026-10", "--svg", str(tmp_path / "missing" / "x.svg"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "cannot write" in bad.stderr


@pytest.mark.parametrize("args", [["--month", "2026-13"], ["--month", "26-10"], ["--year", "99"],
                                  ["--month", "2999-01"], ["--year", "2999"], ["--month", "--days", "3"],
                                  ["--month", "--year"]])
def test_bad_months_and_years_are_one_line(home: Path, emulator: Any, args: list[str]) -> None:
    proc = run(glowline_env(home, emulator), "report", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc
