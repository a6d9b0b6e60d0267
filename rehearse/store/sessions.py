"""Sessions: one row per round, created *before* recording starts, and every result each has had.

A session row is created with status ``recording`` so that a killed process still leaves a row
pointing at its audio; the next time the store is opened, such rows whose process is gone are marked
``interrupted``. A round that fails after its audio was recorded is marked ``failed`` with the reason
(column ``error``) and keeps its audio, so ``rehearse rescore`` can finish it.

A row whose stored JSON cannot be read back is still listed, resolved, rescored and deleted: the
unreadable parts come back empty and are named in :attr:`SessionRecord.damaged`;
:meth:`SessionRecord.require_intact` turns them into one sentence for commands that show them.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from rehearse.coaching import trends
from rehearse.core.errors import RehearseError
from rehearse.core.model import Score, Word
from rehearse.store.db import Database, damaged, now

STATUSES = ("recording", "complete", "interrupted", "no_speech", "failed")
MODES = ("practice", "drill", "score", "demo")
"""What a session was: your practice, a drill round, a scored text or file, or the demo's sample answer."""
UNTRENDED_MODES = trends.UNTRENDED_MODES
"""Modes that are not your own answers: never counted in progress or trends."""


@dataclass(frozen=True)
class SessionRecord:
    """One saved session as read back from the database."""

    id: str
    started_at: str
    """ISO 8601, UTC."""
    mode: str
    """practice, drill, score or demo."""
    archetype: str
    prompt_id: Optional[str]
    prompt_text: Optional[str]
    source: str
    """microphone, sample (the demo's bundled answer), file or text."""
    status: str
    """recording, complete, interrupted, no_speech or failed."""
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
    scored_at: Optional[str] = None
    """When the current result was computed (ISO 8601, UTC), or None if never scored."""
    error: Optional[str] = None
    """Why a ``failed`` session failed after its audio was recorded."""
    damaged: tuple[str, ...] = ()
    """The stored parts that could not be read back (e.g. ``"its score"``); they come back empty."""

    def history_json(self) -> dict[str, Any]:
        return _history_json(self)

    def require_intact(self) -> None:
        """Raise one sentence when part of this session could not be read back."""
        if not self.damaged:
            return
        if "its timed words" in self.damaged and self.audio_path:
            fix = f"`rehearse rescore {self.id} --retranscribe` rebuilds it from the recording"
        elif self.transcript:
            fix = f"`rehearse rescore {self.id}` scores it again from its transcript"
        else:
            fix = "nothing can rebuild it"
        raise damaged(f"session {self.id}", " and ".join(self.damaged),
                      f"{fix}, or `rehearse delete {self.id}` removes it")


def _history_json(session) -> dict[str, Any]:
    """The contract's history fields of a session (``SessionRecord`` or ``HistoryRow``)."""
    return {
        "session_id": session.id,
        "started_at": session.started_at,
        "mode": session.mode,
        "archetype": session.archetype,
        "verdict": session.verdict,
        "duration_s": None if session.duration_s is None else round(session.duration_s, 2),
        "status": session.status,
    }


@dataclass(frozen=True)
class HistoryRow:
    """One session as ``history`` and ``progress`` list it: the denormalised columns only, no JSON."""

    id: str
    started_at: str
    """ISO 8601, UTC."""
    mode: str
    archetype: str
    status: str
    verdict: Optional[str]
    duration_s: Optional[float]
    wpm: Optional[float]
    fillers_per_min: Optional[float]
    first_accomplishment_s: Optional[float]
    """Seconds into the answer where the accomplishment starts, when that check passed."""
    prompt_id: Optional[str] = None

    def history_json(self) -> dict[str, Any]:
        return {
            **_history_json(self),
            "wpm": self.wpm,
            "fillers_per_min": self.fillers_per_min,
            "first_accomplishment_s": self.first_accomplishment_s,
            "prompt_id": self.prompt_id,
        }


@dataclass(frozen=True)
class ScoreRecord:
    """One result a session has had: its first score, or one from ``rehearse rescore``."""

    number: int
    """1 for the first result, counting up with each rescore."""
    scored_at: str
    """ISO 8601, UTC."""
    reason: str
    """``original``, ``rescore`` or ``retranscribe``."""
    engine: Optional[str]
    transcript: Optional[str]
    words: tuple[Word, ...]
    score: dict[str, Any]
    """The score object (contract shape)."""
    verdict: Optional[str]


def score_columns(score: Optional[Score]) -> dict[str, Any]:
    """The denormalised columns a score fills (all None without a score)."""
    if score is None:
        return {"score_json": None, "verdict": None, "wpm": None, "fillers_per_min": None,
                "first_accomplishment_s": None}
    data = score.to_json()
    lead = data["checks"].get("leads_with_accomplishment") or {}
    return {
        "score_json": json.dumps(data),
        "verdict": data["verdict"],
        "wpm": data["metrics"].get("wpm"),
        "fillers_per_min": data["metrics"].get("fillers_per_min"),
        "first_accomplishment_s": lead.get("seconds") if lead.get("passed") else None,
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

    def __init__(self, path: Optional[Path] = None, *, db: Optional[Database] = None):
        self.db = db or Database(path)
        self.path = self.db.path
        self._conn = self.db.conn
        self._bank = self._debriefs = None
        if not self.db.read_only:
            self._recover_orphans()

    @property
    def bank(self):
        """The accomplishment bank, on this store's connection."""
        if self._bank is None:
            from rehearse.store.bank import Bank

            self._bank = Bank(self.db)
        return self._bank

    @property
    def debriefs(self):
        """Saved debriefs, on this store's connection."""
        if self._debriefs is None:
            from rehearse.store.debriefs import DebriefStore

            self._debriefs = DebriefStore(self.db)
        return self._debriefs

    @property
    def schema_version(self) -> int:
        return len(self.db.applied())

    def _transaction(self):
        return self.db.transaction()

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
        chosen = session_id
        started = now()
        with self._transaction():
            for attempt in range(8):
                session_id = chosen or new_session_id()
                try:
                    self._conn.execute(
                        "INSERT INTO sessions (id, started_at, mode, archetype, prompt_id, prompt_text, source, "
                        "status, pid, audio_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (session_id, started, mode, archetype, prompt_id, prompt_text, source, status,
                         os.getpid(), None if audio_path is None else str(audio_path)),
                    )
                    break
                except sqlite3.IntegrityError:
                    # several processes saving in the same second can draw the same id: draw again
                    if chosen or attempt == 7:
                        raise
        return session_id

    def update(self, session_id: str, **fields: Any) -> None:
        """Set columns; ``words`` (list of Word), ``score`` (Score) and ``extra`` (dict) are encoded.

        Setting a score also fills the denormalised figures and appends the score to the session's
        results (``score_reason`` names why: ``original`` by default, ``rescore``, ``retranscribe``).
        """
        columns: dict[str, Any] = {}
        reason = fields.pop("score_reason", "original")
        score_row = None
        for key, value in fields.items():
            if key == "words":
                columns["words_json"] = json.dumps([w.to_json() for w in value])
            elif key == "score":
                columns.update(score_columns(value))
                if value is not None:
                    columns["scored_at"] = now()
                    score_row = columns
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
            if score_row is not None:
                self._conn.execute(
                    "INSERT INTO scores (session_id, scored_at, reason, engine, transcript, words_json, "
                    "score_json, verdict) SELECT id, scored_at, ?, engine, transcript, words_json, score_json, "
                    "verdict FROM sessions WHERE id = ?", (reason, session_id))

    def save_scored(self, session_id: str, *, score: Score, words: Iterable[Word], transcript: str,
                    engine: Optional[str], duration_s: Optional[float], status: str = "complete",
                    extra: Optional[dict] = None) -> None:
        fields: dict[str, Any] = dict(score=score, words=list(words), transcript=transcript, engine=engine,
                                      duration_s=duration_s, status=status)
        if extra is not None:
            fields["extra"] = extra
        self.update(session_id, **fields)

    def rescore(self, session_id: str, *, score: Score, words: Iterable[Word], transcript: str,
                engine: Optional[str], reason: str = "rescore", extra: Optional[dict] = None) -> None:
        """Make ``score`` the session's current result; earlier results stay in :meth:`scores`.

        A ``failed`` or ``interrupted`` session becomes ``complete`` and its error is cleared."""
        fields: dict[str, Any] = dict(score=score, words=list(words), transcript=transcript, engine=engine,
                                      status="complete", error=None, score_reason=reason)
        if extra is not None:
            fields["extra"] = extra
        self.update(session_id, **fields)

    def delete(self, session_id: str) -> None:
        """Remove the session's rows (the session and all its results); the audio file is the caller's."""
        with self._transaction():
            self._conn.execute("DELETE FROM scores WHERE session_id = ?", (session_id,))
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
        """Whole sessions, newest first (parses each one's JSON; see :meth:`history` for listings)."""
        where, params = _filters(archetype, mode, since)
        sql = "SELECT * FROM sessions" + where + " ORDER BY started_at DESC, id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [_record(r) for r in self._conn.execute(sql, params)]

    def history(self, *, limit: Optional[int] = None, archetype: Optional[str] = None,
                mode: Optional[str] = None, since: Optional[str] = None,
                scored_only: bool = False, oldest_first: bool = False,
                exclude_modes: Sequence[str] = (), exclude_statuses: Sequence[str] = ()) -> list[HistoryRow]:
        """Sessions for listing and trends (no JSON parsed), newest first unless ``oldest_first``.

        ``since`` is an ISO 8601 UTC time compared with ``started_at``; ``scored_only`` keeps only
        sessions that have a verdict; ``exclude_modes`` and ``exclude_statuses`` leave sessions out
        (progress leaves out :data:`UNTRENDED_MODES`; history hides ``no_speech`` attempts).
        """
        where, params = _filters(archetype, mode, since, scored_only, exclude_modes, exclude_statuses)
        order = "ASC" if oldest_first else "DESC"
        sql = ("SELECT id, started_at, mode, archetype, status, verdict, duration_s, wpm, fillers_per_min, "
               "first_accomplishment_s, prompt_id FROM sessions" + where +
               f" ORDER BY started_at {order}, id {order}")
        if limit:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [HistoryRow(*row) for row in self._conn.execute(sql, params).fetchall()]

    def count(self, *, archetype: Optional[str] = None, mode: Optional[str] = None,
              since: Optional[str] = None, scored_only: bool = False,
              exclude_modes: Sequence[str] = (), exclude_statuses: Sequence[str] = (),
              status: Optional[str] = None) -> int:
        where, params = _filters(archetype, mode, since, scored_only, exclude_modes, exclude_statuses, status)
        return self._conn.execute("SELECT COUNT(*) FROM sessions" + where, params).fetchone()[0]

    def scores(self, session_id: str) -> list[ScoreRecord]:
        """Every result the session has had, oldest first (the last one is the current result)."""
        rows = self._conn.execute(
            "SELECT scored_at, reason, engine, transcript, words_json, score_json, verdict FROM scores "
            "WHERE session_id = ? ORDER BY id", (session_id,)).fetchall()
        # an earlier result that cannot be read back is listed with what its columns still say
        return [ScoreRecord(number=i, scored_at=r["scored_at"], reason=r["reason"], engine=r["engine"],
                            transcript=r["transcript"], words=_decode(r["words_json"], _words, (), []),
                            score=_decode(r["score_json"], _object, {}, []), verdict=r["verdict"])
                for i, r in enumerate(rows, start=1)]

    def ids(self, limit: int = 5) -> list[str]:
        """The newest session ids (for hints)."""
        return [r[0] for r in self._conn.execute(
            "SELECT id FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?", (int(limit),))]

    def close(self) -> None:
        self.db.close()


def _filters(archetype: Optional[str], mode: Optional[str], since: Optional[str],
             scored_only: bool = False, exclude_modes: Sequence[str] = (),
             exclude_statuses: Sequence[str] = (), status: Optional[str] = None) -> tuple[str, list]:
    where, params = [], []
    for column, values in (("mode", exclude_modes), ("status", exclude_statuses)):
        if values:
            where.append(f"{column} NOT IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if status:
        where.append("status = ?")
        params.append(status)
    if archetype:
        where.append("archetype = ?")
        params.append(archetype)
    if mode:
        where.append("mode = ?")
        params.append(mode)
    if since:
        where.append("started_at >= ?")
        params.append(since)
    if scored_only:
        where.append("verdict IS NOT NULL")
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _words(words_json: str) -> tuple[Word, ...]:
    data = json.loads(words_json)
    if not isinstance(data, list):
        raise ValueError("not a list of words")
    return tuple(Word.from_json(w) for w in data)


def _object(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _decode(value: Optional[str], parse, empty, damage: list, part: str = "") -> Any:
    """``parse(value)``; when it cannot be read back, ``empty`` and ``part`` noted in ``damage``."""
    if not value:
        return empty
    try:
        return parse(value)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        damage.append(part)
        return empty


def _record(row: sqlite3.Row) -> SessionRecord:
    damage: list[str] = []
    words = _decode(row["words_json"], _words, (), damage, "its timed words")
    score = _decode(row["score_json"], _object, None, damage, "its score")
    extra = _decode(row["extra_json"], _object, {}, damage, "its drill data")
    return SessionRecord(
        id=row["id"], started_at=row["started_at"], mode=row["mode"], archetype=row["archetype"],
        prompt_id=row["prompt_id"], prompt_text=row["prompt_text"], source=row["source"],
        status=row["status"], stopped_by=row["stopped_by"], audio_path=row["audio_path"],
        duration_s=row["duration_s"], engine=row["engine"], transcript=row["transcript"], words=words,
        score=score, verdict=row["verdict"], extra=extra,
        scored_at=row["scored_at"], error=row["error"], damaged=tuple(damage),
    )
