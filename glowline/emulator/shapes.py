"""The JSON documents the emulator answers with, key for key in the order of the real captures."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from glowline.emulator.household import (
    ACCOUNT_ID,
    ELECTRICITY_RATE_CENTIPENCE,
    ELECTRICITY_STANDING_CENTIPENCE,
    GAS_RATE_CENTIPENCE,
    GAS_STANDING_CENTIPENCE,
    LONDON,
    NIGHT_HOURS,
    Resource,
    Site,
    TariffPeriod,
    stable_uuid,
)

APPLICATION_ID = "b0f1b774-a586-4f72-9edd-27ead8aa7a8d"
VE_TYPE_ID = stable_uuid("ve-type/dcc")
TARIFF_VARIANTS = ("numbers", "strings", "empty", "error")

Json = Any


def auth_ok(token: str, exp: int) -> dict[str, Json]:
    """POST auth, good credentials (authentication.json)."""
    return {
        "valid": True,
        "token": token,
        "exp": exp,
        "userGroups": [],
        "functionalGroupAccounts": [],
        "accountId": ACCOUNT_ID,
        "isTempAuth": False,
        "name": "",
    }


def token_check(exp: int) -> dict[str, Json]:
    """GET auth: the token is valid until ``exp``."""
    return {"accountId": ACCOUNT_ID, "applicationId": APPLICATION_ID, "valid": True, "exp": exp}


def new_token(token: str, exp: int) -> dict[str, Json]:
    """GET auth/newToken."""
    return {"valid": True, "exp": exp, "token": token}


def ve_summary(site: Site) -> dict[str, Json]:
    """One element of GET virtualentity (virtual-entities.json): resources without classifier."""
    return {
        "clone": False,
        "active": True,
        "applicationId": APPLICATION_ID,
        "veTypeId": VE_TYPE_ID,
        "postalCode": site.postal_code,
        "attributes": {"address": dict(site.address)},
        "resources": [
            {"resourceId": r.resource_id, "resourceTypeId": r.resource_type_id, "name": r.name} for r in site.resources
        ],
        "ownerId": ACCOUNT_ID,
        "name": site.name,
        "veId": site.ve_id,
        "updatedAt": site.updated_at,
        "createdAt": site.created_at,
        "veChildren": [],
    }


def resource_document(resource: Resource) -> dict[str, Json]:
    """A full resource document (an element of virtual-entity.json's resources, and GET resource)."""
    return {
        "active": True,
        "resourceTypeId": resource.resource_type_id,
        "ownerId": ACCOUNT_ID,
        "name": resource.name,
        "description": resource.description,
        "label": resource.description,
        "dataSourceResourceTypeInfo": {"unit": resource.unit, "type": resource.meter_type},
        "dataSourceType": resource.data_source_type,
        "classifier": resource.classifier,
        "baseUnit": resource.unit,
        "resourceId": resource.resource_id,
        "updatedAt": resource.updated_at,
        "createdAt": resource.created_at,
        "dataSourceUnitInfo": {"shid": stable_uuid(f"shid/{resource.commodity}/{resource.resource_id}")},
    }


def ve_full(site: Site) -> dict[str, Json]:
    """GET virtualentity/{veId}/resources (virtual-entity.json): one object with full resource documents."""
    return {
        "clone": False,
        "active": True,
        "_id": site.record_id,
        "applicationId": APPLICATION_ID,
        "veTypeId": VE_TYPE_ID,
        "postalCode": site.postal_code.lower().replace(" ", ""),
        "attributes": {"address": dict(site.address)},
        "resources": [resource_document(r) for r in site.resources],
        "ownerId": ACCOUNT_ID,
        "name": site.name,
        "timestamp": site.created_at,
        "veId": site.ve_id,
        "updatedAt": site.updated_at,
        "createdAt": site.created_at,
        "id": site.record_id,
        "veChildren": [],
    }


def readings(resource: Resource, echo: dict[str, str], data: list[list[Json]]) -> dict[str, Json]:
    """GET resource/{id}/readings (resource-electricity.json)."""
    return {
        "status": "OK",
        "name": resource.name,
        "resourceTypeId": resource.resource_type_id,
        "resourceId": resource.resource_id,
        "query": echo,
        "data": data,
        "units": resource.unit,
        "classifier": resource.classifier,
    }


def wrapped(resource: Resource, data: Json, units: str | None = None) -> dict[str, Json]:
    """The ResourceDataResult wrapper of first-time, last-time, catchup, current and tariff."""
    doc: dict[str, Json] = {
        "status": "OK",
        "name": resource.name,
        "resourceTypeId": resource.resource_type_id,
        "resourceId": resource.resource_id,
        "data": data,
    }
    if units is not None:
        doc["units"] = units
    doc["classifier"] = resource.classifier
    return doc


def _pence(centipence: int) -> float:
    return centipence / 100


def _local_date_text(epoch: int) -> str:
    """A tariff's start as the API writes it: the local date at midnight, ``2025-04-01 00:00:00``."""
    return datetime.fromtimestamp(epoch, LONDON).strftime("%Y-%m-%d 00:00:00")


def _plan_detail(resource: Resource, period: TariffPeriod, strings: bool) -> list[dict[str, Json]]:
    """The legacy ``planDetail`` list: the standing charge, then one rate per tier (day, then night on a TOU)."""

    def value(centipence: int) -> Json:
        return f"{centipence / 100:.2f}" if strings else _pence(centipence)

    gas = resource.commodity == "GAS"
    day: dict[str, Json] = {"ratem3": round(period.day_rate / 100 * 11.3, 3), "rate": value(period.day_rate)} \
        if gas else {"rate": value(period.day_rate)}
    details: list[dict[str, Json]] = [{"standing": value(period.standing)}]
    if period.night_rate is None:
        return [*details, day]
    night_start, night_end = (f"{h:02d}:00" for h in NIGHT_HOURS)
    return [
        *details,
        {"tier": 1, **day, "time": f"{night_end}-{night_start}"},
        {"tier": 2, "rate": value(period.night_rate), "time": f"{night_start}-{night_end}"},
    ]


def _tariff_entry(resource: Resource, period: TariffPeriod, strings: bool) -> dict[str, Json]:
    """One tariff document, with every field the real ones carry (pyglowmarkt reads ``type``): ``currentRates``
    gives one rate, the day rate, even on a time-of-use tariff (glowmarkt-api.md 4.1, 5)."""
    gas = resource.commodity == "GAS"
    cid, commodity = ("GAS", "GAS") if gas else ("PWER", "ELEC")

    def value(centipence: int) -> Json:
        return f"{centipence / 100:.2f}" if strings else _pence(centipence)

    details = _plan_detail(resource, period, strings)
    plan: dict[str, Json] = {"planDetail": details}
    if strings:
        plan["note"] = "This is a legacy structure and is due to be removed"
    return {
        "currentRates": {"rate": value(period.day_rate), "standingCharge": value(period.standing)},
        "plan": [plan],
        "structure": [{"weekName": "1", "source": "DCC", "planDetail": details}],
        "from": _local_date_text(period.effective),
        "name": "fromDCC" if strings else "TariffFromMeter",
        "type": "TOU" if period.night_rate is not None else "FLAT",
        "commodity": commodity,
        "cid": cid,
        "utility": "HILD",
    }


def tariff(resource: Resource, variant: str, period: TariffPeriod | None = None,
           dates: str = "local") -> dict[str, Json]:
    """GET resource/{id}/tariff (the tariff in force now) in the "numbers", "strings" (2023 gas capture style) or
    "empty" variant."""
    if variant == "empty":
        return wrapped(resource, [])
    if period is None:
        gas = resource.commodity == "GAS"
        rate_cp = resource.rate_centipence or (GAS_RATE_CENTIPENCE if gas else ELECTRICITY_RATE_CENTIPENCE)
        standing_cp = resource.standing_centipence or (
            GAS_STANDING_CENTIPENCE if gas else ELECTRICITY_STANDING_CENTIPENCE
        )
        period = TariffPeriod(0, rate_cp, None, standing_cp)
    entry = _tariff_entry(resource, period, variant == "strings")
    if dates != "local" and period.effective:
        entry["from"] = tariff_date(period.effective, dates)
    return wrapped(resource, [entry])


#: how tariff-list dates are written: "local" (``"2025-04-01 00:00:00"``, the meter's local midnight: Swagger),
#: "epoch" (the instant of that midnight in epoch seconds: 23:00Z the day before in BST) and "iso"
#: (``"2025-03-31T23:00:00Z"``), the forms other clients handle (NJWILKS/hildebrand-glow-ha; glowmarkt-api.md 8)
TARIFF_DATE_FORMS = ("local", "epoch", "iso")


def tariff_date(epoch: int, form: str) -> Json:
    """A tariff's start (a local midnight) in one of TARIFF_DATE_FORMS."""
    if form == "epoch":
        return epoch
    if form == "iso":
        return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _local_date_text(epoch)


def tariff_list(resource: Resource, periods: tuple[TariffPeriod, ...], variant: str,
                dates: str = "local") -> dict[str, Json]:
    """GET resource/{id}/tariff-list: every tariff with its ``effectiveDate``, newest first (the API does not sort);
    "strings" writes the values as strings, "empty" has none; ``dates`` is a TARIFF_DATE_FORMS."""
    if variant == "empty":
        return wrapped(resource, [])
    entries = []
    for n, period in sorted(enumerate(periods), key=lambda p: -p[1].effective):
        entry = _tariff_entry(resource, period, variant == "strings")
        entries.append({
            "id": str(10000 + n),
            "plan": entry["plan"],
            "effectiveDate": tariff_date(period.effective, dates),
            "displayName": entry["name"],
            "type": entry["type"],
            "commodity": entry["commodity"],
            "cid": entry["cid"],
        })
    return wrapped(resource, entries)


ACCESS_DENIED = {"error": "Access denied"}
#: 403: the account needs attention in the Bright app (new terms to accept: jonandel#73); the body is not recorded
FORBIDDEN = {"error": "Forbidden"}
NOT_FOUND = {"error": "Not found"}
SERVER_ERROR = {"error": "An error has occurred"}
BAD_REQUEST = {"error": "bad request", "message": "bad request"}
AUTH_BAD_REQUEST = {"message": "Bad request missing info"}
AUTH_FAILED = {"valid": False}
