"""Sessions in an embedded SQLite database, with an ordered list of schema migrations.

Every write runs in a transaction. A session row is created *before* recording starts (status
``recording``) so that a killed process still leaves a row pointing at its audio; the next time the
store is opened, such rows whose process is gone are marked ``interrupted``.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional

from rehearse.errors import RehearseError
from rehearse.model import Score, Word

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE sessions (
        id           TEXT PRIMARY KEY,
        started_at   TEXT NOT NULL,
        mode         TEXT NOT NULL,
        archetype    TEXT NOT NULL,
        prompt_id    TEXT,
        prompt_text  TEXT,
        source       TEXT NOT NULL DEFAULT 'microphone',
        status       TEXT NOT NULL,
        stopped_by   TEXT,
        pid          INTEGER,
        audio_path   TEXT,
        duration_s   REAL,
        engine       TEXT,
        transcript   TEXT,
        words_json   TEXT,
        score_json   TEXT,
        verdict      TEXT,
        extra_json   TEXT
    );
    CREATE INDEX sessions_started_at ON sessions (started_at);
    """,
]

STATUSES = ("recording", "complete", "interrupted", "no_speech")


@dataclass(frozen=True)
class SessionRecord:
    """One saved session as read back from the database."""

    id: str
    started_at: str
    """ISO 8601, UTC."""
    mode: str
    """practice, drill or score."""
    archetype: str
    prompt_id: Optional[str]
    prompt_text: Optional[str]
    source: str
    """microphone, sample (the demo's bundled answer), file or text."""
    status: str
    """recording, complete, interrupted or no_speech."""
    stopped_by: Optional[str]
    audio_path: Optional[str]
    duration_s: Optional[float]
    engine: Optional[str]
    transcript: Optional[str]
    words: tuple[Word, ...]
    score: Optional[dict[str, Any]]
    """The saved score object (contract shape), or None if never scored."""
    verdict: Optional[str]
    extra: dict[str, Any]
    """Mode-specific data, e.g. a drill's timing."""

    def history_json(self) -> dict[str, Any]:
        return {
            "session_id": self.id,
            "started_at": self.started_at,
            "mode": self.mode,
            "archetype": self.archetype,
            "verdict": self.verdict,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 2),
            "status": self.status,
        }


def new_session_id(now: Optional[datetime] = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def _pid_alive(pid: Optional[int]) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """The session database at ``path`` (``REHEARSE_HOME/rehearse.db`` by default)."""

    def __init__(self, path: Optional[Path] = None):
        if path is None:
            from rehearse.home import database_path

            path = database_path()
        self.path = Path(path)
        try:
            self._conn = sqlite3.connect(str(self.path), timeout=10, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
            self._recover_orphans()
        except sqlite3.DatabaseError as exc:
            raise RehearseError(
                f"The session database {self.path} cannot be opened ({exc}); move it aside and run again."
            )

    # -- schema -----------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise RehearseError(
                f"The session database {self.path} was written by a newer rehearse; upgrade rehearse."
            )
        for index in range(version, len(MIGRATIONS)):
            with self._transaction():
                for statement in MIGRATIONS[index].split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {index + 1}")

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def _transaction(self):
        conn = self._conn

        class _Tx:
            def __enter__(self_inner):
                conn.execute("BEGIN IMMEDIATE")

            def __exit__(self_inner, exc_type, exc, tb):
                conn.execute("ROLLBACK" if exc_type else "COMMIT")
                return False

        return _Tx()

    def _recover_orphans(self) -> None:
        rows = self._conn.execute("SELECT id, pid FROM sessions WHERE status = 'recording'").fetchall()
        stale = [r["id"] for r in rows if not _pid_alive(r["pid"])]
        if stale:
            with self._transaction():
                self._conn.executemany(
                    "UPDATE sessions SET status = 'interrupted', stopped_by = COALESCE(stopped_by, 'killed') "
                    "WHERE id = ? AND status = 'recording'",
                    [(s,) for s in stale],
                )

    # -- writes -----------------------------------------------------------------------------
    def create(self, *, mode: str, archetype: str, prompt_id: Optional[str] = None,
               prompt_text: Optional[str] = None, source: str = "microphone",
               audio_path: Optional[Path] = None, session_id: Optional[str] = None,
               status: str = "recording") -> str:
        session_id = session_id or new_session_id()
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._transaction():
            self._conn.execute(
                "INSERT INTO sessions (id, started_at, mode, archetype, prompt_id, prompt_text, source, "
                "status, pid, audio_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, started, mode, archetype, prompt_id, prompt_text, source, status,
                 os.getpid(), None if audio_path is None else str(audio_path)),
            )
        return session_id

    def update(self, session_id: str, **fields: Any) -> None:
        """Set columns; ``words`` (list of Word), ``score`` (Score) and ``extra`` (dict) are encoded."""
        columns: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "words":
                columns["words_json"] = json.dumps([w.to_json() for w in value])
            elif key == "score":
                columns["score_json"] = None if value is None else json.dumps(value.to_json())
                columns["verdict"] = None if value is None else value.verdict
            elif key == "extra":
                columns["extra_json"] = json.dumps(value)
            elif key == "audio_path":
                columns[key] = None if value is None else str(value)
            else:
                columns[key] = value
        if not columns:
            return
        assignments = ", ".join(f"{c} = ?" for c in columns)
        with self._transaction():
            cur = self._conn.execute(
                f"UPDATE sessions SET {assignments} WHERE id = ?", (*columns.values(), session_id)
            )
            if cur.rowcount != 1:
                raise RehearseError(f"No session {session_id!r} to update.")

    def save_scored(self, session_id: str, *, score: Score, words: Iterable[Word], transcript: str,
                    engine: Optional[str], duration_s: Optional[float], status: str = "complete",
                    extra: Optional[dict] = None) -> None:
        fields: dict[str, Any] = dict(score=score, words=list(words), transcript=transcript, engine=engine,
                                      duration_s=duration_s, status=status)
        if extra is not None:
            fields["extra"] = extra
        self.update(session_id, **fields)

    def delete(self, session_id: str) -> None:
        with self._transaction():
            self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    # -- reads ------------------------------------------------------------------------------
    def get(self, session_id: str) -> SessionRecord:
        row = self._conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise RehearseError(f"No session {session_id!r}; run `rehearse history` to see the ids.")
        return _record(row)

    def resolve(self, ref: str) -> SessionRecord:
        """A session by full id, unique prefix, or ``last``."""
        ref = (ref or "").strip()
        if ref == "last":
            row = self._conn.execute("SELECT * FROM sessions ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
            if row is None:
                raise RehearseError("There are no saved sessions yet; run `rehearse practice` or `rehearse demo`.")
            return _record(row)
        rows = self._conn.execute(
            "SELECT * FROM sessions WHERE id LIKE ? ESCAPE '\\' ORDER BY started_at DESC LIMIT 6",
            (ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
        ).fetchall()
        if len(rows) == 1:
            return _record(rows[0])
        if not rows:
            recent = [r["id"] for r in self._conn.execute(
                "SELECT id FROM sessions ORDER BY started_at DESC LIMIT 5")]
            hint = f" recent ids: {', '.join(recent)}" if recent else " there are no saved sessions yet"
            raise RehearseError(f"No session matches {ref!r};{hint}.")
        ids = ", ".join(r["id"] for r in rows[:5])
        raise RehearseError(f"{ref!r} matches several sessions ({ids}); give more of the id.")

    def list(self, *, limit: Optional[int] = None, archetype: Optional[str] = None,
             mode: Optional[str] = None, since: Optional[str] = None) -> list[SessionRecord]:
        sql = "SELECT * FROM sessions"
        where, params = [], []
        if archetype:
            where.append("archetype = ?")
            params.append(archetype)
        if mode:
            where.append("mode = ?")
            params.append(mode)
        if since:
            where.append("started_at >= ?")
            params.append(since)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at DESC, id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [_record(r) for r in self._conn.execute(sql, params)]

    def close(self) -> None:
        self._conn.close()


def _record(row: sqlite3.Row) -> SessionRecord:
    words = tuple(Word.from_json(w) for w in json.loads(row["words_json"])) if row["words_json"] else ()
    return SessionRecord(
        id=row["id"], started_at=row["started_at"], mode=row["mode"], archetype=row["archetype"],
        prompt_id=row["prompt_id"], prompt_text=row["prompt_text"], source=row["source"],
        status=row["status"], stopped_by=row["stopped_by"], audio_path=row["audio_path"],
        duration_s=row["duration_s"], engine=row["engine"], transcript=row["transcript"], words=words,
        score=json.loads(row["score_json"]) if row["score_json"] else None, verdict=row["verdict"],
        extra=json.loads(row["extra_json"]) if row["extra_json"] else {},
    )
