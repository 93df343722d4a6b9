"""Hostile network, hostile disk, closed pipes: every failure bounded in time and memory, recorded, one line, a
documented exit code, never a traceback, and the last good data kept. A hostile HTTP server of the tests' own on
127.0.0.1 stands between glowline and the emulator; files, FIFOs, mounts and streams are real."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glowline.data.glowmarkt import GlowmarktClient
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from glowline.errors import EXIT_CODES, APIUnavailable
from tests.helpers import age_cache, cache_dir, glowline_env, run, run_json, tmpfs

DOCUMENTED = {code for code, _ in EXIT_CODES}
MIB = 1 << 20


def _bomb() -> bytes:
    """About 1 MiB of gzip that inflates to 1 GiB of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MIB
    return b"".join(packer.compress(block) for _ in range(1024)) + packer.flush()


class Hostile(http.server.ThreadingHTTPServer):
    """Forwards everything to the emulator except readings, which get ``mode``'s hostile answer."""

    daemon_threads = True
    bomb: bytes | None = None

    def __init__(self, upstream: str) -> None:
        self.mode: str | None = None
        self.readings = 0
        server = self
        base = upstream.split("/api/v0-1/")[0]

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json", **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if "/readings" in self.path and server.mode is not None:
                    server.readings += 1
                    try:
                        server.hostile(self)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                keep = {k: v for k, v in self.headers.items() if k.lower() in ("token", "applicationid",
                                                                                "content-type")}
                req = urllib.request.Request(base + self.path, data=body, headers=keep, method=self.command)
                try:
                    with urllib.request.urlopen(req, timeout=10) as resp:
                        self._send(resp.status, resp.read(), resp.headers.get("Content-Type", ""))
                except urllib.error.HTTPError as err:
                    self._send(err.code, err.read(), err.headers.get("Content-Type", ""))

            do_GET = do_POST = _any

        self.handler_class = Handler
        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/api/v0-1/"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def hostile(self, h: Any) -> None:
        mode, w = self.mode, h.wfile
        now = int(time.time()) // 3600 * 3600
        if mode == "endless":  # chunked, forever
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b" " * 65536
            while True:
                w.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif mode == "bomb":
            if Hostile.bomb is None:
                Hostile.bomb = _bomb()
            h._send(200, Hostile.bomb, Content_Encoding="gzip")
        elif mode == "huge":  # 200 MB of whitespace around valid JSON, with its length declared
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(200 * MIB + 11))
            h.end_headers()
            w.write(b'{"data":[]}')
            for _ in range(200):
                w.write(b" " * MIB)
        elif mode == "huge-undeclared":  # the same without a length: the cap must hold while streaming
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Connection", "close")
            h.end_headers()
            w.write(b'{"data":[]}')
            for _ in range(200):
                w.write(b" " * MIB)
        elif mode == "slow-body":
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", "1000")
            h.end_headers()
            for _ in range(1000):
                w.write(b" ")
                w.flush()
                time.sleep(0.5)
        elif mode == "slow-headers":
            w.write(b"HTTP/1.1 200 OK\r\n")
            for byte in b"X-Slow: " + b"a" * 1000:
                w.write(bytes([byte]))
                w.flush()
                time.sleep(0.5)
        elif mode == "garbage":
            h._send(200, os.urandom(4096))
        elif mode == "redirect":
            h._send(302, b"", Location="http://127.0.0.1:9/elsewhere")
        elif mode == "nan":
            h._send(200, b'{"data": [[%d, NaN]]}' % now)
        elif mode == "negative":
            h._send(200, json.dumps({"data": [[now - 3600 * i, -5.0] for i in range(1, 24)]}).encode())
        elif mode == "too-much":
            h._send(200, json.dumps({"data": [[now - 3600, 9.9e8]]}).encode())
        elif mode == "overflow":
            h._send(200, b'{"data": [[%d, 1%s]]}' % (now - 3600, b"0" * 400))
        else:
            raise AssertionError(mode)

    def close(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def hostile(emulator: Emulator) -> Iterator[Hostile]:
    server = Hostile(emulator.url)
    try:
        yield server
    finally:
        server.mode = None
        server.close()


def cached(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in cache_dir(home).iterdir() if p.suffix in (".json", ".days")
            and "--" in p.name}


PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(done.returncode)
"""


def fetch_with_peak(env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """`glowline fetch` as a real process: its result, wall seconds, and its peak RSS in KiB."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "glowline", "fetch"], env=env,
                          capture_output=True, text=True, timeout=150)
    elapsed = time.monotonic() - started
    *lines, peak = proc.stderr.rstrip("\n").split("\n")
    proc.stderr = "\n".join(lines) + ("\n" if lines else "")
    return proc, elapsed, int(peak)


@pytest.mark.parametrize(("mode", "code"), [
    ("endless", 6), ("bomb", 6), ("huge", 6), ("huge-undeclared", 6), ("garbage", 6), ("redirect", 5),
    ("nan", 6), ("negative", 6), ("too-much", 6), ("overflow", 6),
])
def test_a_hostile_answer_is_bounded_recorded_and_harmless(home: Path, hostile: Hostile, mode: str, code: int) -> None:
    env = {**glowline_env(home, hostile), "GLOWLINE_API_URL": hostile.url}
    assert run(env, "fetch").returncode == 0
    good = cached(home)
    assert good
    hostile.mode = mode
    # the refresh re-reads the tail only when the data is due: make it so
    from tests.helpers import age_cache

    age_cache(home, 3600)
    good = cached(home)
    proc, elapsed, peak = fetch_with_peak(env)
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert elapsed < 30, elapsed
    assert peak < 100 * 1024, f"peak RSS {peak / 1024:.0f} MiB"
    assert cached(home) == good  # the last good data, byte for byte
    records = list(cache_dir(home).glob("*.error"))
    assert records and str(code) in records[0].read_text().split("\t")[2]


@pytest.mark.parametrize("mode", ["slow-body", "slow-headers"])
def test_a_dripping_server_meets_the_total_deadline(hostile: Hostile, mode: str) -> None:
    """One byte every half second never trips the per-read timeout; the total deadline still holds."""
    client = GlowmarktClient(hostile.url, timeout=(1.0, 1.0))
    client.authenticate(DEMO_USERNAME, DEMO_PASSWORD)
    hostile.mode = mode
    started = time.monotonic()
    with pytest.raises(APIUnavailable, match="did not answer within 2 s"):
        client.readings("r", 1_700_000_000 // 3600 * 3600, 1_700_000_000 // 3600 * 3600 + 86400, "PT1H")
    assert time.monotonic() - started < 4.0
    client.close()


def test_a_429_honours_retry_after(home: Path, hostile: Hostile) -> None:
    from tests.test_never_trapped import SlowDown

    server = SlowDown(hostile.url, "900")
    try:
        env = {**glowline_env(home, hostile), "GLOWLINE_API_URL": server.url}
        proc = run(env, "fetch")
        assert proc.returncode == 5 and "900 s" in proc.stderr
    finally:
        server.shutdown()
        server.server_close()


# -- files that cannot block, redirect or hide data ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["days", "error", "config", "compiled", "series", "token", "sites", "account"])
def test_a_fifo_where_a_file_should_be_never_blocks(home: Path, emulator: Emulator, name: str) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    folder = cache_dir(home)
    config_dir = home / ".config" / "glowline"
    config_dir.mkdir(parents=True, exist_ok=True)
    target = {
        "days": folder / "default--electricity.consumption--Europe_London.days",
        "error": folder / "default--electricity.consumption--Europe_London.error",
        "config": config_dir / "config.toml",
        "compiled": folder / "config.compiled",
        "series": folder / "default--electricity.consumption.json",
        "token": folder / "token.json",
        "sites": folder / "sites.json",
        "account": config_dir / "account.json",
    }[name]
    if target.exists():
        target.unlink()
    os.mkfifo(target)
    for args in (["--format", "tmux", "--timeout", "2"], ["--cached-only"], ["fetch"]):
        started = time.monotonic()
        proc = run(env, *args, timeout=30)
        assert time.monotonic() - started < 10, (name, args)
        assert "Traceback" not in proc.stderr and proc.returncode in DOCUMENTED, (name, args, proc.stderr)
    # (a refresh may replace the FIFO with its own file by rename: it never writes through one)


def test_an_unusable_lock_shows_the_cached_line_not_an_error(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    from tests.helpers import age_cache

    age_cache(home, 3 * 3600)
    lock = cache_dir(home) / "default--electricity.consumption.lock"
    lock.unlink()
    lock.mkdir()  # cannot be opened as a file: like a read-only folder, no refresh can start
    proc = run(env)
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("·3h"), proc.stdout + proc.stderr


def test_a_lock_symlink_is_not_followed(home: Path, emulator: Emulator, tmp_path: Path) -> None:
    env = glowline_env(home, emulator)
    folder = cache_dir(home)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    victim = tmp_path / "victim"
    (folder / "default--electricity.consumption.lock").symlink_to(victim)
    proc = run(env, "--format", "tmux", "--timeout", "2")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert not victim.exists()


def test_stale_temp_files_are_cleaned(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    leftover = cache_dir(home) / "default--electricity.consumption.json.4242.tmp"
    leftover.write_text("half a file")
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    fresh = cache_dir(home) / "sites.json.4343.tmp"
    fresh.write_text("being written right now")
    age_cache(home, 3600)  # `fetch` follows the half-hour clock: make the next one due
    assert run(env, "fetch").returncode == 0
    assert not leftover.exists() and fresh.exists()


def test_a_world_writable_cache_folder_is_refused(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    cache_dir(home).chmod(0o777)
    plain = run(env)
    assert plain.returncode == 11 and "writable by everyone" in plain.stderr and plain.stderr.count("\n") == 1
    tmux = run(env, "--format", "tmux")
    assert tmux.returncode == 0 and "disk error" in tmux.stdout
    assert run(env, "fetch").returncode == 11


def test_home_unset_means_the_documented_folders() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
           and not k.startswith("GLOWLINE_")}
    code = "from glowline import paths; print(paths.cache_dir()); print(paths.config_dir())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["/var/cache/glowline", "/etc/glowline"], out.stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs of the test's own (root in the sandbox may mount one; without the right, say so)."""
    with tmpfs(tmp_path / "disk", "256k") as folder:
        yield folder


def test_a_read_only_cache_shows_its_data(home: Path, emulator: Emulator, small_disk: Path) -> None:
    env = {**glowline_env(home, emulator), "GLOWLINE_CACHE_DIR": str(small_disk)}
    assert run(env, "fetch").returncode == 0
    before = run_json(env, "--cached-only")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True, timeout=10)
    for args in ([], ["--format", "waybar"], ["--max-age", "5"]):
        proc = run(env, *args)
        assert proc.returncode == 0 and "kWh" in proc.stdout and "Traceback" not in proc.stderr, (args, proc)
    assert run_json(env, "--cached-only")["days"] == before["days"]


def test_a_full_disk_is_one_line_recorded_and_not_hammered(home: Path, hostile: Hostile, small_disk: Path) -> None:
    env = {**glowline_env(home, hostile), "GLOWLINE_API_URL": hostile.url, "GLOWLINE_CACHE_DIR": str(small_disk)}
    assert run(env, "fetch", "--days", "10").returncode == 0
    (small_disk / "filler").write_bytes(b"\0" * (200 * 1024))  # fill the rest of the 256 KiB
    try:
        with open(small_disk / "filler2", "wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
    except OSError:
        pass
    hostile.readings = 0
    for path in small_disk.glob("*.days"):  # make the data due, in place (the disk is full)
        lines = path.read_text().split("\n")
        path.write_text("\n".join(
            f"fetched_at\t{float(line.split(chr(9))[1]) - 3600!r}" if line.startswith("fetched_at\t") else line
            for line in lines))
    fetch = run(env, "fetch", "--days", "40")  # more days: the series must grow, and cannot
    assert fetch.returncode == 11 and fetch.stderr.count("\n") == 1 and "No space left" in fetch.stderr
    requests_before = hostile.readings
    for _ in range(5):
        proc = run(env, "--format", "tmux", "--days", "40", "--timeout", "1")
        assert proc.returncode == 0 and "Traceback" not in proc.stderr
    time.sleep(1.0)
    assert hostile.readings - requests_before <= 1  # one attempt a minute, not one per call


# -- output that cannot break ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "closed", "full"), [
    (["--format", "tmux"], 0, 0), (["--format", "waybar"], 0, 0), (["--format", "i3bar"], 0, 0),
    ([], 0, 1), (["--format", "json"], 0, 1), (["doctor", "--no-launcher"], None, 1),
])
def test_a_closed_or_full_stdout_ends_quietly(home: Path, emulator: Emulator, args: list[str], closed: int | None,
                                              full: int) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    argv = " ".join([sys.executable, "-m", "glowline", *args])
    shut = subprocess.run(["sh", "-c", f"exec {argv} >&-"], env=env, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in shut.stderr and (closed is None or shut.returncode == closed), shut.stderr
    dev_full = subprocess.run(["sh", "-c", f"exec {argv} >/dev/full"], env=env, capture_output=True, text=True,
                              timeout=60)
    assert "Traceback" not in dev_full.stderr and dev_full.returncode == full, dev_full.stderr
    if full:
        assert dev_full.stderr.strip().endswith("No space left on device")


def test_a_stdout_that_cannot_encode_the_bars(home: Path, emulator: Emulator) -> None:
    env = {**glowline_env(home, emulator), "PYTHONIOENCODING": "ascii"}
    for args in (["report", "--days", "3"], ["--timeout", "30"], ["export", "--days", "1"]):
        proc = run(env, *args)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)


# -- validation where input enters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "code"), [
    (["--days", "٣"], 2), (["--days", "10_0"], 2), (["--days", " 5"], 2), (["--timeout", "-1"], 2),
    (["--timeout", "nan"], 2), (["--max-age", "inf"], 2), (["login", "--timeout", "nan"], 2),
    (["login", "--timeout", "-1"], 2), (["--site", "x" * 300, "--cached-only"], 9),
])
def test_input_is_validated_with_a_clear_line(home: Path, emulator: Emulator, args: list[str], code: int) -> None:
    proc = run(glowline_env(home, emulator), *args)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "File name too long" not in proc.stderr


@pytest.mark.parametrize("text", ["[" * 100_000, "[thresholds]\nlow = nan\n", "[thresholds]\nhigh = inf\n",
                                  "[thresholds]\nlow = -1.0\n", "[thresholds]\nlow = 2.0\nhigh = 1.5\n",
                                  "timeout = nan\n"])
def test_a_bad_config_is_a_config_error(home: Path, emulator: Emulator, text: str) -> None:
    env = glowline_env(home, emulator)
    config = home / ".config" / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    proc = run(env)
    assert proc.returncode == 8 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr


# -- anything on the command line: never a traceback -------------------------------------------------------------------

WORDS = ["--days", "--resource", "--site", "--tz", "--format", "--width", "--short", "--ascii", "--color",
         "--max-age", "--timeout", "--cached-only", "--on-error", "--gas-unit", "--prompt-wrap", "fetch", "report",
         "export", "tariff", "doctor", "--no-launcher", "--period", "--from", "--to", "-o", "--help", "-v", "--version",
         "config", "show", "path", "check", "completion", "bash", "logout"]
VALUES = ["0", "1", "10", "-1", "nan", "1e999", "٣", "", "waybar", "tmux", "json", "gas", "electricity", "all",
          "Europe/London", "Bogus/Zone", "x" * 300, "2026-13-45", "hour", "\x00", "🙂", "--", "-"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(WORDS) | st.sampled_from(VALUES), max_size=6))
def test_random_command_lines_never_trace_back(home: Path, emulator: Emulator, args: list[str]) -> None:
    if "\x00" in "".join(args):
        return  # argv cannot carry a NUL byte
    env = {**glowline_env(home, emulator), "GLOWLINE_NO_KEYRING": "1"}
    proc = subprocess.run([sys.executable, "-m", "glowline", *args, "--timeout", "2"] if not args or
                          args[0] not in ("report", "export", "tariff", "doctor", "fetch", "config", "completion",
                                          "logout") else [sys.executable, "-m", "glowline", *args],
                          env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "Traceback" not in proc.stderr, (args, proc.stderr)
    assert proc.returncode in DOCUMENTED, (args, proc.returncode, proc.stderr)

