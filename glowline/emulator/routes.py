"""Routing: from (method, path, query, headers, body) to the API's answer, with its access rules and tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from glowline.emulator import shapes
from glowline.emulator.household import REGISTER_BASE_KWH, Household, Resource
from glowline.emulator.rules import ApiError, ReadingsQuery, buckets, parse_readings_query

BASE_PATH = "/api/v0-1/"
DEMO_USERNAME = "demo@glowline.invalid"
DEMO_PASSWORD = "glowline-demo-password"

Json = shapes.Json


@dataclass
class Reply:
    """An HTTP answer: status, body bytes and its content type (None: no Content-Type, as the VE 404)."""

    status: int
    body: bytes
    content_type: str | None = "application/json"


def json_reply(status: int, document: Json) -> Reply:
    """A compact JSON reply, as the real API sends."""
    return Reply(status, json.dumps(document, separators=(",", ":")).encode())


def request_kind(method: str, path: str) -> str:
    """What a request is for: auth, virtualentity, resources, resource, readings, tariff, first-time, ..., other."""
    if not path.startswith(BASE_PATH):
        return "other"
    parts = [p for p in path[len(BASE_PATH) :].split("/") if p]
    if not parts:
        return "other"
    if parts[0] == "auth":
        return "auth"
    if parts[0] == "virtualentity":
        return "resources" if len(parts) == 3 and parts[2] == "resources" else "virtualentity"
    if parts[0] == "resource":
        return parts[2] if len(parts) == 3 else "resource"
    return "other"


@dataclass
class State:
    """Everything a request can read or change: the household, the clock, issued tokens, tariff variants."""

    household: Household
    now: Callable[[], float]
    token_lifetime: float
    tokens: dict[str, int] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    tariff_variants: dict[str, str] = field(default_factory=dict)
    tariff_list_variants: dict[str, str] = field(default_factory=dict)
    #: how /current answers (CURRENT_SHAPES), how tariff dates are written (TARIFF_DATE_FORMS), and whether cost
    #: P1D/P1W/P1M buckets include the standing charge (see play_standing_in_days)
    current_shape: str = "W"
    tariff_dates: str = "local"
    standing_in_days: bool = False
    #: a tariff-list body served as given, per resource (dynamic, time-of-use or hand-made entries)
    tariff_list_documents: dict[str, Json] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0

    def issue_token(self) -> tuple[str, int]:
        """A new opaque JWT-looking token and its exp (epoch seconds)."""
        with self.lock:
            self.issued += 1
            exp = int(self.now() + self.token_lifetime)
            payload = json.dumps({"tokenHash": self.issued, "iat": int(self.now()), "exp": exp}).encode()
            signature = hashlib.sha256(b"glowline-emulator" + payload).hexdigest()[:43]
            token = ".".join(
                (
                    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
                    base64.urlsafe_b64encode(payload).decode().rstrip("="),
                    signature,
                )
            )
            self.tokens[token] = exp
        return token, exp

    def token_exp(self, token: str | None) -> int | None:
        """The exp of a valid token, or None when it is missing, unknown, revoked or expired."""
        with self.lock:
            exp = self.tokens.get(token or "")
            if exp is None or token in self.revoked or exp <= self.now():
                return None
            return exp

    def revoke_all(self) -> None:
        """Every token issued so far stops working."""
        with self.lock:
            self.revoked.update(self.tokens)


def route(state: State, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Reply:
    """The API's answer to one request."""
    lowered = {k.lower(): v for k, v in headers.items()}
    parts = [p for p in path[len(BASE_PATH) :].split("/") if p] if path.startswith(BASE_PATH) else []
    if not parts:
        return json_reply(404, shapes.NOT_FOUND)
    if lowered.get("applicationid") != shapes.APPLICATION_ID:
        return json_reply(400, shapes.AUTH_BAD_REQUEST if (method, parts) == ("POST", ["auth"]) else shapes.BAD_REQUEST)
    if parts == ["auth"] and method == "POST":
        return _login(state, body)
    if method != "GET":
        return json_reply(404, shapes.NOT_FOUND)
    exp = state.token_exp(lowered.get("token"))
    if exp is None:
        return json_reply(401, shapes.ACCESS_DENIED)
    try:
        return _get(state, parts, query, lowered["token"], exp)
    except ApiError as refusal:
        return json_reply(refusal.status, refusal.body)


def _login(state: State, body: bytes) -> Reply:
    try:
        credentials = json.loads(body or b"null")
    except ValueError:
        return json_reply(400, {"error": "missing elements"})
    if not isinstance(credentials, dict) or "username" not in credentials or "password" not in credentials:
        return json_reply(400, {"error": "missing elements"})
    if (credentials["username"], credentials["password"]) != (DEMO_USERNAME, DEMO_PASSWORD):
        return json_reply(401, shapes.AUTH_FAILED)
    token, exp = state.issue_token()
    return json_reply(200, shapes.auth_ok(token, exp))


def _get(state: State, parts: list[str], query: dict[str, str], token: str, exp: int) -> Reply:
    household = state.household
    if parts == ["auth"]:
        return json_reply(200, shapes.token_check(exp))
    if parts == ["auth", "newToken"]:
        return json_reply(200, shapes.new_token(*state.issue_token()))
    if parts == ["virtualentity"]:
        return json_reply(200, [shapes.ve_summary(site) for site in household.sites])
    if len(parts) == 3 and parts[0] == "virtualentity" and parts[2] == "resources":
        site = next((s for s in household.sites if s.ve_id == parts[1]), None)
        return json_reply(200, shapes.ve_full(site)) if site else Reply(404, b"", None)
    if parts == ["resource"]:
        return json_reply(200, [shapes.resource_document(r) for site in household.sites for r in site.resources])
    if parts[0] != "resource" or len(parts) > 3:
        return json_reply(404, shapes.NOT_FOUND)
    resource = household.resource(parts[1]) if len(parts) > 1 else None
    if resource is None:
        return json_reply(404, shapes.NOT_FOUND)
    if len(parts) == 2:
        return json_reply(200, shapes.resource_document(resource))
    return _resource_part(state, resource, parts[2], query)


def _resource_part(state: State, resource: Resource, part: str, query: dict[str, str]) -> Reply:
    now = state.now()
    household = state.household
    if part == "readings":
        parsed = parse_readings_query(query, resource.classifier, now)
        echo = {name: query[name] for name in ("from", "to", "period", "function")}
        data = readings_data(household, resource, parsed, now)
        if state.standing_in_days and resource.rate_centipence is not None and parsed.period in DAY_PERIODS:
            data = with_standing(household, resource, parsed, now, data)
        return json_reply(200, shapes.readings(resource, echo, data))
    if part == "tariff":
        variant = state.tariff_variants.get(resource.resource_id, default_tariff_variant(resource))
        if variant == "error":
            return json_reply(500, shapes.SERVER_ERROR)
        return json_reply(200, shapes.tariff(resource, variant, household.tariff_at(resource, now), state.tariff_dates))
    if part == "tariff-list" and resource.resource_id in state.tariff_list_documents:
        return json_reply(200, shapes.wrapped(resource, state.tariff_list_documents[resource.resource_id]))
    if part == "tariff-list":
        variant = state.tariff_list_variants.get(resource.resource_id, default_tariff_variant(resource))
        if variant == "error":
            return json_reply(500, shapes.SERVER_ERROR)
        return json_reply(200, shapes.tariff_list(resource, household.tariffs(resource), variant, state.tariff_dates))
    if part == "first-time":
        return json_reply(200, shapes.wrapped(resource, {"firstTs": household.first_time}))
    if part == "last-time":
        return json_reply(200, shapes.wrapped(resource, {"lastTs": household.last_ts(resource, now)}))
    if part == "catchup":
        return json_reply(200, shapes.wrapped(resource, {"valid": True}))
    if part == "current":
        return current_reply(state, resource, current_data(household, resource, now))
    return json_reply(404, shapes.NOT_FOUND)


def current_data(household: Household, resource: Resource, now: float) -> list[list[Json]]:
    """/current: empty for a DCC-only site (glow-mqtt.md 6); with Glow hardware the latest [epoch, value] pair, read
    every 10 s: W for electricity, the cumulative volume in m3 for gas."""
    if not household.site_of(resource).glow_mac or resource.rate_centipence is not None:
        return []
    at = int(now) // 10 * 10
    if resource.classifier == "electricity.consumption":
        return [[at, round(household.power_w(resource, at))]]
    if resource.classifier == "gas.consumption":
        kwh = household.register_kwh(resource, household.first_time, at) + REGISTER_BASE_KWH
        return [[at, round(kwh * 3.6 / 39.5 / 1.02264, 3)]]
    return []


#: how /current answers, beside the documented W ("W"), each as seen from the real service (glowmarkt-api.md 8):
#: "no-units": W values with no ``units`` key (Hildebrand staff, unlobito/ha-hildebrandglow#19); "kWh": ``units``
#: "kWh" (ColinRobbins/ha-hildebrandglow-dcc#7; with data, the values stay W: a label a client must refuse);
#: "kW": kW values (the IHD's own unit); "400": 400 bad request (pyglowmarkt#14); "error-value": the meter's
#: "no reading" value -8388.608 kW (glow-mqtt.md)
CURRENT_SHAPES = ("W", "no-units", "kWh", "kW", "400", "error-value")
#: the periods whose cost buckets include the standing charge on the real service (NJWILKS live contract, 2026)
DAY_PERIODS = ("P1D", "P1W", "P1M")


def current_reply(state: State, resource: Resource, data: list[list[Json]]) -> Reply:
    """/current in the chosen CURRENT_SHAPES (gas always answers m3)."""
    shape = state.current_shape
    if resource.commodity == "GAS":
        return json_reply(200, shapes.wrapped(resource, data, "m3"))
    if shape == "400":
        return json_reply(400, shapes.BAD_REQUEST)
    if shape == "kW" or shape == "error-value":
        data = [[at, -8388.608 if shape == "error-value" else round(float(value) / 1000.0, 3)]
                for at, value in data]
        return json_reply(200, shapes.wrapped(resource, data, "kW"))
    return json_reply(200, shapes.wrapped(resource, data, {"W": "W", "kWh": "kWh"}.get(shape)))


def with_standing(household: Household, resource: Resource, query: ReadingsQuery, now: float,
                  data: list[list[Json]]) -> list[list[Json]]:
    """Cost P1D/P1W/P1M buckets as the real service sends them: the priced half-hours plus the standing charge of
    each day that has begun inside the bucket (NJWILKS/hildebrand-glow-ha live contract, 2026: PT30M and PT1H
    buckets are energy only, P1D, P1W and P1M include the standing charge; glowmarkt-api.md 8)."""
    scale = 10**resource.decimals
    out: list[list[Json]] = []
    for (wall_start, wall_end), (stamp, value) in zip(buckets(query), data, strict=True):
        start, end = query.instant(wall_start), query.instant(wall_end)
        count = round((end - start) / 86400)  # local days: 23 and 25 hours long at the clock changes
        days = [d for d in (start + k * 86400 for k in range(count)) if household.first_time <= d <= now]
        if not days or value is None:
            out.append([stamp, value])
            continue
        standing = sum(household.tariff_at(resource, d).standing for d in days) * scale // 100
        out.append([stamp, (round(float(value) * scale) + standing) / scale])
    return out


def default_tariff_variant(resource: Resource) -> str:
    """Export has no tariff from the DCC; everything else has one, in numbers."""
    return "empty" if resource.classifier == "electricity.export" else "numbers"


def readings_data(household: Household, resource: Resource, query: ReadingsQuery, now: float) -> list[list[Json]]:
    """The ``data`` pairs: one [bucket start as local wall clock-as-UTC, value] per bucket, future ones included."""
    scale = 10**resource.decimals
    data: list[list[Json]] = []
    for wall_start, wall_end in buckets(query):
        start = query.instant(wall_start)
        present = [u for u in household.window_units(resource, start, query.instant(wall_end), now) if u is not None]
        value: Json
        if not present:
            value = None if query.nulls else 0
        else:
            if query.function == "sum":
                units: float = sum(present)
            elif query.function == "avg":
                units = round(sum(present) / len(present))
            else:
                units = min(present) if query.function == "min" else max(present)
            value = units / scale if units else 0
        data.append([start - query.offset * 60, value])
    return data
