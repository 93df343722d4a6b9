"""Issue 20, item 7's CLI findings: bytes that are not UTF-8 in GLOWLINE_API_URL, GLOWLINE_MQTT_URL or --site are
one usage line (never an internal error, and the status line says so instead of "still fetching" for ever);
`fetch`/`sync --resource <TAB>` completes the resources; a report over more than a year names the first day's
year."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from glowline.catalog import RESOURCES
from glowline.emulator import Emulator
from glowline.report.terminal_days import span_text
from tests.helpers import glowline_env
from tests.test_completion import bash_complete, script

BAD = b"\xff\xfe"


def run_bytes(env: dict[bytes, bytes], *args: bytes) -> subprocess.CompletedProcess[str]:
    """glowline with argv and environment as raw bytes (what a shell passes; not always UTF-8)."""
    return subprocess.run([sys.executable.encode(), b"-m", b"glowline", *args], env=env, capture_output=True,
                          text=True, timeout=60, errors="replace")


def bytes_env(env: dict[str, str], **extra: bytes) -> dict[bytes, bytes]:
    out = {os.fsencode(k): os.fsencode(v) for k, v in env.items()}
    out.update({k.encode(): v for k, v in extra.items()})
    return out


@pytest.mark.parametrize("variable", ["GLOWLINE_API_URL", "GLOWLINE_MQTT_URL", "GLOWLINE_USERNAME"])
@pytest.mark.parametrize("args", [(b"fetch",), (b"report",), (b"live", b"--timeout", b"1"), (b"config", b"show"),
                                  (b"export",), (b"sync",)])
def test_a_variable_that_is_not_utf8_is_one_usage_line(home: Path, emulator: Emulator, variable: str,
                                                       args: tuple[bytes, ...]) -> None:
    """7.4 a non-UTF-8 GLOWLINE_API_URL or GLOWLINE_MQTT_URL was an internal error."""
    env = bytes_env(glowline_env(home, emulator), **{variable: b"http://127.0.0.1/" + BAD})
    proc = run_bytes(env, *args)
    assert proc.returncode == 2, (args, proc.stderr)
    assert proc.stderr.count("\n") == 1 and f"{variable} is not UTF-8 text" in proc.stderr
    assert "internal error" not in proc.stderr


@pytest.mark.parametrize("args", [(b"fetch", b"--site", BAD), (b"report", b"--site=" + BAD),
                                  (b"live", b"--site", BAD, b"--timeout", b"1"), (b"export", b"--site", BAD)])
def test_a_site_that_is_not_utf8_is_one_usage_line(home: Path, emulator: Emulator, args: tuple[bytes, ...]) -> None:
    """7.4 a non-UTF-8 --site was an internal error."""
    proc = run_bytes(bytes_env(glowline_env(home, emulator)), *args)
    assert proc.returncode == 2 and "--site: not UTF-8 text" in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr


def test_the_status_line_says_why_instead_of_still_fetching(home: Path, emulator: Emulator) -> None:
    """7.4 the line's refresher died, so the line said "still fetching" on every call."""
    env = bytes_env(glowline_env(home, emulator), GLOWLINE_API_URL=b"http://127.0.0.1/" + BAD)
    for _ in range(2):
        proc = run_bytes(env, b"--format", b"waybar")
        assert proc.returncode == 0 and "still fetching" not in proc.stdout + proc.stderr
        assert "not UTF-8" in proc.stdout, proc.stdout
    site = run_bytes(bytes_env(glowline_env(home, emulator)), b"--format", b"tmux", b"--site", BAD)
    assert site.returncode == 0 and "usage error" in site.stdout and "still fetching" not in site.stdout


def test_a_file_name_may_be_any_bytes(home: Path, emulator: Emulator, tmp_path: Path) -> None:
    target = os.fsencode(tmp_path) + b"/out-" + BAD + b".csv"
    proc = run_bytes(bytes_env(glowline_env(home, emulator)), b"export", b"--days", b"1", b"-o", target)
    assert proc.returncode == 0, proc.stderr
    assert os.path.exists(target)


def test_fetch_and_sync_resource_complete(home: Path) -> None:
    """7.5 `fetch`/`sync --resource <TAB>` completed nothing."""
    path = script("bash", home)
    for command in ("fetch", "sync"):
        assert bash_complete(path, command, "--resource", "") == [*RESOURCES, "all"]
        assert bash_complete(path, command, "--resource", "ga") == ["gas", "gas-cost"]


def test_a_report_over_a_year_names_the_first_days_year(home: Path) -> None:
    """7.6 `report --days 400` headed "Fri 31 Oct to Fri 04 Dec 2026" for a range starting in 2025."""
    assert span_text(date(2025, 10, 31), date(2026, 12, 4)) == "Fri 31 Oct 2025 to Fri 04 Dec 2026"
    assert span_text(date(2026, 11, 28), date(2026, 12, 4)) == "Sat 28 Nov to Fri 04 Dec 2026"
    assert span_text(date(2025, 12, 29), date(2026, 1, 4)) == "Mon 29 Dec 2025 to Sun 04 Jan 2026"


def test_report_days_400_heads_with_both_years(home: Path, emulator: Emulator) -> None:
    proc = subprocess.run([sys.executable, "-m", "glowline", "report", "--days", "400"],
                          env=glowline_env(home, emulator), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    heading = proc.stdout.splitlines()[0]
    today = date.today()
    first = date.fromordinal(today.toordinal() - 399)
    assert f"{first:%a %d %b %Y} to {today:%a %d %b %Y}" in heading, heading
