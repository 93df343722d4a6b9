"""The Glowmarkt REST client (a data Source): token headers, one re-auth on 401, and typed errors.

It talks through a transport (glowline.data.transport: http.client, or requests behind a proxy); only the refresh
path imports it, the status line never does. Every request has a connect and a read timeout, follows no redirect
(the ``token`` header must never reach another host), and keeps TLS verification on. Bodies are checked against
the documented shapes and any surprise becomes a MalformedResponse with one clear line, never a KeyError.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from glowline import gate, printable
from glowline.catalog import HALF_HOUR, MAX_SPAN, PERIOD_SECONDS
from glowline.data.endpoint import check_base_url
from glowline.data.models import Reading, Resource, Site, Token
from glowline.data.transport import Response, Transport, default_transport
from glowline.errors import (
    AccountNeedsAttention,
    APIUnavailable,
    AuthError,
    MalformedResponse,
    NoDataYet,
    NotFound,
)

#: the published applicationId for individual Bright users (glowmarkt-api.md 1.1)
APPLICATION_ID = "b0f1b774-a586-4f72-9edd-27ead8aa7a8d"
#: seconds to connect, seconds between bytes of the answer
TIMEOUT = (5.0, 20.0)
#: the line for a 403 that a fresh login does not cure (jonandel#73)
FORBIDDEN = ("the Glowmarkt API refuses this account (HTTP 403): open the Bright app and sign in, it may ask you "
             "to accept new terms; glowline tries again later")
#: the same for ``catchup``, which only helps the next refresh
CATCHUP_TIMEOUT = (3.0, 5.0)

log = logging.getLogger("glowline.data.glowmarkt")


class BadRequest(MalformedResponse):
    """HTTP 400: the API refused the request as sent (for ``/current``: no live data, pyglowmarkt#14)."""


def utc_text(epoch: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC, no zone suffix and no fractional seconds, as the API wants."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))


class GlowmarktClient:
    """The API over one session. ``reauth`` supplies a fresh Token when the current one is missing or refused."""

    def __init__(
        self,
        base_url: str,
        token: Token | None = None,
        reauth: Callable[[], Token] | None = None,
        timeout: tuple[float, float] = TIMEOUT,
        transport: Transport | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.token = token
        self.reauth = reauth
        self.timeout = timeout
        self.transport = transport if transport is not None else default_transport()
        self._renewed = False  # a token was issued by reauth() for this client already
        self._refused = False  # a 403 survived a fresh login: the account needs the user (no more logins)

    def close(self) -> None:
        self.transport.close()

    # -- requests ---------------------------------------------------------------------------------------------

    def _send(self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None) -> Response:
        started = time.monotonic()
        headers = {"applicationId": APPLICATION_ID, "Content-Type": "application/json", "Accept": "application/json"}
        if self.token is not None:
            headers["token"] = self.token.token
        resp = self.transport.request(method, self.base_url + path, params, body, headers, self.timeout)
        log.debug("%s /%s %s -> %s in %.0f ms", method, path, params or "", resp.status_code,
                  (time.monotonic() - started) * 1000)
        return resp

    def _json(self, resp: Response, what: str) -> Any:
        status = resp.status_code
        if status in (429, 503):  # slow down: honour Retry-After (glowline.status.policy waits that long)
            wait = _retry_after(resp.header("Retry-After"))
            when = f"; it asks to wait {wait:.0f} s" if wait else ""
            raise APIUnavailable(f"the Glowmarkt API is busy (HTTP {status}{when})", retry_after=wait)
        if 300 <= status < 400:
            raise APIUnavailable(f"the Glowmarkt API redirected ({status}); not following it with the token")
        if status >= 500:
            page = ", an HTML error page" if "html" in resp.header("Content-Type").lower() else ""
            raise APIUnavailable(f"the Glowmarkt API is having problems (HTTP {status}{page})")
        if status == 404:
            raise NotFound(f"{what}: not found (HTTP 404)")
        if status == 400:
            raise BadRequest(f"the API refused the {what} request: {_error_text(resp)}")
        if status != 200:
            raise APIUnavailable(f"unexpected HTTP {status} from the Glowmarkt API for {what}")
        ctype = resp.header("Content-Type")
        if "html" in ctype.lower():
            raise APIUnavailable(f"the Glowmarkt API answered an HTML page instead of {what} data")
        try:
            return resp.json(parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise MalformedResponse(f"the Glowmarkt API sent invalid JSON for {what}") from None

    def _get(self, path: str, what: str, params: dict[str, str] | None = None, retry: bool = True) -> Any:
        """GET with a usable token: renew it first if needed, and re-authenticate once on a 401 (a 403: once per
        client, so a refused account costs one more login whatever it asks next). ``retry=False`` (catchup, which
        only helps the next refresh) never re-authenticates."""
        if self.reauth is not None and (self.token is None or (not self.token.usable() and not self._renewed)):
            self.token = self.reauth()  # renewed once: a short-lived token is then used until it is refused
            self._renewed = True
        resp = self._send("GET", path, params)
        if resp.status_code == 403 and self._refused:  # a fresh login did not help before: not again
            raise AccountNeedsAttention(FORBIDDEN)
        if retry and resp.status_code in (401, 403) and self.reauth is not None:
            log.debug("%s on %s: re-authenticating once", resp.status_code, path)
            self.token = self.reauth()
            resp = self._send("GET", path, params)
        if resp.status_code == 401:
            raise AuthError("the Glowmarkt API refused the token (HTTP 401): run `glowline login` again")
        if resp.status_code == 403:
            self._refused = self._refused or retry  # only once a fresh login was tried (not by catchup)
            raise AccountNeedsAttention(FORBIDDEN)
        return self._json(resp, what)

    # -- endpoints --------------------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> Token:
        """POST auth: a Token, or AuthError when the API refuses the credentials."""
        resp = self._send("POST", "auth", body={"username": username, "password": password})
        if resp.status_code == 403:  # not the password (that is 401 {"valid": false}): the account itself
            raise AccountNeedsAttention(f"the Glowmarkt API refuses the account {username} (HTTP 403): open the "
                                        "Bright app and sign in, it may ask you to accept new terms")
        if resp.status_code in (400, 401):
            raise AuthError(f"login refused for {username}: wrong username or password (HTTP {resp.status_code})")
        doc = self._json(resp, "auth")
        if not isinstance(doc, dict) or doc.get("valid") is not True:
            raise AuthError(f"login refused for {username}: the API said the credentials are not valid")
        token, exp = doc.get("token"), doc.get("exp")
        if not isinstance(token, str) or not token or not _is_int(exp):
            raise MalformedResponse("the auth answer has no usable token/exp")
        self.token = Token(token, int(exp))  # type: ignore[arg-type]  # _is_int checked it
        return self.token

    def sites(self) -> list[Site]:
        """Every virtual entity with its full resource documents (two kinds of request: list, then one per site)."""
        listing = self._get("virtualentity", "virtual entity list")
        if not isinstance(listing, list):
            raise MalformedResponse("the virtual entity list is not a JSON array")
        sites = []
        for ve in listing:
            if not isinstance(ve, dict) or not isinstance(ve.get("veId"), str):
                raise MalformedResponse("a virtual entity has no veId")
            doc = self._get(f"virtualentity/{ve['veId']}/resources", "site resources")
            if not isinstance(doc, dict) or not isinstance(doc.get("resources"), list):
                raise MalformedResponse("the site resources answer has no resources list")
            resources = [r for r in (_resource(x) for x in doc["resources"]) if r is not None]
            name = doc.get("name") if isinstance(doc.get("name"), str) else ve.get("name")
            name = printable.optional(name, 80)  # server text: shown in lines, tooltips and reports
            sites.append(Site(ve["veId"], name or ve["veId"], resources))
        return sites

    def readings(self, resource_id: str, start: int, end: int, period: str) -> list[tuple[int, float | None]]:
        """Buckets of ``period`` covering [start, end) in UTC: one request, exclusive end (``to`` = end - 1 s)."""
        step = PERIOD_SECONDS[period]
        if start % step or end % step or not 0 < end - start <= MAX_SPAN[period]:
            raise ValueError(f"readings window {start}..{end} does not fit {period}")  # a bug, never sent
        params = {
            "from": utc_text(start),
            "to": utc_text(end - 1),
            "period": period,
            "offset": "0",
            "function": "sum",
            "nulls": "1",
        }
        doc = self._get(f"resource/{resource_id}/readings", "readings", params)
        return parse_readings(doc, start, end, step)

    def tariff(self, resource_id: str) -> Any:
        """The raw tariff document (its shapes vary; glowline.data.tariff reads it)."""
        return self._get(f"resource/{resource_id}/tariff", "tariff")

    def tariff_list(self, resource_id: str) -> Any:
        """The raw tariff history (``tariff-list``: unsorted entries with ``effectiveDate``; glowline.data.tariff)."""
        return self._get(f"resource/{resource_id}/tariff-list", "tariff list")

    def first_time(self, resource_id: str) -> int | None:
        """GET resource/{id}/first-time: the UTC epoch of the first reading (``firstTs``), or None when the answer
        has none (glowmarkt-api.md 4); a 404 is NoDataYet: the resource has no reading yet (Swagger, NJWILKS)."""
        try:
            doc = self._get(f"resource/{resource_id}/first-time", "first reading time")
        except NotFound:
            raise NoDataYet("no data yet: the API has no first reading of this resource (first-time: HTTP 404)") \
                from None
        data = doc.get("data") if isinstance(doc, dict) else None
        first = data.get("firstTs") if isinstance(data, dict) else None
        if not isinstance(first, (int, float)) or isinstance(first, bool) or not math.isfinite(first) or first < 0:
            return None
        return int(first)

    def last_time(self, resource_id: str) -> int | None:
        """GET resource/{id}/last-time: the instant up to which half-hours are delivered, or None when the API does
        not say. ``lastTs`` on a half-hour boundary is the start of the last delivered half-hour (the emulator's
        reading); anywhere else it is a reading inside a half-hour that is not complete yet (glowmarkt-api.md 4)."""
        doc = self._get(f"resource/{resource_id}/last-time", "last reading time")
        data = doc.get("data") if isinstance(doc, dict) else None
        last = data.get("lastTs") if isinstance(data, dict) else None
        if not isinstance(last, (int, float)) or isinstance(last, bool) or not float(last).is_integer():
            return None
        epoch = int(last)
        return epoch + HALF_HOUR if epoch % HALF_HOUR == 0 else epoch // HALF_HOUR * HALF_HOUR

    def catchup(self, resource_id: str) -> bool:
        """GET resource/{id}/catchup: ask the service to fetch the newest half-hours from the DCC (asynchronous on
        its side); True when it answers ``valid: true``. Short deadline (CATCHUP_TIMEOUT): it only helps the next
        refresh, it must never hold this one up."""
        saved, self.timeout = self.timeout, (min(self.timeout[0], CATCHUP_TIMEOUT[0]),
                                             min(self.timeout[1], CATCHUP_TIMEOUT[1]))
        try:
            doc = self._get(f"resource/{resource_id}/catchup", "catchup", retry=False)
        finally:
            self.timeout = saved
        data = doc.get("data") if isinstance(doc, dict) else None
        return isinstance(data, dict) and data.get("valid") is True

    def reachable(self) -> int:
        """GET auth without a token: the HTTP status the API answered (it is there whatever the status)."""
        return int(self._send("GET", "auth").status_code)

    def token_valid(self) -> bool:
        """GET auth with the token (renewed first when it must be): True when the API says it is valid."""
        doc = self._get("auth", "token check")
        return isinstance(doc, dict) and doc.get("valid") is True

    def current(self, resource_id: str) -> Reading | None:
        """GET resource/{id}/current: the latest [epoch, value] pair, or None when ``data`` is empty (DCC-only
        accounts have no live hardware; glow-mqtt.md section 6) or the API answers 400 (pyglowmarkt#14: no live
        data). ``units`` is as sent ("" when the key is missing: unlobito#19); glowline.data.live reads it."""
        try:
            doc = self._get(f"resource/{resource_id}/current", "current reading")
        except BadRequest:
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise MalformedResponse("the current reading answer has no data list")
        if not doc["data"]:
            return None
        pair = doc["data"][-1]
        if not isinstance(pair, list) or len(pair) != 2 or not _is_int(pair[0]):
            raise MalformedResponse("the current reading is not a [timestamp, value] pair")
        raw = pair[1]
        if raw is None:
            return None
        if isinstance(raw, str) and len(raw) < 40:
            try:
                raw = float(raw)
            except ValueError:
                pass
        value = gate.number(raw)  # finite and a number; glowline.data.live gates it as power (gate.power_w)
        if value is None:
            raise MalformedResponse("the current reading's value is not a number")
        return Reading(int(pair[0]), value, _text(doc.get("units"))[:20])


def parse_readings(doc: Any, start: int, end: int, step: int) -> list[tuple[int, float | None]]:
    """Check a readings body and return (bucket start, value or None) for buckets inside [start, end)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise MalformedResponse("the readings answer has no data list")
    if len(doc["data"]) > (end - start) // step + 1:
        raise MalformedResponse("the readings answer has more buckets than the window holds")
    out: list[tuple[int, float | None]] = []
    for item in doc["data"]:
        if not isinstance(item, list) or len(item) != 2 or not _is_int(item[0]):
            raise MalformedResponse("a reading is not a [timestamp, value] pair")
        ts, value = int(item[0]), _number(item[1])
        if ts % step or not start <= ts < end:
            raise MalformedResponse(f"a reading's timestamp {ts} is outside the requested window")
        out.append((ts, value))
    return out


def _number(value: Any) -> float | None:
    """A reading value: number, null, or a numeric string (seen in tariffs); anything else is malformed."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise MalformedResponse("a reading value is a boolean")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer such as 10**400
            raise MalformedResponse("a reading value is not a finite, plausible number") from None
    elif isinstance(value, str) and len(value) < 40:
        try:
            number = float(value)
        except ValueError:
            raise MalformedResponse(f"a reading value is not a number: {value[:20]!r}") from None
    else:
        raise MalformedResponse(f"a reading value has type {type(value).__name__}")
    if not math.isfinite(number) or abs(number) > 1e9:
        raise MalformedResponse("a reading value is not a finite, plausible number")
    return number


def _resource(doc: Any) -> Resource | None:
    if not isinstance(doc, dict):
        raise MalformedResponse("a resource document is not an object")
    rid, classifier = doc.get("resourceId"), doc.get("classifier")
    if not isinstance(rid, str) or not isinstance(classifier, str):
        return None  # a resource without a classifier cannot be selected; skip it
    return Resource(
        rid,
        classifier,
        _text(doc.get("name")),
        _text(doc.get("baseUnit")),
        _text(doc.get("dataSourceType")),
        _text(doc.get("description")),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: the longest Retry-After honoured (a day): a bigger or nonsensical one is capped, never trusted blindly
MAX_RETRY_AFTER = 86400.0


def _retry_after(value: str) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped; None when absent or unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, min(when - time.time(), MAX_RETRY_AFTER))


def _error_text(resp: Response) -> str:
    try:
        doc = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}"
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        return printable.text(doc["error"], 120) or f"HTTP {resp.status_code}"  # server text, shown as is
    return f"HTTP {resp.status_code}"
