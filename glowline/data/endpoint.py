"""The API's address: the real one by default, normalised, and never plain http except on loopback."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from glowline.errors import UsageError

DEFAULT_URL = "https://api.glowmarkt.com/api/v0-1/"


def check_base_url(url: str) -> str:
    """Normalise the API base URL; plain http is refused unless the host is loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"invalid API URL {url!r}: expected https://host/path/")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise UsageError(f"refusing plain http:// for {parts.hostname}: use https:// (http only on loopback)")
    return url.strip() if url.strip().endswith("/") else url.strip() + "/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
