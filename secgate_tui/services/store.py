"""The embedded store: normalized issues, sync state, activity observations and
the append-only, hash-chained audit log (stdlib sqlite3, WAL).

Every write is one transaction, so a failed or killed run leaves the store as
it was. Audit entries can only be appended: triggers refuse UPDATE and DELETE,
and each entry holds the SHA-256 of the previous one, so an entry changed or
removed behind secgate's back (with the triggers dropped) is detected by
:meth:`Store.verify_chain`. A rewrite that recomputes every hash, or the removal
of the newest entries, is not visible from inside the database: the store's id
(:attr:`Store.store_id`, random, created once) and its head (:meth:`Store.head`)
are what exports name, so that :mod:`secgate_tui.services.anchor` can check the
chain against copies kept outside it.
"""

from __future__ import annotations

import fcntl
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.base import Release
from secgate_tui.domain import Activity, Issue, SourceState, canonical_json, sha256_hex
from secgate_tui.domain.collector import collector_paused

GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS issues (
    scope TEXT NOT NULL, source TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (scope, source, key)
);
CREATE TABLE IF NOT EXISTS sync_state (
    scope TEXT PRIMARY KEY, source TEXT NOT NULL, project TEXT NOT NULL,
    cursor TEXT, full_at TEXT, synced_at TEXT, error TEXT, release_found INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS activities (
    product TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (product, id)
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, product TEXT NOT NULL,
    release TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


#: The meta row holding the store's id (random, created once, never changed).
STORE_ID = "store_id"


class StoreError(Exception):
    """The store cannot be opened or written."""


@dataclass(frozen=True)
class SyncRecord:
    scope: str
    state: SourceState
    cursor: datetime | None
    full_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class StoredReleases:
    """A source's release list (versions, milestones) as last read, and when."""

    read_at: datetime
    releases: tuple[Release, ...]


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    kind: str
    product: str
    release: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_broken: int | None = None
    problem: str = ""
    #: Anchors of this store checked against the chain, and anchors of other stores seen.
    anchors: int = 0
    other_anchors: int = 0

    @property
    def anchor_note(self) -> str:
        """``; checked against N anchor(s) ...`` for the one-line summary, or ``""``."""
        if not self.anchors and not self.other_anchors:
            return "; no export anchors this log (nothing outside it vouches for its end)"
        note = f"; checked against {self.anchors} export anchor(s)"
        if self.other_anchors:
            note += f" ({self.other_anchors} anchor(s) of other stores not checked)"
        return note


def entry_hash(
    seq: int, at: str, kind: str, product: str, release: str, payload: str, prev_hash: str
) -> str:
    return sha256_hex(
        canonical_json(
            {
                "seq": seq,
                "at": at,
                "kind": kind,
                "product": product,
                "release": release,
                "payload": payload,
                "prev_hash": prev_hash,
            }
        )
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _entry_time(text: str) -> datetime:
    """An audit entry's ``at``. Raises ValueError unless it is an aware ISO 8601 time."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("it has no time zone")
    return value


def _entry_payload(text: str) -> dict[str, Any]:
    """An audit entry's payload. Raises ValueError unless it is a JSON object."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("it is not a JSON object")
    return value


def _unreadable(seq: int, field: str, exc: Exception) -> str:
    return (
        f"entry {seq} has an unreadable {field} ({exc}): secgate never writes that, so the "
        "entry was forged or edited and the chain recomputed"
    )


def _write_failed(path: Path, exc: sqlite3.OperationalError) -> str:
    text = str(exc)
    if "full" in text or "too large" in text.lower():
        cause = "the disk (or the file size allowed to secgate) is full"
    else:
        cause = f"SQLite said: {text}"
    return (
        f"the secgate store {path} could not be written ({cause}); this write was rolled "
        "back and the store keeps what it held before. Free space or fix the data "
        "directory, then run the command again."
    )


@contextmanager
def _opening(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<store>.open.lock`` while the store is set up.

    Switching a fresh database to WAL takes an exclusive lock that SQLite does not
    wait for (no busy handler): processes opening a new store at once failed with
    "database is locked". Opening one at a time makes the switch and the schema
    safe; the lock is held only for the few statements of the setup.
    """
    with open(path.with_name(path.name + ".open.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stored_text(issue: Issue) -> str:
    """The issue's canonical JSON as the store keeps it, without caching it on the
    issue: a sync's 20,000 freshly mapped issues would otherwise each keep a copy
    (about 25 MB) until the sync ends. The same text as ``canonical_json``, which
    is used as is when the issue has it already (read back from the store)."""
    private = issue.__pydantic_private__ or {}
    cached: bytes | None = private.get("_canonical")
    return cached.decode() if cached is not None else issue.model_dump_json()


class Store:
    """One SQLite database under the data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # One connection shared by sync threads and UI workers, serialized by a lock.
            self._db = sqlite3.connect(
                path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._lock = threading.RLock()
            with _opening(path):
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(_SCHEMA)
                # Old stores get their id on first open; INSERT OR IGNORE keeps an existing one.
                self._db.execute(
                    "INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
                    (STORE_ID, secrets.token_hex(16)),
                )
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(
                f"cannot open the secgate store {path}: {exc}. Check that the data "
                "directory is writable and the file is a secgate database."
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: concurrent secgate processes
        # serialize here instead of failing half-way.
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    if self._db.in_transaction:  # SQLite may have rolled back already
                        self._db.execute("ROLLBACK")
                    raise
                else:
                    self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                # Disk full, I/O error, a lock held past the timeout: the write did not
                # happen (the transaction rolled back), and the caller says what that means.
                raise StoreError(_write_failed(self.path, exc)) from None

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- issues and sync state ------------------------------------------------

    def save_sync(
        self,
        scope: str,
        state: SourceState,
        issues: Sequence[Issue] | None,
        *,
        full: bool,
        cursor: datetime | None,
        retire: Sequence[str] = (),
    ) -> bool:
        """Store one source's sync outcome atomically; False when it was discarded.

        ``retire``: scopes this outcome replaces (the per-release scopes of a
        store written before syncs were project-wide), deleted with it.

        A full sync replaces the scope's issues (so issues that left the release
        disappear); an incremental one upserts; a failed one (``issues`` None)
        keeps the last data and records the error. A sync that started before
        the one already stored is discarded: several processes sync the same
        release (the UI in the background, a CI status, an authorization), and
        an older answer finishing last must not overwrite a newer one. Without
        a cursor (the release was not found) no cursor is kept, so the next
        sync is a full one.
        """
        with self._transaction() as db:
            previous = db.execute(
                "SELECT cursor, full_at, synced_at FROM sync_state WHERE scope = ?", (scope,)
            ).fetchone()
            prev_cursor, prev_full, prev_synced = previous or (None, None, None)
            if issues is not None:
                if (
                    prev_synced is not None
                    and state.synced_at is not None
                    and state.synced_at < datetime.fromisoformat(prev_synced)
                ):
                    return False
                if full:
                    db.execute("DELETE FROM issues WHERE scope = ?", (scope,))
                for old in retire:
                    self._vanish_schema(db)
                    for table in ("issues", "sync_state", "vanished"):
                        db.execute(f"DELETE FROM {table} WHERE scope = ?", (old,))  # noqa: S608
                db.executemany(
                    "INSERT OR REPLACE INTO issues (scope, source, key, data) VALUES (?, ?, ?, ?)",
                    ((scope, i.source, i.key, _stored_text(i)) for i in issues),
                )
                new_cursor = _iso(cursor)
                new_full = _iso(state.synced_at) if full and cursor is not None else prev_full
                synced = _iso(state.synced_at)
            else:
                new_cursor, new_full, synced = prev_cursor, prev_full, prev_synced
            db.execute(
                "INSERT OR REPLACE INTO sync_state "
                "(scope, source, project, cursor, full_at, synced_at, error, release_found) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    scope,
                    state.source,
                    state.project,
                    new_cursor,
                    new_full,
                    synced,
                    state.error,
                    int(state.release_found),
                ),
            )
            return True

    def sync_record(self, scope: str) -> SyncRecord | None:
        rows = self._query(
            "SELECT scope, source, project, cursor, full_at, synced_at, error, release_found "
            "FROM sync_state WHERE scope = ?",
            (scope,),
        )
        if not rows:
            return None
        row = rows[0]
        state = SourceState(
            source=row[1],
            project=row[2],
            synced_at=_time(row[5]),
            error=row[6],
            release_found=bool(row[7]),
        )
        return SyncRecord(scope=row[0], state=state, cursor=_time(row[3]), full_at=_time(row[4]))

    def scopes(self) -> list[str]:
        """Every scope with a sync record (a source's, or an old store's per-release one)."""
        return [scope for (scope,) in self._query("SELECT scope FROM sync_state ORDER BY scope")]

    def stored_issues(self, scope: str, keys: Iterable[str]) -> list[Issue]:
        """The scope's stored issues with these keys (those it holds)."""
        found: list[Issue] = []
        with self._lock:
            for key in keys:
                row = self._db.execute(
                    "SELECT CAST(data AS BLOB) FROM issues WHERE scope = ? AND key = ?",
                    (scope, key),
                ).fetchone()
                if row is not None:
                    found.append(Issue.from_canonical_json(row[0]))
        return found

    def issues_mentioning(self, scope: str, text: str) -> list[Issue]:
        """The scope's issues whose stored JSON contains ``text``: a cheap pre-selection
        of a release's issues (they name it) that skips parsing the other releases'."""
        with collector_paused():
            rows = self._query(
                "SELECT CAST(data AS BLOB) FROM issues WHERE scope = ? AND instr(data, ?) > 0",
                (scope, text),
            )
            return [Issue.from_canonical_json(data) for (data,) in rows]

    # -- release lists ----------------------------------------------------------

    def _releases_schema(self, db: sqlite3.Connection) -> None:
        db.execute(
            "CREATE TABLE IF NOT EXISTS source_releases (scope TEXT PRIMARY KEY, "
            "read_at TEXT NOT NULL, data TEXT NOT NULL)"
        )

    def save_releases(self, scope: str, releases: Sequence[Release], at: datetime) -> None:
        """Keep a source's release list as read at ``at`` (an older read never wins)."""
        data = json.dumps([r.model_dump(mode="json") for r in releases], sort_keys=True)
        with self._transaction() as db:
            self._releases_schema(db)
            stored = db.execute(
                "SELECT read_at FROM source_releases WHERE scope = ?", (scope,)
            ).fetchone()
            if stored and at < datetime.fromisoformat(stored[0]):
                return
            db.execute(
                "INSERT OR REPLACE INTO source_releases (scope, read_at, data) VALUES (?, ?, ?)",
                (scope, _iso(at), data),
            )

    def source_releases(self, scope: str) -> StoredReleases | None:
        """A source's release list as last read; None when it was never read."""
        with self._lock:
            self._releases_schema(self._db)
            row = self._db.execute(
                "SELECT read_at, data FROM source_releases WHERE scope = ?", (scope,)
            ).fetchone()
        if row is None:
            return None
        return StoredReleases(
            read_at=datetime.fromisoformat(row[0]),
            releases=tuple(Release.model_validate(item) for item in json.loads(row[1])),
        )

    # -- files read from a tracker (SBOM/VEX attachments, services.vex_attachments) --

    def _attached_schema(self, db: sqlite3.Connection) -> None:
        db.execute(
            "CREATE TABLE IF NOT EXISTS attached_inputs (product TEXT NOT NULL, "
            "release TEXT NOT NULL, read_at TEXT NOT NULL, manifest TEXT NOT NULL, "
            "PRIMARY KEY (product, release))"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS attached_files (product TEXT NOT NULL, "
            "release TEXT NOT NULL, position INTEGER NOT NULL, content BLOB NOT NULL, "
            "PRIMARY KEY (product, release, position))"
        )

    def save_attached(
        self, product: str, release: str, at: datetime, manifest: str, files: Sequence[bytes]
    ) -> None:
        """Replace what was read for the release (an older read never wins)."""
        with self._transaction() as db:
            self._attached_schema(db)
            stored = db.execute(
                "SELECT read_at FROM attached_inputs WHERE product = ? AND release = ?",
                (product, release),
            ).fetchone()
            if stored and at < datetime.fromisoformat(stored[0]):
                return
            db.execute(
                "DELETE FROM attached_files WHERE product = ? AND release = ?", (product, release)
            )
            db.execute(
                "INSERT OR REPLACE INTO attached_inputs (product, release, read_at, manifest) "
                "VALUES (?, ?, ?, ?)",
                (product, release, _iso(at), manifest),
            )
            db.executemany(
                "INSERT INTO attached_files (product, release, position, content) "
                "VALUES (?, ?, ?, ?)",
                [(product, release, n, content) for n, content in enumerate(files)],
            )

    def attached(self, product: str, release: str) -> tuple[str, list[bytes]] | None:
        """The manifest and files last read for the release; None when never read."""
        with self._lock:
            self._attached_schema(self._db)
            row = self._db.execute(
                "SELECT manifest FROM attached_inputs WHERE product = ? AND release = ?",
                (product, release),
            ).fetchone()
            if row is None:
                return None
            files = self._db.execute(
                "SELECT content FROM attached_files WHERE product = ? AND release = ? "
                "ORDER BY position",
                (product, release),
            ).fetchall()
        return str(row[0]), [bytes(f[0]) for f in files]

    def issues(self, scopes: Iterable[str]) -> list[Issue]:
        found: list[Issue] = []
        load = Issue.from_canonical_json
        with collector_paused():
            for scope in scopes:
                # As bytes (the UTF-8 text SQLite holds): validated as is and kept as
                # the issue's canonical text, without a str object and its re-encoding
                # per issue (15 % of loading 20,000 issues).
                rows = self._query(
                    "SELECT CAST(data AS BLOB) FROM issues WHERE scope = ?", (scope,)
                )
                found.extend(load(data) for (data,) in rows)
        return found

    # -- activity observations ------------------------------------------------

    def save_activities(self, product: str, activities: Sequence[Activity]) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM activities WHERE product = ?", (product,))
            db.executemany(
                "INSERT INTO activities (product, id, data) VALUES (?, ?, ?)",
                ((product, a.id, a.model_dump_json()) for a in activities),
            )

    def activities(self, product: str) -> dict[str, Activity]:
        rows = self._query("SELECT id, data FROM activities WHERE product = ?", (product,))
        return {id_: Activity.model_validate_json(data) for id_, data in rows}

    # -- meta -------------------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, name: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    @property
    def store_id(self) -> str:
        """This store's random id (32 hex digits), which every export's anchor names."""
        value = self.get_meta(STORE_ID)
        if value is not None:
            return value
        with self._transaction() as db:
            # The row was deleted behind secgate's back: a new id, so the old anchors
            # name another one, and `verify --log` counts them as another store's.
            db.execute(
                "INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
                (STORE_ID, secrets.token_hex(16)),
            )
            row = db.execute("SELECT value FROM meta WHERE name = ?", (STORE_ID,)).fetchone()
        return str(row[0])

    # -- audit log ----------------------------------------------------------------

    def head(self) -> tuple[int, str] | None:
        """``(seq, hash)`` of the newest audit entry; None while the log is empty."""
        rows = self._query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def append_audit(
        self, kind: str, product: str, release: str, payload: dict[str, Any], at: datetime
    ) -> AuditEntry:
        """Append one entry, chained to the last one, in one transaction."""
        text = canonical_json(payload)
        with self._transaction() as db:
            last = db.execute(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
            at_text = at.astimezone(UTC).isoformat()
            digest = entry_hash(seq, at_text, kind, product, release, text, prev)
            db.execute(
                "INSERT INTO audit_log (seq, at, kind, product, release, payload, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, at_text, kind, product, release, text, prev, digest),
            )
        return AuditEntry(seq, at.astimezone(UTC), kind, product, release, payload, prev, digest)

    def audit_entries(
        self, kind: str | None = None, product: str | None = None, release: str | None = None
    ) -> list[AuditEntry]:
        rows = self._query(
            "SELECT seq, at, kind, product, release, payload, prev_hash, hash FROM audit_log "
            "WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR product = ?) "
            "AND (? IS NULL OR release = ?) ORDER BY seq",
            (kind, kind, product, product, release, release),
        )
        entries: list[AuditEntry] = []
        for seq, at, kind_, product_, release_, payload, prev_hash, digest in rows:
            try:
                when, data = _entry_time(at), _entry_payload(payload)
            except (ValueError, TypeError) as exc:
                raise StoreError(
                    f"the audit log cannot be trusted: {_unreadable(seq, 'time or payload', exc)}. "
                    "Run `secgate verify --log` and restore the log from a backup."
                ) from None
            entries.append(
                AuditEntry(seq, when, kind_, product_, release_, data, prev_hash, digest)
            )
        return entries

    def verify_chain(self) -> ChainReport:
        """Walk the log: contiguous sequence, each hash recomputed, each link intact,
        and each entry's time and payload readable (a valid chain over an entry
        secgate could not have written is still tampering)."""
        rows = self._query(
            "SELECT seq, at, kind, product, release, payload, prev_hash, hash "
            "FROM audit_log ORDER BY seq"
        )
        prev = GENESIS
        for expected_seq, row in enumerate(rows, start=1):
            seq, at, kind, product, release, payload, prev_hash, digest = row
            if seq != expected_seq:
                return ChainReport(
                    False, len(rows), expected_seq, f"entry {expected_seq} is missing (deleted)"
                )
            if prev_hash != prev:
                return ChainReport(
                    False,
                    len(rows),
                    seq,
                    f"entry {seq} does not chain to entry {seq - 1} (an entry before it was "
                    "changed or removed)",
                )
            if entry_hash(seq, at, kind, product, release, payload, prev_hash) != digest:
                return ChainReport(
                    False, len(rows), seq, f"entry {seq} was modified after it was written"
                )
            try:
                _entry_time(at)
            except (ValueError, TypeError) as exc:
                return ChainReport(False, len(rows), seq, _unreadable(seq, "time", exc))
            try:
                _entry_payload(payload)
            except (ValueError, TypeError) as exc:
                return ChainReport(False, len(rows), seq, _unreadable(seq, "payload", exc))
            prev = digest
        return ChainReport(True, len(rows))

    # -- what left a release (issue 19: an empty answer never clears a category) --
    #
    # Kept apart from the tables above, created on first use: ``vanished`` holds
    # the issues that left a scope's list while the tracker, asked by key, did not
    # say where they went (deleted or no longer visible), and a person's
    # acknowledgement of a deletion; ``category_held`` holds, per product release
    # and category, the issues the category held at its last non-empty sync.

    def _vanish_schema(self, db: sqlite3.Connection) -> None:
        db.execute(
            "CREATE TABLE IF NOT EXISTS vanished (scope TEXT NOT NULL, key TEXT NOT NULL, "
            "source TEXT NOT NULL, since TEXT NOT NULL, ack_reason TEXT, ack_by TEXT, ack_at TEXT, "
            "PRIMARY KEY (scope, key))"
        )
        # Added when syncs became project-wide: the versions an issue was in when it
        # vanished, so that it blocks those releases only (NULL: every release).
        columns = {row[1] for row in db.execute("PRAGMA table_info(vanished)").fetchall()}
        if "versions" not in columns:
            db.execute("ALTER TABLE vanished ADD COLUMN versions TEXT")
        db.execute(
            "CREATE TABLE IF NOT EXISTS category_held (product TEXT NOT NULL, "
            "release TEXT NOT NULL, category TEXT NOT NULL, members TEXT NOT NULL, "
            "at TEXT NOT NULL, PRIMARY KEY (product, release, category))"
        )

    def issue_keys(self, scope: str) -> set[str]:
        """The keys of a scope's stored issues (cheaper than the issues themselves)."""
        return {key for (key,) in self._query("SELECT key FROM issues WHERE scope = ?", (scope,))}

    def vanished(self, scope: str) -> list[VanishedIssue]:
        """The scope's issues that vanished unexplained, acknowledged ones included."""
        with self._lock:
            self._vanish_schema(self._db)
            rows = self._db.execute(
                "SELECT key, source, since, ack_reason, ack_by, ack_at, versions FROM vanished "
                "WHERE scope = ? ORDER BY key",
                (scope,),
            ).fetchall()
        return [
            VanishedIssue(
                key=row[0],
                source=row[1],
                since=datetime.fromisoformat(row[2]),
                ack_reason=row[3],
                ack_by=row[4],
                ack_at=_time(row[5]),
                versions=None if row[6] is None else tuple(json.loads(row[6])),
            )
            for row in rows
        ]

    def update_vanished(
        self,
        scope: str,
        missing: Sequence[VanishedIssue],
        resolved: Iterable[str],
        at: datetime,
        *,
        acknowledged: Sequence[VanishedIssue] = (),
    ) -> bool:
        """Record one full sync's unexplained vanishings; False when a newer sync already did.

        ``missing`` replaces the scope's unacknowledged entries (an entry seen
        missing again keeps its first ``since``; an acknowledged one stays
        acknowledged); keys in ``resolved`` (seen again, or confirmed moved
        away) are forgotten, acknowledged or not. ``acknowledged``: entries a
        person acknowledged under an old store's per-release scope, adopted.
        """
        with self._transaction() as db:
            self._vanish_schema(db)
            stored = db.execute(
                "SELECT synced_at FROM sync_state WHERE scope = ?", (scope,)
            ).fetchone()
            if stored and stored[0] and at < datetime.fromisoformat(stored[0]):
                return False
            db.executemany(
                "DELETE FROM vanished WHERE scope = ? AND key = ?",
                ((scope, key) for key in resolved),
            )
            keep = {item.key for item in missing}
            for (key,) in db.execute(
                "SELECT key FROM vanished WHERE scope = ? AND ack_reason IS NULL", (scope,)
            ).fetchall():
                if key not in keep:
                    db.execute("DELETE FROM vanished WHERE scope = ? AND key = ?", (scope, key))
            db.executemany(
                "INSERT OR IGNORE INTO vanished (scope, key, source, since, versions, "
                "ack_reason, ack_by, ack_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        scope,
                        item.key,
                        item.source,
                        _iso(item.since),
                        None if item.versions is None else json.dumps(sorted(item.versions)),
                        item.ack_reason,
                        item.ack_by,
                        _iso(item.ack_at),
                    )
                    for item in [*missing, *acknowledged]
                ),
            )
            return True

    def acknowledge_vanished(
        self, scope: str, key: str, *, reason: str, by: str, at: datetime
    ) -> bool:
        """Record a person's word that a vanished issue was deleted; False if not vanished."""
        with self._transaction() as db:
            self._vanish_schema(db)
            changed = db.execute(
                "UPDATE vanished SET ack_reason = ?, ack_by = ?, ack_at = ? "
                "WHERE scope = ? AND key = ?",
                (reason, by, _iso(at), scope, key),
            ).rowcount
        return bool(changed)

    def held(self, product: str, release: str) -> dict[str, list[tuple[str, str]]]:
        """Per category value, the (source, key) of issues it held at its last non-empty sync."""
        with self._lock:
            self._vanish_schema(self._db)
            rows = self._db.execute(
                "SELECT category, members FROM category_held WHERE product = ? AND release = ?",
                (product, release),
            ).fetchall()
        return {category: [tuple(m) for m in json.loads(members)] for category, members in rows}

    def save_held(
        self,
        product: str,
        release: str,
        held: dict[str, list[tuple[str, str]]],
        at: datetime,
    ) -> None:
        """Replace the release's held members; a category with none is forgotten."""
        with self._transaction() as db:
            self._vanish_schema(db)
            db.execute(
                "DELETE FROM category_held WHERE product = ? AND release = ?", (product, release)
            )
            db.executemany(
                "INSERT INTO category_held (product, release, category, members, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    (product, release, category, json.dumps(sorted(members)), _iso(at))
                    for category, members in held.items()
                    if members
                ),
            )


@dataclass(frozen=True, kw_only=True)
class VanishedIssue:
    """An issue that left a scope's list and that the tracker no longer shows by key."""

    key: str
    source: str
    since: datetime
    ack_reason: str | None = None
    ack_by: str | None = None
    ack_at: datetime | None = None
    #: The version names (fix and affects) it had when it vanished: it blocks those
    #: releases. None (an entry from before project-wide syncs): every release.
    versions: tuple[str, ...] | None = None

    def concerns(self, release_name: str) -> bool:
        """Whether it was in (or affected) the release the source names so."""
        return self.versions is None or release_name in self.versions
