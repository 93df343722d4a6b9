"""The JSON store: each site and resource's fetched series, when it was fetched and for whom, and the sites.

One JSON file per site and resource in the cache folder (names from glowline.paths), written atomically. A
file that is corrupt, truncated, foreign, from another account or API, or from another version reads as None and
is rebuilt from the API; history already fetched is never fetched again while the file is good.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from glowline import paths
from glowline.data.models import Site, sites_from_doc, sites_to_doc
from glowline.data.readings import Series
from glowline.data.store.interface import Entry
from glowline.files import atomic_write, read_text, remove_file

VERSION = 1
FORMAT = "glowline-cache"
#: the largest series file read: a year of hourly buckets is about 100 KiB, 400 days of half-hours about 250 KiB
MAX_BYTES = 16 << 20


class JsonStore:
    """SeriesStore over JSON files in the cache folder."""

    def load(self, site: str, classifier: str, identity: dict[str, str]) -> Entry | None:
        return _load_path(paths.series_path(site, classifier), identity)

    def save(self, site: str, classifier: str, entry: Entry) -> None:
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
            "delivered_until": entry.series.delivered_until,
            "settled_at": entry.settled_at,
            "holes": entry.holes,
        }
        atomic_write(paths.series_path(site, classifier), json.dumps(doc, separators=(",", ":")))

    def has(self, site: str, classifier: str) -> bool:
        return os.path.exists(paths.series_path(site, classifier))

    def entries(self) -> list[Entry]:
        found = []
        for path in paths.files_ending(".json"):
            if "--" in os.path.basename(path):
                entry = _load_path(path, None)
                if entry is not None:
                    found.append(entry)
        return found

    def load_sites(self, identity: dict[str, str]) -> list[Site] | None:
        doc = _read_json(paths.sites_path())
        if not isinstance(doc, dict) or doc.get("version") != VERSION or doc.get("identity") != identity:
            return None
        return sites_from_doc(doc.get("sites"))

    def save_sites(self, identity: dict[str, str], sites: list[Site]) -> None:
        doc = {"version": VERSION, "identity": identity, "sites": sites_to_doc(sites)}
        atomic_write(paths.sites_path(), json.dumps(doc, separators=(",", ":")))

    def clear_sites(self) -> None:
        try:
            remove_file(paths.sites_path())
        except OSError:
            pass

    def clear(self) -> None:
        """Remove everything inside the cache folder (data of a previous account), keeping the folder itself."""
        import shutil

        try:
            entries = list(os.scandir(paths.cache_dir()))
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                remove_file(entry.path)


def _read_json(path: str) -> Any:
    text = read_text(path, MAX_BYTES)
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _load_path(path: str, identity: dict[str, str] | None) -> Entry | None:
    try:
        return _entry(_read_json(path), identity)
    except (KeyError, TypeError):
        return None


def _entry(doc: Any, identity: dict[str, str] | None) -> Entry | None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        return None
    if identity is not None and doc.get("identity") != identity:
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
    if not isinstance(doc.get("identity"), dict):
        return None
    delivered = doc.get("delivered_until")
    if delivered is not None and not (isinstance(delivered, int) and not isinstance(delivered, bool)):
        return None
    series = Series(start, step, values, delivered)
    settled = doc.get("settled_at")  # absent in older files: the next refresh reads the settling window
    if not (isinstance(settled, (int, float)) and not isinstance(settled, bool) and math.isfinite(settled)):
        settled = None
    holes = doc.get("holes")
    return Entry(doc["identity"], site_id, site_name, resource_id, classifier, unit, series, float(fetched),
                 settled, holes if isinstance(holes, list) else None)


def _value_ok(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value))
