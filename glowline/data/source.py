"""The data-source seam: what sync, doctor and the commands need of wherever readings come from.

``GlowmarktClient`` (glowline.data.glowmarkt, REST over requests) is the implementation today; a live source (MQTT)
or a recorded one implements the same protocol. ``open_source`` is the one place that picks it, so nothing else
imports an HTTP client or names a concrete class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from glowline.data.models import Reading, Site, Token

#: (start epoch, value or None) per bucket
Buckets = list[tuple[int, "float | None"]]


class Source(Protocol):
    """Sites, their resources, windows of readings, tariffs and (where the hardware gives one) the latest value."""

    token: Token | None

    def authenticate(self, username: str, password: str) -> Token:
        """Log in: a token, or AuthError when the credentials are refused."""
        ...

    def reachable(self) -> int:
        """Ask the service without credentials; the HTTP status it answered (any answer means it is there)."""
        ...

    def token_valid(self) -> bool:
        """True when the service accepts the current token (renewing it first when it must)."""
        ...

    def sites(self) -> list[Site]:
        """Every site of the account with its resources."""
        ...

    def readings(self, resource_id: str, start: int, end: int, period: str) -> Buckets:
        """Buckets of ``period`` covering [start, end) in UTC, within the period's span limit: one request."""
        ...

    def first_time(self, resource_id: str) -> int | None:
        """The UTC epoch of the resource's first reading (``first-time``), or None when the service does not say."""
        ...

    def last_time(self, resource_id: str) -> int | None:
        """The instant up to which the resource's half-hours are delivered (zeros before it are real), or None."""
        ...

    def catchup(self, resource_id: str) -> bool:
        """Ask the service to fetch the newest half-hours (glowline.data.catchup says when); True when accepted."""
        ...

    def tariff(self, resource_id: str) -> Any:
        """The raw tariff document of a resource (glowline.data.tariff reads it)."""
        ...

    def tariff_list(self, resource_id: str) -> Any:
        """The raw tariff history of a resource (``tariff-list``; glowline.data.tariff.parse_list reads it)."""
        ...

    def current(self, resource_id: str) -> Reading | None:
        """The latest instantaneous value, or None where the account has no live hardware."""
        ...

    def close(self) -> None:
        ...


#: how a Source is made: (base URL, token or None, reauth callback or None, (connect, read) timeouts)
SourceFactory = Callable[[str, "Token | None", "Callable[[], Token] | None", "tuple[float, float] | None"], Source]


def open_source(
    url: str,
    token: Token | None = None,
    reauth: Callable[[], Token] | None = None,
    timeout: tuple[float, float] | None = None,
) -> Source:
    """The Glowmarkt REST client for ``url``. Imports requests (~70 ms) only here, when the network is needed."""
    from glowline.data.glowmarkt import TIMEOUT, GlowmarktClient

    return GlowmarktClient(url, token=token, reauth=reauth, timeout=timeout or TIMEOUT)
