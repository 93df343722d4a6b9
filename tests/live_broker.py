"""A real mosquitto for the live-power tests: a private config file, a free loopback port, stop and start again on
the same port (to test reconnects); never a mock broker. Also a small paho publisher for recorded payloads."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import tools
from tests.helpers import stop_process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Broker:
    """mosquitto on 127.0.0.1:``port`` with a private config (``extra`` lines: TLS, a password file)."""

    def __init__(self, folder: Path, extra: str = "", anonymous: bool = True) -> None:
        tools.require("mosquitto")
        self.binary = str(tools.find("mosquitto"))
        self.folder = folder
        self.port = free_port()
        self.config = folder / "mosquitto.conf"
        self.config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous {str(anonymous).lower()}\n"
                               f"persistence false\nlog_dest stderr\n{self._user()}{extra}")
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = folder / "mosquitto.log"

    @staticmethod
    def _user() -> str:
        """Started as root, mosquitto would switch to the user "mosquitto", who cannot read the test's files."""
        import pwd

        return f"user {pwd.getpwuid(os.geteuid()).pw_name}\n" if os.geteuid() == 0 else ""

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> Broker:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "-c", str(self.config)], stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"mosquitto exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("mosquitto did not listen within 10 s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            stop_process(proc)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A real mosquitto, anonymous, on a free loopback port; stopped at teardown."""
    folder = tmp_path / "broker"
    folder.mkdir()
    running = Broker(folder).start()
    try:
        yield running
    finally:
        running.stop()


class Repeater:
    """Publishes ``payload`` to ``topic`` every ``every`` seconds (paho, as a second client) until stop()."""

    def __init__(self, broker_port: int, topic: str, payloads: list[bytes], every: float = 0.1,
                 username: str | None = None, password: str | None = None) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.client: Any = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                       client_id=f"test-publisher-{id(self)}")
        if username is not None:
            self.client.username_pw_set(username, password)
        self.client.connect("127.0.0.1", broker_port)
        self.client.loop_start()
        self.topic, self.payloads, self.every = topic, payloads, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        i = 0
        while not self.stopped.is_set():
            self.client.publish(self.topic, self.payloads[i % len(self.payloads)])
            i += 1
            self.stopped.wait(self.every)

    def publish_once(self, payload: bytes) -> None:
        self.client.publish(self.topic, payload).wait_for_publish(2)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        self.client.disconnect()
        self.client.loop_stop()


# -- glowline processes whose output lines are read with a deadline


def popen(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "glowline", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    _PENDING[proc.stdout.fileno()] = b""  # a new process may reuse an old one's fd number
    return proc


#: per stdout fd: bytes read but not yet returned as a line
_PENDING: dict[int, bytes] = {}


def unread(proc: subprocess.Popen[str]) -> str:
    """What read_line has read from ``proc`` but not returned."""
    assert proc.stdout is not None
    return _PENDING.get(proc.stdout.fileno(), b"").decode("utf-8", "replace")


def read_line(proc: subprocess.Popen[str], timeout: float) -> str | None:
    """The next line of ``proc``'s stdout within ``timeout`` s, or None; reads the pipe's fd itself (no buffered
    reader, so select() never misses a line already read ahead)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    while b"\n" not in _PENDING.get(fd, b""):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        _PENDING[fd] = _PENDING.get(fd, b"") + chunk
    line, _, rest = _PENDING[fd].partition(b"\n")
    _PENDING[fd] = rest
    return line.decode("utf-8") + "\n"


def stop(proc: subprocess.Popen[str]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
