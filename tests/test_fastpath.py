"""Fast by construction: the status line from a warm cache imports nothing heavy, and --help nothing networked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, age_cache, cache_dir, glowline_env, run, wait_until

HEAVY = {"requests", "urllib3", "keyring", "rich", "importlib.metadata", "http.client", "ssl", "socket"}
# not heavy in general, but each costs milliseconds the status line does not need
SLOW_STDLIB = {"json", "re", "argparse", "datetime", "zoneinfo", "tomllib", "typing", "dataclasses", "subprocess",
               "enum", "pathlib", "tempfile", "logging"}


def imported(env: dict[str, str], *args: str, site: bool = False) -> set[str]:
    """Modules a real `glowline ARGS` process imports, read from -X importtime (without site, so only ours, unless
    ``site``: the route needs site-packages)."""
    flags = [] if site else ["-S"]
    proc = subprocess.run([sys.executable, *flags, "-X", "importtime", str(ROOT / "bin" / "glowline"), *args],
                          env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("fmt", ["plain", "tmux", "waybar", "i3blocks", "polybar", "json", "motd", "prompt"])
def test_warm_status_line_imports_nothing_heavy(home: Path, emulator: Any, fmt: str) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    emulator.reset_counts()
    modules = imported(env, "--format", fmt)
    assert "glowline.status.line" in modules and f"glowline.status.formats.{fmt}" in modules
    assert not modules & HEAVY, modules & HEAVY
    assert not modules & SLOW_STDLIB, modules & SLOW_STDLIB
    assert emulator.count() == 0


def test_help_imports_nothing_networked(home: Path) -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "glowline", "--help"], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0 and "usage: glowline" in proc.stdout
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not modules & {"requests", "keyring", "rich", "importlib.metadata"}


# -- the cold routes: each still imports nothing heavy; only the hand-over (a stored series re-projected into days
# for a zone without a days file) may pay for json/datetime, and it never touches requests or the network

def test_stale_route_imports_nothing_heavy_and_starts_the_refresher(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    age_cache(home, 3 * 3600)
    modules = imported(env, "--format", "tmux")
    assert not modules & HEAVY, modules & HEAVY
    assert not modules & SLOW_STDLIB, modules & SLOW_STDLIB
    assert wait_until(lambda: emulator.count("readings") >= 1, 10)  # the detached refresher did the network part


@pytest.mark.parametrize("route", ["no-days-file", "another-tz"])
def test_handover_routes_import_nothing_heavy(home: Path, emulator: Any, route: str) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    args = ["--cached-only", "--format", "json"]
    if route == "no-days-file":
        for path in cache_dir(home).glob("*.days"):
            path.unlink()
    else:
        args += ["--tz", "Europe/Paris"]
    emulator.reset_counts()
    modules = imported(env, *args)
    assert "glowline.data.days" in modules  # the explicit hand-over, not a silent fallback
    assert not modules & HEAVY, modules & HEAVY
    assert emulator.count() == 0
    days = json.loads(run(env, *args).stdout)["days"]
    assert len(days) == 10 and days[-2]["value"] is not None


def test_cached_only_with_nothing_cached_imports_nothing_heavy(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    proc = subprocess.run([sys.executable, "-S", "-X", "importtime", str(ROOT / "bin" / "glowline"), "--cached-only",
                           "--format", "tmux"], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and "no data yet" in proc.stdout
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not modules & HEAVY, modules & HEAVY
    assert emulator.count() == 0


def test_fetch_builds_no_cli_and_imports_no_other_command(home: Path, emulator: Any) -> None:
    """The background refresher's route: fetch's own options, then the sync; no doctor, report, export, rich."""
    env = glowline_env(home, emulator)
    modules = imported(env, "fetch", site=True)
    assert "glowline.data.sync" in modules and "http.client" in modules  # it did fetch
    assert "requests" not in modules  # no proxy configured: the standard library's transport (docs/performance.md)
    others = {m for m in modules if m.startswith("glowline.commands.")} - {
        "glowline.commands.fetch", "glowline.commands.options"}
    assert not others, others
    assert not modules & {"rich", "glowline.data.export", "glowline.data.tariff"}
    assert emulator.count("readings") == 1


# -- what a warm line costs, counted, not timed (the times are benchmarks/bench.py's, in docs/performance.md): every
# module a warm line loads costs it about 0.1 ms, and the interpreter's teardown about 1.6 ms

#: glowline's modules a warm templated line loads (with [files] formats and [icons]): the package, the CLI, the
#: catalogue, paths, files; status: argv, settings, days, policy, model, line, formats, one format, the template
WARM_MODULE_BUDGET = 15


def test_a_warm_templated_line_loads_few_modules_and_no_exception_tree(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    config = home / ".config" / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[templates]\nplain = "{icon} {today} today, {spark} {total} {age} {cost_today}"\n'
                      '[icons]\nset = "emoji"\n[files]\nformats = ["prompt"]\n', encoding="utf-8")
    assert run(env, "fetch", "--resource", "electricity,electricity-cost").returncode == 0
    assert "today," in run(env).stdout  # the config compiled, the pre-rendered line written
    modules = imported(env)
    ours = sorted(m for m in modules if m.startswith("glowline"))
    assert "glowline.status.template" in ours and "glowline.status.formats.plain" in ours
    assert len(ours) <= WARM_MODULE_BUDGET, ours
    # no `from __future__ import annotations` on the status path (a module of its own), and the exception tree only
    # once something failed: a line that draws returns the package's EXIT_OK
    assert not modules & {"__future__", "glowline.errors", "threading"}, modules & {"__future__", "glowline.errors"}


def test_the_status_path_has_no_future_import() -> None:
    """The rule behind the budget, for every module a status line can load (a format, --live, the tail, spawn)."""
    status = [*sorted((ROOT / "glowline" / "status").rglob("*.py")),
              *(ROOT / "glowline" / name for name in ("__init__.py", "cli.py", "catalog.py", "paths.py", "files.py"))]
    offenders = [str(p.relative_to(ROOT)) for p in status if "from __future__ import" in p.read_text(encoding="utf-8")]
    assert offenders == []


TEARDOWN = """
import sys
class Witness:
    def __del__(self):
        sys.stdout.write("teardown\\n")
witness = Witness()
{setup}
from glowline.cli import leave
sys.stdout.write("line\\n")
leave(3)
"""


@pytest.mark.parametrize(("setup", "torn_down"), [
    ("", False),  # the status line's case: flushed, exit code kept, no teardown
    ("import atexit; atexit.register(lambda: sys.stdout.write('atexit\\\\n'))", True),  # someone asked for the end
    ("import glowline.data", True),  # the data layer ran: its files and connections close the usual way
    ("import threading", True),  # a thread may still be working: the usual exit waits for it
])
def test_leave_skips_the_teardown_only_when_nothing_needs_it(setup: str, torn_down: bool) -> None:
    proc = subprocess.run([sys.executable, "-c", TEARDOWN.format(setup=setup)], capture_output=True, text=True,
                          timeout=30, cwd=ROOT)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.startswith("line\n")  # the buffered output is never lost
    assert ("teardown" in proc.stdout) == torn_down, proc.stdout
    assert ("atexit" in proc.stdout) == ("atexit" in setup)
