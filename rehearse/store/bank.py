"""The accomplishment bank's table: the user's accomplishments, one of them marked best for this job.

The entries themselves (validation, TOML import and export) are pure: :mod:`rehearse.coaching.bank`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Optional

from rehearse.coaching.bank import (FIELDS, Accomplishment, parse_toml, similar_entry, split_terms, to_toml,
                                    validate)
from rehearse.core.errors import RehearseError
from rehearse.store.db import Database, now


def _terms(terms_json: str) -> tuple[str, ...]:
    """The stored key terms; ones that cannot be read back count as none (editing the entry saves them again)."""
    try:
        terms = json.loads(terms_json or "[]")
    except (ValueError, RecursionError):
        return ()
    return tuple(t for t in terms if isinstance(t, str)) if isinstance(terms, list) else ()


def _row(row) -> Accomplishment:
    return Accomplishment(
        id=row["id"], title=row["title"], situation=row["situation"], action=row["action"],
        result=row["result"], terms=_terms(row["terms_json"]), best=bool(row["best"]),
        source=row["source"], created_at=row["created_at"], updated_at=row["updated_at"])


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    added: tuple[Accomplishment, ...] = ()
    updated: tuple[Accomplishment, ...] = ()
    removed: int = 0
    """Entries deleted first (``replace``)."""


class Bank:
    """The accomplishments table, on a :class:`~rehearse.store.db.Database` shared with the sessions."""

    def __init__(self, db: Database):
        self.db = db
        self.conn = db.conn

    @classmethod
    def open(cls, path: Optional[Path] = None) -> "Bank":
        return cls(Database(path))

    def close(self) -> None:
        self.db.close()

    # reads
    def list(self) -> list[Accomplishment]:
        """Every entry, the best first, then oldest first."""
        rows = self.conn.execute("SELECT * FROM accomplishments ORDER BY best DESC, id").fetchall()
        return [_row(r) for r in rows]

    def best(self) -> Optional[Accomplishment]:
        row = self.conn.execute("SELECT * FROM accomplishments WHERE best = 1").fetchone()
        return _row(row) if row else None

    def by_title(self, title: str) -> Optional[Accomplishment]:
        row = self.conn.execute("SELECT * FROM accomplishments WHERE lower(title) = lower(?)",
                                (" ".join(title.split()),)).fetchone()
        return _row(row) if row else None

    def find_similar(self, title: str) -> Optional[Accomplishment]:
        """The entry a spoken or typed mention most likely means (see
        :func:`rehearse.coaching.bank.title_match`): "the onboarding redesign at Acme" is
        "Onboarding redesign"."""
        return self.by_title(title) or similar_entry(title, self.list())

    def get(self, ref: Any) -> Accomplishment:
        """An entry by id or by its exact title (any case)."""
        text = str(ref).strip()
        row = None
        if text.isdigit():
            row = self.conn.execute("SELECT * FROM accomplishments WHERE id = ?", (int(text),)).fetchone()
        if row is None and text:
            found = self.by_title(text)
            if found:
                return found
        if row is None:
            ids = ", ".join(f"{a.id} ({a.title})" for a in self.list()[:6])
            hint = f" the entries are: {ids}" if ids else " the bank is empty (`rehearse accomplishments add`)"
            raise RehearseError(f"No accomplishment {text!r};{hint}.")
        return _row(row)

    # writes
    def add(self, acc: Accomplishment) -> Accomplishment:
        acc = validate(acc)
        with self.db.transaction():
            if self.by_title(acc.title):
                raise RehearseError(f"There is already an accomplishment titled {acc.title!r}; "
                                    "edit it or choose another title.")
            if acc.best:
                self.conn.execute("UPDATE accomplishments SET best = 0 WHERE best = 1")
            stamp = now()
            cur = self.conn.execute(
                "INSERT INTO accomplishments (title, situation, action, result, terms_json, best, source, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (acc.title, acc.situation, acc.action, acc.result, json.dumps(list(acc.terms)), int(acc.best),
                 acc.source, stamp, stamp))
            new_id = cur.lastrowid
        return self.get(new_id)

    def update(self, ref: Any, **changes: Any) -> Accomplishment:
        """Change some fields of an entry (``best=True`` also unmarks the previous best)."""
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise RehearseError(f"Unknown accomplishment field {sorted(unknown)[0]!r}.")
        with self.db.transaction():
            current = self.get(ref)
            if "terms" in changes:
                changes["terms"] = split_terms(changes["terms"])
            acc = validate(replace(current, **changes))
            clash = self.by_title(acc.title)
            if clash and clash.id != current.id:
                raise RehearseError(f"There is already an accomplishment titled {acc.title!r}; choose another title.")
            if acc.best and not current.best:
                self.conn.execute("UPDATE accomplishments SET best = 0 WHERE best = 1")
            self.conn.execute(
                "UPDATE accomplishments SET title = ?, situation = ?, action = ?, result = ?, terms_json = ?, "
                "best = ?, updated_at = ? WHERE id = ?",
                (acc.title, acc.situation, acc.action, acc.result, json.dumps(list(acc.terms)), int(acc.best),
                 now(), current.id))
        return self.get(current.id)

    def set_best(self, ref: Any) -> Accomplishment:
        return self.update(ref, best=True)

    def remove(self, ref: Any) -> Accomplishment:
        with self.db.transaction():
            current = self.get(ref)
            self.conn.execute("DELETE FROM accomplishments WHERE id = ?", (current.id,))
        return current

    def import_entries(self, entries: Iterable[Accomplishment], *, replace_all: bool = False) -> ImportReport:
        """Add or update (same title, any case) every entry in one transaction: all or nothing."""
        entries = [validate(e) for e in entries]
        added, updated = [], []
        with self.db.transaction():
            removed = 0
            if replace_all:
                removed = self.conn.execute("DELETE FROM accomplishments").rowcount
            if any(e.best for e in entries):
                self.conn.execute("UPDATE accomplishments SET best = 0 WHERE best = 1")
            stamp = now()
            for e in entries:
                current = self.by_title(e.title)
                values = (e.title, e.situation, e.action, e.result, json.dumps(list(e.terms)))
                if current:
                    best = e.best or (current.best and not any(x.best for x in entries))
                    self.conn.execute(
                        "UPDATE accomplishments SET title = ?, situation = ?, action = ?, result = ?, "
                        "terms_json = ?, best = ?, updated_at = ? WHERE id = ?",
                        (*values, int(best), stamp, current.id))
                    updated.append(current.id)
                else:
                    cur = self.conn.execute(
                        "INSERT INTO accomplishments (title, situation, action, result, terms_json, best, source, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'import', ?, ?)",
                        (*values, int(e.best), stamp, stamp))
                    added.append(cur.lastrowid)
        return ImportReport(added=tuple(self.get(i) for i in added), updated=tuple(self.get(i) for i in updated),
                            removed=removed)

    def import_file(self, path: Path, *, replace_all: bool = False) -> ImportReport:
        from rehearse.core.inputs import read_text

        text = read_text(Path(path), "accomplishments file")
        return self.import_entries(parse_toml(text, str(path)), replace_all=replace_all)

    def export_toml(self) -> str:
        return to_toml(self.list())
