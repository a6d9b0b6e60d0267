"""The user's own words from saved sessions: the best evidence a check has had.

Read with SQLite's JSON functions over the sessions' current scores, so nothing else is parsed.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from rehearse.core.model import CHECK_NAMES
from rehearse.store.db import Database


def best_evidence(db: Database, check: str) -> Optional[dict[str, Any]]:
    """``{"evidence", "score", "word_index", "words", "session_id", "started_at"}`` of the passing ``check``
    with the highest
    score in the saved sessions (the latest on a tie), or None when it never passed with evidence;
    ``words`` are the answer's words ``word_index`` counts in."""
    if check not in CHECK_NAMES:
        raise ValueError(f"unknown check {check!r}")
    path = f"$.checks.{check}"
    row = db.conn.execute(
        "SELECT id, started_at, transcript, words_json, json_extract(score_json, ?) AS evidence, "
        "json_extract(score_json, ?) AS score, json_extract(score_json, ?) AS word_index "
        "FROM sessions WHERE score_json IS NOT NULL AND json_extract(score_json, ?) = 1 "
        "AND evidence IS NOT NULL AND trim(evidence) != '' "
        "ORDER BY score DESC, started_at DESC, rowid DESC LIMIT 1",  # rowid: saved later
        (f"{path}.evidence", f"{path}.score", f"{path}.word_index", f"{path}.passed")).fetchone()
    if row is None:
        return None
    # word_index counts in the timed words, or in the transcript's tokens when there are none
    timed = [w["word"] for w in json.loads(row["words_json"])] if row["words_json"] else []
    words = timed or (row["transcript"] or "").split()
    return {"evidence": row["evidence"], "score": row["score"], "word_index": row["word_index"], "words": words,
            "session_id": row["id"], "started_at": row["started_at"]}
