"""``catchup``: ask the API to fetch a resource's newest half-hours from the DCC, as it asks to be asked.

The API's guidance (glowmarkt-api.md 4 and 8): "make this request once on the change of the half hour (preferably
with a random delay of up to 2 minutes)"; Glow staff: "we ignore all but the first request every half hour". So a
due refresh (glowline.data.sync) calls ``ask`` just before its readings request: at most once per resource per
half-hour, shared by every process of the user through one small file in the cache folder, and only once the
half-hour is older than the refresh clock's own jitter (glowline.status.policy.jitter: 0 to 120 s, from the
previous fetch time). The request is asynchronous on the service's side: its fruit is for the next refresh. It never
fails the refresh: any error is logged (-v) and the readings are asked all the same. Only the refresh path (the
background refresher, fetch, report ...) imports this; the status line's fast path never does.
"""

from __future__ import annotations

import logging
import os

from glowline import paths
from glowline.catalog import HALF_HOUR
from glowline.errors import GlowlineError
from glowline.files import atomic_write, read_text
from glowline.status.policy import jitter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from glowline.data.source import Source

log = logging.getLogger("glowline.catchup")

#: the file that says, per resource id, the half-hour whose catchup was asked
FILE_NAME = "catchup"
MAGIC = "glowline-catchup 1"
#: the most resource ids kept (an account has a handful; a file grown by hand is cut)
MAX_ENTRIES = 64


def state_path() -> str:
    return os.path.join(paths.cache_dir(), FILE_NAME)


def load() -> dict[str, int]:
    """resource id -> the start of the half-hour its last catchup was asked in (a bad file reads as empty)."""
    text = read_text(state_path(), 16384)
    if not text or not text.startswith(MAGIC + "\n"):
        return {}
    out: dict[str, int] = {}
    for line in text.splitlines()[1:MAX_ENTRIES + 1]:
        rid, _, when = line.partition("\t")
        if rid and when.isdigit():
            out[rid] = int(when)
    return out


def due(last: int | None, now: float, seed: float) -> bool:
    """True when no catchup of this resource was asked in the half-hour holding ``now`` and that half-hour is older
    than the jitter of ``seed`` (the previous fetch time, as the refresh clock uses it)."""
    boundary = int(now) // HALF_HOUR * HALF_HOUR
    return (last is None or last < boundary or last > now) and now >= boundary + jitter(seed)


def ask(source: Source, resource_id: str, now: float, seed: float) -> bool:
    """Call ``catchup`` for the resource when it is due; True when it was asked (answered or not). The half-hour is
    marked before the request, so a failure is not retried in the same half-hour (no retry storm)."""
    state = load()
    if not due(state.get(resource_id), now, seed):
        return False
    state[resource_id] = int(now) // HALF_HOUR * HALF_HOUR
    try:
        atomic_write(state_path(), MAGIC + "\n" + "".join(f"{rid}\t{when}\n" for rid, when in
                                                           list(state.items())[-MAX_ENTRIES:]))
    except OSError as exc:  # a read-only cache: no catchup rather than one per refresh
        log.debug("catchup not asked: %s", exc)
        return False
    try:
        valid = source.catchup(resource_id)
        log.debug("catchup %s: %s", resource_id, "accepted" if valid else "answered valid=false")
    except GlowlineError as exc:
        log.debug("catchup failed (the readings are asked all the same): %s", exc)
    return True
