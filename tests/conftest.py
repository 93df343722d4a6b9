"""Shared pytest fixtures: a real emulator on 127.0.0.1, and isolated HOME/XDG folders for every CLI run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import env_for  # noqa: F401  (re-exported: some tests import it from here)
from tests.tools import require

pytest_plugins = ["tests.fixtures_keyring"]


@pytest.fixture
def emulator() -> Iterator[object]:
    """A fresh Glowmarkt emulator on an ephemeral loopback port, stopped after the test."""
    from glowline.emulator import Emulator

    emu = Emulator()
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway HOME with its own XDG folders; the developer's own config, cache and keyring are never touched."""
    home = tmp_path / "home"
    for sub in (".config", ".cache", ".local/share", "run"):
        (home / sub).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "run"))
    for var in ("GLOWLINE_API_URL", "GLOWLINE_USERNAME", "GLOWLINE_PASSWORD", "GLOWLINE_CONFIG_DIR",
                "GLOWLINE_CACHE_DIR", "NO_COLOR", "FORCE_COLOR", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY",
                "WAYLAND_DISPLAY", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def account(home: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The emulator, logged in for in-process commands through GLOWLINE_* variables (no keyring involved)."""
    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME

    monkeypatch.setenv("GLOWLINE_API_URL", emulator.url)
    monkeypatch.setenv("GLOWLINE_USERNAME", DEMO_USERNAME)
    monkeypatch.setenv("GLOWLINE_PASSWORD", DEMO_PASSWORD)
    return emulator


@pytest.fixture
def clocked(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    """An emulator whose clock the test sets (ten days back to start with), logged in through GLOWLINE_* variables
    for in-process refreshes given the same clock."""
    import time

    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
    from tests.helpers import Clock

    clock = Clock(time.time() - 10 * 86400)
    emu = Emulator(now=clock)
    emu.start()
    monkeypatch.setenv("GLOWLINE_API_URL", emu.url)
    monkeypatch.setenv("GLOWLINE_USERNAME", DEMO_USERNAME)
    monkeypatch.setenv("GLOWLINE_PASSWORD", DEMO_PASSWORD)
    try:
        yield emu, clock
    finally:
        emu.stop()


@pytest.fixture
def tmux_sockets() -> Iterator[tuple[str, str]]:
    """Two private tmux servers' socket paths (inner, outer) in a short temp dir; both killed at teardown."""
    require("tmux")  # skips with the apt-get line on a fresh machine; fails under .ci/run
    folder = tempfile.mkdtemp(prefix="glowline-tmux-")  # short: a socket path must fit in 108 bytes
    inner, outer = os.path.join(folder, "inner"), os.path.join(folder, "outer")
    try:
        yield inner, outer
    finally:
        for socket in (outer, inner):
            subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True, check=False, timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def watches() -> Iterator[list[Any]]:
    """Running `glowline watch` processes a test appends (tests.test_watch.Watch); closed at teardown."""
    started: list[Any] = []
    yield started
    for watch in started:
        watch.close()
