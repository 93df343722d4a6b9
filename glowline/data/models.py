"""The account's shapes, shared by every data source: a token, a site (virtual entity) and its resources.

Import-free (no requests), so code that only needs the types never pays for an HTTP client.
"""

from __future__ import annotations

import time

from glowline.errors import NotFound

#: a token is renewed when less than this is left (glowmarkt-api.md 1.2: clients renew with a day to go)
RENEW_BEFORE = 86400


class Token:
    """An API token and its expiry (epoch seconds)."""

    __slots__ = ("exp", "token")

    def __init__(self, token: str, exp: int) -> None:
        self.token = token
        self.exp = exp

    def __repr__(self) -> str:  # never show the token itself
        return f"Token(exp={self.exp})"

    def usable(self, now: float | None = None) -> bool:
        """True while more than a day is left before ``exp``."""
        return self.exp - (time.time() if now is None else now) > RENEW_BEFORE


class Resource:
    """One metered stream of a site: its id, classifier (e.g. ``gas.consumption``) and unit."""

    __slots__ = ("classifier", "data_source_type", "description", "name", "resource_id", "unit")

    def __init__(
        self, resource_id: str, classifier: str, name: str, unit: str, data_source_type: str, description: str
    ) -> None:
        self.resource_id = resource_id
        self.classifier = classifier
        self.name = name
        self.unit = unit
        self.data_source_type = data_source_type
        self.description = description

    def is_dcc_profile(self) -> bool:
        """DCC smart-meter profile reads: preferred when a classifier appears twice (glowmarkt-api.md 2.2)."""
        text = f"{self.name} {self.description}".lower()
        return self.data_source_type.upper() == "AMRAPI" or "dcc" in text or "profile read" in text


class Site:
    """A virtual entity: one installation with its resources."""

    __slots__ = ("name", "resources", "ve_id")

    def __init__(self, ve_id: str, name: str, resources: list[Resource]) -> None:
        self.ve_id = ve_id
        self.name = name
        self.resources = resources

    def resource(self, classifier: str) -> Resource:
        """The resource with this classifier, preferring the DCC/AMRAPI one when there are several."""
        matches = [r for r in self.resources if r.classifier == classifier]
        if not matches:
            raise NotFound(f"site {self.name!r} has no {classifier} resource")
        matches.sort(key=lambda r: not r.is_dcc_profile())
        return matches[0]


class Reading:
    """One instantaneous value from a live source: when (epoch seconds), the value and its unit ("W", "m3")."""

    __slots__ = ("at", "unit", "value")

    def __init__(self, at: int, value: float, unit: str) -> None:
        self.at = at
        self.value = value
        self.unit = unit

    def __repr__(self) -> str:
        return f"Reading({self.at}, {self.value!r}, {self.unit!r})"


def sites_to_doc(sites: list[Site]) -> list[dict[str, object]]:
    """Sites as plain JSON-able dicts, for the discovery cache."""
    return [
        {
            "ve_id": s.ve_id,
            "name": s.name,
            "resources": [
                [r.resource_id, r.classifier, r.name, r.unit, r.data_source_type, r.description] for r in s.resources
            ],
        }
        for s in sites
    ]


def sites_from_doc(doc: object) -> list[Site] | None:
    """Sites from ``sites_to_doc``'s shape, or None when the document is not exactly that (it is rediscovered)."""
    if not isinstance(doc, list):
        return None
    try:
        return [Site(str(s["ve_id"]), str(s["name"]), [Resource(*map(str, r)) for r in s["resources"]]) for s in doc]
    except (KeyError, TypeError, ValueError):
        return None
