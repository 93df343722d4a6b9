"""The config file: defaults the command line overrides, one clear line naming a bad key, a compiled copy for speed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.helpers import cache_dir, glowline_env, run, run_json


def write_config(home: Path, text: str) -> Path:
    path = home / ".config" / "glowline" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_config_defaults_and_the_command_line_wins(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    write_config(home, 'days = 4\nresource = "gas"\nformat = "json"\ntimeout = 20\n')
    doc = json.loads(run(env).stdout)
    assert len(doc["days"]) == 4 and doc["resource"] == "gas.consumption"
    doc = run_json(env, "--days", "2", "--resource", "electricity")
    assert len(doc["days"]) == 2 and doc["resource"] == "electricity.consumption"


def test_colours_and_thresholds_from_the_config_reach_the_output(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch", "--days", "40").returncode == 0
    write_config(home, '[colors]\nnormal = "#123456"\nlow = "#123456"\nhigh = "#123456"\n')
    assert "#[fg=#123456," in run(env, "--format", "tmux").stdout
    # thresholds so wide that every complete day is "normal"
    write_config(home, "[thresholds]\nlow = 0.01\nhigh = 100.0\n")
    levels = {d["level"] for d in run_json(env, "--days", "30")["days"][:-2]}
    assert levels == {"normal"}


def test_an_invalid_config_names_the_key(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    for text, key in (("dayz = 3\n", "dayz"), ('days = "ten"\n', "days"), ("days = 0\n", "days"),
                      ('[colors]\nhigh = "red"\n', "colors.high"), ("days = [\n", "TOML")):
        write_config(home, text)
        proc = run(env)
        assert proc.returncode == 8, (text, proc.stderr)
        assert proc.stderr.count("\n") == 1 and key in proc.stderr and "Traceback" not in proc.stderr
        status = run(env, "--format", "waybar")  # a status format: a degraded line and exit 0
        assert status.returncode == 0 and json.loads(status.stdout)["class"]


def test_the_compiled_copy_follows_the_file(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    path = write_config(home, "days = 3\n")
    assert len(run_json(env, "--timeout", "20")["days"]) == 3
    compiled = cache_dir(home) / "config.compiled"
    assert compiled.exists()
    path.write_text("days = 5\n")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert len(run_json(env, "--timeout", "20")["days"]) == 5
    compiled.write_text("garbage")  # a damaged copy is simply rebuilt
    assert len(run_json(env)["days"]) == 5


def test_gas_in_cubic_metres_from_the_flag_or_the_config(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    kwh = run_json(env, "--resource", "gas", "--days", "5", "--timeout", "20")
    m3 = run_json(env, "--resource", "gas", "--days", "5", "--gas-unit", "m3")
    assert kwh["unit"] == "kWh" and m3["unit"] == "m3"
    factor = 3.6 / 39.5 / 1.02264  # the default calorific value and the standard correction factor
    for a, b in zip(kwh["days"], m3["days"], strict=True):
        if a["value"] is not None:
            assert abs(b["value"] - a["value"] * factor) <= 0.0006
    assert run(env, "--resource", "gas", "--days", "5", "--gas-unit", "m3").stdout.rstrip().endswith("m³")
    write_config(home, '[gas]\nunit = "m3"\ncalorific_value = 40.0\n')
    doc = run_json(env, "--resource", "gas", "--days", "5")
    assert doc["unit"] == "m3"
    first = next(i for i, d in enumerate(kwh["days"]) if d["value"])
    assert abs(doc["days"][first]["value"] - kwh["days"][first]["value"] * 3.6 / 40.0 / 1.02264) <= 0.0006
    assert run_json(env, "--days", "5")["unit"] == "kWh"  # electricity is never converted
