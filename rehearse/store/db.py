"""The one SQLite database: opening it, named migrations, transactions, and storage faults in plain words.

Sessions, the accomplishment bank and debriefs share this database and one connection
(:class:`Database`); each table has its own small module in this package. Every write runs in
``BEGIN IMMEDIATE ... COMMIT``; WAL mode lets readers go on while a writer writes, and a busy
timeout makes a second process wait its turn instead of failing.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

from rehearse.core.errors import RehearseError
from rehearse.store.migrations import MIGRATIONS

BUSY_TIMEOUT_S = 10.0


def now() -> str:
    """The current time as stored: ISO 8601, UTC, whole seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fault(path: Path, exc: BaseException, action: str = "used") -> RehearseError:
    """One sentence for a storage fault (``sqlite3`` or OS error) on the database at ``path``."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or "permission" in text:
        why = "it is read-only; make the folder writable or point REHEARSE_HOME elsewhere"
    elif "full" in text or "no space" in text:
        why = "the disk is full; free some space and run again (nothing was half-written)"
    elif "locked" in text or "busy" in text:
        why = f"another rehearse kept it busy for more than {BUSY_TIMEOUT_S:.0f} s; run again when it has finished"
    elif "malformed" in text or "not a database" in text or "no such table" in text or "no such column" in text:
        why = "it is damaged; move it aside and run again (a new one is made)"
    elif "unable to open" in text:
        why = "its folder cannot be reached; check REHEARSE_HOME"
    else:
        why = f"{exc}"
    return RehearseError(f"The session database {path} cannot be {action}: {why}.")


class Database:
    """One connection to the database at ``path``, migrated to the current schema."""

    def __init__(self, path: Optional[Path] = None):
        if path is None:
            from rehearse.core.home import database_path

            path = database_path()
        self.path = Path(path)
        self.read_only = False
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._open()
        except (sqlite3.Error, OSError) as exc:
            raise fault(self.path, exc, "opened") from None

    def _open(self) -> None:
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc).lower():
                raise
            self.read_only = True  # reading needs no write: history, replay and export still work
        self._migrate()

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
                for statement in sql.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now()))
                self.conn.execute(f"PRAGMA user_version = {known.index(name) + 1}")

    # -- writes -----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE ... COMMIT``, rolled back on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
