"""Issue 20, items 1 and 7: every file glowline reads goes through glowline.files.read_bytes (non-blocking, no-follow
for its own files, regular files only, size-capped), so a FIFO, a device, a directory or a huge file where a file
should be is refused at once, in bounded memory. `config check`/`config show` parse exactly the bytes the runtime
parses (glowline.config.parse) and refuse what it refuses. An architecture test keeps it so."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glowline import config
from glowline.emulator import Emulator
from tests.helpers import ROOT, cache_dir, env_for, glowline_env, run
from tests.live_broker import Broker, Repeater, broker  # noqa: F401  (broker: the fixture)
from tests.test_hostile import PEAK  # a small parent that reports its child's peak RSS
from tests.test_live import MAC, electricity


def run_with_peak(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """``glowline ARGS`` as a real process under a small parent: its result, wall seconds, peak RSS in KiB."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "glowline", *args], env=env,
                          capture_output=True, text=True, timeout=90)
    elapsed = time.monotonic() - started
    *lines, peak = proc.stderr.rstrip("\n").split("\n")
    proc.stderr = "\n".join(lines) + ("\n" if lines else "")
    return proc, elapsed, int(peak)


def config_path(home: Path) -> Path:
    folder = home / ".config" / "glowline"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "config.toml"


# -- item 1: config.toml ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory", "huge"])
@pytest.mark.parametrize("action", ["check", "show"])
def test_config_commands_refuse_what_is_not_a_config_at_once(home: Path, kind: str, action: str) -> None:
    """1.3 a FIFO as config.toml hung `config check`/`show`; 1.4 a link to /dev/zero grew `config show` to 4-6 GB;
    1.5 a 200 MB config took 428 MB."""
    path = config_path(home)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    else:
        with open(path, "wb") as fh:
            fh.write(b"days = 7\n" + b"#" * (200 << 20) + b"\n")
    proc, elapsed, peak = run_with_peak(env_for(home), "config", action)
    assert proc.returncode == 8, (proc.stdout, proc.stderr)
    assert elapsed < 10 and peak < 100 * 1024, (elapsed, peak)
    said = proc.stdout + proc.stderr
    assert "Traceback" not in said and str(path) in said
    assert ("not a regular file" in said) if kind != "huge" else ("larger than" in said)


def test_deep_nesting_is_a_config_error_everywhere(home: Path) -> None:
    """7.1 5000 nested arrays: RecursionError, exit 1 instead of 8."""
    config_path(home).write_text("days = " + "[" * 5000 + "]" * 5000 + "\n")
    env = env_for(home)
    for args in (("config", "check"), ("config", "show"), ("report",), ("--format", "plain")):
        proc = run(env, *args, timeout=30)
        assert proc.returncode == 8, (args, proc.stdout, proc.stderr)
        assert "nested" in proc.stdout + proc.stderr and "Traceback" not in proc.stderr


def test_nesting_is_measured_outside_strings_and_comments() -> None:
    assert config._nesting('a = "[[[[[[" # [[[[[[\nb = [[1], {x = [2]}]\nc = \'\'\'[[[\'\'\'\n') == 3
    assert config._nesting("a = " + "[" * 40 + "]" * 40) == 40


def test_config_check_refuses_the_file_the_runtime_refuses(home: Path) -> None:
    """7.2 `config check` passed a file the line silently truncated at 1 MiB."""
    path = config_path(home)
    path.write_text("# padding\n" * ((config.MAX_CONFIG_BYTES // 10) + 1) + 'days = "ten"\n')
    env = env_for(home)
    check = run(env, "config", "check")
    line = run(env, "--format", "plain")
    assert check.returncode == 8 and line.returncode == 8, (check.stdout, line.stderr)
    assert "larger than" in check.stdout and "larger than" in line.stderr
    path.write_text("# padding\n" * 1000 + "days = 7\n")
    assert run(env, "config", "check").returncode == 0


# -- item 1: the live file ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink"])
def test_the_status_line_never_waits_on_the_live_file(home: Path, kind: str) -> None:
    """1.1 a FIFO as live.power hung every `--live` status line (tmux included)."""
    live = cache_dir(home) / "live.power"
    live.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if kind == "fifo":
        os.mkfifo(live)
    elif kind == "directory":
        live.mkdir()
    else:
        live.symlink_to("/dev/zero")
    started = time.monotonic()
    proc = run(env_for(home), "--live", "--format", "tmux", timeout=20)
    assert proc.returncode == 0 and time.monotonic() - started < 10


def test_doctor_never_waits_on_the_live_file_and_names_what_is_in_its_place(home: Path, broker: Broker) -> None:  # noqa: F811
    """1.1 doctor hung on a FIFO as live.power; 9.5 a directory there made doctor advise running the daemon."""
    live = cache_dir(home) / "live.power"
    live.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.mkfifo(live)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    repeater = Repeater(broker.port, f"glow/{MAC}/SENSOR/electricitymeter", [electricity(0.5, timestamp=now)], 0.2)
    try:
        env = glowline_env(home, Emulator(), GLOWLINE_MQTT_URL=broker.url)
        proc = run(env, "doctor", "--format", "json", "--timeout", "3", timeout=60)
        live.unlink()
        live.mkdir()
        again = run(env, "doctor", "--format", "json", "--timeout", "3", timeout=60)
    finally:
        repeater.stop()
    for result in (proc, again):
        checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
        assert checks["broker"]["level"] == "WARN", checks["broker"]
        assert "not a regular file" in checks["broker"]["text"] and "--daemon" not in checks["broker"]["text"]


# -- the architecture: one reader -------------------------------------------------------------------------------------

#: modules that may open a file another way, and why (each is a write, a lock or a database, never a read of content)
EXCEPTIONS = {
    "glowline/files.py": "the one reader and the one atomic writer",
    "glowline/status/spawn.py": "lock files (flock on an fd, O_NOFOLLOW, never read) and /dev/null for the refresher",
    "glowline/status/line.py": "/dev/null for a detached refresher's output",
    "glowline/data/store/sqlite.py": "history.sqlite: SQLite opens it; created 0600 with O_NOFOLLOW first",
    "glowline/commands/config.py": "`config init` creates the example config (O_EXCL, write only)",
    "glowline/streaming/loop.py": "a dnotify watch on the cache folder (O_DIRECTORY, never a file's content)",
    "glowline/report/terminal.py": "writes the report's output file (write only)",
    "glowline/commands/export.py": "writes the export's output file (write only), /dev/null for a closed stdout",
    "glowline/cli.py": "/dev/null for a closed stdout or stderr (write only)",
}


def _openers(path: Path) -> list[str]:
    """``name:line`` of every call in ``path`` that can open a file another way than glowline.files: open(),
    os.open, io.open, os.fdopen, Path.open/read_text/read_bytes (a method), json.load/tomllib.load (they read a file
    object), sqlite3.connect. glowline.files' own read_bytes/read_text (called by name or as files.X) are fine, and
    so is the history store's open() method."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            if func.id in ("open", "fdopen", "FileIO"):
                found.append(f"{func.id}:{node.lineno}")
            continue
        if not isinstance(func, ast.Attribute):
            continue
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        store = (isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name) \
            and func.value.func.id.endswith("Store")) or owner == "self"
        if (func.attr == "open" and not store) or func.attr == "fdopen" \
                or (func.attr in ("read_text", "read_bytes") and owner != "files") \
                or (func.attr == "load" and owner in ("json", "tomllib", "tomli", "pickle")) \
                or (func.attr == "connect" and owner == "sqlite3"):
            found.append(f"{func.attr}:{node.lineno}")
    return found


def test_no_module_opens_a_file_but_through_the_one_reader() -> None:
    """Every module of glowline/ (the emulator, a separate program, aside) reads files only through
    glowline.files; the EXCEPTIONS write, lock or hand the file to SQLite."""
    offenders = {}
    for path in sorted((ROOT / "glowline").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if rel.startswith("glowline/emulator/") or rel in EXCEPTIONS:
            continue
        calls = _openers(path)
        if calls:
            offenders[rel] = calls
    assert offenders == {}, f"open files through glowline.files (read_bytes/read_text): {offenders}"
    for rel in EXCEPTIONS:  # the list stays short: a module that no longer needs its exception leaves it
        assert (ROOT / rel).exists() and _openers(ROOT / rel), f"stale exception {rel}"


def test_the_architecture_test_would_catch_a_plain_open(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import json, os\nfrom pathlib import Path\nfrom glowline import files\n\ndef f(p):\n"
                      "    with open(p) as fh:\n        json.load(fh)\n    os.open(p, 0)\n    files.read_text(p, 9)\n"
                      "    return Path(p).read_text()\n")
    assert sorted(c.split(":")[0] for c in _openers(sample)) == ["load", "open", "open", "read_text"]
