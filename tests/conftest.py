"""Shared pytest fixtures: a real emulator on 127.0.0.1, and isolated HOME/XDG folders for every CLI run."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures_keyring"]

ROOT = Path(__file__).resolve().parent.parent


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


def python() -> str:
    """The interpreter running the tests (glowline subprocesses use the same one)."""
    return sys.executable


def env_for(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a glowline subprocess inside ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLOWLINE_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_RUNTIME_DIR=str(home / "run"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env
