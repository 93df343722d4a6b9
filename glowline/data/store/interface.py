"""The store's interface: an Entry (a series and whose it is) and the SeriesStore protocol every store implements."""

from __future__ import annotations

from glowline.data.models import Site

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from glowline.data.readings import Series
else:  # typing costs ~5 ms (it pulls in re): the cold status line imports this module to ask the store
    Protocol = object


class Entry:
    """A stored series and who it belongs to."""

    __slots__ = ("classifier", "fetched_at", "holes", "identity", "resource_id", "series", "settled_at", "site_id",
                 "site_name", "unit")

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
        settled_at: float | None = None,
        holes: list[list[float]] | None = None,
    ) -> None:
        self.identity = identity  # {"api_url", "username", "period"}: a mismatch means another account or API
        self.site_id = site_id
        self.site_name = site_name
        self.resource_id = resource_id
        self.classifier = classifier
        self.unit = unit  # the API's unit: "kWh" or "pence"
        self.series = series
        self.fetched_at = fetched_at
        self.settled_at = settled_at  # the last read of the whole settling window (glowline.data.settling)
        self.holes = holes or []  # half-hours missing behind last-time: [start, first seen missing, last asked]


class SeriesStore(Protocol):
    """Where fetched readings and discovery live between runs. ``site`` is the key asked for (``--site``)."""

    def load(self, site: str, classifier: str, identity: dict[str, str]) -> Entry | None:
        """The stored entry of this account (``identity``), or None when there is none or it cannot be trusted."""
        ...

    def save(self, site: str, classifier: str, entry: Entry) -> None:
        ...

    def has(self, site: str, classifier: str) -> bool:
        """True when something is stored for this site and resource (cheap: no parsing)."""
        ...

    def entries(self) -> list[Entry]:
        """Every readable stored entry, whoever it belongs to (for doctor)."""
        ...

    def load_sites(self, identity: dict[str, str]) -> list[Site] | None:
        """The account's discovered sites, or None to discover them again."""
        ...

    def save_sites(self, identity: dict[str, str], sites: list[Site]) -> None:
        ...

    def clear_sites(self) -> None:
        ...

    def clear(self) -> None:
        """Forget everything stored (another account logged in, or logout)."""
        ...
