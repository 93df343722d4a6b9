"""The tail from the meter: the hours the DCC has not delivered yet, filled from the meter's own register.

For every day the days file does not hold complete, what the register moved between the DCC's delivery horizon
(the API's ``last-time``, as the refresher wrote it) or the day's start, whichever is later, and the day's end or
the newest message, whichever is earlier, is added to the day and said in ``Day.from_meter``. So today (and, before
the DCC catches up, yesterday) equals the meter, and as half-hours arrive the horizon moves and the tail shrinks:
nothing is counted twice. Left out, the day staying what the DCC delivered, when the refresher could not tell
which IHD is this site's meter, when the newest message is older than [live] max_age, or when the record has no
sample at a boundary it needs. Consumption and export in kWh only (never a cost: that is priced by the DCC).
os only (the fast path): the record is glowline.status.registers.
"""

from glowline.status import registers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from glowline.status.days import Summary


def tails(summ: "Summary", now: float, max_age: float, path: str | None = None) -> dict[str, tuple[float, str]]:
    """Per date of ``summ`` whose day gets a tail: (kWh from the register, local "HH:MM" it counts from)."""
    out: dict[str, tuple[float, str]] = {}
    if not summ.meter or summ.delivered is None or summ.resource not in registers.CLASSIFIERS:
        return out
    horizon = summ.delivered
    needed = {str(horizon)}  # the boundaries the undelivered days can ask for: no more is parsed
    for day in summ.days:
        if day.end > horizon and not day.complete:
            needed.update((str(day.start), str(day.end)))
    track = registers.track_of(registers.read(summ.resource, path, needed), summ.meter, summ.resource)
    if track is None or track.newest_at is None or track.newest is None or now - track.newest_at > max_age:
        return out
    newest_at, newest = int(track.newest_at), track.newest
    for day in summ.days:
        start, end = max(horizon, day.start), min(newest_at, day.end)
        if day.end <= horizon or end <= start or day.complete:
            continue
        low = track.boundaries.get(start)
        high = newest if end == newest_at else track.boundaries.get(end)
        if low is not None and high is not None and high >= low:
            out[day.date] = (high - low, summ.since if start == horizon and summ.since else "00:00")
    return out
