"""Test helpers: run glowline as a real subprocess in an isolated HOME, and compute expected day totals
independently of glowline's own code (zoneinfo + the emulator's half-hours)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parent.parent


def env_for(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a glowline subprocess inside ``home`` (no GLOWLINE_/XDG_ or proxy variables leak in:
    tests talk to loopback only)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GLOWLINE_", "XDG_")) and not k.lower().endswith("_proxy")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_RUNTIME_DIR=str(home / "run"),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    )
    # the keyring backend is always the test's choice, never what auto-detection finds on this machine (keyrings.alt
    # comes with the test extra): none unless a test names one (tests/fixtures_keyring.py's fixtures do)
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    env.update(extra)
    return env


def glowline_env(home: Path, emu: Any, **extra: str) -> dict[str, str]:
    """Env for a logged-in-by-env-vars glowline talking to ``emu``."""
    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME

    return env_for(
        home, GLOWLINE_API_URL=emu.url, GLOWLINE_USERNAME=DEMO_USERNAME, GLOWLINE_PASSWORD=DEMO_PASSWORD, **extra
    )


def run(
    env: dict[str, str], *args: str, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m glowline ARGS`` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "glowline", *args], env=env, input=input, capture_output=True, text=True,
        timeout=timeout,
    )


def run_json(env: dict[str, str], *args: str, timeout: float = 60) -> dict[str, Any]:
    proc = run(env, *args, "--format", "json", timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def local_day_bounds(day: date, tz: ZoneInfo = LONDON) -> tuple[int, int]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return int(start.timestamp()), int(end.timestamp())


def expected_day(emu: Any, resource_id: str, day: date, tz: ZoneInfo = LONDON) -> tuple[float, int]:
    """The emulator's true half-hours of a local day: (sum, number of half-hours)."""
    start, end = local_day_bounds(day, tz)
    values = [v for _, v in emu.half_hours(resource_id, start, end) if v is not None]
    return sum(values), len(values)


def wait_until(predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


class Clock:
    """One clock for the emulator and the refresh (``Emulator(now=clock)``, ``refresh(..., now=clock.now)``)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def cache_dir(home: Path) -> Path:
    return home / ".cache" / "glowline"


def age_cache(home: Path, seconds: float) -> None:
    """Make every cached file look ``seconds`` older, by rewriting the fetched_at it records (not by waiting)."""
    for path in cache_dir(home).glob("*.days"):
        lines = path.read_text().split("\n")
        lines = [
            f"fetched_at\t{float(line.split(chr(9))[1]) - seconds!r}" if line.startswith("fetched_at\t") else line
            for line in lines
        ]
        path.write_text("\n".join(lines))
    for path in cache_dir(home).glob("*--*.json"):
        doc = json.loads(path.read_text())
        doc["fetched_at"] -= seconds
        path.write_text(json.dumps(doc))
    for path in cache_dir(home).glob("*.lock"):  # the last refresh attempt's stamp (glowline.status.spawn)
        stamp = path.stat().st_mtime - seconds
        os.utime(path, (stamp, stamp))


def assert_balanced(text: str, opening: str, closing: str) -> None:
    """Tags (regexes) open and close in pairs, never nested: Polybar %{F..}/%{F-}, Conky ${color ..}/${color}."""
    import re

    depth = 0
    for tag in re.findall(f"{opening}|{closing}", text):
        depth += 1 if re.fullmatch(opening, tag) else -1
        assert depth in (0, 1), text
    assert depth == 0, text


def files_under(roots: list[Path], skip: list[Path]) -> Iterator[Path]:
    """Every file below ``roots`` except those in or under ``skip`` (e.g. the keyring's own store)."""
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = Path(folder, name)
                if not any(path == s or s in path.parents for s in skip) and path.is_file():
                    yield path


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``folder`` for one test (a full or read-only disk of the test's own); root in
    the sandbox may mount one, and without the right the test skips, saying why."""
    import pytest

    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
                          capture_output=True, timeout=10)
    if done.returncode != 0:
        pytest.skip("mounting a small tmpfs needs CAP_SYS_ADMIN (the project's CI runs as root and has it)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=10)


def read_pty(master: int) -> bytes:
    """Everything written to a pty's other end until the writer closes it (EIO or end of file)."""
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        out += chunk
    return out


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL after 5 s: a process a test started is gone when this returns."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def populate_history(emulator: Any, years: int) -> int:
    """``years`` of half-hours of the emulator's first site (electricity, gas and their costs) written straight into
    history.sqlite as `glowline sync` stores them (HOME is the test's); the first day's start."""
    from glowline.data.store.sqlite import HistoryStore, Progress

    ve = emulator.site_ids()[0]
    now = int(time.time()) // 1800 * 1800
    start = now - years * 365 * 86400
    end = now - 86400
    with HistoryStore() as store:
        for classifier in ("electricity.consumption", "gas.consumption", "electricity.consumption.cost",
                           "gas.consumption.cost"):
            rid = emulator.resource_id(ve, classifier)
            for a in range(start, end, 180 * 86400):
                b = min(a + 180 * 86400, end)
                buckets = [(ts, 0.1 + (ts % 7) / 100) for ts in range(a, b, 1800)]
                store.add_window(ve, classifier, buckets, Progress(rid, start, start, b, b, start))
    return start


@contextlib.contextmanager
def frozen_emulator(now: float, monkeypatch: Any) -> Iterator[Any]:
    """An emulator whose clock stands still at ``now``, logged in through GLOWLINE_* variables (``monkeypatch``)."""
    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator

    emu = Emulator(now=lambda: now, token_lifetime=10 * 365 * 86400)
    emu.start()
    monkeypatch.setenv("GLOWLINE_API_URL", emu.url)
    monkeypatch.setenv("GLOWLINE_USERNAME", DEMO_USERNAME)
    monkeypatch.setenv("GLOWLINE_PASSWORD", DEMO_PASSWORD)
    try:
        yield emu
    finally:
        emu.stop()
