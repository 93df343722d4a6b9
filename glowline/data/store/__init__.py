"""The store: fetched series and discovered sites behind one interface, so nothing else knows file names.

``SeriesStore`` is what sync, doctor, login/logout, report and export use; ``JsonStore`` (glowline.data.store.
json_cache: one JSON file per site and resource in the cache folder) implements it today, and a history store
(SQLite) can take its place. ``default_store`` is the one place that picks it.
"""

from __future__ import annotations

from glowline.data.store.interface import Entry, SeriesStore

__all__ = ["Entry", "SeriesStore", "default_store"]


def default_store() -> SeriesStore:
    """The store glowline uses: JSON files in the cache folder."""
    from glowline.data.store.json_cache import JsonStore

    return JsonStore()
