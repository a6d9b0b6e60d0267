"""Saved debriefs of the first interview, and the targets they set for practice.

What a debrief is and how it is built is pure: :mod:`rehearse.coaching.debrief`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from rehearse.coaching.debrief import Answer, Debrief, Plan
from rehearse.coaching.personal import Targets
from rehearse.core.errors import RehearseError
from rehearse.store.bank import Bank
from rehearse.store.db import Database, damaged, now


def _debrief(row) -> Debrief:
    try:
        return Debrief(id=row["id"], created_at=row["created_at"], mode=row["mode"],
                       answers=tuple(Answer.from_json(a) for a in json.loads(row["answers_json"])),
                       plan=Plan.from_json(json.loads(row["plan_json"])), finished=bool(row["finished"]),
                       progress=json.loads(row["progress_json"] or "{}"))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise damaged(f"debrief {row['id']}", "its answers or plan",
                      "run `rehearse debrief` again to save a new one") from None


class DebriefStore:
    """The debriefs table, on a :class:`~rehearse.store.db.Database` shared with the sessions.

    A review is written as it goes (:meth:`save_progress` after each answer, then :meth:`save`), so
    the row of an interrupted one stays unfinished until ``rehearse debrief --resume`` ends it.
    """

    def __init__(self, db: Database):
        self.db = db
        self.conn = db.conn

    def save_progress(self, debrief: Debrief) -> Debrief:
        """Store an unfinished review (its first answer creates the row; later ones update it)."""
        return self._write(replace(debrief, finished=False))

    def save(self, debrief: Debrief) -> Debrief:
        """Store a finished review (in the row its progress was kept in, if any)."""
        return self._write(replace(debrief, finished=True, progress={}))

    def _write(self, debrief: Debrief) -> Debrief:
        values = (debrief.created_at, debrief.mode, json.dumps([a.to_json() for a in debrief.answers]),
                  json.dumps(debrief.plan.to_json()), debrief.plan.accomplishment_id, int(debrief.finished),
                  now(), json.dumps(debrief.progress) if debrief.progress else None)
        with self.db.transaction():
            if debrief.id is None:
                cur = self.conn.execute(
                    "INSERT INTO debriefs (created_at, mode, answers_json, plan_json, accomplishment_id, finished, "
                    "updated_at, progress_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
                return replace(debrief, id=cur.lastrowid)
            self.conn.execute(
                "UPDATE debriefs SET created_at = ?, mode = ?, answers_json = ?, plan_json = ?, accomplishment_id = ?, "
                "finished = ?, updated_at = ?, progress_json = ? WHERE id = ?", (*values, debrief.id))
        return debrief

    def latest(self) -> Optional[Debrief]:
        """The latest finished debrief."""
        row = self.conn.execute("SELECT * FROM debriefs WHERE finished = 1 "
                                "ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()
        return _debrief(row) if row else None

    def unfinished(self) -> Optional[Debrief]:
        """The latest debrief that was stopped before its end, to resume."""
        row = self.conn.execute("SELECT * FROM debriefs WHERE finished = 0 "
                                "ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()
        return _debrief(row) if row else None

    def get(self, ref: Any) -> Debrief:
        text = str(ref).strip()
        if text in ("", "last"):
            found = self.latest()
            if found is None:
                hint = (" (one is unfinished: `rehearse debrief --resume` continues it)" if self.unfinished()
                        else "")
                raise RehearseError(f"No debrief is saved yet{hint}; run `rehearse debrief` first.")
            return found
        row = self.conn.execute("SELECT * FROM debriefs WHERE id = ?",
                                (int(text) if text.isdigit() else -1,)).fetchone()
        if row is None:
            ids = ", ".join(str(d.id) for d in self.list()[:5])
            raise RehearseError(f"No debrief {text!r}; " + (f"saved ones: {ids}." if ids else
                                                             "none is saved yet (run `rehearse debrief`)."))
        return _debrief(row)

    def list(self) -> list[Debrief]:
        """Every debrief, finished or not, newest first."""
        return [_debrief(r) for r in self.conn.execute("SELECT * FROM debriefs ORDER BY created_at DESC, id DESC")]


def targets_from(db: Database) -> Targets:
    """The best accomplishment and the latest debrief's topics."""
    try:
        latest = DebriefStore(db).latest()
    except RehearseError:  # a damaged debrief must not stop practice; `rehearse debrief --show` names it
        latest = None
    return Targets(accomplishment=Bank(db).best(), topics=latest.plan.topics if latest else ())


def load_targets(path: Optional[Path] = None) -> Targets:
    """What practice and drills hold the opening to (empty Targets when there is nothing yet)."""
    db = Database(path)
    try:
        return targets_from(db)
    finally:
        db.close()
