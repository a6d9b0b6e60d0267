"""The one SQLite database: opening it, named migrations, transactions, and storage faults in plain words.

Sessions, the accomplishment bank and debriefs share this database and one connection
(:class:`Database`); each table has its own small module in this package. Every write runs in
``BEGIN IMMEDIATE ... COMMIT`` (nested transactions join the outer one, so a command's writes land
together or not at all); WAL mode lets readers go on while a writer writes, and a busy timeout makes
a second process wait its turn instead of failing. Opening retries a lock SQLite reports at once (it
does so while another process creates the file or tidies its WAL away) until the same timeout.

Faults: a database in a read-only place is opened read-only (reading commands work, a write is one
sentence); a missing table, an unreadable row or page, a full disk, a database from a newer rehearse
are each one sentence (:func:`fault`, :func:`damaged`), never a traceback.
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

from rehearse.core.errors import RehearseError
from rehearse.store.migrations import MIGRATIONS

BUSY_TIMEOUT_S = 10.0
TABLES = ("migrations", "sessions", "scores", "accomplishments", "debriefs")
"""The tables of the current schema; a database missing one is damaged."""
READ_ONLY_WHY = "it is read-only; make the folder writable or point REHEARSE_HOME elsewhere"
DISK_FULL_WHY = "the disk is full; free some space and run again (nothing was half-written)"
LOW_SPACE_BYTES = 1 << 20
"""Less free space than this, with an I/O error, is a full disk."""


def now() -> str:
    """The current time as stored: ISO 8601, UTC, whole seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fault(path: Path, exc: BaseException, action: str = "used") -> RehearseError:
    """One sentence for a storage fault (``sqlite3`` or OS error) on the database at ``path``."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or "permission" in text:
        why = READ_ONLY_WHY
    elif "full" in text or "no space" in text or ("disk i/o" in text and disk_full(path)):
        why = DISK_FULL_WHY
    elif _is_busy(exc):
        why = f"another rehearse kept it busy for more than {BUSY_TIMEOUT_S:.0f} s; run again when it has finished"
    elif "malformed" in text or "not a database" in text or "no such table" in text or "no such column" in text:
        why = "it is damaged; move it aside and run again (a new one is made)"
    elif "unable to open" in text:
        why = "its folder cannot be reached; check REHEARSE_HOME"
    elif "disk i/o" in text:
        why = "the disk reported an error; check the disk and run again"
    else:
        why = f"{exc}"
    return RehearseError(f"The session database {path} cannot be {action}: {why}.")


def _is_busy(exc: BaseException) -> bool:
    """Whether a ``sqlite3`` error means another connection holds a lock (worth waiting for)."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def damaged(what: str, part: str, remedy: str) -> RehearseError:
    """One sentence for a row whose stored data cannot be read back (``part`` of ``what``)."""
    return RehearseError(f"The saved {what} is damaged ({part} cannot be read back); {remedy}.")


def disk_full(path: Path) -> bool:
    """Whether the file system holding ``path`` (or its folder) has almost no space left."""
    for place in (path, path.parent):
        try:
            st = os.statvfs(place)
        except OSError:
            continue
        return st.f_bavail * st.f_frsize < LOW_SPACE_BYTES
    return False


def _writable(path: Path) -> bool:
    """Whether SQLite can write here: the folder (for the -wal and -shm files) and the file if it exists."""
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return False  # (a missing folder is not read-only: opening says it cannot be reached)
    return not path.exists() or os.access(path, os.W_OK)


class Database:
    """One connection to the database at ``path``, migrated to the current schema."""

    def __init__(self, path: Optional[Path] = None):
        if path is None:
            from rehearse.core.home import database_path

            path = database_path()
        self.path = Path(path)
        self.read_only = False
        """True when the database is in a read-only place or on a full disk: reads work, a write raises
        one sentence (:attr:`read_only_why` says why)."""
        self.read_only_why = READ_ONLY_WHY
        self.conn: Optional[sqlite3.Connection] = None
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        for attempt in itertools.count():
            try:
                self._open_once()
                return
            except (sqlite3.Error, OSError) as exc:
                self._close_quietly()
                # Some steps of opening get "database is locked" at once, without SQLite's busy wait:
                # switching a new file to WAL while another process does, or opening while the last
                # connection of another process tidies the WAL away. Those are retried here, so "busy"
                # is only said after BUSY_TIMEOUT_S of trying.
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise fault(self.path, exc, "opened") from None
                time.sleep(min(0.02 * 2 ** attempt, 0.5, max(0.0, deadline - time.monotonic()))
                           * random.uniform(0.5, 1.0))
            except RehearseError:
                self._close_quietly()
                raise

    def _open_once(self) -> None:
        self.read_only = False
        self.read_only_why = READ_ONLY_WHY
        if _writable(self.path):
            try:
                self._connect(str(self.path))
                self._open()
            except sqlite3.OperationalError as exc:
                # a full disk cannot hold the WAL index (-shm) a writer needs: still let it be read
                if _is_busy(exc) or not (self.path.exists() and disk_full(self.path)):
                    raise
                self.read_only_why = DISK_FULL_WHY
                self._open_read_only()
        else:
            self._open_read_only()
        self._check_tables()

    def _connect(self, target: str, uri: bool = False) -> None:
        self._close_quietly()
        self.conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=uri)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    def _close_quietly(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
            self.conn = None

    def _open(self) -> None:
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc).lower():
                raise
            self._open_read_only()  # reading needs no write: history, replay and export still work
            return
        self._migrate()

    def _open_read_only(self) -> None:
        """Open for reading only: the file read-only, or (a WAL database whose -shm cannot be made in a
        read-only folder) as immutable; no database yet gives an empty one in memory."""
        self.read_only = True
        if not self.path.exists():
            self._connect(":memory:")
            self.read_only = False
            self._migrate()
            self.read_only = True
            return
        uri = self.path.resolve().as_uri()
        last: Optional[sqlite3.Error] = None
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                self._connect(uri + query, uri=True)
                self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                break
            except sqlite3.OperationalError as exc:
                last = exc
        else:
            raise last
        self._migrate()

    def _check_tables(self) -> None:
        present = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in TABLES if t not in present]
        if missing:
            raise RehearseError(
                f"The session database {self.path} is damaged: its table {missing[0]!r} is missing; move the "
                "file aside and run again (a new one is made).")

    # -- schema -----------------------------------------------------------------------------
    def applied(self) -> list[str]:
        """Names of the migrations this database has had, in order."""
        has_table = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone()
        if has_table:
            return [r[0] for r in self.conn.execute("SELECT name FROM migrations ORDER BY rowid")]
        legacy = self.conn.execute("PRAGMA user_version").fetchone()[0]  # before migrations had names
        names = [name for name, _ in MIGRATIONS[:legacy]]
        return names + [f"#{n}" for n in range(len(names) + 1, legacy + 1)]  # a newer rehearse's

    def _migrate(self) -> None:
        done = self.applied()
        known = [name for name, _ in MIGRATIONS]
        unknown = [name for name in done if name not in known]
        if unknown or len(done) > len(known):
            raise RehearseError(f"The session database {self.path} was written by a newer rehearse "
                                f"(migration {unknown[0] if unknown else len(done)}); upgrade rehearse.")
        pending = [(name, sql) for name, sql in MIGRATIONS if name not in done]
        if not pending:
            return
        if self.read_only:
            raise RehearseError(f"The session database {self.path} is read-only and needs an upgrade; make it "
                                "writable and run again.")
        with self.transaction():
            self.conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            for name in done:
                self.conn.execute("INSERT OR IGNORE INTO migrations (name, applied_at) VALUES (?, ?)", (name, now()))
        for name, sql in pending:
            with self.transaction():
                if name in self.applied():  # another process applied it while this one waited
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now()))
                self.conn.execute(f"PRAGMA user_version = {known.index(name) + 1}")

    # -- writes -----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE ... COMMIT``, rolled back on any error; inside another, joins it.

        A read-only database raises one sentence before anything is written."""
        if self.read_only:
            raise RehearseError(f"The session database {self.path} cannot be written: {self.read_only_why}.")
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")  # a full disk can fail here too: then nothing is kept
        except BaseException:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the first error is the one to report; SQLite rolls back on close anyway
            raise

    def close(self) -> None:
        self._close_quietly()
