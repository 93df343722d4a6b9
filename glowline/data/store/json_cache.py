"""The cache's full side: each site and resource's fetched series, when it was fetched, and what is pending.

One JSON file per site and resource under ``$XDG_CACHE_HOME/glowline/``, written atomically. A file that is
corrupt, truncated, foreign, from another account or API, or from another cache version reads as None and is
rebuilt from the API; history already fetched is never fetched again while the file is good.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from glowline import paths
from glowline.data.readings import Series
from glowline.files import atomic_write
from glowline.status import days as summary

VERSION = 1
FORMAT = "glowline-cache"


class Entry:
    """A cached series and who it belongs to."""

    __slots__ = ("classifier", "fetched_at", "identity", "resource_id", "series", "site_id", "site_name", "unit")

    def __init__(
        self,
        identity: dict[str, str],
        site_id: str,
        site_name: str,
        resource_id: str,
        classifier: str,
        unit: str,
        series: Series,
        fetched_at: float,
    ) -> None:
        self.identity = identity  # {"api_url", "username", "period"}: a mismatch means another account or API
        self.site_id = site_id
        self.site_name = site_name
        self.resource_id = resource_id
        self.classifier = classifier
        self.unit = unit  # the API's unit: "kWh" or "pence"
        self.series = series
        self.fetched_at = fetched_at


def series_path(site: str, resource: str) -> str:
    return summary.base(site, resource) + ".json"


def load(site: str, resource: str, identity: dict[str, str]) -> Entry | None:
    """The cached entry, or None when there is none or it cannot be trusted."""
    try:
        with open(series_path(site, resource), encoding="utf-8") as fh:
            doc = json.load(fh)
        return _entry(doc, identity)
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def _entry(doc: Any, identity: dict[str, str]) -> Entry | None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        return None
    if doc.get("identity") != identity:
        return None
    step, start, values = doc["step"], doc["start"], doc["values"]
    if not (isinstance(step, int) and step > 0 and isinstance(start, int) and start % step == 0):
        return None
    if not isinstance(values, list) or not all(_value_ok(v) for v in values):
        return None
    fetched = doc["fetched_at"]
    if not isinstance(fetched, (int, float)) or not math.isfinite(fetched):
        return None
    site_id, site_name, resource_id, classifier, unit = (
        doc[k] for k in ("site_id", "site_name", "resource_id", "classifier", "unit")
    )
    if not all(isinstance(f, str) for f in (site_id, site_name, resource_id, classifier, unit)):
        return None
    series = Series(start, step, values)
    return Entry(identity, site_id, site_name, resource_id, classifier, unit, series, float(fetched))


def _value_ok(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value))


def save(site: str, resource: str, entry: Entry) -> None:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "identity": entry.identity,
        "site_id": entry.site_id,
        "site_name": entry.site_name,
        "resource_id": entry.resource_id,
        "classifier": entry.classifier,
        "unit": entry.unit,
        "fetched_at": entry.fetched_at,
        "start": entry.series.start,
        "step": entry.series.step,
        "values": entry.series.values,
    }
    atomic_write(series_path(site, resource), json.dumps(doc, separators=(",", ":")))


def sites_path() -> str:
    return os.path.join(paths.cache_dir(), "sites.json")


def load_sites(identity: dict[str, str]) -> list[dict[str, Any]] | None:
    """The discovered sites and resources for this account, or None to discover again."""
    try:
        with open(sites_path(), encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or doc.get("identity") != identity:
        return None
    sites = doc.get("sites")
    return sites if isinstance(sites, list) else None


def save_sites(identity: dict[str, str], sites: list[dict[str, Any]]) -> None:
    doc = {"version": VERSION, "identity": identity, "sites": sites}
    atomic_write(sites_path(), json.dumps(doc, separators=(",", ":")))


def clear_sites() -> None:
    try:
        os.unlink(sites_path())
    except OSError:
        pass
