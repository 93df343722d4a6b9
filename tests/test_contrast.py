"""Readable in every host's default look (issue 21, finding 5): tmux's default status bar is green (#00cd00) and a line
that sets only the text colour read at 1.08:1 there. Measured here from what a real tmux draws (`capture-pane -e` of a
real client), on tmux's default bar and on dark themes: every visible character of glowline's part has 4.5:1 (WCAG) or
better against what it is drawn on. And computed for i3bar's, Polybar's and Waybar's default backgrounds."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.status.formats import DEFAULT_COLORS
from glowline.status.model import NONE
from tests.test_hosts import Host, snippet, strip_tmux

#: WCAG 2's least contrast for normal text
LEAST = 4.5
#: xterm's default 16 colours (what tmux's named colours, e.g. the default bar's "green", are drawn as)
XTERM_16 = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
            "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]
#: the hosts' default backgrounds: i3bar's (i3 userguide: background #000000), Polybar's default config
#: (/etc/polybar/config.ini, 3.6: #282A2E) and Waybar's default style.css (window#waybar: rgba(43, 48, 59, 0.5))
HOST_BACKGROUNDS = {"i3bar": "#000000", "polybar": "#282a2e", "waybar": "#2b303b"}
#: Waybar's default text colour (style.css: color: #ffffff): glowline's Waybar text carries no colour of its own
WAYBAR_TEXT = "#ffffff"
#: tmux themes: tmux's own default, and two dark ones as their tmux.conf files set the bar
THEMES = {
    "default": "",
    "nord": "set -g status-style bg=#2e3440,fg=#d8dee9\n",
    "dracula": "set -g status-style bg=#44475a,fg=#f8f8f2\n",
}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    digits = hex_colour.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(colour: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def xterm_256(index: int) -> tuple[int, int, int]:
    if index < 16:
        return rgb(XTERM_16[index])
    if index < 232:
        levels = [0, 95, 135, 175, 215, 255]
        index -= 16
        return levels[index // 36], levels[(index // 6) % 6], levels[index % 6]
    grey = 8 + 10 * (index - 232)
    return grey, grey, grey


def styled_cells(captured: str) -> list[tuple[str, tuple[int, int, int] | None, tuple[int, int, int] | None]]:
    """(character, fg, bg) for each character of a `capture-pane -e` line; None where the terminal's default is
    used."""
    cells = []
    fg: tuple[int, int, int] | None = None
    bg: tuple[int, int, int] | None = None
    for escape, char in re.findall(r"\x1b\[([0-9;]*)m|(.)", captured):
        if not escape and char == "":
            continue
        if char:
            cells.append((char, fg, bg))
            continue
        codes = [int(c) for c in escape.split(";") if c] or [0]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code == 0:
                fg = bg = None
            elif code in (38, 48):
                if codes[i + 1] == 5:
                    value, i = xterm_256(codes[i + 2]), i + 2
                else:
                    value, i = (codes[i + 2], codes[i + 3], codes[i + 4]), i + 4
                fg, bg = (value, bg) if code == 38 else (fg, value)
            elif code == 39:
                fg = None
            elif code == 49:
                bg = None
            elif 30 <= code <= 37:
                fg = rgb(XTERM_16[code - 30])
            elif 40 <= code <= 47:
                bg = rgb(XTERM_16[code - 40])
            elif 90 <= code <= 97:
                fg = rgb(XTERM_16[code - 90 + 8])
            elif 100 <= code <= 107:
                bg = rgb(XTERM_16[code - 100 + 8])
            i += 1
    return cells


@pytest.fixture
def tmux_host(home: Path, emulator: Any, tmp_path: Path) -> Host:
    """glowline on PATH with a filled cache (tests/test_hosts.py's Host)."""
    ready = Host(home, emulator, tmp_path)
    ready.warm()
    return ready


def tmux(socket: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True, timeout=10, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("theme", list(THEMES))
def test_tmux_line_reads_at_4_5_to_1_on_the_bar_a_real_tmux_draws(
    tmux_host: Host, tmux_sockets: tuple[str, str], tmp_path: Path, theme: str
) -> None:
    """The README's tmux.conf (plus a theme's status-style), drawn by a real tmux client inside another tmux's pane,
    captured with its colours."""
    inner, outer = tmux_sockets
    conf = tmp_path / "tmux.conf"
    conf.write_text(THEMES[theme] + snippet("tmux"), encoding="utf-8")
    command = re.search(r"#\((.*?)\)", snippet("tmux"))
    assert command is not None
    expected = strip_tmux(tmux_host.sh(command.group(1)).stdout.rstrip("\n"))
    assert "kWh" in expected
    tmux(inner, "-f", str(conf), "new-session", "-d", "-s", "main", "-x", "120", "-y", "10", env=tmux_host.env)
    tmux(inner, "set", "-g", "terminal-overrides", ",*:RGB")
    tmux(outer, "-f", "/dev/null", "new-session", "-d", "-s", "view", "-x", "120", "-y", "10",
         f"env -u TMUX tmux -u -S {inner} attach -t main", env=tmux_host.env)
    deadline = time.monotonic() + 20
    captured = ""
    while time.monotonic() < deadline:
        plain = tmux(outer, "capture-pane", "-p", "-t", "view").rstrip("\n").split("\n")[-1]
        if expected in plain:
            captured = tmux(outer, "capture-pane", "-p", "-e", "-t", "view").rstrip("\n").split("\n")[-1]
            break
        time.sleep(0.2)
    assert captured, f"tmux never drew {expected!r}"
    cells = styled_cells(captured)
    text = "".join(c for c, _fg, _bg in cells)
    start = text.index(expected)
    ours = cells[start : start + len(expected)]
    if theme == "default":  # the bar around glowline's part really is tmux's green
        assert cells[start - 2][2] == rgb("#00cd00"), captured
    worst = min(contrast(fg, bg) for c, fg, bg in ours if c != " " and fg is not None and bg is not None)
    assert all(fg is not None and bg is not None for c, fg, bg in ours if c != " "), captured
    assert worst >= LEAST, f"{theme}: contrast {worst:.2f}:1 in {captured!r}"


def drawn_colours() -> dict[str, str]:
    """The colours glowline draws text in (NONE marks gap cells, which are blank; "background" is no text colour)."""
    return {k: v for k, v in DEFAULT_COLORS.items() if k not in (NONE, "background")}


@pytest.mark.parametrize("host_name", ["i3bar", "polybar"])
def test_every_text_colour_reads_on_the_hosts_default_background(host_name: str) -> None:
    background = rgb(HOST_BACKGROUNDS[host_name])
    for name, colour in drawn_colours().items():
        assert contrast(rgb(colour), background) >= LEAST, (host_name, name, colour)


def test_every_text_colour_reads_on_glowlines_own_tmux_background() -> None:
    background = rgb(DEFAULT_COLORS["background"])
    for name, colour in drawn_colours().items():
        assert contrast(rgb(colour), background) >= LEAST, (name, colour)


def test_waybar_text_and_the_documented_css_colours_read_on_waybars_default_background() -> None:
    from tests.test_hosts import DOC

    background = rgb(HOST_BACKGROUNDS["waybar"])
    assert contrast(rgb(WAYBAR_TEXT), background) >= LEAST
    css = re.findall(r"#custom-glowline[.\w-]*\s*\{[^}]*?color:\s*(#[0-9a-fA-F]{6})", DOC.read_text(encoding="utf-8"))
    assert css, "the README's Waybar CSS example"
    for colour in css:
        assert contrast(rgb(colour), background) >= LEAST, colour


def test_gap_cells_are_blank() -> None:
    """The NONE colour is never seen on a glyph: a day without data is a blank cell."""
    from glowline.status import formats

    assert formats.bars([1.0, None, 3.0])[1] == " "


def test_the_old_palette_failed_on_tmuxs_default_bar() -> None:
    """The finding's numbers, computed the same way: a light colour on #00cd00 is far below 4.5:1."""
    assert round(contrast(rgb("#88c0d0"), rgb("#00cd00")), 2) == 1.08
