"""The history sync: backfill one resource's half-hours into the SQLite history, one window at a time, resumable.

A plan per resource, then its windows: from the API's ``first-time`` (or ``--since``) to now in PT30M windows of
at most 10 days (glowline.catalog.MAX_SPAN), one request at a time. Each window's delivered half-hours and the
progress that covers them are committed together (glowline.data.store.sqlite), so a sync killed at any moment
resumes where the last commit left it and nothing committed is asked for again. A second sync asks only for what
is new since the last delivered half-hour (``last-time``), older days only when ``--since`` reaches further back.
The consumption resources' tariff-lists are kept beside them, read again once a week.

``Feed`` is the other writer: every refresh (glowline.data.sync: the status line's, fetch's, report's) reads its
newest hours as half-hours and adds them here, continuing the stored range, and reads back from here whatever
older days the history holds instead of asking the API for them again.
"""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Callable

from glowline import catalog, paths
from glowline.data import settling
from glowline.data.account import Session
from glowline.data.models import Site
from glowline.data.readings import Series, ceil, coarsen, floor, screen, windows
from glowline.errors import GlowlineError, StorageError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:  # sqlite3 (4.5 ms here) only once a file is opened: a cold status line's refresh without one
    from glowline.data.store.sqlite import HistoryStore, Progress

log = logging.getLogger("glowline.history")

PERIOD = "PT30M"
STEP = catalog.PERIOD_SECONDS[PERIOD]


class Plan:
    """What one resource's sync will ask for: windows older than what is stored (newest first), then new ones."""

    __slots__ = ("classifier", "delivered", "end", "first", "newer", "now", "older", "progress", "resource_id",
                 "settles", "site", "start")

    def __init__(self, site: Site, classifier: str, resource_id: str, first: int | None, start: int, end: int,
                 delivered: int | None, progress: Progress | None, settle_from: int | None = None,
                 now: float | None = None, settle_due: bool = False) -> None:
        self.site = site
        self.classifier = classifier
        self.resource_id = resource_id
        self.first = first
        self.start = start
        self.end = end
        self.delivered = delivered
        self.progress = progress
        self.now = time.time() if now is None else now  # when the plan was made: the changes' and settling's time
        if progress is None:
            self.older: list[tuple[int, int]] = []
            self.newer = list(windows(start, end, PERIOD))
        else:
            self.older = list(reversed(list(windows(start, progress.synced_from, PERIOD))))
            new = delivered is None or delivered > progress.synced_to
            since = progress.synced_to
            if settle_due and settle_from is not None:  # what the service may still change: once a day, folded in
                since = max(progress.synced_from, min(since, settle_from))
            self.newer = list(windows(since, end, PERIOD)) if new or settle_due else []
        # the settling window is read again when the new windows reach back to it
        self.settles = settle_from is not None and bool(self.newer) and self.newer[0][0] <= settle_from

    @property
    def requests(self) -> int:
        return len(self.older) + len(self.newer)


#: ``since`` for "from the resource's first reading" (``--since first``)
FIRST = -1


def plan(session: Session, store: HistoryStore, site: Site, classifier: str, since: int | None, now: float,
         conf: dict[str, object] | None = None) -> Plan:
    """Ask ``first-time`` (once per resource, then stored) and ``last-time``; what is left to fetch. ``since``:
    an epoch, FIRST, or None: continue what is stored (from the first reading when nothing is). What is new starts
    at the settling window (``conf``'s [settle]) when no refresh or sync has read it again for a day."""
    resource_id = site.resource(classifier).resource_id
    progress = store.progress(site.ve_id, classifier)
    if progress is not None and progress.resource_id != resource_id:
        progress = None  # the site's resource was replaced: its history is read again under the new id
    first = progress.first_ts if progress is not None and progress.first_ts is not None else \
        session.source.first_time(resource_id)
    if since is None and progress is not None and progress.backfill_from is not None:
        start = min(progress.backfill_from, progress.synced_from)  # continue: what is new, and a backfill cut short
    elif since is None or since == FIRST:
        if first is None:
            raise UsageError(f"the API does not say when {classifier}'s readings start: give --since YYYY-MM-DD")
        start = floor(first, STEP)  # also when only the status line's refreshes have fed the history so far
    else:
        start = floor(since, STEP) if first is None else max(floor(since, STEP), floor(first, STEP))
    if progress is not None:
        start = min(start, progress.synced_from)  # a later --since never drops what is stored
    end = floor(now, STEP) + STEP  # up to the half-hour that holds now: no window ever starts in the future
    start = min(start, end - STEP)
    delivered = session.source.last_time(resource_id)
    if delivered is not None:
        delivered = min(delivered, end)
    if progress is not None:
        progress.first_ts = first
        progress.backfill_from = start if progress.backfill_from is None else min(progress.backfill_from, start)
    settle_from = floor(now - settling.window(classifier, conf), STEP)
    due = progress is not None and settling.settling_due(progress.settled_at, now)
    return Plan(site, classifier, resource_id, first, start, end, delivered, progress, settle_from, now, due)


#: the stored tariff-list is read again when older than this
TARIFF_MAX_AGE = 7 * 86400


def keep_tariffs(session: Session, store: HistoryStore, site: Site, classifier: str, now: float) -> bool:
    """Store the consumption resource's tariff-list (as the API sent it) when there is none or it is a week old;
    True when it was fetched. A tariff-list the API refuses is left for the next sync: the readings matter more."""
    if not catalog.is_consumption(classifier):
        return False
    age = store.tariff_age(site.ve_id, classifier, now)
    if age is not None and 0 <= age < TARIFF_MAX_AGE:
        return False
    import json

    try:
        document = session.source.tariff_list(site.resource(classifier).resource_id)
    except GlowlineError:
        return False
    store.save_tariffs(site.ve_id, classifier, json.dumps(document, separators=(",", ":")), now)
    return True


def run(session: Session, store: HistoryStore, p: Plan, tick: Callable[[int], None]) -> int:
    """Fetch the plan's windows, committing each; returns how many half-hours were stored."""
    from glowline.data.store.sqlite import Progress

    ve_id = p.site.ve_id
    progress = p.progress or Progress(p.resource_id, p.first, p.start, p.start, p.delivered, p.start)
    progress.delivered_until = p.delivered
    if p.settles:
        progress.settled_at = p.now
    stored = 0
    for a, b in p.older:  # newest first: what is stored stays one contiguous range after every commit
        kept, _ = _window(session, store, p, a, b)
        progress.synced_from = a
        store.add_window(ve_id, p.classifier, kept, progress)
        stored += len(kept)
        tick(1)
    for a, b in p.newer:
        kept, pending = _window(session, store, p, a, b)
        overlap = a < progress.synced_to  # what is stored there may have changed: revised, filled late, removed
        if a <= progress.synced_to:  # contiguous: the next sync starts where the delivered half-hours end
            progress.synced_to = max(progress.synced_to, pending)
        store.add_window(ve_id, p.classifier, kept, progress, replace=(a, pending, p.now) if overlap else None)
        stored += len(kept)
        tick(1)
    return stored


def _window(session: Session, store: HistoryStore, p: Plan, a: int, b: int) -> tuple[list[tuple[int, float]], int]:
    """The window's delivered half-hours and where the delivered ones end."""
    buckets, refused = screen(p.classifier, session.source.readings(p.resource_id, a, b, PERIOD), STEP)
    if refused:  # one glitch is one half-hour: left out (a hole the next sync or refresh asks for), recorded
        store.note(p.site.ve_id, p.classifier, [(ts, "glitch", None, v) for ts, v in refused], p.now)
    # delivered: the API's last-time; without it every window but the last is whole, the last ends at its zeros
    return delivered(a, b, buckets, p.delivered if p.delivered is not None else (b if b < p.end else None))


def delivered(a: int, b: int, buckets: list[tuple[int, float | None]], delivered_until: int | None
              ) -> tuple[list[tuple[int, float]], int]:
    """The delivered half-hours of a window [a, b) the API answered (undelivered ones are left out, never stored as
    zero: after ``delivered_until``, the API's last-time, or without it after the trailing zeros) and where the
    delivered ones end."""
    series = Series(a, STEP, [None] * ((b - a) // STEP))
    series.merge(a, b, buckets)
    series.delivered_until = delivered_until
    pending = series.pending_from()
    return [(ts, float(v)) for ts, v in buckets if v is not None and ts < pending], pending


class Feed:
    """A refresh's side of one resource's history: the range it holds, read back as the series' buckets, and the
    half-hours the refresh read, added to it. Never in the refresh's way: a history that cannot be used (a newer
    glowline's, a locked, read-only or full disk) is left alone for this refresh, said only at debug level (the
    status line's data does not depend on it). The file is opened (sqlite3 imported) only when it is used."""

    __slots__ = ("_failed", "_range", "_read", "_store", "classifier", "resource_id", "site_id")

    def __init__(self, site_id: str, classifier: str, resource_id: str) -> None:
        self.site_id = site_id
        self.classifier = classifier
        self.resource_id = resource_id
        self._store: HistoryStore | None = None
        self._failed = False
        self._range: tuple[int, int] | None = None
        self._read = False  # the range is read once per refresh

    def _open(self, create: bool) -> HistoryStore | None:
        if self._store is None and not self._failed:
            if not create and not os.path.exists(paths.history_file()):
                return None
            from glowline.data.store.sqlite import HistoryStore

            try:
                self._store = HistoryStore(notice=_LogNotice(), timeout=10.0).open()
            except StorageError as exc:
                log.debug("history not used: %s", exc)
                self._failed = True
        return self._store

    def held(self) -> tuple[int, int] | None:
        """[synced_from, synced_to): every delivered half-hour of this resource the history holds, read once (None:
        none, or the history cannot be read)."""
        if not self._read:
            self._read = True
            store = self._open(create=False)
            try:
                p = store.progress(self.site_id, self.classifier) if store is not None else None
            except StorageError as exc:
                log.debug("history not read: %s", exc)
                p = None
            if p is not None and p.resource_id == self.resource_id:
                self._range = (p.synced_from, p.synced_to)
        return self._range

    def covered(self, step: int) -> tuple[int, int] | None:
        """The whole ``step`` buckets of which the history holds every delivered half-hour, as [from, to)."""
        held = self.held()
        if held is None:
            return None
        a, b = ceil(held[0], step), floor(held[1], step)
        return (a, b) if a < b else None

    def synced_to(self) -> int | None:
        """Where the delivered half-hours the history holds end (None: it holds none of this resource)."""
        held = self.held()
        return None if held is None else held[1]

    def buckets(self, a: int, b: int, step: int) -> list[tuple[int, float | None]]:
        """The stored half-hours of [a, b) (within ``covered``) as ``step`` buckets; a bucket none of whose
        half-hours was delivered is left out (None in the series)."""
        assert self._store is not None
        return coarsen(list(self._store.readings(self.site_id, self.classifier, a, b)), a, step, b)

    def add(self, a: int, b: int, buckets: list[tuple[int, float | None]], delivered_until: int | None,
            now: float | None = None, settled: bool = False) -> None:
        """The refresh's half-hours of [a, b): the delivered ones stored (a revised value replaces the stored one, a
        half-hour the answer no longer delivers is removed, each change recorded), the range extended where they
        continue it."""
        kept, pending = delivered(a, b, buckets, delivered_until)
        store = self._open(create=True)
        if store is None:
            return
        try:
            store.add_recent(self.site_id, self.classifier, self.resource_id, kept, a, pending, delivered_until,
                             time.time() if now is None else now, settled)
        except StorageError as exc:  # the refresh's own files tell the user about a full disk; this one waits
            log.debug("history not fed: %s", exc)

    def note_glitches(self, refused: list[tuple[int, float]], now: float) -> None:
        """Record the values the plausibility gate left out (doctor shows them); never in the refresh's way."""
        if not refused:
            return
        store = self._open(create=True)
        if store is None:
            return
        try:
            store.note(self.site_id, self.classifier, [(ts, "glitch", None, v) for ts, v in refused], now)
        except StorageError as exc:
            log.debug("glitch not recorded: %s", exc)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class _LogNotice(io.StringIO):
    """The store's one-line notices (a bad file moved aside) on the refresh's log (shown with -v): a status line's
    refresh writes nothing on stderr; ``glowline sync`` and ``doctor`` say it."""

    def write(self, text: str) -> int:
        if text.strip():
            log.info("%s", text.strip())
        return len(text)
