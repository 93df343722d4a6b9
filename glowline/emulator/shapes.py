"""The JSON documents the emulator answers with, key for key in the order of the real captures."""

from __future__ import annotations

from typing import Any

from glowline.emulator.household import (
    ACCOUNT_ID,
    ELECTRICITY_RATE_CENTIPENCE,
    ELECTRICITY_STANDING_CENTIPENCE,
    GAS_RATE_CENTIPENCE,
    GAS_STANDING_CENTIPENCE,
    Resource,
    Site,
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


def tariff(resource: Resource, variant: str) -> dict[str, Json]:
    """GET resource/{id}/tariff in the "numbers", "strings" (2023 gas capture style) or "empty" variant."""
    gas = resource.commodity == "GAS"
    rate_cp = resource.rate_centipence or (GAS_RATE_CENTIPENCE if gas else ELECTRICITY_RATE_CENTIPENCE)
    standing_cp = resource.standing_centipence or (
        GAS_STANDING_CENTIPENCE if gas else ELECTRICITY_STANDING_CENTIPENCE
    )
    cid, commodity = ("GAS", "GAS") if gas else ("PWER", "ELEC")
    if variant == "empty":
        return wrapped(resource, [])
    if variant == "strings":
        rate_text, standing_text = f"{rate_cp / 100:.2f}", f"{standing_cp / 100:.2f}"
        rate_detail: dict[str, Json] = {"ratem3": round(rate_cp / 100 * 11.3, 3), "rate": rate_text} if gas else {
            "rate": rate_text
        }
        entry: dict[str, Json] = {
            "currentRates": {"rate": rate_text, "standingCharge": standing_text},
            "plan": [
                {
                    "planDetail": [{"standing": standing_text}, rate_detail],
                    "note": "This is a legacy structure and is due to be removed",
                }
            ],
            "from": "2025-04-01 00:00:00",
            "name": "fromDCC",
            "commodity": commodity,
            "cid": cid,
            "utility": "HILD",
        }
        return wrapped(resource, [entry])
    entry = {
        "currentRates": {"rate": _pence(rate_cp), "standingCharge": _pence(standing_cp)},
        "plan": [{"planDetail": [{"rate": _pence(rate_cp)}, {"standing": _pence(standing_cp)}]}],
        "from": "2025-04-01 00:00:00",
        "name": "TariffFromMeter",
        "commodity": commodity,
        "cid": cid,
    }
    return wrapped(resource, [entry])


ACCESS_DENIED = {"error": "Access denied"}
NOT_FOUND = {"error": "Not found"}
SERVER_ERROR = {"error": "An error has occurred"}
BAD_REQUEST = {"error": "bad request", "message": "bad request"}
AUTH_BAD_REQUEST = {"message": "Bad request missing info"}
AUTH_FAILED = {"valid": False}
