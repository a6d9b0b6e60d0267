"""Sessions: one row per round, created *before* recording starts, and every version of its result.

A session row is created with status ``recording`` so that a killed process still leaves a row
pointing at its audio; the next time the store is opened, such rows whose process is gone are marked
``interrupted``. A round that fails after its audio was recorded is marked ``failed`` with the reason
(column ``error``) and keeps its audio, so ``rehearse rescore`` can finish it.

A row whose stored JSON cannot be read back is still listed, resolved, rescored and deleted: the
unreadable parts come back empty and are named in :attr:`SessionRecord.damaged`;
:meth:`SessionRecord.require_intact` turns them into one sentence for commands that show them.

Versions: every scoring of a session (the first, then each ``rehearse rescore``) is kept in the
``scores`` table as a numbered version (transcript, timed words, engine, checker, score, personal
results, when). One of them is current (``sessions.current_version``), and the session row holds that
version's transcript, words, score and figures, so history, progress, replay, export and the sheet
read the current version from one row. :meth:`Store.use` makes another version current.
"""

from __future__ import annotations

import dataclasses
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
    version: Optional[int] = None
    """The number of the current version of its result (see :meth:`Store.versions`), or None if never scored."""
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
    """One version of a session's result: its first score, or one from ``rehearse rescore``."""

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
    checker: Optional[str] = None
    """The checker that decided it (``ensemble``, ``rules``...); None for results saved before versions
    recorded it."""
    personal: Optional[list] = None
    """The personal check objects of this version, or None (none to hold it to, or not recorded)."""
    current: bool = False
    """Whether this is the session's current version."""

    def to_json(self) -> dict[str, Any]:
        checks = self.score.get("checks") or {}
        return {
            "version": self.number, "current": self.current, "scored_at": self.scored_at,
            "reason": self.reason, "engine": self.engine, "checker": self.checker, "verdict": self.verdict,
            "transcript": self.transcript, "words": [w.to_json() for w in self.words],
            "checks": {n: bool(c.get("passed")) for n, c in checks.items() if isinstance(c, dict)},
            "score": self.score, "personal": self.personal,
        }


def score_columns(score: Optional[Score]) -> dict[str, Any]:
    """The denormalised columns a score fills (all None without a score)."""
    if score is None:
        return {"score_json": None, "verdict": None, "wpm": None, "fillers_per_min": None,
                "first_accomplishment_s": None}
    data = score.to_json()
    return {"score_json": json.dumps(data), **figure_columns(data)}


def figure_columns(data: dict[str, Any]) -> dict[str, Any]:
    """The verdict and figures copied out of a score object (contract shape) into the session row."""
    checks = data.get("checks") or {}
    lead = checks.get("leads_with_accomplishment") or {}
    metrics = data.get("metrics") or {}
    return {
        "verdict": data.get("verdict"),
        "wpm": metrics.get("wpm"),
        "fillers_per_min": metrics.get("fillers_per_min"),
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

        Setting a score also fills the denormalised figures and saves the result as the session's next
        version, which becomes current (``score_reason`` names why: ``original`` by default,
        ``rescore``, ``retranscribe``; ``checker`` names the checker that decided it). The version's
        personal results are ``extra["personal"]`` as the row holds it after this update.
        """
        columns: dict[str, Any] = {}
        reason = fields.pop("score_reason", "original")
        checker = fields.pop("checker", None)
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
                number = self._next_version(session_id)
                self._conn.execute(
                    "INSERT INTO scores (session_id, version, scored_at, reason, engine, checker, transcript, "
                    "words_json, score_json, verdict, personal_json) SELECT id, ?, scored_at, ?, engine, ?, "
                    "transcript, words_json, score_json, verdict, " + _PERSONAL_SQL + " FROM sessions WHERE id = ?",
                    (number, reason, checker, session_id))
                self._conn.execute("UPDATE sessions SET current_version = ? WHERE id = ?", (number, session_id))

    def _next_version(self, session_id: str) -> int:
        return self._conn.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM scores WHERE session_id = ?",
                                  (session_id,)).fetchone()[0]

    def save_scored(self, session_id: str, *, score: Score, words: Iterable[Word], transcript: str,
                    engine: Optional[str], duration_s: Optional[float], status: str = "complete",
                    extra: Optional[dict] = None, checker: Optional[str] = None) -> None:
        """Save a round's first result (version 1, current)."""
        fields: dict[str, Any] = dict(score=score, words=list(words), transcript=transcript, engine=engine,
                                      duration_s=duration_s, status=status, checker=checker)
        if extra is not None:
            fields["extra"] = extra
        self.update(session_id, **fields)

    def rescore(self, session_id: str, *, score: Score, words: Iterable[Word], transcript: str,
                engine: Optional[str], reason: str = "rescore", extra: Optional[dict] = None,
                checker: Optional[str] = None, personal: Optional[list] = None,
                make_current: bool = True) -> int:
        """Save ``score`` as the session's next version and return its number; earlier versions stay.

        With ``make_current`` it becomes the current result (``extra`` replaces the session's extra
        data, and its ``"personal"`` is the version's personal results; a ``failed`` or ``interrupted``
        session becomes ``complete`` and its error is cleared). Without, only the version is saved,
        with ``personal``, and the current result stays as it is (:meth:`use` can pick it later)."""
        words = list(words)
        if make_current:
            fields: dict[str, Any] = dict(score=score, words=words, transcript=transcript, engine=engine,
                                          status="complete", error=None, score_reason=reason, checker=checker)
            if extra is not None:
                fields["extra"] = extra
            with self._transaction():
                self.update(session_id, **fields)
                return self._next_version(session_id) - 1
        columns = score_columns(score)
        with self._transaction():
            if self._conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                raise RehearseError(f"No session {session_id!r} to update.")
            number = self._next_version(session_id)
            self._conn.execute(
                "INSERT INTO scores (session_id, version, scored_at, reason, engine, checker, transcript, "
                "words_json, score_json, verdict, personal_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, number, now(), reason, engine, checker, transcript,
                 json.dumps([w.to_json() for w in words]), columns["score_json"], columns["verdict"],
                 None if personal is None else json.dumps(personal)))
        return number

    def use(self, session_id: str, number: int) -> ScoreRecord:
        """Make version ``number`` the session's current result: its transcript, words, engine, score,
        figures and personal results go back into the session row (the other versions stay)."""
        versions = self.versions(session_id)
        chosen = next((v for v in versions if v.number == number), None)
        if chosen is None:
            have = (f"versions 1 to {versions[-1].number}" if len(versions) > 1 else
                    "only version 1" if versions else "no versions: it was never scored")
            raise RehearseError(f"Session {session_id} has no version {number}; it has {have} "
                                f"(`rehearse versions {session_id}` lists them).")
        row = self._conn.execute("SELECT scores.score_json, scores.words_json, sessions.extra_json FROM scores "
                                 "JOIN sessions ON sessions.id = scores.session_id "
                                 "WHERE scores.session_id = ? AND scores.version = ?", (session_id, number)).fetchone()
        damage: list[str] = []
        data = _decode(row["score_json"], _object, None, damage, "its score")
        _decode(row["words_json"], _words, (), damage, "its timed words")
        if damage or data is None:
            raise damaged(f"version {number} of session {session_id}", " and ".join(damage) or "its score",
                          "pick another version")
        columns = {"transcript": chosen.transcript, "words_json": row["words_json"], "engine": chosen.engine,
                   "score_json": row["score_json"], **figure_columns(data), "scored_at": chosen.scored_at,
                   "current_version": number, "status": "complete", "error": None}
        extra_damage: list[str] = []
        extra = _decode(row["extra_json"], _object, {}, extra_damage)
        if not extra_damage:  # an unreadable extra is left as it is, not overwritten
            extra = {k: v for k, v in extra.items() if k != "personal"}
            if chosen.personal is not None:
                extra["personal"] = chosen.personal
            columns["extra_json"] = json.dumps(extra) if extra else None
        assignments = ", ".join(f"{c} = ?" for c in columns)
        with self._transaction():
            self._conn.execute(f"UPDATE sessions SET {assignments} WHERE id = ?", (*columns.values(), session_id))
        return dataclasses.replace(chosen, current=True)

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

    def versions(self, session_id: str) -> list[ScoreRecord]:
        """Every version of the session's result, oldest first; the current one has ``current`` set."""
        rows = self._conn.execute(
            "SELECT s.version, s.scored_at, s.reason, s.engine, s.checker, s.transcript, s.words_json, s.score_json, "
            "s.verdict, s.personal_json, (SELECT current_version FROM sessions WHERE id = s.session_id) AS current_version "
            "FROM scores AS s WHERE s.session_id = ? ORDER BY s.version", (session_id,)).fetchall()
        # a version that cannot be read back is listed with what its columns still say
        return [ScoreRecord(number=r["version"], scored_at=r["scored_at"], reason=r["reason"], engine=r["engine"],
                            transcript=r["transcript"], words=_decode(r["words_json"], _words, (), []),
                            score=_decode(r["score_json"], _object, {}, []), verdict=r["verdict"],
                            checker=r["checker"], personal=_decode(r["personal_json"], _list, None, []),
                            current=r["version"] == r["current_version"])
                for r in rows]

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


def _list(text: str) -> list:
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("not a JSON list")
    return data


_PERSONAL_SQL = ("CASE WHEN json_valid(extra_json) THEN CASE WHEN json_type(extra_json, '$.personal') = 'array' "
                 "THEN json_extract(extra_json, '$.personal') END END")
"""The personal results in a session row's extra data, as JSON text (NULL when there are none)."""


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
        scored_at=row["scored_at"], error=row["error"], version=row["current_version"], damaged=tuple(damage),
    )
