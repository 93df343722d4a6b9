"""--format prometheus, read back by prometheus_client's own text parser: names, HELP/TYPE, labels, exact values,
the degraded and hide forms, awkward label values; and a real process against the emulator."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from glowline.status.formats import get
from glowline.status.model import Day, Line, RenderOptions
from tests.helpers import expected_day, glowline_env, run, run_json

NOW = 1796200000.0


def families(text: str) -> dict[str, Any]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def a_line(values: list[float | None], unit: str = "kWh", **extra: Any) -> Line:
    days = [Day(f"2026-11-{20 + i:02d}", 0, 0, v, complete=i < len(values) - 1) for i, v in enumerate(values)]
    line = Line("electricity.consumption", "electricity", unit, "Europe/London", days, NOW, site='My "home"\\x',
                typical=9.5, fetched_at=NOW - 125.5, **extra)
    return line


def test_every_metric_is_a_gauge_with_help_and_exact_values() -> None:
    text = get("prometheus").render(a_line([9.25, 10.5, 1.125]), RenderOptions())
    assert text.endswith("\n") and "\x1b" not in text
    found = families(text)
    assert set(found) == {"glowline_up", "glowline_today_kwh", "glowline_yesterday_kwh", "glowline_window_kwh",
                          "glowline_typical_day_kwh", "glowline_data_age_seconds",
                          "glowline_data_fetched_timestamp_seconds", "glowline_stale"}
    for name, family in found.items():
        assert family.type == "gauge" and family.documentation, name
        assert len(family.samples) == 1
        labels = family.samples[0].labels
        assert labels["resource"] == "electricity.consumption" and labels["site"] == 'My "home"\\x', labels
        assert labels["tz"] == "Europe/London" and labels["name"] == "electricity"
    value = {name: f.samples[0].value for name, f in found.items()}
    assert value["glowline_up"] == 1 and value["glowline_stale"] == 0
    assert value["glowline_today_kwh"] == 1.125
    assert found["glowline_today_kwh"].samples[0].labels["date"] == "2026-11-22"
    assert value["glowline_yesterday_kwh"] == 10.5
    assert found["glowline_yesterday_kwh"].samples[0].labels["complete"] == "true"
    assert value["glowline_window_kwh"] == math.fsum([9.25, 10.5, 1.125])
    assert found["glowline_window_kwh"].samples[0].labels["days"] == "3"
    assert value["glowline_typical_day_kwh"] == 9.5
    assert value["glowline_data_age_seconds"] == 125  # whole seconds
    assert value["glowline_data_fetched_timestamp_seconds"] == int(NOW - 125.5)


def test_cost_and_gas_volume_name_their_unit() -> None:
    assert "glowline_window_gbp" in families(get("prometheus").render(a_line([1.5, 0.25], "GBP"), RenderOptions()))
    assert "glowline_today_m3" in families(get("prometheus").render(a_line([1.5, 0.25], "m3"), RenderOptions()))


def test_an_error_is_still_valid_exposition_and_the_hide_form_drops_the_reason() -> None:
    line = a_line([None, None], error='cannot reach "api"\nnow', error_kind="offline")
    found = families(get("prometheus").render(line, RenderOptions()))
    assert found["glowline_up"].samples[0].value == 0
    error = found["glowline_error"].samples[0]
    assert error.value == 1 and error.labels["kind"] == "offline" and error.labels["reason"] == "offline"
    assert error.labels["message"] == 'cannot reach "api"\nnow'
    assert "glowline_window_kwh" not in found and "glowline_today_kwh" not in found
    hidden = families(get("prometheus").render(line, RenderOptions(on_error="hide")))
    assert "glowline_error" not in hidden and hidden["glowline_up"].samples[0].value == 0
    stale = families(get("prometheus").render(a_line([1.0, 2.0], stale=True, error="refresh failed",
                                                     error_kind="offline"), RenderOptions()))
    assert stale["glowline_stale"].samples[0].value == 1 and stale["glowline_up"].samples[0].value == 1


def test_a_real_process_against_the_emulator(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    proc = run(env, "--format", "prometheus", "--cached-only")
    assert proc.returncode == 0 and proc.stderr == "", proc
    found = families(proc.stdout)
    doc = run_json(env, "--cached-only")
    assert found["glowline_window_kwh"].samples[0].value == doc["total"]
    assert found["glowline_yesterday_kwh"].samples[0].value == doc["days"][-2]["value"]
    from datetime import date

    rid = emulator.resource_id("DCC Sourced", "electricity.consumption")
    truth, _ = expected_day(emulator, rid, date.fromisoformat(doc["days"][-2]["date"]))
    assert found["glowline_yesterday_kwh"].samples[0].value == pytest.approx(truth, abs=5e-4)
    # nothing cached: still exposition, exit 0 (a status format), glowline_up 0
    empty = run(glowline_env(home / "other", emulator), "--format", "prometheus", "--cached-only")
    assert empty.returncode == 0 and families(empty.stdout)["glowline_up"].samples[0].value == 0


def test_the_format_stays_on_the_fast_path() -> None:
    code = ("import sys; import glowline.status.formats.prometheus; "
            "print(sorted(m for m in ('json', 're', 'datetime', 'sqlite3', 'typing') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert proc.stdout.strip() == "[]"
