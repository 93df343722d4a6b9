"""The history store: every half-hour ``glowline sync`` fetched, in one SQLite file other programs can read.

``$XDG_DATA_HOME/glowline/history.sqlite`` (glowline.paths.history_file; ``GLOWLINE_DATA_DIR`` overrides), WAL mode
(readers are never blocked by the one writer), 0600 in a 0700 folder. The schema is documented and stable::

    readings(site TEXT, resource TEXT, start INTEGER, seconds INTEGER, value REAL,
             PRIMARY KEY (site, resource, start))
        site: the veId; resource: the classifier (electricity.consumption, ...); start: the bucket's UTC epoch
        seconds; seconds: 1800; value: the API's unit (kWh, or pence for cost resources). A half-hour that is not
        delivered yet is absent (never a zero); a delivered zero is 0.
    progress(site, resource, resource_id, first_ts, synced_from, synced_to, delivered_until, updated_at,
             backfill_from)
        what was fetched: every delivered half-hour in [synced_from, synced_to) is in readings (committed window by
        window, so a killed sync resumes there); first_ts is the API's first-time, delivered_until its last-time;
        backfill_from the oldest start a ``glowline sync`` was asked for (NULL while only the status line's
        refreshes have fed the history: a plain ``sync`` then backfills from the first reading); settled_at when the
        settling window (glowline.data.settling) was last read again, by a refresh or a sync.
    tariffs(site, resource, fetched_at, document)
        the consumption resource's tariff-list as the API sent it (JSON text), re-read when a week old.
    changes(site, resource, start, seen_at, kind, old, new)
        what the service changed after it was first stored, kept CHANGES_DAYS: kind ``revised`` (old -> new),
        ``filled`` (a half-hour missing inside the stored range delivered late), ``removed`` (no longer delivered)
        or ``glitch`` (a value the plausibility gate left out, in ``new``); seen_at: when a refresh or sync saw it.

The schema version is ``PRAGMA user_version`` (migrations in MIGRATIONS), the file is marked as glowline's by
``PRAGMA application_id``. A file that is not SQLite, or someone else's database, is moved aside and rebuilt (one
line on stderr); a file from a newer glowline is refused (StorageError, exit 11) without being opened for writing.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from typing import IO, Any

from glowline import gate, paths
from glowline.catalog import HALF_HOUR
from glowline.errors import StorageError

#: 'glow': marks the file as glowline's (PRAGMA application_id, header offset 68)
APPLICATION_ID = 0x676C6F77
#: the schema this glowline writes; MIGRATIONS[n] takes version n to n + 1
SCHEMA_VERSION = 5
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE readings (
        site TEXT NOT NULL, resource TEXT NOT NULL, start INTEGER NOT NULL, seconds INTEGER NOT NULL,
        value REAL NOT NULL, PRIMARY KEY (site, resource, start)
    ) WITHOUT ROWID;
    CREATE TABLE progress (
        site TEXT NOT NULL, resource TEXT NOT NULL, resource_id TEXT NOT NULL, first_ts INTEGER,
        synced_from INTEGER NOT NULL, synced_to INTEGER NOT NULL, delivered_until INTEGER, updated_at REAL NOT NULL,
        PRIMARY KEY (site, resource)
    );
    """,
    # 1 -> 2: the meter's tariff history as the API sent it, kept with the readings it prices
    """
    CREATE TABLE tariffs (
        site TEXT NOT NULL, resource TEXT NOT NULL, fetched_at REAL NOT NULL, document TEXT NOT NULL,
        PRIMARY KEY (site, resource)
    );
    """,
    # 2 -> 3: refreshes feed the history too; what a sync was asked to backfill is kept apart from what is stored
    """
    ALTER TABLE progress ADD COLUMN backfill_from INTEGER;
    UPDATE progress SET backfill_from = synced_from;
    """,
    # 3 -> 4: what the service revised, filled late, removed or sent implausibly (doctor says it)
    """
    CREATE TABLE changes (
        site TEXT NOT NULL, resource TEXT NOT NULL, start INTEGER NOT NULL, seen_at REAL NOT NULL, kind TEXT NOT NULL,
        old REAL, new REAL
    );
    CREATE INDEX changes_by_time ON changes (seen_at);
    """,
    # 4 -> 5: when the settling window was last read again (a refresh's or a sync's), shared by both
    """
    ALTER TABLE progress ADD COLUMN settled_at REAL;
    """,
)
#: how long the changes table keeps a row
CHANGES_DAYS = 30
SQLITE_MAGIC = b"SQLite format 3\0"


class _Foreign(sqlite3.DatabaseError):
    """A SQLite database with tables of its own and no glowline mark."""


class _Damaged(sqlite3.DatabaseError):
    """glowline's mark and version, but not the schema that version declares (a table or column dropped by hand)."""


def expected_schema() -> dict[str, frozenset[str]]:
    """Each table's columns as MIGRATIONS make them (the schema SCHEMA_VERSION declares), built in memory once."""
    global _EXPECTED
    if _EXPECTED is None:
        db = sqlite3.connect(":memory:")
        try:
            for migration in MIGRATIONS:
                db.executescript(migration)
            _EXPECTED = _schema(db)
        finally:
            db.close()
    return _EXPECTED


_EXPECTED: dict[str, frozenset[str]] | None = None


def _schema(db: sqlite3.Connection) -> dict[str, frozenset[str]]:
    tables = [str(row[0]) for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: frozenset(str(c[1]) for c in db.execute(f"PRAGMA table_info(\"{t}\")")) for t in tables
            if not t.startswith("sqlite_")}


def schema_problem(db: sqlite3.Connection) -> str:
    """What the file lacks of the declared schema ("table progress missing"), or "" when it has all of it."""
    found = _schema(db)
    for table, columns in expected_schema().items():
        if table not in found:
            return f"table {table} missing"
        missing = sorted(columns - found[table])
        if missing:
            return f"column {table}.{missing[0]} missing"
    return ""


class Progress:
    """One resource's row of the progress table."""

    __slots__ = ("backfill_from", "delivered_until", "first_ts", "resource_id", "settled_at", "synced_from",
                 "synced_to")

    def __init__(self, resource_id: str, first_ts: int | None, synced_from: int, synced_to: int,
                 delivered_until: int | None, backfill_from: int | None = None, settled_at: float | None = None
                 ) -> None:
        self.resource_id = resource_id
        self.first_ts = first_ts
        self.synced_from = synced_from
        self.synced_to = synced_to
        self.delivered_until = delivered_until
        self.backfill_from = backfill_from
        self.settled_at = settled_at


class HistoryStore:
    """The SQLite history: open, check and migrate the file, add windows of half-hours, read them back."""

    def __init__(self, path: str | None = None, notice: IO[str] | None = None, timeout: float = 30.0) -> None:
        self.path = path or paths.history_file()
        self.notice = notice if notice is not None else sys.stderr
        self.timeout = timeout  # how long a write waits for another writer's transaction
        self._db: sqlite3.Connection | None = None
        self.skipped = 0  # rows read back that failed the plausibility gate (readings)

    # opening ----------------------------------------------------------------------------------------------------

    def open(self) -> HistoryStore:
        """Open (creating or migrating) the file; a bad file is moved aside once, a newer one refused."""
        folder = os.path.dirname(self.path)
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            from glowline.files import check_private_folder

            check_private_folder(folder)
            verdict = _inspect(self.path)
            if verdict == "newer":
                raise StorageError(f"{self.path} is from a newer glowline (schema {_header_version(self.path)}; this "
                                   f"one reads up to {SCHEMA_VERSION}): left untouched; upgrade glowline")
            if verdict in ("corrupt", "foreign"):
                self._move_aside(verdict)
            try:
                self._db = self._connect()
            except sqlite3.DatabaseError as exc:
                if not isinstance(exc, (_Foreign, _Damaged)) and not _is_corrupt(exc):
                    raise  # a full, read-only or locked disk: the file is kept as it is
                why = "foreign" if isinstance(exc, _Foreign) else "damaged" if isinstance(exc, _Damaged) else \
                    "corrupt"
                self._move_aside(why, str(exc) if why == "damaged" else "")
                self._db = self._connect()
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from None
        except OSError as exc:
            raise StorageError(f"cannot use glowline's file {self.path}: {exc.strerror or exc}") from None
        return self

    def _connect(self) -> sqlite3.Connection:
        if not os.path.exists(self.path):
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]  # a corrupt file fails here
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            app = int(db.execute("PRAGMA application_id").fetchone()[0])
            if version == 0 and app == 0 and tables:  # checked before anything is written to it
                raise _Foreign("not a glowline database")
            db.execute("PRAGMA synchronous=FULL")  # a committed window survives a crash or a power cut
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")  # persistent: set once (again if another program reset it)
            if version != SCHEMA_VERSION or app != APPLICATION_ID:  # a file in use is not written to on open
                self._migrate(db)
            problem = schema_problem(db)
            if problem:  # e.g. `drop table progress` to reset a sync: rebuilt, never refused for ever
                raise _Damaged(problem)
        except BaseException:
            db.close()
            raise
        return db

    def _begin(self, db: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE, waiting for another writer once per process: the first wait says who holds the file
        (one line on stderr) and may last ``timeout`` seconds; every later one shares what is left of it, so a
        command that writes several resources waits ``timeout`` in all, not per resource."""
        db.execute("PRAGMA busy_timeout = 0")
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        now = time.monotonic()
        deadline = _WAIT_UNTIL.get(self.path)
        if deadline is None:
            deadline = _WAIT_UNTIL[self.path] = now + self.timeout
            try:
                sys.stderr.write(f"glowline: the history {self.path} is held by {_holder(self.path)}: waiting up to "
                                 f"{self.timeout:g} s\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
        left = deadline - now
        if left <= 0:
            raise sqlite3.OperationalError("database is locked (by another writer, waited for already)")
        db.execute(f"PRAGMA busy_timeout = {int(left * 1000)}")
        try:
            db.execute("BEGIN IMMEDIATE")
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    def _migrate(self, db: sqlite3.Connection) -> None:
        self._begin(db)
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:  # written by a newer glowline since the header was read
                raise StorageError(f"{self.path} is from a newer glowline (schema {version}): left untouched")
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        try:
                            db.execute(statement)
                        except sqlite3.OperationalError as exc:  # the tables it migrates are not there
                            if "no such" in str(exc) or "duplicate" in str(exc) or "already exists" in str(exc):
                                raise _Damaged(f"schema {version} does not migrate: {exc}") from None
                            raise
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # a full disk may have ended it already: its error is the one to report
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    def _move_aside(self, why: str, detail: str = "") -> None:
        aside = f"{self.path}.{why}-{time.strftime('%Y%m%d-%H%M%S')}"
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm", "-journal"):
            try:
                os.unlink(self.path + suffix)
            except FileNotFoundError:
                pass
        what = {"corrupt": "not a SQLite database", "damaged": f"damaged ({detail})"}.get(why,
                                                                                         "not glowline's database")
        self.notice.write(f"glowline: {self.path} was {what}: moved aside to {aside}; starting a new history\n")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> HistoryStore:
        return self.open() if self._db is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self.open()
        assert self._db is not None
        return self._db

    # progress and readings ---------------------------------------------------------------------------------------

    def progress(self, site: str, resource: str) -> Progress | None:
        row = self._read("SELECT resource_id, first_ts, synced_from, synced_to, delivered_until, backfill_from, "
                         "settled_at FROM progress WHERE site = ? AND resource = ?", (site, resource))
        if not row:
            return None
        rid, first, a, b, delivered, backfill, settled = row[0]
        if not all(isinstance(v, int) for v in (a, b)) or not all(v is None or isinstance(v, int) for v in
                                                               (first, delivered, backfill)):
            return None  # a row edited by hand: as if nothing were stored (a sync writes it again)
        if not (settled is None or isinstance(settled, (int, float))):
            settled = None  # unreadable: the settling window is read again
        return Progress(str(rid), first, a, b, delivered, backfill, settled)

    def add_window(self, site: str, resource: str, buckets: Iterable[tuple[int, float]], progress: Progress,
                   seconds: int = 1800, replace: tuple[int, int, float] | None = None) -> None:
        """Write a window's delivered half-hours and the progress that covers them, in one transaction: after a
        crash either both are there or neither. The stored range only grows (a refresh that extended it while this
        sync ran keeps its part), unless the resource's id changed: then it is this progress alone."""

        def merge(old: Progress | None) -> Progress:
            if old is None or old.resource_id != progress.resource_id:
                return progress
            backfill = [b for b in (old.backfill_from, progress.backfill_from) if b is not None]
            return Progress(progress.resource_id, progress.first_ts if progress.first_ts is not None else
                            old.first_ts, min(old.synced_from, progress.synced_from),
                            max(old.synced_to, progress.synced_to), progress.delivered_until,
                            min(backfill) if backfill else None, _latest(old.settled_at, progress.settled_at))

        self._write(site, resource, buckets, merge, seconds, replace)

    def add_recent(self, site: str, resource: str, resource_id: str, buckets: Iterable[tuple[int, float]],
                   start: int, delivered_to: int, delivered_until: int | None, now: float | None = None,
                   settled: bool = False) -> bool:
        """A refresh's delivered half-hours of [start, delivered_to): stored, and the stored range extended when they
        touch or overlap it, begun when there is none; True when the range now reaches
        ``delivered_to``. Half-hours that do not continue it are stored all the same (a sync fills the gap).
        The answer is the service's word on all of [start, delivered_to): a stored half-hour it changed takes the
        new value, one it no longer delivers is removed, and each change is recorded (``changes``, at ``now``)."""
        reached = False
        buckets = list(buckets)
        seen_at = time.time() if now is None else now

        def merge(old: Progress | None) -> Progress:
            nonlocal reached
            if old is None or old.resource_id != resource_id:
                reached = True
                return Progress(resource_id, None, start, max(start, delivered_to), delivered_until, None,
                                seen_at if settled else None)
            if start <= old.synced_to and delivered_to >= old.synced_from:  # they touch or overlap: one range
                reached = True
                old.synced_from = min(old.synced_from, start)
                old.synced_to = max(old.synced_to, delivered_to)
            if delivered_until is not None:
                old.delivered_until = delivered_until
            if settled:
                old.settled_at = seen_at
            return old

        self._write(site, resource, buckets, merge, replace=(start, delivered_to, seen_at))
        return reached

    def note(self, site: str, resource: str, rows: Iterable[tuple[int, str, float | None, float | None]],
             seen_at: float) -> None:
        """Record (start, kind, old, new) changes seen at ``seen_at`` (a glitch the gate left out: kind "glitch"),
        each once: the same value seen again (every refresh while the service serves it) is not a new row."""
        try:
            self.db.executemany(
                "INSERT INTO changes (site, resource, start, seen_at, kind, old, new) SELECT ?, ?, ?, ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM changes WHERE site = ? AND resource = ? AND start = ? AND kind = ? "
                "AND new IS ?)", [(site, resource, ts, seen_at, kind, old, new, site, resource, ts, kind, new)
                                  for ts, kind, old, new in rows])
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from None

    def _write(self, site: str, resource: str, buckets: Iterable[tuple[int, float]],
               merge: Callable[[Progress | None], Progress], seconds: int = 1800,
               replace: tuple[int, int, float] | None = None) -> None:
        """Readings and the resource's progress row (``merge`` of the stored one, read inside the transaction, so
        two writers never undo each other's range) in one transaction. With ``replace`` (start, end, seen_at), the
        buckets are the whole truth of [start, end): what they change is recorded and what they lack removed."""
        db = self.db
        try:
            self._begin(db)
            try:
                if replace is not None:
                    buckets = list(buckets)
                    self._record_changes(site, resource, buckets, *replace)
                db.executemany("INSERT OR REPLACE INTO readings (site, resource, start, seconds, value) "
                               "VALUES (?, ?, ?, ?, ?)", [(site, resource, ts, seconds, v) for ts, v in buckets])
                p = merge(self.progress(site, resource))
                db.execute("INSERT OR REPLACE INTO progress (site, resource, resource_id, first_ts, synced_from, "
                           "synced_to, delivered_until, updated_at, backfill_from, settled_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (site, resource, p.resource_id, p.first_ts, p.synced_from, p.synced_to,
                            p.delivered_until, time.time(), p.backfill_from, p.settled_at))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from None

    def _record_changes(self, site: str, resource: str, buckets: list[tuple[int, float]], start: int, end: int,
                        seen_at: float) -> None:
        """Inside _write's transaction: compare [start, end) as stored with ``buckets``, record every change, remove
        the half-hours no longer delivered, forget changes older than CHANGES_DAYS."""
        db = self.db
        old = {ts: gate.number(v) for ts, v in self._read(  # a value edited into text or a blob: as if absent
            "SELECT start, value FROM readings WHERE site = ? AND resource = ? AND start >= ? AND start < ?",
            (site, resource, start, end))}
        p = self.progress(site, resource)
        held = (p.synced_from, p.synced_to) if p is not None else (0, 0)
        rows: list[tuple[int, str, float | None, float | None]] = []
        new = dict(buckets)
        for ts, value in new.items():
            before = old.get(ts)
            if before is None:
                if held[0] <= ts < held[1]:  # inside the stored range but missing: delivered late
                    rows.append((ts, "filled", None, value))
            elif abs(before - value) > 1e-9:
                rows.append((ts, "revised", before, value))
        gone = [ts for ts in old if ts not in new]
        rows.extend((ts, "removed", old[ts], None) for ts in gone)
        if gone:
            db.executemany("DELETE FROM readings WHERE site = ? AND resource = ? AND start = ?",
                           [(site, resource, ts) for ts in gone])
        if rows:
            db.executemany("INSERT INTO changes (site, resource, start, seen_at, kind, old, new) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", [(site, resource, ts, seen_at, kind, a, b)
                                                            for ts, kind, a, b in rows])
            db.execute("DELETE FROM changes WHERE seen_at < ?", (seen_at - CHANGES_DAYS * 86400,))

    def tariff_age(self, site: str, resource: str, now: float) -> float | None:
        """Seconds since the stored tariff-list was fetched, or None when there is none."""
        row = self._read("SELECT fetched_at FROM tariffs WHERE site = ? AND resource = ?", (site, resource))
        fetched = gate.number(row[0][0]) if row else None
        return None if fetched is None else now - fetched

    def save_tariffs(self, site: str, resource: str, document: str, fetched_at: float) -> None:
        try:
            self.db.execute("INSERT OR REPLACE INTO tariffs (site, resource, fetched_at, document) VALUES (?, ?, ?, ?)",
                            (site, resource, fetched_at, document))
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from None

    def readings(self, site: str, resource: str, start: int, end: int) -> list[tuple[int, float]]:
        """The stored half-hours of [start, end), oldest first. Every row passes the plausibility gate
        (glowline.gate.reading, as the API's readings do): a value that is text, a blob, not finite or beyond what
        a household's supply passes, or a row that is not a half-hour, is skipped and counted in ``skipped``."""
        out: list[tuple[int, float]] = []
        before = self.skipped
        for a, seconds, v in self._read(
                "SELECT start, seconds, value FROM readings WHERE site = ? AND resource = ? AND start >= ? AND "
                "start < ? ORDER BY start", (site, resource, start, end)):
            value = gate.reading(resource, v, HALF_HOUR) if seconds == HALF_HOUR else None
            if value is None or not isinstance(a, int) or a % HALF_HOUR:
                self.skipped += 1
                continue
            out.append((a, value))
        if self.skipped > before:
            self.notice.write(f"glowline: {self.path}: {self.skipped - before} stored {resource} values fail the "
                              "plausibility check: skipped (see `glowline doctor`)\n")
        return out

    def _read(self, sql: str, params: tuple[object, ...]) -> list[Any]:
        try:
            return list(self.db.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from None


def _latest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


class Range:
    """What the history holds of one site and resource (for doctor); ``bad``: its stored rows that fail the
    plausibility gate (skipped when read back)."""

    __slots__ = ("bad", "count", "resource", "site", "synced_from", "synced_to")

    def __init__(self, site: str, resource: str, synced_from: int, synced_to: int, count: int, bad: int = 0) -> None:
        self.site, self.resource = site, resource
        self.synced_from, self.synced_to, self.count, self.bad = synced_from, synced_to, count, bad


def overview(path: str | None = None) -> tuple[str, list[Range]]:
    """The file's verdict (``missing``, ``ok``, ``newer``, ``corrupt``, ``foreign``, ``damaged``: a table or
    column of its declared schema missing, ``notafile``: a directory or device in its place, ``unreadable``) and,
    when ok, each stored range; read-only: nothing is migrated, moved or written (doctor)."""
    path = path or paths.history_file()
    from glowline.files import NotAFile

    try:
        verdict = _inspect(path)
    except NotAFile:
        return "notafile", []
    except OSError:
        return "unreadable", []
    if verdict != "ok":
        return verdict, []
    try:
        from urllib.request import pathname2url  # a folder with spaces, '?' or '#' in its name

        db = sqlite3.connect(f"file:{pathname2url(path)}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return "corrupt", []
    try:
        if not db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return "ok", []  # a new, empty file
        if int(db.execute("PRAGMA application_id").fetchone()[0]) == APPLICATION_ID and \
                int(db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION and schema_problem(db):
            return "damaged", []
        if not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'progress'").fetchone()[0]:
            return "ok", []  # an old, empty file
        rows = db.execute("SELECT p.site, p.resource, p.synced_from, p.synced_to, (SELECT count(*) FROM readings r "
                          "WHERE r.site = p.site AND r.resource = p.resource AND r.start >= p.synced_from AND "
                          "r.start < p.synced_to) FROM progress p WHERE typeof(p.synced_from) = 'integer' AND "
                          "typeof(p.synced_to) = 'integer' ORDER BY p.site, p.resource").fetchall()
        return "ok", [Range(str(a), str(b), int(c), int(d), int(e), _bad_rows(db, str(a), str(b)))
                      for a, b, c, d, e in rows]
    except sqlite3.Error as exc:
        return ("corrupt" if _is_corrupt(exc) else "unreadable"), []
    finally:
        db.close()


def changes(since: float, path: str | None = None) -> tuple[dict[str, int], list[tuple[str, str, int, float]]]:
    """Read-only (doctor): how many half-hours of each kind (revised, filled, removed, glitch) changed at or after
    ``since``, and the glitches left out (site, resource, start, value), newest first; empty when there is no
    readable history of this schema."""
    path = path or paths.history_file()
    try:
        if _inspect(path) != "ok":
            return {}, []
    except OSError:  # a directory or a device in its place: overview says so
        return {}, []
    try:
        from urllib.request import pathname2url

        db = sqlite3.connect(f"file:{pathname2url(path)}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return {}, []
    try:
        if not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'changes'").fetchone()[0]:
            return {}, []
        counts = {str(k): int(n) for k, n in db.execute(
            "SELECT kind, count(DISTINCT site || resource || start) FROM changes WHERE seen_at >= ? GROUP BY kind",
            (since,))}
        latest: dict[tuple[str, str, int], float] = {}
        for a, b, c, d in db.execute("SELECT site, resource, start, new FROM changes WHERE kind = 'glitch' AND "
                                     "seen_at >= ? ORDER BY seen_at", (since,)):
            value = gate.number(d)
            if isinstance(c, int) and value is not None:  # a row edited by hand is left out
                latest[(str(a), str(b), c)] = value
        glitches = sorted(((*key, value) for key, value in latest.items()), key=lambda g: -g[2])
        return counts, glitches
    except sqlite3.Error:
        return {}, []
    finally:
        db.close()


def _bad_rows(db: sqlite3.Connection, site: str, resource: str) -> int:
    """How many stored rows of one resource fail the gate (the test HistoryStore.readings applies, in SQL)."""
    low, high = gate.bucket_limits(resource, HALF_HOUR)
    return int(db.execute(
        "SELECT count(*) FROM readings WHERE site = ? AND resource = ? AND NOT (typeof(start) = 'integer' AND "
        "start % ? = 0 AND seconds = ? AND typeof(value) IN ('integer', 'real') AND value BETWEEN ? AND ?)",
        (site, resource, HALF_HOUR, HALF_HOUR, low, high)).fetchone()[0])


def _inspect(path: str) -> str:
    """"missing", "ok", "newer", "corrupt" (not SQLite) or "foreign" (SQLite, someone else's), from the 100-byte
    header alone: nothing is opened for writing."""
    from glowline.files import read_bytes

    try:
        head = read_bytes(path, 100)
    except FileNotFoundError:
        return "missing"
    if not head:
        return "ok"  # an empty file: SQLite makes a new database of it
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return "corrupt"
    version = int.from_bytes(head[60:64], "big")
    app = int.from_bytes(head[68:72], "big")
    if app == APPLICATION_ID:
        return "newer" if version > SCHEMA_VERSION else "ok"
    if app == 0 and version == 0:
        return "ok"  # a fresh file, or one whose tables _migrate checks
    return "foreign"


def _header_version(path: str) -> int:
    from glowline.files import read_bytes

    return int.from_bytes(read_bytes(path, 100)[60:64], "big")


#: per history file, when this process's one wait for another writer ends (monotonic); see HistoryStore._begin
_WAIT_UNTIL: dict[str, float] = {}


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _holder(path: str) -> str:
    """Who holds a lock on the history file (or its -wal/-shm), from /proc/locks (Linux): "pid 1234 (glowline
    sync)"; "another program" when it cannot be told."""
    inodes = set()
    for name in (path, path + "-shm", path + "-wal"):
        try:
            inodes.add(os.stat(name).st_ino)
        except OSError:
            pass
    from glowline.files import read_text

    pids: list[int] = []
    for line in (read_text("/proc/locks", 1 << 20, follow=True) or "").splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[4].isdigit() and fields[5].rpartition(":")[2].isdigit():
            pid, inode = int(fields[4]), int(fields[5].rpartition(":")[2])
            if inode in inodes and pid != os.getpid() and pid not in pids:
                pids.append(pid)
    if not pids:
        return "another program"
    from glowline.printable import text

    described = []
    for pid in pids[:3]:
        try:
            with_args = _cmdline(pid)
        except OSError:
            with_args = ""
        described.append(f"pid {pid}" + (f" ({text(with_args, 60)})" if with_args else ""))
    return ", ".join(described)


def _cmdline(pid: int) -> str:
    """A process's command line, its arguments joined by spaces (read through glowline.files)."""
    from glowline.files import read_bytes

    return read_bytes(f"/proc/{pid}/cmdline", 4096, follow=True).replace(b"\0", b" ").decode("utf-8", "replace").strip()


def _is_corrupt(exc: sqlite3.Error) -> bool:
    """The file's content is at fault (not SQLite, or damaged), not the disk it is on."""
    text = str(exc).lower()
    return any(k in text for k in ("not a database", "malformed", "encrypted", "unsupported file format"))


def _storage_error(path: str, exc: sqlite3.Error) -> StorageError:
    text = str(exc)
    if "full" in text.lower():
        text = "No space left on device (database or disk is full)"
    return StorageError(f"cannot use glowline's file {path}: {text}")
