"""`glowline watch` as a real persistent process against the emulator: the i3bar protocol read incrementally as i3bar
reads it, clicks written on stdin as i3bar and i3blocks write them, SIGUSR1, an API outage, SIGTERM and a closed
stdout; the Waybar, Polybar and i3blocks streams validated line by line; the click parser fed in arbitrary pieces."""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glowline.status import argv as options
from glowline.status import formats
from glowline.status.spawn import is_locked
from glowline.streaming.clicks import ClickReader, next_resource
from glowline.streaming.loop import I3BAR_HEADER
from tests.helpers import age_cache, assert_balanced, cache_dir, glowline_env, run, wait_until

STALE = formats.DEFAULT_COLORS["stale"]


def watch_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "glowline", "watch", *args]


class Watch:
    """A running watch process: stdout lines arrive on a queue (read by a thread), clicks go to its stdin."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            watch_argv(*args), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            self.lines.put(raw)
        self.lines.put(b"")  # end of stream

    def line(self, timeout: float = 15.0) -> str:
        """The next complete output line (with its newline); fails if none comes in time."""
        try:
            raw = self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no output line within {timeout} s")
        assert raw.endswith(b"\n"), f"stream ended or line not terminated: {raw!r} (stderr: {self.stderr_now()})"
        return raw.decode("utf-8")

    def quiet_for(self, seconds: float) -> list[str]:
        """Every line written during the next ``seconds``."""
        out = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                out.append(self.lines.get(timeout=left).decode("utf-8"))
            except queue.Empty:
                break
        return out

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode("utf-8"))
        self.proc.stdin.flush()

    def stderr_now(self) -> str:
        return "" if self.proc.poll() is None or self.proc.stderr is None else self.proc.stderr.read().decode()

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        """Send ``sig``; returns (exit status, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=10)
        assert self.proc.stderr is not None
        return code, self.proc.stderr.read().decode()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except BrokenPipeError:
                    pass


class I3barStream:
    """The reading side of the i3bar protocol: header line, then `[`, then one array of blocks per line, every
    array after the first prefixed by a comma (i3bar docs). Also checks that the stream so far, closed with `]`,
    is one valid JSON array, as i3bar's streaming parser requires."""

    def __init__(self, watch: Watch) -> None:
        self.watch = watch
        header = json.loads(watch.line())
        assert header == json.loads(I3BAR_HEADER) and header["version"] == 1 and header["click_events"] is True
        assert watch.line().strip() == "["
        self.body = "["
        self.count = 0

    def next(self, timeout: float = 15.0) -> list[dict[str, Any]]:
        text = self.watch.line(timeout)
        if self.count == 0:
            assert not text.startswith(","), text
        else:
            assert text.startswith(","), text
        blocks = json.loads(text.lstrip(","))
        assert isinstance(blocks, list) and all(isinstance(b, dict) and "full_text" in b for b in blocks)
        self.body += text
        self.count += 1
        assert len(json.loads(self.body + "]")) == self.count
        return blocks

    def block(self, timeout: float = 15.0) -> dict[str, Any]:
        blocks = self.next(timeout)
        assert len(blocks) == 1
        return blocks[0]


LOCK = "default--electricity.consumption.lock"


def refresh_done(home: Path) -> bool:
    return not is_locked(str(cache_dir(home) / LOCK))


def warm(home: Path, emu: Any, *args: str) -> dict[str, str]:
    env = glowline_env(home, emu)
    proc = run(env, "fetch", *args)
    assert proc.returncode == 0, proc.stderr
    emu.reset_counts()
    return env


def click(button: int, instance: str = "electricity", first: bool = False) -> str:
    """One click event as i3bar writes it (every event after the first on a line starting with a comma)."""
    event = {"name": "glowline", "instance": instance, "button": button, "modifiers": [], "x": 1210, "y": 8,
             "relative_x": 30, "relative_y": 8, "output_x": 1210, "output_y": 8, "width": 120, "height": 18}
    return ("" if first else ",") + json.dumps(event) + "\n"


def no_zombie_children(pid: int) -> bool:
    """True when no process whose parent is ``pid`` is a zombie (finished refreshers are reaped)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] == "Z":
            return False
    return True


# ------------------------------------------------------------------------------------------------- i3bar


def test_i3bar_stream_and_right_clicks_switch_resource(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = warm(home, emulator)
    expected = json.loads(run(env, "--format", "i3bar", "--cached-only").stdout)
    watch = Watch(env, "--format", "i3bar", "--interval", "3600")
    watches.append(watch)
    stream = I3barStream(watch)
    first = stream.block()
    assert first == expected and first["instance"] == "electricity" and "kWh" in first["full_text"]
    watch.send("[\n" + click(3, first=True))
    gas = stream.block()
    assert gas["instance"] == "gas" and gas["name"] == "glowline"
    # junk, a middle click and another bar's block change nothing; the next right click moves on from "gas"
    watch.send(",this is not json\n")
    watch.send(click(2, "gas"))
    watch.send(',{"name":"clock","instance":"x","button":3}\n')
    watch.send(click(3, "gas"))
    blocks = [stream.block()]
    while blocks[-1]["instance"] == "gas":  # the gas fetch finishing may redraw gas once more
        blocks.append(stream.block())
    assert blocks[-1]["instance"] == next_resource("gas") == "electricity-cost"
    assert watch.proc.poll() is None
    code, err = watch.stop()
    assert code == 0 and err == ""


def test_left_click_refreshes_now_with_one_request(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = warm(home, emulator)
    age_cache(home, 600)  # ten minutes: old enough for a refresh on demand; with --max-age 90 not due whatever the
    # time of day (the polite clock: the next half-hour boundary after fetch + 60 min)
    watch = Watch(env, "--format", "i3bar", "--interval", "3600", "--max-age", "90")
    watches.append(watch)
    stream = I3barStream(watch)
    stream.block()
    time.sleep(0.5)
    assert emulator.count() == 0  # fresh enough: the watch itself started nothing
    watch.send("[\n" + click(1, first=True))
    assert wait_until(lambda: emulator.count("readings") >= 1 and refresh_done(home), 15)
    time.sleep(0.5)
    assert emulator.count("readings") == 1 and emulator.count() == 2  # readings and last-time, once
    assert wait_until(lambda: no_zombie_children(watch.proc.pid), 5)
    assert watch.stop() == (0, "")


def test_sigusr1_refreshes_now(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = warm(home, emulator)
    age_cache(home, 600)
    watch = Watch(env, "--format", "polybar", "--interval", "3600", "--max-age", "90")
    watches.append(watch)
    watch.line()
    assert emulator.count() == 0
    watch.proc.send_signal(signal.SIGUSR1)
    assert wait_until(lambda: emulator.count("readings") >= 1 and refresh_done(home), 15)
    time.sleep(0.5)
    assert emulator.count("readings") == 1
    assert watch.proc.poll() is None
    assert watch.stop() == (0, "")


@pytest.mark.parametrize("fault", ["500", "hang"])
def test_api_outage_keeps_running_with_the_stale_marker(
    home: Path, emulator: Any, watches: list[Watch], fault: str
) -> None:
    env = warm(home, emulator)
    age_cache(home, 5 * 3600)
    emulator.fault(fault)
    watch = Watch(env, "--format", "i3bar", "--interval", "1")
    watches.append(watch)
    stream = I3barStream(watch)
    blocks = [stream.block() for _ in range(4)]  # one per second: the process lives on through the outage
    for block in blocks:
        assert block["full_text"].endswith("·5h") and block["color"] == STALE and block["instance"] == "electricity"
    assert watch.proc.poll() is None
    # one refresh attempt, not one per update: a failed (or hanging) refresh is not retried every second
    if fault == "500":
        assert wait_until(lambda: refresh_done(home), 15)
    attempts = emulator.count("readings")
    assert attempts >= 1
    watch.quiet_for(2.5)
    assert emulator.count("readings") == attempts
    # the API comes back: a click (after the hang, releasing it is enough) draws fresh data at once
    emulator.clear_faults()
    if fault == "500":
        watch.send("[\n" + click(1, first=True))
    fresh = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        block = stream.block()
        if not block["full_text"].endswith("·5h"):
            fresh = block
            break
    assert fresh is not None and "·" not in fresh["full_text"] and fresh["color"] != STALE
    assert watch.stop() == (0, "")


def test_no_cache_then_data_arrives(home: Path, emulator: Any, watches: list[Watch]) -> None:
    """With nothing cached the first update waits (at most --timeout) for the shared fetch, then draws it."""
    env = glowline_env(home, emulator)
    watch = Watch(env, "--format", "waybar", "--interval", "3600", "--timeout", "20")
    watches.append(watch)
    doc = json.loads(watch.line(30))
    assert "kWh" in doc["text"] and emulator.count("readings") == 1
    assert watch.stop(signal.SIGINT) == (0, "")


# ------------------------------------------------------------------------------------------------- exits


def test_closed_stdout_ends_quietly(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = warm(home, emulator)
    proc = subprocess.Popen(watch_argv("--format", "waybar", "--interval", "3600"), env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert json.loads(proc.stdout.readline())["text"]
        proc.stdout.close()  # the bar went away
        proc.send_signal(signal.SIGUSR1)  # the next update finds the pipe closed
        assert proc.wait(timeout=15) == 0
        assert proc.stderr.read() == b""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_stdin_closed_keeps_running(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = warm(home, emulator)
    watch = Watch(env, "--format", "polybar", "--interval", "1")
    watches.append(watch)
    watch.line()
    assert watch.proc.stdin is not None
    watch.proc.stdin.close()
    watch.quiet_for(1.5)
    assert watch.proc.poll() is None
    assert watch.stop() == (0, "")


def test_bad_arguments(home: Path) -> None:
    from glowline.cli import main

    assert main(["watch", "--format", "tmux"]) == 2
    assert main(["watch", "--format", "i3bar", "--interval", "0"]) == 2
    assert main(["watch", "--format", "i3bar", "--days", "0"]) == 2
    parser = argparse.ArgumentParser(prog="glowline")
    from glowline.commands.watch import add_parser

    add_parser(parser.add_subparsers(dest="command"))
    ns = parser.parse_args(["watch", "--format", "waybar", "--interval", "5", "--days", "7", "--resource", "gas"])
    assert (ns.command, ns.format, ns.interval, ns.days, ns.resource) == ("watch", "waybar", 5.0, 7, "gas")


# ------------------------------------------------------------------------------------------------- other hosts


def test_waybar_continuous_lines(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = warm(home, emulator)
    one_shot = json.loads(run(env, "--format", "waybar", "--cached-only").stdout)
    watch = Watch({**env, "FORCE_COLOR": "1"}, "--format", "waybar", "--interval", "1")
    watches.append(watch)
    lines = [watch.line() for _ in range(3)]
    for text in lines:
        assert "\x1b" not in text and text.count("\n") == 1
        doc = json.loads(text)
        assert {"text", "tooltip", "class", "percentage", "alt"} <= set(doc)
        assert isinstance(doc["percentage"], int) and 0 <= doc["percentage"] <= 100
        assert doc["text"] == one_shot["text"] and doc["alt"] == "electricity"
    assert watch.stop() == (0, "")


def test_polybar_tail_lines(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = warm(home, emulator)
    one_shot = run(env, "--format", "polybar", "--cached-only").stdout
    watch = Watch({**env, "FORCE_COLOR": "1"}, "--format", "polybar", "--interval", "1")
    watches.append(watch)
    for _ in range(2):
        text = watch.line()
        assert text == one_shot and "\x1b" not in text
        assert_balanced(text, r"%\{F#[0-9a-f]{6}\}", r"%\{F-\}")
    assert watch.stop() == (0, "")


def test_i3blocks_persist_raw_and_clicks(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = warm(home, emulator)
    env.pop("format", None)
    full_text = run(env, "--format", "i3blocks", "--cached-only").stdout.split("\n")[0]
    age_cache(home, 600)
    watch = Watch(env, "--format", "i3blocks", "--interval", "3600", "--max-age", "90")
    watches.append(watch)
    assert watch.line() == full_text + "\n"  # persist, raw: each line is the block's full_text
    watch.send("1\n")  # i3blocks writes the button number
    assert wait_until(lambda: emulator.count("readings") >= 1 and refresh_done(home), 15)
    watch.send("3\n")  # right click: gas, fetched (shared lock) and drawn
    line = watch.line()
    while line == full_text + "\n":
        line = watch.line()
    assert line == run(env, "--format", "i3blocks", "--resource", "gas", "--cached-only").stdout.split("\n")[0] + "\n"
    assert watch.stop() == (0, "")


def test_i3blocks_persist_json(home: Path, emulator: Any, watches: list[Watch]) -> None:
    env = {**warm(home, emulator), "format": "json"}
    watch = Watch(env, "--format", "i3blocks", "--interval", "3600")
    watches.append(watch)
    doc = json.loads(watch.line())
    assert set(doc) == {"full_text", "short_text", "color"} and re.fullmatch(r"#[0-9a-f]{6}", doc["color"])
    # i3blocks JSON format writes each click as a JSON object with the block's variables
    watch.send(json.dumps({"name": "energy", "instance": "", "button": 3, "x": 5, "y": 5}) + "\n")
    doc = json.loads(watch.line())
    assert doc["full_text"]
    assert watch.stop() == (0, "")


# ------------------------------------------------------------------------------------------------- click parser

EVENTS = [
    {"name": "glowline", "instance": "electricity", "button": 1, "modifiers": ["Shift"], "x": 1, "y": 2},
    {"name": "glowline", "instance": "gas", "button": 3, "modifiers": [], "x": 1, "y": 2},
    {"name": "glowline", "instance": "gas — ünïcode", "button": 4},
]


def i3bar_stdin(events: list[dict[str, Any]]) -> bytes:
    text = "[\n" + "".join(("," if i else "") + json.dumps(e, ensure_ascii=False) + "\n" for i, e in enumerate(events))
    return text.encode("utf-8")


def test_click_reader_i3bar_array() -> None:
    reader = ClickReader()
    assert reader.feed(i3bar_stdin(EVENTS)) == EVENTS


def test_click_reader_junk_and_i3blocks_numbers() -> None:
    reader = ClickReader()
    data = b'[\n{broken json\n,{"button": 1}\nhello\n3\n]\n99999\n\xff\xfe\n'
    assert reader.feed(data) == [{"button": 1}, {"button": 3}]
    assert reader.feed(b'{"button":2}\n') == [{"button": 2}]
    assert reader.feed(b"x" * 70000) == [] and reader.feed(b"\n1\n") == [{"button": 1}]


def test_click_reader_waits_for_incomplete_objects() -> None:
    reader = ClickReader()
    assert reader.feed(b'[\n{"name":"glowline","but') == []
    assert reader.feed(b'ton":3}\n,{"button"') == [{"name": "glowline", "button": 3}]
    assert reader.feed(b": 1}") == [{"button": 1}]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_click_reader_any_split_gives_the_same_events(cuts: list[int]) -> None:
    data = i3bar_stdin(EVENTS)
    points = sorted({c % (len(data) + 1) for c in cuts})
    reader = ClickReader()
    events = []
    for start, end in zip([0, *points], [*points, len(data)], strict=True):
        events += reader.feed(data[start:end])
    assert events == EVENTS


def test_next_resource_cycles_in_options_order() -> None:
    names = list(options.RESOURCES)
    seen = [names[0]]
    for _ in names:
        seen.append(next_resource(seen[-1]))
    assert seen[:-1] == names and seen[-1] == names[0]
    assert next_resource("nonsense") == names[0]
