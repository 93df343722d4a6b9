"""The settling window: which half-hours a refresh reads again because the service may still change them.

The Glowmarkt service changes what it served (glowmarkt-api.md 3.5 and 8): the newest half-hours read 0 and are
filled in hours later (export about a day later), holes behind ``last-time`` are back-filled hours, days or weeks
later, and values are corrected or removed. A half-hour is therefore never final on one reading while it is young:

- every half-hour younger than ``[settle] days`` (3; electricity export ``[settle] export_days``, 7) is read again at
  least once a day after its first reading: a refresh whose last settling read is SETTLE_EVERY old starts its one
  PT30M request (10 days at most) that far back instead of REREAD before the delivery horizon;
- a half-hour still missing behind ``last-time`` (a hole, a null, a value the plausibility gate left out) is asked
  again on a back-off, 1 h, 6 h, 1 day, then daily, for HOLE_DAYS after it was first seen missing: folded into the same
  request when it is within its reach, else one more PT30M request covering every due hole of 10 days.

So the steady state costs one readings request per resource per refresh, plus one per 10 days of old holes when
they are due. Import-free apart from the catalogue: the refresh (glowline.data.sync) uses it.
"""

from __future__ import annotations

from collections.abc import Iterable

from glowline.catalog import HALF_HOUR

DAY = 86400
#: how long a half-hour may still change, in days (config [settle] days / export_days)
SETTLE_DAYS = 3.0
EXPORT_SETTLE_DAYS = 7.0
#: the most either may be: the window, the re-read before the horizon and the DCC lag fit one PT30M request (10 days)
MAX_SETTLE_DAYS = 9.0
#: a settling read is due when the last one is this old: at least once a day for refreshes up to an hour apart
SETTLE_EVERY = 23 * 3600
#: a hole is asked again this long after it was first seen missing, then after each of these, then daily
BACKOFF = (3600, 6 * 3600, DAY)
#: holes are asked for this long after they were first seen missing, then left to `glowline sync`
HOLE_DAYS = 30
#: a refresh up to this early still counts as on time (timers and status lines drift by minutes)
SLACK = 300
#: the most holes kept per resource (30 days of half-hours)
MAX_HOLES = HOLE_DAYS * 48


def window(classifier: str, conf: dict[str, object] | None = None) -> int:
    """Seconds behind now in which ``classifier``'s half-hours may still change (config [settle], checked there)."""
    export = classifier == "electricity.export"
    table = conf.get("settle") if conf else None
    value = table.get("export_days" if export else "days") if isinstance(table, dict) else None
    days = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else (
        EXPORT_SETTLE_DAYS if export else SETTLE_DAYS)
    return int(min(max(days, 0.0), MAX_SETTLE_DAYS) * DAY)


def settling_due(settled_at: float | None, now: float) -> bool:
    """True when the settling window is to be read again (never read, a day old, or a clock set back)."""
    return settled_at is None or not -SLACK < now - settled_at < SETTLE_EVERY - SLACK


def next_ask(noticed: float, asked: float) -> float:
    """When a hole first seen missing at ``noticed`` and last asked at ``asked`` is due again."""
    due = noticed
    for step in BACKOFF:
        due += step
        if due > asked + SLACK:
            return due
    return due + (int((asked + SLACK - due) // DAY) + 1) * DAY


class Holes:
    """The half-hours missing behind ``last-time``: start -> (first seen missing, last asked), epoch seconds."""

    __slots__ = ("items",)

    def __init__(self, items: dict[int, tuple[float, float]] | None = None) -> None:
        self.items: dict[int, tuple[float, float]] = dict(items or {})

    def due(self, now: float) -> list[int]:
        """The holes to ask for now, oldest first (those past HOLE_DAYS are dropped)."""
        for ts in [ts for ts, (noticed, _) in self.items.items() if now - noticed > HOLE_DAYS * DAY]:
            del self.items[ts]
        return sorted(ts for ts, (noticed, asked) in self.items.items() if now + SLACK >= next_ask(noticed, asked))

    def update(self, a: int, b: int, halves: Iterable[tuple[int, float | None]], now: float) -> None:
        """A read of [a, b), every half-hour of which is behind last-time: those delivered are no holes (any more),
        the others are holes, asked now."""
        present = {ts for ts, value in halves if value is not None}
        for ts in range(a, b, HALF_HOUR):
            if ts in present:
                self.items.pop(ts, None)
            else:
                noticed = self.items.get(ts, (now, now))[0]
                self.items[ts] = (noticed, now)
        if len(self.items) > MAX_HOLES:
            for ts in sorted(self.items)[: len(self.items) - MAX_HOLES]:
                del self.items[ts]

    def to_doc(self) -> list[list[float]]:
        return [[ts, noticed, asked] for ts, (noticed, asked) in sorted(self.items.items())]

    @classmethod
    def from_doc(cls, doc: object) -> Holes:
        """Holes from ``to_doc``'s list; anything unreadable is dropped (it is asked again when seen)."""
        items: dict[int, tuple[float, float]] = {}
        if isinstance(doc, list):
            for row in doc[:MAX_HOLES]:
                if isinstance(row, list) and len(row) == 3 and all(
                        isinstance(x, (int, float)) and not isinstance(x, bool) and x == x for x in row) \
                        and int(row[0]) % HALF_HOUR == 0:
                    items[int(row[0])] = (float(row[1]), float(row[2]))
        return cls(items)
