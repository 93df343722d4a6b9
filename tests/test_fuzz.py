"""Hostile input: hypothesis feeds the response parsers (readings, sites, tariff), the cache and summary readers and
the config validator random and adversarial bodies; each ends in a correct value or one clear GlowlineError line,
never another exception, and a hostile answer during a refresh never damages the cache. Then a fault matrix against
a warm cache through the real CLI: one clear line each, the documented exit code, and the last good days survive.

HTTP-level fuzzing goes through a tiny loopback server, not a patched requests.
"""

from __future__ import annotations

import http.server
import json
import math
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glowline import config, gate, paths
from glowline.data import tariff
from glowline.data.glowmarkt import GlowmarktClient, parse_readings
from glowline.data.models import Token
from glowline.data.store import Entry
from glowline.data.store import json_cache as cache
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from glowline.errors import ConfigError, GlowlineError, MalformedResponse
from glowline.status import days as summary
from tests.helpers import age_cache, cache_dir, env_for, run, run_json

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
STEP = 1800
START = 1_700_000_000 // STEP * STEP
END = START + 48 * STEP

scalars = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12) | st.sampled_from(["12.5", "NaN", "Infinity", "-1e999", "1e9", "", " 3 ", "0x10"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6),
    max_leaves=25,
)


def one_line_error(exc: BaseException) -> None:
    """A GlowlineError with a non-empty one-line message."""
    assert isinstance(exc, GlowlineError), repr(exc)
    text = str(exc)
    assert text and "\n" not in text and "\r" not in text, repr(text)


def encode(doc: Any) -> bytes:
    """JSON text as a server might send it, NaN/Infinity literals included."""
    return json.dumps(doc, allow_nan=True).encode()


ADVERSARIAL = [
    b"[" * 100_000,
    b'{"data":' * 50_000,
    b'{"data":[[' + str(START).encode() + b",NaN]]}",
    b'{"data":[[' + str(START).encode() + b",Infinity]]}",
    b'{"data":[[' + str(START).encode() + b",1e999]]}",
    b'{"data":[' + b"[0,0]," * 200_000 + b"[0,0]]}",
    b'{"data":[[' + b"9" * 5000 + b",1]]}",
    b"\xff\xfe\x00{\x00}",
    b'{"data": "\xc3\x28"}',
    b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    b"",
    b"null",
    b"[]",
    b'{"data": null}',
    b'{"data": [[null, null]]}',
    b'{"resources": [{"resourceId": 1, "classifier": []}]}',
    b'[{"veId": {"$ne": 1}}]',
]


# -- pure parsers --------------------------------------------------------------------------------------------------


@FAST
@given(json_values)
def test_parse_readings_never_raises_anything_else(doc: Any) -> None:
    for candidate in (doc, {"data": doc}, {"data": [doc]}, {"data": [[START, doc]]}):
        try:
            out = parse_readings(candidate, START, END, STEP)
        except GlowlineError as exc:
            one_line_error(exc)
            continue
        assert all(START <= ts < END and ts % STEP == 0 for ts, _ in out)
        assert all(v is None or (isinstance(v, float) and math.isfinite(v)) for _, v in out)


readings_values = st.one_of(
    st.none(),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.integers(-10**6, 10**6),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(repr),
)


@FAST
@given(st.lists(st.tuples(st.integers(0, 47), readings_values), max_size=48, unique_by=lambda p: p[0]))
def test_parse_readings_returns_the_right_values(pairs: list[tuple[int, Any]]) -> None:
    doc = {"data": [[START + i * STEP, v] for i, v in pairs]}
    out = parse_readings(doc, START, END, STEP)
    assert out == [(START + i * STEP, None if v is None else float(v)) for i, v in pairs]


@FAST
@given(json_values)
def test_tariff_parse_never_raises_anything_else(doc: Any) -> None:
    for candidate in (doc, {"data": doc}, {"data": [{"currentRates": doc}]}, {"data": [{"plan": doc}]},
                      {"data": [{"currentRates": {"rate": doc, "standingCharge": doc}}]}):
        try:
            found = tariff.parse(candidate)
        except MalformedResponse as exc:
            one_line_error(exc)
            continue
        # what the gate allows: a unit rate may be negative (agile tariffs), a standing charge never
        assert found.rate is None or gate.unit_rate(found.rate) == found.rate
        assert found.standing is None or gate.standing(found.standing) == found.standing
        assert found.describe() and "\n" not in found.describe()


@FAST
@given(st.dictionaries(st.text(max_size=12) | st.sampled_from(sorted(config.TOP_LEVEL) + sorted(config.TABLES)),
                       json_values, max_size=5))
def test_config_validate_never_raises_anything_else(doc: dict[str, Any]) -> None:
    try:
        out = config.validate(doc, "config.toml")
    except ConfigError as exc:
        one_line_error(exc)
        return
    assert set(out) <= set(config.TOP_LEVEL) | set(config.TABLES)


@FAST
@given(st.binary(max_size=300) | json_values.map(encode) | st.sampled_from(ADVERSARIAL))
def test_cache_and_summary_readers_never_raise(home: Path, body: bytes) -> None:
    identity = {"api_url": "http://127.0.0.1/", "username": "u", "period": "PT30M"}
    store = cache.JsonStore()
    path = Path(paths.series_path("", "electricity.consumption"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    entry = store.load("", "electricity.consumption", identity)
    assert entry is None or isinstance(entry, Entry)
    days = Path(paths.days_path("", "electricity.consumption", "Europe/London"))
    days.write_bytes(body)
    assert summary.read(str(days)) is None or isinstance(summary.read(str(days)), summary.Summary)
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return
    for candidate in (doc, {"format": cache.FORMAT, "version": cache.VERSION, "identity": identity, **(
            doc if isinstance(doc, dict) else {"values": doc})}):
        path.write_text(json.dumps(candidate, allow_nan=True))
        entry = store.load("", "electricity.consumption", identity)
        assert entry is None or all(v is None or math.isfinite(v) for v in entry.series.values)


@FAST
@given(st.lists(st.tuples(st.sampled_from(["day", "dya", ""]), st.text(max_size=11), st.integers(), st.integers(),
                          st.sampled_from(["-", "1.5", "nan", "inf", "x", "1e400"]), st.sampled_from(["0", "1", ""])),
                max_size=5),
       st.sampled_from(["1.0", "nan", "inf", "x", ""]))
def test_summary_read_of_near_valid_files(home: Path, rows: list[tuple[Any, ...]], fetched: str) -> None:
    head = [summary.MAGIC, "resource\te", "unit\tkWh", "tz\tEurope/London", "site\ts", f"fetched_at\t{fetched}"]
    text = "\n".join(head + ["\t".join(map(str, r)) for r in rows] + ["end", ""])
    path = Path(paths.days_path("", "e", "Europe/London"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    found = summary.read(str(path))
    if found is not None:
        assert found.days and found.fetched_at == found.fetched_at
        for a, b in zip(found.days, found.days[1:], strict=False):
            assert a.end == b.start and a.start < a.end


# -- over HTTP: a loopback server answering the generated body -----------------------------------------------------


class Answering(http.server.ThreadingHTTPServer):
    """Loopback server: ``answer(path)`` gives (status, content type, body); records the paths asked."""

    daemon_threads = True

    def __init__(self) -> None:
        self.answer: Any = lambda path: (200, "application/json", b"{}")
        self.paths: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body_in = self.rfile.read(length) if length else b""
                server.paths.append(self.path)
                status, ctype, body = server.answer(self.path, self.command, dict(self.headers.items()), body_in)
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _any

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v0-1/"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture(scope="module")
def answering() -> Iterator[Answering]:
    server = Answering()
    try:
        yield server
    finally:
        server.close()


bodies = st.one_of(
    json_values.map(encode),
    st.binary(max_size=200),
    st.sampled_from(ADVERSARIAL),
    st.lists(st.fixed_dictionaries({"veId": st.text(max_size=6) | json_values}, optional={"name": json_values}),
             max_size=3).map(encode),
    st.fixed_dictionaries({"resources": st.lists(st.fixed_dictionaries(
        {"resourceId": st.text(max_size=5) | json_values, "classifier": st.text(max_size=5) | json_values}),
        max_size=4)}, optional={"name": json_values}).map(encode),
)


@SLOW
@given(listing=bodies, resources=bodies, ctype=st.sampled_from(["application/json", "text/html", "", "text/plain"]))
def test_sites_over_http_never_raise_anything_else(
    answering: Answering, listing: bytes, resources: bytes, ctype: str
) -> None:
    answering.answer = lambda path, *_: (200, ctype, resources if path.endswith("/resources") else listing)
    client = GlowmarktClient(answering.url, token=Token("t", 2**40), timeout=(2.0, 5.0))
    try:
        sites = client.sites()
    except GlowlineError as exc:
        one_line_error(exc)
        return
    finally:
        client.close()
    for site in sites:
        assert isinstance(site.ve_id, str) and isinstance(site.name, str)
        assert all(isinstance(r.classifier, str) and isinstance(r.resource_id, str) for r in site.resources)


@SLOW
@given(body=bodies, status=st.sampled_from([200, 200, 200, 201, 204, 301, 400, 401, 404, 418, 500, 502]))
def test_readings_over_http_never_raise_anything_else(answering: Answering, body: bytes, status: int) -> None:
    answering.answer = lambda *_: (status, "application/json", body)
    client = GlowmarktClient(answering.url, token=Token("t", 2**40), timeout=(2.0, 5.0))
    try:
        out = client.readings("r", START, END, "PT30M")
    except GlowlineError as exc:
        one_line_error(exc)
        return
    finally:
        client.close()
    assert status == 200 and all(START <= ts < END for ts, _ in out)


# -- a hostile answer during a refresh never damages the cache -----------------------------------------------------


class Proxy(Answering):
    """Forwards every request to the emulator, except readings while ``hostile`` is set."""

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.hostile: tuple[int, str, bytes] | None = None
        base = upstream.split("/api/v0-1/")[0]

        def answer(path: str, method: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
            if self.hostile is not None and "/readings" in path:
                return self.hostile
            keep = {k: v for k, v in headers.items() if k.lower() in ("token", "applicationid", "content-type")}
            req = urllib.request.Request(base + path, data=body or None, headers=keep, method=method)
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    return resp.status, resp.headers.get("Content-Type", ""), resp.read()
            except urllib.error.HTTPError as err:
                return err.code, err.headers.get("Content-Type", ""), err.read()

        self.answer = answer


def cache_files(home: Path) -> dict[str, bytes]:
    """The cached data: each series (.json) and summary (.days) file; not the token or the discovered sites."""
    return {p.name: p.read_bytes() for p in cache_dir(home).iterdir()
            if p.suffix in (".json", ".days") and "--" in p.name}


@SLOW
@given(body=bodies, status=st.sampled_from([200, 200, 200, 401, 404, 500]))
def test_hostile_readings_during_a_refresh_leave_the_cache_intact(
    warm_proxy: tuple[Path, Proxy, dict[str, bytes]], body: bytes, status: int
) -> None:
    from glowline.data import sync as refresh

    home, proxy, good = warm_proxy
    proxy.hostile = (status, "application/json", body)
    try:
        refresh.refresh("", "electricity.consumption", 10, "Europe/London")
    except GlowlineError as exc:
        one_line_error(exc)
        assert cache_files(home) == good  # byte-identical: the .json series and the .days summary
        return
    finally:
        proxy.hostile = None
        for name, data in good.items():  # the next example starts from the same good cache
            (cache_dir(home) / name).write_bytes(data)
    # accepted: it must have been a well-formed answer
    assert status == 200


def test_a_readings_answer_with_missing_buckets_keeps_the_delivered_values(
    warm_proxy: tuple[Path, Proxy, dict[str, bytes]],
) -> None:
    from glowline.data import sync as refresh

    home, proxy, _good = warm_proxy
    path = str(cache_dir(home) / "default--electricity.consumption--Europe_London.days")
    before = summary.read(path)
    proxy.hostile = (200, "application/json", b'{"data": []}')
    try:
        refresh.refresh("", "electricity.consumption", 10, "Europe/London")
    except GlowlineError:
        return  # refusing the answer is fine too
    finally:
        proxy.hostile = None
    after = summary.read(path)
    assert before is not None and after is not None
    assert [d.value for d in after.days[: len(before.days)]] == [d.value for d in before.days]


@pytest.fixture
def warm_proxy(home: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Proxy,
                                                                                                   dict[str, bytes]]]:
    proxy = Proxy(emulator.url)
    try:
        for var, value in (("GLOWLINE_API_URL", proxy.url), ("GLOWLINE_USERNAME", DEMO_USERNAME),
                           ("GLOWLINE_PASSWORD", DEMO_PASSWORD),
                           ("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")):
            monkeypatch.setenv(var, value)
        from glowline.data import sync as refresh

        refresh.refresh("", "electricity.consumption", 10, "Europe/London")
        good = cache_files(home)
        assert any(n.endswith(".days") for n in good) and any(n.startswith("default--") for n in good)
        yield home, proxy, good
    finally:
        proxy.close()


# -- the fault matrix, through the CLI, against a warm cache --------------------------------------------------------


def _stale_resource_id(home: Path, emu: Emulator) -> None:
    path = cache_dir(home) / "sites.json"
    path.write_text(path.read_text().replace(emu.resource_id("DCC Sourced", "electricity.consumption"),
                                             "00000000-0000-0000-0000-000000000000"))


FAULTS: dict[str, tuple[Any, tuple[str, ...], int, str]] = {
    # name: (arrange(home, emu), command, exit code, what the one line says)
    "500": (lambda h, e: e.fault("500"), ("fetch",), 5, "HTTP 500"),
    "dropped": (lambda h, e: e.fault("drop"), ("fetch",), 5, "dropped"),
    "html-502": (lambda h, e: e.fault("html"), ("fetch",), 5, "HTML"),
    "invalid-json": (lambda h, e: e.fault("badjson", path="/readings"), ("fetch",), 6, "invalid JSON"),
    "401-mid-run": (lambda h, e: e.fault("expired", path="/readings"), ("fetch",), 3, "401"),
    "401-once": (lambda h, e: e.fault("expired", path="/readings", times=1), ("fetch",), 0, ""),
    "clock-skew": (lambda h, e: e.expire_tokens(), ("fetch",), 0, ""),
    "unknown-resource": (lambda h, e: None, ("fetch", "--site", "Holiday Cottage", "--resource", "export"), 7,
                         "no electricity.export resource"),
    "stale-resource-id": (_stale_resource_id, ("fetch",), 0, ""),
    "hung": (lambda h, e: e.fault("hang"), ("--timeout", "1"), 0, ""),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_matrix_keeps_the_last_good_data(home: Path, emulator: Emulator, name: str) -> None:
    arrange, command, code, says = FAULTS[name]
    env = env_for(home, GLOWLINE_API_URL=emulator.url, GLOWLINE_USERNAME=DEMO_USERNAME,
                  GLOWLINE_PASSWORD=DEMO_PASSWORD, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert run(env, "fetch").returncode == 0
    age_cache(home, 3 * 3600)
    good = cache_files(home)
    before = run_json(env, "--cached-only")["days"]
    arrange(home, emulator)
    try:
        proc = run(env, *command, timeout=30)
        assert "Traceback" not in proc.stderr
        assert proc.returncode == code, proc.stderr
        if code:
            assert proc.stderr.startswith("glowline: ") and proc.stderr.count("\n") == 1 and says in proc.stderr
            assert cache_files(home) == good
            doc = run_json(env, "--cached-only")
            assert doc["days"] == before and doc["stale"] is True
            if name != "unknown-resource":  # that one failed for another resource's cache
                assert says in (doc.get("error") or ""), doc
            tmux = run(env, "--format", "tmux", "--cached-only")
            assert tmux.returncode == 0 and tmux.stdout.count("\n") <= 1 and "kWh" in tmux.stdout
        elif name == "hung":
            assert proc.stdout.rstrip().endswith("·3h")  # the stale line at once, refresh left in the background
            assert run_json(env, "--cached-only")["days"] == before
        else:
            after = run_json(env, "--cached-only")["days"]
            assert len(after) == len(before)
            # re-read days may be completed; the older ones are exactly what they were
            assert after[:-2] == before[:-2]
            assert proc.stderr == ""
    finally:
        emulator.clear_faults()
    if name == "hung":
        from glowline.status.spawn import is_locked

        lock = str(cache_dir(home) / "default--electricity.consumption.lock")
        from tests.helpers import wait_until

        assert wait_until(lambda: not is_locked(lock), 15)
