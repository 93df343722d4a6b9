"""The API client over real HTTP: the recorded live responses replayed as they were, and the emulator with faults."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from glowline.data.endpoint import check_base_url
from glowline.data.glowmarkt import GlowmarktClient
from glowline.data.models import Token
from glowline.data.transport import RequestsTransport, StdlibTransport, Transport, default_transport
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME
from glowline.errors import APIUnavailable, AuthError, MalformedResponse, NotFound, UsageError

# The eight responses recorded from the live API (copied from ../shared/glowmarkt-captures, MIT, see LICENSE there)
CAPTURES = Path(__file__).resolve().parent / "captures"


class Replay:
    """A loopback server answering every request with one recorded capture (status, Content-Type, body)."""

    def __init__(self) -> None:
        self.capture: dict[str, Any] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                replay.seen.append((self.path, dict(self.headers)))
                body = replay.capture["data"].encode()
                self.send_response(replay.capture["statusCode"])
                ctype = replay.capture["headers"].get("Content-Type", "application/json").replace("\\/", "/")
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in replay.capture.get("extra_headers", {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v0-1/"

    def load(self, name: str) -> None:
        self.capture = json.loads((CAPTURES / name).read_text())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=[StdlibTransport, RequestsTransport], ids=["http.client", "requests"])
def transport(request: pytest.FixtureRequest) -> type[Transport]:
    """Each transport in turn: the client must behave the same over both."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def replay() -> Iterator[Replay]:
    server = Replay()
    yield server
    server.close()


def test_captures_are_present() -> None:
    assert len(list(CAPTURES.glob("*.json"))) == 8, f"captures not found at {CAPTURES}"


def test_every_capture_parses(replay: Replay) -> None:
    client = GlowmarktClient(replay.url, token=Token("t", int(time.time()) + 30 * 86400))
    replay.load("authentication.json")
    assert GlowmarktClient(replay.url).authenticate("u@example.com", "pw").exp == 1823609971
    replay.load("failed-authentication.json")
    with pytest.raises(AuthError, match="wrong username or password"):
        GlowmarktClient(replay.url).authenticate("u@example.com", "pw")
    replay.load("virtual-entity.json")
    doc = client._get("virtualentity/x/resources", "site resources")
    assert {r["classifier"] for r in doc["resources"]} == {
        "gas.consumption", "gas.consumption.cost", "electricity.consumption.cost", "electricity.export",
        "electricity.consumption",
    }
    replay.load("virtual-entities.json")
    assert isinstance(client._get("virtualentity", "list"), list)
    for name in ("resource-electricity.json", "resource-gas.json"):
        replay.load(name)
        start = 1775001600  # 2026-04-01T00:00Z: the recorded request was from=2026-04-01T00:00:00, to=...30T23:59:59
        buckets = client.readings("r", start, start + 30 * 86400, "P1D")
        assert len(buckets) == 30 and buckets[0][0] == start
        assert sum(1 for _, v in buckets if v is None) == 18  # the future days of April
        assert replay.seen[-1][0].endswith("from=2026-04-01T00%3A00%3A00&to=2026-04-30T23%3A59%3A59&period=P1D"
                                           "&offset=0&function=sum&nulls=1")
    replay.load("resource-gas.json")
    assert client.readings("r", 1775001600, 1775001600 + 30 * 86400, "P1D")[11] == (1775952000, 0.0)
    for name in ("resource-not-found.json", "virtual-entity-not-found.json"):
        replay.load(name)
        with pytest.raises(NotFound):
            client._get("resource/x/readings", "readings")


def test_token_and_application_id_headers_are_sent(replay: Replay) -> None:
    replay.load("virtual-entities.json")
    GlowmarktClient(replay.url, token=Token("tok-123", int(time.time()) + 30 * 86400))._get("virtualentity", "x")
    headers = {k.lower(): v for k, v in replay.seen[-1][1].items()}
    assert headers["token"] == "tok-123"
    assert headers["applicationid"] == "b0f1b774-a586-4f72-9edd-27ead8aa7a8d"
    assert "authorization" not in headers


def test_redirect_is_not_followed_so_the_token_stays_home(replay: Replay, transport: type[Transport]) -> None:
    other = Replay()
    try:
        other.load("virtual-entities.json")
        replay.capture = {"statusCode": 302, "headers": {}, "data": "", "extra_headers": {"Location": other.url}}
        client = GlowmarktClient(replay.url, token=Token("secret-token", int(time.time()) + 30 * 86400),
                                 transport=transport())
        with pytest.raises(APIUnavailable, match="redirected"):
            client._get("virtualentity", "x")
        assert other.seen == []
    finally:
        other.close()


def test_plain_http_only_on_loopback() -> None:
    assert check_base_url("http://127.0.0.1:8080/api/v0-1") == "http://127.0.0.1:8080/api/v0-1/"
    assert check_base_url("http://localhost/api/") == "http://localhost/api/"
    assert check_base_url("http://[::1]:9/x/").startswith("http://[::1]")
    for url in ("http://api.glowmarkt.com/api/v0-1/", "http://10.0.0.1/", "ftp://x/", "nonsense"):
        with pytest.raises(UsageError):
            check_base_url(url)


def test_discovery_prefers_the_dcc_resource(emulator: Any) -> None:
    client = GlowmarktClient(emulator.url)
    client.authenticate(DEMO_USERNAME, DEMO_PASSWORD)
    sites = client.sites()
    assert [s.ve_id for s in sites] == emulator.site_ids()
    home = sites[0]
    elec = [r for r in home.resources if r.classifier == "electricity.consumption"]
    assert len(elec) == 2  # the emulator lists an ADHOC duplicate first
    chosen = home.resource("electricity.consumption")
    assert chosen.resource_id == emulator.resource_id(home.name, "electricity.consumption")
    assert chosen.resource_id != emulator.resource_id(home.name, "electricity.consumption", source="ADHOC")
    with pytest.raises(NotFound):
        sites[1].resource("electricity.export")


def test_readings_use_utc_and_an_exclusive_end(emulator: Any, transport: type[Transport]) -> None:
    client = GlowmarktClient(emulator.url, transport=transport())
    client.authenticate(DEMO_USERNAME, DEMO_PASSWORD)
    rid = emulator.resource_id("DCC Sourced", "electricity.consumption")
    start = (int(time.time()) // 86400 - 20) * 86400
    buckets = client.readings(rid, start, start + 10 * 86400, "PT30M")
    assert len(buckets) == 480 and buckets[-1][0] == start + 10 * 86400 - 1800
    assert buckets == emulator.delivered(rid, start, start + 10 * 86400)
    query = emulator.requests[-1].query
    assert query["to"].endswith("T23:59:59") and query["offset"] == "0" and query["nulls"] == "1"
    with pytest.raises(ValueError):
        client.readings(rid, start, start + 11 * 86400, "PT30M")  # never sent: over the API's limit


@pytest.mark.parametrize(
    ("fault", "error", "text"),
    [
        ("500", APIUnavailable, "HTTP 500"),
        ("drop", APIUnavailable, "dropped|reach"),
        ("html", APIUnavailable, "HTML"),
        ("badjson", MalformedResponse, "invalid JSON"),
    ],
)
def test_each_fault_is_one_clear_error(
    emulator: Any, fault: str, error: type[Exception], text: str, transport: type[Transport]
) -> None:
    client = GlowmarktClient(emulator.url, transport=transport())
    client.authenticate(DEMO_USERNAME, DEMO_PASSWORD)
    emulator.fault(fault, path="/virtualentity")
    with pytest.raises(error, match=text):
        client.sites()


def test_hung_api_times_out(emulator: Any, transport: type[Transport]) -> None:
    client = GlowmarktClient(emulator.url, timeout=(1.0, 0.5), transport=transport())
    client.authenticate(DEMO_USERNAME, DEMO_PASSWORD)
    emulator.fault("hang", path="/virtualentity")
    started = time.monotonic()
    with pytest.raises(APIUnavailable, match="did not answer"):
        client.sites()
    assert time.monotonic() - started < 1.5


def test_expired_token_re_authenticates_once(emulator: Any) -> None:
    calls: list[int] = []

    def reauth() -> Token:
        calls.append(1)
        return GlowmarktClient(emulator.url).authenticate(DEMO_USERNAME, DEMO_PASSWORD)

    client = GlowmarktClient(emulator.url, reauth=reauth)
    assert client.sites() and len(calls) == 1  # no token yet: one login
    emulator.expire_tokens()
    assert client.sites() and len(calls) == 2  # 401 -> one re-login -> retried
    emulator.fault("expired", path="/virtualentity")
    with pytest.raises(AuthError, match="401"):
        client.sites()  # refused again after the re-login: a clear error, no loop
    assert len(calls) == 3


def test_token_near_expiry_is_renewed_before_use(emulator: Any) -> None:
    fresh = GlowmarktClient(emulator.url).authenticate(DEMO_USERNAME, DEMO_PASSWORD)
    renewed: list[Token] = []

    def reauth() -> Token:
        renewed.append(fresh)
        return fresh

    client = GlowmarktClient(emulator.url, token=Token(fresh.token, int(time.time()) + 3600), reauth=reauth)
    client.sites()
    assert renewed == [fresh]  # under a day left: renewed first, not after a 401


class ForwardProxy(ThreadingHTTPServer):
    """A loopback HTTP forward proxy: takes absolute-URI requests, passes them on, and records the URLs."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                import http.client
                from urllib.parse import urlsplit

                proxy.seen.append(self.path)
                target = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                keep = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection",
                                                                                    "connection")}
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                upstream.request(self.command, target.path + (f"?{target.query}" if target.query else ""), body,
                                 keep)
                reply = upstream.getresponse()
                data = reply.read()
                self.send_response(reply.status)
                for name, value in reply.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            do_GET = do_POST = _forward

        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def test_a_proxy_in_the_environment_is_used_through_requests(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(default_transport(), StdlibTransport)  # no proxy configured: the light transport
    proxy = ForwardProxy()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        chosen = default_transport()
        assert isinstance(chosen, RequestsTransport)
        client = GlowmarktClient(emulator.url, transport=chosen)
        client.authenticate(DEMO_USERNAME, DEMO_PASSWORD)
        assert [s.ve_id for s in client.sites()] == emulator.site_ids()
        client.close()
        assert proxy.seen and all(url.startswith(emulator.url) for url in proxy.seen)
    finally:
        proxy.close()
