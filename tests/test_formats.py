"""Every output format, drawn from Line/Day objects built here (the formats' real input), plus a real tmux server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glowline.catalog import FORMATS, STATUS_FORMATS
from glowline.status import formats, model
from glowline.status.model import NORMAL, PARTIAL, Day, Line, RenderOptions
from tests.helpers import assert_balanced

ROOT = Path(__file__).resolve().parent.parent
VALUES: list[float | None] = [9.8, 11.2, 14.5, 9.1, 17.9, 19.6, 15.8, 10.4, 8.9, 3.3]
NOW = 1_795_420_800.0
MACHINE_FORMATS = [f for f in FORMATS if f not in ("plain", "ansi", "prompt")]  # plain: coloured on a TTY


def make_line(
    values: list[float | None] | None = None,
    *,
    unit: str = "kWh",
    partial: bool = True,
    age: float | None = 3 * 3600 + 60,
    stale: bool = True,
    site: str = "Home",
    error: str | None = None,
    error_kind: str | None = None,
    history: list[float | None] | None = None,
) -> Line:
    values = VALUES if values is None else values
    days = [Day(f"2026-11-{11 + i:02d}", 0, 0, v, not (partial and i == len(values) - 1)) for i, v in enumerate(values)]
    line = Line(
        "electricity.consumption",
        "electricity",
        unit,
        "Europe/London",
        days,
        now=NOW,
        fetched_at=None if age is None else NOW - age,
        stale=stale,
        site=site,
        error=error,
        error_kind=error_kind,
    )
    model.judge(line, [10.0, 11.0, 12.0, 10.5, 9.5, 11.5] if history is None else history)
    return line


def out(name: str, line: Line, **options: object) -> str:
    opts = RenderOptions(**options)  # type: ignore[arg-type]
    result = formats.get(name).render(line, opts)
    assert isinstance(result, str)
    return result


def expected_plain(line: Line, ascii: bool = False) -> str:
    """The plain text rebuilt from the documented pieces."""
    bars = formats.bars([d.value for d in line.days], ascii=ascii)
    mark = ("~" if ascii else "…") if not line.days[-1].complete else ""
    return f"{bars}{mark} {line.total:.1f} kWh"


# ------------------------------------------------------------------------------------------------- registry


def test_get_every_format_has_render() -> None:
    assert set(STATUS_FORMATS) <= set(FORMATS)
    for name in FORMATS:
        assert callable(formats.get(name).render)


def test_unknown_format_is_a_usage_error() -> None:
    from glowline.errors import UsageError

    with pytest.raises(UsageError, match="unknown format"):
        formats.get("html")


def run_python(code: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_get_imports_only_the_chosen_format() -> None:
    code = (
        "import sys, glowline.status.formats as f; f.get('tmux');"
        "print(sorted(m for m in sys.modules"
        " if m.startswith('glowline.status.formats.') and m.rsplit('.', 1)[1] in f.FORMATS))"
    )
    assert run_python(code).strip() == "['glowline.status.formats.tmux']"


def test_status_path_imports_stay_light() -> None:
    heavy = ["json", "re", "datetime", "typing", "dataclasses", "requests", "rich", "argparse", "subprocess"]
    code = (
        "import sys; before = set(sys.modules);"
        "import glowline.status.formats.waybar, glowline.status.formats.tmux, glowline.status.formats.i3bar,"
        " glowline.status.formats.i3blocks, glowline.status.formats.xbar, glowline.status.formats.motd,"
        " glowline.status.formats, glowline.status.formats, glowline.status.model;"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules and m not in before))"
    )
    assert run_python(code, env={"PATH": os.environ.get("PATH", "")}).strip() == "[]"


# ------------------------------------------------------------------------------------------------- text pieces


@pytest.mark.parametrize(
    ("unit", "value", "full", "short", "ascii"),
    [
        ("kWh", 103.14, "103.1 kWh", "103 kWh", "103.1 kWh"),
        ("GBP", 4.2651, "£4.27", "£4.27", "GBP 4.27"),
        ("m3", 12.345, "12.35 m³", "12.3 m³", "12.35 m3"),
    ],
)
def test_value_text(unit: str, value: float, full: str, short: str, ascii: str) -> None:
    assert formats.value_text(value, unit) == full
    assert formats.value_text(value, unit, short=True) == short
    assert formats.value_text(value, unit, ascii=True) == ascii


@pytest.mark.parametrize(("age", "marker"), [(25 * 60 + 5, " ·25m"), (3 * 3600 + 60, " ·3h"), (2 * 86400 + 5, " ·2d")])
def test_stale_marker(age: float, marker: str) -> None:
    line = make_line(age=age)
    assert formats.stale_marker(line, RenderOptions()) == marker
    assert out("plain", line) == expected_plain(line) + marker + "\n"
    assert formats.stale_marker(line, RenderOptions(ascii=True)) == f" ({marker[2:]})"


def test_fresh_line_has_no_marker() -> None:
    line = make_line(stale=False, age=60)
    assert out("plain", line) == expected_plain(line) + "\n"


def test_plain_exact_sample() -> None:
    line = make_line()
    assert out("plain", line) == "▅▅▆▄▇█▇▅▄▂… 120.5 kWh ·3h\n"
    assert out("plain", line, ascii=True) == "==+=*#*==.~ 120.5 kWh (3h)\n"


def test_partial_last_day_is_distinct() -> None:
    complete = make_line(partial=False, stale=False)
    partial = make_line(partial=True, stale=False)
    assert "…" not in out("plain", complete)
    assert out("plain", partial).split(" ")[0].endswith("…")
    assert out("plain", partial, ascii=True).split(" ")[0].endswith("~")
    # colour formats: the partial cell gets the partial colour, no mark
    partial_colour = formats.DEFAULT_COLORS[PARTIAL]
    tmux = out("tmux", partial)
    assert "…" not in tmux
    last_bar = formats.bars([d.value for d in partial.days])[-1]
    assert f"#[fg={partial_colour},bg={formats.DEFAULT_COLORS['background']}]{last_bar}#[fg=" in tmux
    assert partial_colour not in out("tmux", complete)


def test_width_resamples_and_short_keeps_five_days() -> None:
    line = make_line(stale=False)
    wide = out("plain", line, width=20)
    assert wide.split(" ")[0] == formats.bars([d.value for d in line.days], 20) + "…"
    narrow = out("plain", line, width=4)
    assert len(narrow.split(" ")[0]) == 5
    short = out("plain", line, short=True)
    shown = sum(d.value for d in line.days[-5:] if d.value is not None)  # the total of the days drawn
    assert short == formats.bars([d.value for d in line.days[-5:]]) + f"… {shown:.0f} kWh\n"


def test_colour_cells_follow_resampling() -> None:
    line = make_line(stale=False)
    opts = RenderOptions(width=5)
    cells = formats.cell_levels(line, opts)
    assert len(cells) == 5
    assert cells[-1] == PARTIAL  # the bucket holding today
    joined = "".join(text for _colour, text in formats.segments(line, opts))
    assert joined == formats.bars([d.value for d in line.days], 5) + f" {line.total:.1f} kWh"


# ------------------------------------------------------------------------------------------------- ansi, prompt

ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def test_ansi_colour_only_when_asked() -> None:
    line = make_line()
    assert "\x1b" not in out("ansi", line, color=False)
    assert out("ansi", line, color=False) == out("plain", line)
    coloured = out("ansi", line, color=True)
    r, g, b = (int(formats.DEFAULT_COLORS[NORMAL][i : i + 2], 16) for i in (1, 3, 5))
    assert f"\x1b[38;2;{r};{g};{b}m" in coloured
    assert coloured.endswith("\x1b[0m\n")
    assert ESCAPE.sub("", coloured) == expected_plain(line).replace("…", "") + " ·3h\n"


def test_prompt_short_plain_and_wrapped() -> None:
    line = make_line()
    plain = out("prompt", line)
    assert plain == out("plain", line, short=True)
    assert "\x1b" not in plain
    wrapped = out("prompt", line, color=True, prompt_wrap=True)
    assert "\x1b" in wrapped
    # every escape sits inside \001...\002, and nothing else does
    inner = re.findall(r"\001(.*?)\002", wrapped)
    assert inner and all(ESCAPE.fullmatch(part) for part in inner)
    assert "\x1b" not in re.sub(r"\001.*?\002", "", wrapped)
    assert "\001" not in out("prompt", line, color=True)


# ------------------------------------------------------------------------------------------------- json


def test_json_documented_keys_and_values() -> None:
    line = make_line(unit="GBP", values=[1.23456789, 2.5, None, 0.33333333])
    data = json.loads(out("json", line))
    assert list(data)[:7] == ["resource", "unit", "tz", "days", "total", "fetched_at", "stale"]
    assert data["resource"] == "electricity.consumption"
    assert data["unit"] == "GBP" and data["tz"] == "Europe/London" and data["stale"] is True
    assert [d["date"] for d in data["days"]] == [d.date for d in line.days]
    assert [d["value"] for d in data["days"]] == [
        None if v is None else round(v, 4) for v in [1.23456789, 2.5, None, 0.33333333]
    ]
    assert [d["complete"] for d in data["days"]] == [True, True, True, False]
    assert data["total"] == round(line.total, 4)
    assert line.fetched_at is not None
    parsed = datetime.strptime(data["fetched_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert parsed.timestamp() == int(line.fetched_at)
    assert data["age_seconds"] == int(NOW - line.fetched_at)
    assert data["level"] == line.level and data["typical"] == round(line.typical or 0, 4)
    assert data["site"] == "Home" and data["error"] is None


def test_json_kwh_rounding_and_never_fetched() -> None:
    line = make_line(values=[1.23456, 2.0, 3.0], age=None, stale=False)
    data = json.loads(out("json", line))
    assert data["days"][0]["value"] == 1.235
    assert data["fetched_at"] is None and data["age_seconds"] is None


# ------------------------------------------------------------------------------------------------- tmux


def test_tmux_escapes_every_hash_and_resets() -> None:
    line = make_line()
    text = out("tmux", line, ascii=True)
    assert text.endswith("#[default]\n")
    body = re.sub(r"#\[[^\]]*\]", "", text.rstrip("\n"))
    assert "#" in "".join(t for _c, t in formats.segments(line, RenderOptions(ascii=True)))
    assert re.fullmatch(r"(?:##|[^#])*", body), body  # no lone # outside style tags
    assert body.replace("##", "#") == "".join(t for _c, t in formats.segments(line, RenderOptions(ascii=True)))
    assert formats.tmux_escape("a#S#{x}") == "a##S##{x}"


def tmux(socket: str, *args: str) -> str:
    result = subprocess.run(
        ["tmux", "-S", socket, "-f", "/dev/null", *args], capture_output=True, text=True, timeout=10
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("ascii", [True, False])
def test_real_tmux_expands_styles_and_double_hash(tmux_sockets: tuple[str, str], tmp_path: Path, ascii: bool) -> None:
    """A real tmux client draws status-right '#(cat file)': styles applied, ## shown as #, colours as given."""
    inner, outer = tmux_sockets
    line = make_line()
    opts = RenderOptions(ascii=ascii)
    (tmp_path / "status").write_text(formats.get("tmux").render(line, opts), encoding="utf-8")
    visible = "".join(text for _colour, text in formats.segments(line, opts))
    tmux(inner, "new-session", "-d", "-s", "main", "-x", "120", "-y", "10")
    tmux(inner, "set", "-g", "status-right", f"#(cat {tmp_path / 'status'})")
    tmux(inner, "set", "-g", "status-right-length", "200")
    tmux(inner, "set", "-g", "status-interval", "1")
    tmux(inner, "set", "-g", "terminal-overrides", ",*:RGB")
    # A real client of the inner server, running inside a pane of the outer server, so its screen can be captured.
    tmux(
        outer,
        "new-session",
        "-d",
        "-s",
        "view",
        "-x",
        "120",
        "-y",
        "10",
        f"env -u TMUX tmux -u -S {inner} attach -t main",
    )
    deadline = time.monotonic() + 20
    status = ""
    while time.monotonic() < deadline:
        status = tmux(outer, "capture-pane", "-p", "-t", "view").rstrip("\n").split("\n")[-1]
        if visible in status:
            break
        time.sleep(0.2)
    assert visible in status, f"tmux drew {status!r}"
    assert "#[" not in status
    if ascii:
        assert "#" in visible and "##" not in status.split("]")[-1].replace(visible, "")
    coloured = tmux(outer, "capture-pane", "-p", "-e", "-t", "view").rstrip("\n").split("\n")[-1]
    for colour, _text in formats.segments(line, opts):
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert f"38;2;{r};{g};{b}m" in coloured


# ------------------------------------------------------------------------------------------------- i3blocks, i3bar


def test_i3blocks_raw_three_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("format", raising=False)
    line = make_line()
    full, short, colour, rest = out("i3blocks", line).split("\n")
    assert rest == ""
    assert full == out("plain", line).rstrip("\n")
    assert short == out("plain", line, short=True).rstrip("\n")
    assert colour == formats.DEFAULT_COLORS["stale"]
    fresh = make_line(stale=False)
    assert out("i3blocks", fresh).split("\n")[2] == formats.DEFAULT_COLORS[fresh.level]


def test_i3blocks_json_when_format_property_is_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("format", "json")
    line = make_line()
    data = json.loads(out("i3blocks", line))
    assert data == {
        "full_text": out("plain", line).rstrip("\n"),
        "short_text": out("plain", line, short=True).rstrip("\n"),
        "color": formats.DEFAULT_COLORS["stale"],
    }


def test_i3bar_block() -> None:
    from glowline.status.formats import i3bar

    line = make_line(stale=False)
    block = i3bar.block(line, RenderOptions())
    assert json.loads(out("i3bar", line)) == block
    assert block["name"] == "glowline" and block["instance"] == "electricity"
    assert block["full_text"] == out("plain", line).rstrip("\n")
    assert block["short_text"] == out("plain", line, short=True).rstrip("\n")
    assert re.fullmatch(r"#[0-9a-f]{6}", str(block["color"]))
    assert out("i3bar", line).count("\n") == 1


# ------------------------------------------------------------------------------------------------- waybar


def pango_parses(markup: str) -> None:
    """Pango markup is XML-like: escaped text must parse as the content of one element."""
    ElementTree.fromstring(f"<markup>{markup}</markup>")


def test_waybar_keys_escaping_and_tooltip() -> None:
    line = make_line(site="Tom & Jerry's <flat>", error="refresh failed: 503 <html>", error_kind="offline")
    text = out("waybar", line)
    assert text.count("\n") == 1
    data = json.loads(text)
    assert set(data) == {"text", "tooltip", "class", "percentage", "alt"}
    for key in ("text", "tooltip"):
        pango_parses(data[key])
    assert "Tom &amp; Jerry&#39;s &lt;flat&gt;" in data["tooltip"]
    assert "<" not in data["tooltip"] and "503 &lt;html&gt;" in data["tooltip"]
    for day in line.days:
        assert day.date in data["tooltip"]
    assert "so far" in data["tooltip"] and "Updated 3h ago" in data["tooltip"]
    assert data["class"] == [line.level, "stale", "partial", "error"]
    assert data["alt"] == "electricity"
    assert isinstance(data["percentage"], int) and 0 <= data["percentage"] <= 100


def test_waybar_percentage_and_single_class() -> None:
    typical = make_line(values=[10.0] * 5, partial=False, stale=False, history=[10.0] * 5)
    data = json.loads(out("waybar", typical))
    assert data["class"] == NORMAL
    assert data["percentage"] == 50
    double = make_line(values=[30.0] * 5, partial=False, stale=False, history=[10.0] * 5)
    assert json.loads(out("waybar", double))["percentage"] == 100
    assert json.loads(out("waybar", double))["class"] == "high"


# ------------------------------------------------------------------------------------------------- polybar, conky


def test_polybar_tags_balanced() -> None:
    for line in (make_line(), make_line(values=[None, None])):
        text = out("polybar", line)
        assert text.endswith("\n") and text.count("\n") == 1
        assert_balanced(text, r"%\{F#[0-9a-f]{6}\}", r"%\{F-\}")
        visible = re.sub(r"%\{F[^}]*\}", "", text.rstrip("\n"))
        assert visible == "".join(t for _c, t in formats.segments(line, RenderOptions()))


def test_conky_tags_balanced() -> None:
    text = out("conky", make_line())
    assert_balanced(text, r"\$\{color #[0-9a-f]{6}\}", r"\$\{color\}")
    assert formats.conky_escape("$5") == "$$5"


# ------------------------------------------------------------------------------------------------- xbar, motd


def test_xbar_menu() -> None:
    line = make_line()
    lines = out("xbar", line).rstrip("\n").split("\n")
    assert lines[0] == f"{out('plain', line).rstrip()} | color={formats.DEFAULT_COLORS['stale']} font=Menlo ansi=false"
    assert lines[1] == "---"
    for day in line.days:
        assert any(item.startswith(f"{day.date}  ") and item.endswith("font=Menlo ansi=false") for item in lines)
    assert "Updated 3h ago (stale) | font=Menlo ansi=false" in lines
    assert lines[-1] == "Refresh | refresh=true"
    # a | in user text must not start xbar parameters
    piped = make_line(site="a|b")
    assert all(item.count("|") == 1 for item in out("xbar", piped).rstrip("\n").split("\n") if item != "---")


def test_motd() -> None:
    line = make_line()
    text = out("motd", line, color=True)
    assert text.startswith("\n") and text.endswith("\n") and "\x1b" not in text
    local = time.strftime("%H:%M", time.localtime(line.fetched_at))
    assert text.split("\n")[1].startswith(f"Electricity, last 10 days: {expected_plain(line)}")
    assert f"(data from {local})" in text or "(data from 20" in text


def test_motd_under_env_i() -> None:
    """update-motd runs scripts with an empty environment (no HOME, LANG, TERM): still UTF-8 text, blank line first."""
    code = (
        "import sys; sys.path.insert(0, '.');"
        "from glowline.status.model import Day, Line, RenderOptions; from glowline.status import formats;"
        "line = Line('electricity.consumption', 'electricity', 'kWh', 'Europe/London',"
        " [Day('2026-11-20', 0, 0, 1.0, True), Day('2026-11-21', 0, 0, 2.0, False)], now=1e9, fetched_at=1e9-60);"
        "sys.stdout.write(formats.get('motd').render(line, RenderOptions()))"
    )
    result = subprocess.run(
        ["env", "-i", sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    bars = formats.bars([1.0, 2.0])
    assert result.stdout.decode("utf-8").startswith(f"\nElectricity, last 2 days: {bars}… 3.0 kWh (data from ")


# ------------------------------------------------------------------------------------------------- no ANSI leaks


def test_no_ansi_in_machine_formats_even_when_forced() -> None:
    """FORCE_COLOR in the environment and opts.color=True must not reach any machine format."""
    code = (
        "import sys; sys.path.insert(0, '.');"
        "from tests.test_formats import make_line, MACHINE_FORMATS; from glowline.status import formats;"
        "from glowline.status.model import RenderOptions;"
        "opts = RenderOptions(color=True);"
        "sys.stdout.write(''.join(formats.get(f).render(make_line(), opts) for f in MACHINE_FORMATS))"
    )
    env = dict(os.environ, FORCE_COLOR="1", CLICOLOR_FORCE="1", TERM="xterm-256color", COLORTERM="truecolor")
    env.pop("NO_COLOR", None)
    rendered = run_python(code, env=env)
    assert "glowline" in rendered and "---" in rendered  # i3bar name, xbar separator: every format ran
    assert "\x1b" not in rendered
    for name in MACHINE_FORMATS:
        assert "\x1b" not in out(name, make_line(), color=True)


# ------------------------------------------------------------------------------------------------- degraded & hide

HIDE_FORMS = {
    "plain": "\n",
    "ansi": "\n",
    "tmux": "\n",
    "polybar": "\n",
    "conky": "\n",
    "prompt": "\n",
    "i3blocks": "\n",
    "waybar": "\n",
    "i3status-rs": '{"icon":"","state":"Idle","text":"","short_text":""}\n',
    "xbar": "",
    "motd": "",
}


@pytest.mark.parametrize("name", FORMATS)
def test_no_data_degraded_and_hidden(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("format", raising=False)
    line = make_line(values=[None, None], error="cannot reach glowmarkt.com", error_kind="offline", age=None)
    shown = out(name, line)
    assert shown.endswith("\n")
    if name == "json":
        assert json.loads(shown)["error"] == "cannot reach glowmarkt.com"
        assert json.loads(out(name, line, on_error="hide")) == json.loads(shown)  # json is not a status format
        return
    if name == "prometheus":  # still valid exposition: up 0, and the reason unless hidden (tests/test_prometheus.py)
        assert "glowline_up{" in shown and '} 0\n' in shown and 'kind="offline"' in shown
        assert "glowline_error" not in out(name, line, on_error="hide")
        return
    if name == "motd":
        assert shown == "\nElectricity: offline (cannot reach glowmarkt.com)\n"  # with the reason (stderr is lost)
    elif name == "waybar":
        assert json.loads(shown)["text"] == "glowline: offline"
        assert json.loads(shown)["class"] == ["none", "error"]
    else:
        assert "glowline: offline" in shown
    hidden = out(name, line, on_error="hide")
    if name == "i3bar":
        assert json.loads(hidden)["full_text"] == ""
    else:
        assert hidden == HIDE_FORMS[name]
    # data with a failed refresh is drawn (stale), never hidden
    stale = make_line(error="refresh failed", error_kind="offline")
    assert "glowline: offline" not in out(name, stale, on_error="hide")


def test_i3blocks_json_hide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("format", "json")
    assert json.loads(out("i3blocks", make_line(values=[None]), on_error="hide")) == {"full_text": ""}


def test_no_data_without_error() -> None:
    assert out("plain", make_line(values=[None, None], age=None)) == "glowline: no data yet\n"


# ------------------------------------------------------------------------------------------------- escapes, JSON


def test_pango_escape() -> None:
    assert formats.pango_escape("a & b <c> 'd' \"e\"") == "a &amp; b &lt;c&gt; &#39;d&#39; &quot;e&quot;"


TRICKY = [
    "",
    'quote " backslash \\ slash /',
    "\x00\x01\x1f\x7f tab\t nl\n cr\r",
    "\u2028\u2029",
    "£ m³ ▁█ 🔌",
    "\ud800x",
]


@pytest.mark.parametrize("value", TRICKY)
def test_json_dumps_tricky_strings(value: str) -> None:
    encoded = formats.json_dumps({"k": value, "l": [value]})
    assert json.loads(encoded) == {"k": value, "l": [value]}
    assert "\u2028" not in encoded and "\u2029" not in encoded
    assert not re.search(r"[\x00-\x1f]", encoded)
    encoded.encode("utf-8")  # valid UTF-8 even with a lone surrogate in the input


def test_json_dumps_scalars() -> None:
    assert formats.json_dumps([None, True, False, 0, -3, 1.5, float("nan"), float("inf")]) == (
        "[null,true,false,0,-3,1.5,null,null]"
    )
    with pytest.raises(TypeError):
        formats.json_dumps({"x": object()})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_json_dumps_round_trips(value: object) -> None:
    assert json.loads(formats.json_dumps(value)) == value


# ------------------------------------------------------------------------------- the hosts doc's snippets


def test_hosts_doc_snippets(tmux_sockets: tuple[str, str], tmp_path: Path) -> None:
    """Snippets parse: Waybar JSON, shell stubs (sh -n / bash -n), the tmux lines in a real tmux; every format named."""
    readme = (ROOT / "docs" / "hosts.md").read_text(encoding="utf-8")
    doc = readme[readme.index("<!-- hosts:begin") : readme.index("<!-- hosts:end -->")]
    blocks = re.findall(r"```(\w+)\n(.*?)```", doc, re.S)
    kinds = [kind for kind, _body in blocks]
    for needed in ("tmux", "ini", "jsonc", "toml", "bash", "sh"):
        assert needed in kinds, needed
    waybar = next(body for kind, body in blocks if kind == "jsonc")
    module = json.loads(waybar)["custom/glowline"]
    assert module["return-type"] == "json" and "--format waybar" in module["exec"]
    for name in FORMATS:
        if name not in ("plain", "json", "ansi"):
            assert f"--format {name}" in doc, name
    assert "glowline watch --format i3bar" in doc
    for kind, body in blocks:
        if kind in ("sh", "bash"):
            shell = "bash" if kind == "bash" else "sh"
            if "setopt" in body:
                continue  # zsh syntax
            checked = subprocess.run([shell, "-n"], input=body, text=True, capture_output=True, check=False)
            assert checked.returncode == 0, (body, checked.stderr)
    tmux_conf = tmp_path / "tmux.conf"
    tmux_conf.write_text(next(body for kind, body in blocks if kind == "tmux"), encoding="utf-8")
    inner, _outer = tmux_sockets
    tmux(inner, "new-session", "-d", "-s", "main")
    tmux(inner, "source-file", str(tmux_conf))
    assert tmux(inner, "show", "-gv", "status-right").strip() == "#(glowline --format tmux --max-age 30) %H:%M"
    assert doc.count("```") % 2 == 0
