"""Fault injection: which requests misbehave, how, and how often; plus the event that releases held requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass

FAULT_KINDS = ("hang", "slow", "500", "drop", "html", "badjson", "expired", "403", "404")
DEFAULT_SLOW_SECONDS = 1.0


@dataclass
class Fault:
    """One injected fault; ``remaining`` None means until cleared. ``release`` ends a hang or a slow wait early."""

    kind: str
    remaining: int | None
    path: str | None
    delay: float | None
    release: threading.Event

    def matches(self, path: str) -> bool:
        return self.path is None or self.path in path


class FaultBoard:
    """The active faults, first registered first served; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._release = threading.Event()

    def add(self, kind: str, times: int | None, path: str | None, delay: float | None) -> None:
        """Register a fault (see Emulator.fault)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be a positive number of requests, or None for until cleared")
        with self._lock:
            self._faults.append(Fault(kind, times, path, delay, self._release))

    def take(self, path: str) -> Fault | None:
        """The fault that applies to a request for ``path``, counting it against ``times``."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Remove every fault and let every held (hung or slow) request go."""
        with self._lock:
            self._faults.clear()
            self._release.set()
            self._release = threading.Event()

    def release_all(self) -> None:
        """Let every held request go for good (the server is stopping)."""
        with self._lock:
            self._release.set()
