"""The Emulator: a threaded HTTP server on loopback that answers as Glowmarkt does, records requests, injects faults."""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from glowline.emulator import shapes
from glowline.emulator.faults import DEFAULT_SLOW_SECONDS, FaultBoard
from glowline.emulator.household import DAY, HALF_HOUR, HISTORY_DAYS, Habits, Household, Resource
from glowline.emulator.mqtt import Publisher
from glowline.emulator.routes import BASE_PATH, CURRENT_SHAPES, Reply, State, json_reply, request_kind, route

_CORS_WIDE = (
    ("Access-Control-Allow-Methods", "PUT, GET, POST, DELETE, OPTIONS, PATCH"),
    (
        "Access-Control-Allow-Headers",
        "Content-Type, content-type, x-glow-version, Access-Control-Allow-Headers, Authorization, token, "
        "applicationId, applicationid, userId, userOrganizationId, userorganizationid, functionalGroupId, "
        "functionalgroupid, employeeid, employeeId, X-Requested-With, COGNITO_ID_TOKEN",
    ),
)
_CORS_RESOURCE = (
    ("access-control-allow-methods", "PUT, GET, POST, DELETE, OPTIONS"),
    (
        "access-control-allow-headers",
        "Content-Type, Access-Control-Allow-Headers, Authorization, token, X-Requested-With",
    ),
)
_SECURITY = (
    ("Strict-Transport-Security", "max-age=63072000; includeSubdomains; preload"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-XSS-Protection", "1;mode=block;"),
    ("X-Content-Type-Options", "nosniff"),
)
_BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    b"<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class RequestRecord:
    """One request as the emulator saw it; ``status`` is 0 while unanswered or when no answer was sent."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int
    kind: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: a client that hangs up mid-request is normal here (timeouts, fault tests)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; Nagle would add ~40 ms per reply
    server: _Server

    def version_string(self) -> str:
        return "openresty"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests and the CLI own the terminal."""

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.open_connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.open_connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        emulator = self.server.emulator
        split = urlsplit(self.path)
        length_text = self.headers.get("Content-Length") or "0"
        length = int(length_text) if length_text.isdigit() else 0
        body = self.rfile.read(length) if length > 0 else b""
        record = RequestRecord(
            method, split.path, dict(parse_qsl(split.query, keep_blank_values=True)), dict(self.headers.items()), 0,
            request_kind(method, split.path),
        )
        emulator._record(record)
        fault = emulator._faults.take(split.path)
        kind = fault.kind if fault else None
        if fault and kind in ("hang", "slow"):
            slow_default = DEFAULT_SLOW_SECONDS if kind == "slow" else None  # a hang without delay holds until released
            fault.release.wait(fault.delay if fault.delay is not None else slow_default)
            if emulator._stopping.is_set():
                return self._drop()
        if kind == "drop":
            return self._drop()
        if kind == "500":
            reply = json_reply(500, shapes.SERVER_ERROR)
        elif kind == "html":
            reply = Reply(502, _BAD_GATEWAY, "text/html")
        elif kind == "expired":
            reply = json_reply(401, shapes.ACCESS_DENIED)
        elif kind == "403":  # the account must accept new terms in the Bright app (jonandel#73, Feb 2026)
            reply = json_reply(403, shapes.FORBIDDEN)
        elif kind == "404":  # e.g. first-time of a meter with no reading yet (Swagger; NJWILKS README)
            reply = json_reply(404, shapes.NOT_FOUND)
        else:
            try:
                reply = route(emulator._state, method, split.path, record.query, record.headers, body)
            except Exception:  # the emulator answers as the API would; it never dies on one request
                reply = json_reply(500, shapes.SERVER_ERROR)
            if kind == "badjson":
                reply = Reply(200, reply.body[: len(reply.body) // 2] or b'{"data":[[17', "application/json")
        record.status = reply.status
        self._send(method, split.path, reply)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, method: str, path: str, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        if reply.body:
            self.send_header("Vary", "Accept-Encoding")
        resource_style = path.startswith(BASE_PATH + "resource")
        self.send_header("access-control-allow-origin", "*")
        self.send_header("Access-Control-Max-Age", "600")
        for name, value in _CORS_RESOURCE if resource_style else _CORS_WIDE:
            self.send_header(name, value)
        self.send_header("x-powered-by", "Express")
        if method == "GET" and reply.body:
            self.send_header("etag", f'"{zlib.crc32(reply.body) - (1 << 31)}"')
        if reply.status < 400:
            for name, value in _SECURITY:
                self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


class Emulator:
    """A Glowmarkt-compatible server with a deterministic household (see glowline/emulator/__init__.py)."""

    def __init__(
        self,
        now: Callable[[], float] | None = None,
        token_lifetime: float = 7 * 86400,
        port: int = 0,
        host: str = "127.0.0.1",
        mqtt: str | None = None,
        mqtt_interval: float = 5.0,
        habits: Habits | None = None,
    ) -> None:
        self.now: Callable[[], float] = now or time.time
        self._mqtt, self._mqtt_interval = mqtt, mqtt_interval
        self.publisher: Publisher | None = None  # the emulated Glow IHD, publishing to the broker at ``mqtt``
        first_time = (int(self.now()) // DAY - HISTORY_DAYS) * DAY
        self._state = State(Household(first_time, habits), self.now, token_lifetime)
        self._faults = FaultBoard()
        self._stopping = threading.Event()
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self._host, self._port), self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="glowmarkt-emulator", daemon=True
        )
        self._thread.start()
        if self._mqtt and self.publisher is None:
            self.publisher = Publisher(self._state.household, self._mqtt, self._mqtt_interval, self.now).start()
        return self

    def stop(self) -> None:
        """Stop serving, release held requests and close open connections; returns promptly."""
        publisher, self.publisher = self.publisher, None
        if publisher is not None:
            publisher.stop()
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        self._faults.release_all()
        server.shutdown()
        with server.connections_lock:
            connections = list(server.open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API base URL, with a trailing slash: http://127.0.0.1:PORT/api/v0-1/."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}{BASE_PATH}"

    @property
    def port(self) -> int:
        """The bound port (after start())."""
        return self._port

    # requests ----------------------------------------------------------------------------------------------------

    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._log.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request received since start or reset_counts(), oldest first."""
        with self._log_lock:
            return list(self._log)

    def count(self, kind: str | None = None) -> int:
        """How many requests (of one kind: auth, virtualentity, resources, resource, readings, tariff, ...)."""
        with self._log_lock:
            return sum(1 for r in self._log if kind is None or r.kind == kind)

    def reset_counts(self) -> None:
        """Forget the recorded requests."""
        with self._log_lock:
            self._log.clear()

    # faults and tokens -------------------------------------------------------------------------------------------

    def fault(self, kind: str, times: int | None = None, path: str | None = None, delay: float | None = None) -> None:
        """Make matching requests misbehave: hang, slow, 500, drop, html, badjson or expired (see __init__)."""
        self._faults.add(kind, times, path, delay)

    def clear_faults(self) -> None:
        """Remove every fault; hung and slow requests are answered now."""
        self._faults.clear()

    def expire_tokens(self) -> None:
        """Every token issued so far gets 401 Access denied from now on (new logins work)."""
        self._state.revoke_all()

    def set_tariff(self, resource_id: str, variant: str) -> None:
        """Choose the tariff answer for a resource: numbers, strings, empty or error (500)."""
        if variant not in shapes.TARIFF_VARIANTS:
            raise ValueError(f"unknown tariff variant {variant!r}; expected one of {', '.join(shapes.TARIFF_VARIANTS)}")
        self._resource(resource_id)
        self._state.tariff_variants[resource_id] = variant

    def set_tariff_list(self, resource_id: str, variant: str) -> None:
        """Choose the tariff-list answer for a resource: numbers, strings, empty or error (500)."""
        if variant not in shapes.TARIFF_VARIANTS:
            raise ValueError(f"unknown tariff variant {variant!r}; expected one of {', '.join(shapes.TARIFF_VARIANTS)}")
        self._resource(resource_id)
        self._state.tariff_list_variants[resource_id] = variant

    def play_current(self, shape: str) -> None:
        """How /current answers: W (documented), no-units, kWh, kW, 400 or error-value (routes.CURRENT_SHAPES)."""
        if shape not in CURRENT_SHAPES:
            raise ValueError(f"unknown /current shape {shape!r}; expected one of {', '.join(CURRENT_SHAPES)}")
        self._state.current_shape = shape

    def play_tariff_dates(self, form: str) -> None:
        """How tariff-list dates are written: local, epoch or iso (shapes.TARIFF_DATE_FORMS)."""
        if form not in shapes.TARIFF_DATE_FORMS:
            raise ValueError(f"unknown date form {form!r}; expected one of {', '.join(shapes.TARIFF_DATE_FORMS)}")
        self._state.tariff_dates = form

    def serve_tariff_list(self, resource_id: str, entries: list[dict[str, object]]) -> None:
        """Serve these tariff-list entries for a resource (the shapes of glowmarkt-api.md 4.1 and 8: dynamic
        ``{dynamic: CODE}``, time-of-use ``tier``/``tourate`` with ``time``, dates in any form)."""
        self._resource(resource_id)
        self._state.tariff_list_documents[resource_id] = entries

    def play_standing_in_days(self, on: bool = True) -> None:
        """Cost P1D/P1W/P1M buckets include the standing charge, PT30M/PT1H do not (NJWILKS live contract)."""
        self._state.standing_in_days = on

    @property
    def price_change(self) -> int:
        """Epoch of the local midnight at which every price changed (the tariff list's newest entry)."""
        return self._state.household.price_change

    def standing_pence(self, resource_id: str, day_start: int) -> float:
        """The standing charge (pence per day) of the tariff in force on the local day starting at ``day_start``."""
        resource = self._resource(resource_id)
        return self._state.household.tariff_at(resource, day_start).standing / 100

    def set_lag(self, resource_id: str | None, half_hours: int) -> None:
        """The DCC holds back the resource's (None: every resource's) last ``half_hours`` half-hours (before the
        current one) while the emulated IHD stays current: a day of DCC lag is ``set_lag(rid, 48)``."""
        if half_hours < 0:
            raise ValueError("half_hours must be 0 or more")
        household = self._state.household
        ids = [r.resource_id for s in household.sites for r in s.resources] if resource_id is None else \
            [self._resource(resource_id).resource_id]
        for rid in ids:
            household.lags[rid] = half_hours

    def hold_at(self, resource_id: str, until: int | None) -> None:
        """The DCC delivers the resource's half-hours only up to ``until`` (a half-hour boundary), however late it
        gets, while the emulated IHD stays current (None: as usual again)."""
        rid = self._resource(resource_id).resource_id
        if until is None:
            self._state.household.held_at.pop(rid, None)
        else:
            self._state.household.held_at[rid] = int(until) // HALF_HOUR * HALF_HOUR

    def ihd(self, url: str, interval: float = 5.0, site: str | None = None, mac: str | None = None) -> Publisher:
        """An emulated Glow IHD for this household on this emulator's clock, publishing to ``url`` once started
        (Publisher.burst sends past messages first, in meter order): the "Holiday Cottage" one, or one at ``site``
        (name or veId) with the MAC ``mac`` (the "DCC Sourced" home has the export resource)."""
        household = self._state.household
        where = household.site(site) if site is not None else None
        if site is not None and where is None:
            raise ValueError(f"no site {site!r}")
        return Publisher(household, url, interval, self.now, site=where, mac=mac)

    # the household -----------------------------------------------------------------------------------------------

    @property
    def first_time(self) -> int:
        """Epoch of every meter's first half-hour."""
        return self._state.household.first_time

    @property
    def glow_mac(self) -> str:
        """The MAC of the emulated Glow IHD (at the "Holiday Cottage" site)."""
        site = self._state.household.glow_site()
        assert site is not None and site.glow_mac is not None
        return site.glow_mac

    def live_power_w(self, at: float | None = None) -> float:
        """The power the emulated IHD reports at ``at`` (default now), W."""
        site = self._state.household.glow_site()
        assert site is not None
        resource = next(r for r in site.resources if r.classifier == "electricity.consumption")
        return self._state.household.power_w(resource, self.now() if at is None else at)

    def site_ids(self) -> list[str]:
        """The veIds of the account's sites, in API order."""
        return [site.ve_id for site in self._state.household.sites]

    def resource_id(self, site: str, classifier: str, source: str = "AMRAPI") -> str:
        """The id of the resource with ``classifier`` at the site named ``site`` (or with that veId).

        ``source`` picks between duplicates: "AMRAPI" (the DCC one, default; falls back to any) or "ADHOC".
        """
        found = self._state.household.site(site)
        if found is None:
            raise KeyError(f"no site {site!r}")
        matches = [r for r in found.resources if r.classifier == classifier]
        preferred = [r for r in matches if r.data_source_type == source] or (matches if source == "AMRAPI" else [])
        if not preferred:
            raise KeyError(f"no {classifier} ({source}) resource at {site!r}")
        return preferred[0].resource_id

    def _resource(self, resource_id: str) -> Resource:
        resource = self._state.household.resource(resource_id)
        if resource is None:
            raise KeyError(f"no resource {resource_id!r}")
        return resource

    def _series(
        self, resource_id: str, start: float, end: float, units_at: Callable[[Resource, int, float], int | None]
    ) -> list[tuple[int, float | None]]:
        resource = self._resource(resource_id)
        now, scale = self.now(), 10**resource.decimals
        t = math.ceil(start / HALF_HOUR) * HALF_HOUR
        out: list[tuple[int, float | None]] = []
        while t < end:
            units = units_at(resource, t, now)
            out.append((t, None if units is None else units / scale))
            t += HALF_HOUR
        return out

    @property
    def habits(self) -> Habits:
        """The real service's habits this emulator plays (glowline.emulator.household.Habits)."""
        return self._state.household.habits

    def half_hours(self, resource_id: str, start: float, end: float) -> list[tuple[int, float | None]]:
        """The true value of every half-hour in [start, end): None before the first reading or not yet started."""
        return self._series(resource_id, start, end, self._state.household.units)

    def delivered(self, resource_id: str, start: float, end: float) -> list[tuple[int, float | None]]:
        """What the API delivers now per half-hour in [start, end): the true value, 0 while lagged, None if future."""
        return self._series(resource_id, start, end, self._state.household.delivered_units)
