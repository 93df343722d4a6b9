"""HTTP for the data sources, behind one small seam (like requests' BaseAdapter): send a request, get a Response.

Two transports, and ``default_transport`` picks:
- ``StdlibTransport`` (http.client): the default. A background refresh is a whole process, and its imports are
  most of a cold status line's wall time: `python -c "import requests"` took 160 ms here against 20 ms for a bare
  interpreter, http.client with ssl about 25 ms. It keeps one keep-alive connection per host, verifies TLS with
  the system's CAs (or REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, as requests would), follows no redirect, asks for no
  compression and reads at most MAX_BODY bytes before a total deadline.
- ``RequestsTransport`` (requests): when a proxy is configured in the environment (https_proxy, all_proxy, ...),
  since requests does proxies, proxy authentication and no_proxy better than code we would write.

Every failure becomes an APIUnavailable or MalformedResponse with one clear line.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from glowline.errors import APIUnavailable, MalformedResponse

#: the largest answer read: a 31-day hourly readings document is about 25 KiB, the largest legitimate one
MAX_BODY = 8 << 20
#: proxy variables that make the requests transport the right one
PROXY_VARIABLES = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")
CHUNK = 65536


class Response:
    """An HTTP answer: status, headers (read case-insensitively) and the body's bytes."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.content = content

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def json(self, **options: Any) -> Any:
        """The body as JSON; ValueError when it is not (bad UTF-8, bad JSON, nested too deep)."""
        try:
            return json.loads(self.content.decode("utf-8"), **options)
        except RecursionError:
            raise ValueError("JSON nested too deep") from None


class Transport(Protocol):
    def request(
        self, method: str, url: str, params: dict[str, str] | None, body: Any, headers: dict[str, str],
        timeout: tuple[float, float],
    ) -> Response:
        """Send one request (``body`` as JSON when not None); raise APIUnavailable when there is no answer."""
        ...

    def close(self) -> None:
        ...


def default_transport() -> Transport:
    """requests when the environment configures a proxy, else the standard library's http.client."""
    if any(os.environ.get(name) for name in PROXY_VARIABLES):
        return RequestsTransport()
    return StdlibTransport()


def _unavailable(exc: BaseException, read_timeout: float) -> APIUnavailable:
    """One line for a request that got no answer."""
    import socket
    import ssl

    if isinstance(exc, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
        reason = "TLS certificate verification failed (is a proxy intercepting HTTPS? set REQUESTS_CA_BUNDLE)"
    elif isinstance(exc, (socket.timeout, TimeoutError)):
        return APIUnavailable(f"the Glowmarkt API did not answer within {read_timeout:g} s")
    elif isinstance(exc, ConnectionRefusedError):
        reason = "connection refused"
    elif isinstance(exc, socket.gaierror):
        reason = "host name not found"
    elif isinstance(exc, (ConnectionError, EOFError)) or type(exc).__name__ in ("RemoteDisconnected",
                                                                                "IncompleteRead", "BadStatusLine"):
        reason = "connection dropped without an answer"
    else:
        reason = type(exc).__name__
    return APIUnavailable(f"cannot reach the Glowmarkt API: {reason}")


class StdlibTransport:
    """http.client, one keep-alive connection per scheme, host and port."""

    def __init__(self) -> None:
        self._connections: dict[tuple[str, str, int], Any] = {}

    def request(
        self, method: str, url: str, params: dict[str, str] | None, body: Any, headers: dict[str, str],
        timeout: tuple[float, float],
    ) -> Response:
        import http.client

        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if params:
            target += ("&" if "?" in target else "?") + urlencode(params)
        data = None if body is None else json.dumps(body).encode("utf-8")
        sent = {"Accept-Encoding": "identity", **headers}
        deadline = time.monotonic() + timeout[0] + timeout[1]
        key = (parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        for attempt in (1, 2):
            reused = key in self._connections
            watchdog = _Watchdog(deadline)
            try:
                conn = self._connection(key, timeout)
                watchdog.arm(conn.sock)  # a server that drips headers or body byte by byte still meets the deadline
                conn.request(method, target, body=data, headers=sent)
                reply = conn.getresponse()
                content = _read_capped(reply, deadline)
                if watchdog.fired:  # the socket was shut under a read: what came is a fragment
                    raise TimeoutError
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as exc:
                self._drop(key)
                if watchdog.fired:
                    raise APIUnavailable(f"the Glowmarkt API did not answer within {deadline_text(timeout)}") from None
                if reused and attempt == 1:  # the server closed a kept-alive connection: once more on a new one
                    continue
                raise _unavailable(exc, timeout[1]) from None
            except MalformedResponse:
                self._drop(key)
                raise
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self._drop(key)
                if watchdog.fired:
                    raise APIUnavailable(f"the Glowmarkt API did not answer within {deadline_text(timeout)}") from None
                raise _unavailable(exc, timeout[1]) from None
            finally:
                watchdog.cancel()
            if reply.will_close:
                self._drop(key)
            return Response(reply.status, dict(reply.getheaders()), content)
        raise AssertionError("unreachable")

    def _connection(self, key: tuple[str, str, int], timeout: tuple[float, float]) -> Any:
        import http.client

        conn = self._connections.get(key)
        if conn is not None:
            return conn
        scheme, host, port = key
        if scheme == "https":
            import ssl

            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None
            context = ssl.create_default_context(cafile=bundle)
            conn = http.client.HTTPSConnection(host, port, timeout=timeout[0], context=context)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout[0])
        conn.connect()  # within the connect timeout; then every read gets the read timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout[1])
        self._connections[key] = conn
        return conn

    def _drop(self, key: tuple[str, str, int]) -> None:
        conn = self._connections.pop(key, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for key in list(self._connections):
            self._drop(key)


def deadline_text(timeout: tuple[float, float]) -> str:
    return f"{timeout[0] + timeout[1]:g} s"


class _Watchdog:
    """Shuts a request's socket down when its total deadline passes: the per-read timeout alone never trips on a
    server that sends one byte a second."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._timer: Any = None

    def arm(self, sock: Any) -> None:
        import threading

        def fire() -> None:
            self.fired = True
            try:
                sock.shutdown(2)  # socket.SHUT_RDWR: the blocked read returns at once
            except OSError:
                pass

        self._timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _read_capped(reply: Any, deadline: float) -> bytes:
    """The body, chunk by chunk as it arrives: at most MAX_BODY bytes, and done before ``deadline`` (monotonic)."""
    declared = reply.getheader("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise MalformedResponse(f"the Glowmarkt API's answer is {int(declared)} bytes, more than {MAX_BODY} "
                                "glowline reads")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = reply.read1(CHUNK)  # whatever has arrived, at most CHUNK: never waits for a full chunk
        if not chunk:
            reply.close()  # done: the connection can carry the next request
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY:
            raise MalformedResponse(f"the Glowmarkt API's answer is larger than {MAX_BODY} bytes; refused")
        chunks.append(chunk)


class RequestsTransport:
    """requests, for proxies from the environment (and anything else its trust_env brings)."""

    def __init__(self) -> None:
        import requests

        self._session = requests.Session()
        self._session.trust_env = True  # proxies and CA bundles from the environment; verify stays on

    def request(
        self, method: str, url: str, params: dict[str, str] | None, body: Any, headers: dict[str, str],
        timeout: tuple[float, float],
    ) -> Response:
        import requests

        deadline = time.monotonic() + timeout[0] + timeout[1]
        try:
            reply = self._session.request(method, url, params=params, json=body, headers=headers, timeout=timeout,
                                          allow_redirects=False, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                for chunk in reply.raw.stream(CHUNK, decode_content=False):
                    size += len(chunk)
                    if size > MAX_BODY:
                        raise MalformedResponse(f"the Glowmarkt API's answer is larger than {MAX_BODY} bytes; refused")
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    chunks.append(chunk)
            finally:
                reply.close()
        except requests.Timeout:
            raise APIUnavailable(f"the Glowmarkt API did not answer within {timeout[1]:g} s") from None
        except requests.exceptions.SSLError as exc:
            raise _unavailable(exc, timeout[1]) from None
        except requests.ConnectionError as exc:
            text = str(exc)
            if "refused" in text.lower():
                raise APIUnavailable("cannot reach the Glowmarkt API: connection refused") from None
            if "Name or service not known" in text or "getaddrinfo" in text:
                raise APIUnavailable("cannot reach the Glowmarkt API: host name not found") from None
            raise APIUnavailable("cannot reach the Glowmarkt API: connection dropped without an answer") from None
        except requests.RequestException as exc:
            raise APIUnavailable(f"request to the Glowmarkt API failed: {type(exc).__name__}") from None
        except TimeoutError:
            raise APIUnavailable(f"the Glowmarkt API did not answer within {timeout[1]:g} s") from None
        return Response(reply.status_code, dict(reply.headers), b"".join(chunks))

    def close(self) -> None:
        self._session.close()
