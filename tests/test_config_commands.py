"""`glowline config path|show|init|check` in real processes over a throwaway HOME: the example init writes is valid
with every line uncommented, init never overwrites, check gives one line per problem, show says where each value
came from (default, config file, environment)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def config(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "glowline", "config", *args], capture_output=True, text=True,
                          timeout=30, env={**os.environ, **(env or {})})


def test_path_names_each_file_and_whether_it_exists(home: Path) -> None:
    proc = config("path")
    assert proc.returncode == 0, proc
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()}
    assert set(rows) == {"config", "account", "cache", "compiled"}
    assert str(home / ".config/glowline/config.toml") in rows["config"] and "not there" in rows["config"]
    assert str(home / ".cache/glowline") in rows["cache"]


def test_init_writes_a_commented_example_that_check_accepts_and_never_overwrites(home: Path) -> None:
    path = home / ".config/glowline/config.toml"
    assert config("check").returncode == 0  # no file: the defaults
    proc = config("init")
    assert proc.returncode == 0 and str(path) in proc.stdout, proc
    text = path.read_text(encoding="utf-8")
    assert all(not line or line.startswith("#") for line in text.splitlines())  # defaults until a '#' goes
    assert config("check").stdout == f"OK: {path} is valid\n"
    # every example value, uncommented, is itself valid
    uncommented = re.sub(r"(?m)^# (\[|[a-z_]+ = )", r"\1", text)
    assert uncommented.count("\n[") == 8 and "\ndays = 10" in uncommented
    path.write_text(uncommented, encoding="utf-8")
    assert config("check").returncode == 0
    path.write_text("days = 7\n", encoding="utf-8")
    again = config("init")
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "already exists" in again.stderr
    assert path.read_text(encoding="utf-8") == "days = 7\n"  # untouched


def test_check_prints_one_line_per_problem(home: Path) -> None:
    path = home / ".config/glowline/config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('days = 0\ncolor = "loud"\nnope = 1\n[colors]\nlow = "red"\nhigh = "#ffffff"\n', encoding="utf-8")
    proc = config("check")
    assert proc.returncode == 8, proc
    lines = proc.stdout.splitlines()
    assert len(lines) == 4, lines
    assert [key for line in lines for key in ("days", "color =", "'nope'", "colors.low") if key in line] == [
        "days", "color =", "'nope'", "colors.low"]
    path.write_text("days = [", encoding="utf-8")
    broken = config("check")
    assert broken.returncode == 8 and broken.stdout.count("\n") == 1 and "not valid TOML" in broken.stdout


def test_show_says_where_each_value_came_from(home: Path) -> None:
    path = home / ".config/glowline/config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('days = 14\n[thresholds]\nhigh = 1.5\n', encoding="utf-8")
    proc = config("show", env={"GLOWLINE_API_URL": "http://127.0.0.1:9/"})
    assert proc.returncode == 0, proc
    rows = {line.split(" = ")[0]: line for line in proc.stdout.splitlines() if " = " in line}
    assert rows["days"].startswith("days = 14 ") and rows["days"].endswith(f"# config file {path}")
    assert rows["thresholds.high"].endswith(f"# config file {path}")
    assert rows["resource"].endswith('# default') and '"electricity"' in rows["resource"]
    assert rows["api_url"].endswith("# environment GLOWLINE_API_URL") and "127.0.0.1:9" in rows["api_url"]
    assert rows["thresholds.low"].endswith("# default")
