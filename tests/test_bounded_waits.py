"""Issue 20, item 8: bounded waits and reads outside MQTT. A history database held by another writer costs one
overall wait per process (not 10 s per resource), with a line saying who holds it; standard input is read as one
bounded line (`head -c 300M /dev/zero | glowline login --mqtt --password-stdin` took 616 MB)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from glowline.emulator import Emulator
from tests.fixtures_keyring import KeyringSetup
from tests.helpers import age_cache, glowline_env, populate_history, run
from tests.test_one_reader import PEAK

HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(120)
"""


def test_a_locked_history_costs_one_wait_and_says_who_holds_it(home: Path, emulator: Emulator) -> None:
    """8.3 a database held by another writer made report, export and fetch --resource all wait 10 s per resource
    in silence (40-50 s)."""
    env = glowline_env(home, emulator)
    assert run(env, "fetch", "--resource", "all", timeout=120).returncode == 0
    age_cache(home, 6 * 3600)  # a refresh that is not cold feeds the history
    assert run(env, "fetch", "--resource", "all", timeout=120).returncode == 0
    history = home / ".local/share/glowline/history.sqlite"
    assert history.exists()
    before = sqlite3.connect(history).execute("SELECT count(*) FROM readings").fetchone()[0]
    age_cache(home, 6 * 3600)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(history)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        started = time.monotonic()
        proc = run(env, "fetch", "--resource", "all", timeout=120)
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 0, proc.stderr  # the readings come from the API all the same
    assert elapsed < 20, elapsed  # one wait of at most 10 s for the process, not 10 s per resource
    lines = [line for line in proc.stderr.splitlines() if "history" in line]
    assert len(lines) == 1, proc.stderr
    assert f"pid {holder.pid}" in lines[0] and "python" in lines[0], lines
    assert sqlite3.connect(history).execute("SELECT count(*) FROM readings").fetchone()[0] >= before
    again = run(env, "fetch", "--resource", "all", timeout=120)  # released: no line, no wait
    assert again.returncode == 0 and "history" not in again.stderr


def _peak(env: dict[str, str], shell: str) -> tuple[subprocess.CompletedProcess[str], int]:
    argv = f"{sys.executable} -c '{PEAK}' {sys.executable} -m glowline"
    proc = subprocess.run(shell.replace("GLOWLINE", argv), shell=True, env=env, capture_output=True, text=True,
                          timeout=120)
    *lines, peak = proc.stderr.rstrip("\n").split("\n")
    proc.stderr = "\n".join(lines) + ("\n" if lines else "")
    return proc, int(peak)


def test_stdin_is_read_as_one_bounded_line(home: Path, emulator: Emulator, plaintext_keyring: KeyringSetup) -> None:
    """8.5 `head -c 300M /dev/zero | glowline login --mqtt --password-stdin` took 616 MB and an internal error."""
    env = {**plaintext_keyring.env, "GLOWLINE_MQTT_URL": "mqtt://alice@127.0.0.1:9", "GLOWLINE_API_URL": emulator.url}
    for shell in ("head -c 300M /dev/zero | GLOWLINE login --mqtt --password-stdin",
                  "head -c 300M /dev/zero | GLOWLINE login --username u@example.org --password-stdin",
                  "head -c 300M /dev/urandom | tr -d '\\n' | GLOWLINE login --username u@example.org --password-stdin",
                  "yes x | tr -d '\\n' | head -c 300M | GLOWLINE login --mqtt --password-stdin"):
        proc, peak = _peak(env, shell)
        assert proc.returncode == 2, (shell, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "internal" not in proc.stderr
        assert peak < 100 * 1024, (shell, peak)
    assert os.path.exists(home)


def test_export_of_eleven_years_streams_in_bounded_memory(home: Path, emulator: Emulator) -> None:
    """8.4 `export` of 11 years took 157 MB: the history's rows of the whole range were read at once."""
    start = populate_history(emulator, 11)
    first = time.strftime("%Y-%m-%d", time.gmtime(start + 86400))
    out = home / "out.csv"
    proc, peak = _peak(glowline_env(home, emulator), f"GLOWLINE export --from {first} --resource electricity,gas "
                                                     f"-o {out}")
    assert proc.returncode == 0, proc.stderr
    rows = out.read_text().count("\n") - 1
    assert rows > 11 * 365 * 48 - 100, rows
    assert peak < 100 * 1024, f"export of 11 years peaked at {peak // 1024} MiB"
