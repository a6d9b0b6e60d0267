import json
import os
import sqlite3
import subprocess
import sys

import pytest

from rehearse.core.errors import RehearseError
from rehearse.core.model import Archetype, Transcript, Word
from rehearse.store.migrations import MIGRATIONS
from rehearse.store.sessions import Store


def _score(text="Thank you for asking me back. I led the migration that cut costs by 30 percent."):
    from rehearse.coaching import scoring

    arch = Archetype("storyteller", "S", "", "", ("leads_with_accomplishment",))
    return scoring.score(Transcript(text=text, words=(Word("thank", 0.0, 0.3),), engine="x", duration_s=3.0), arch)


def test_migrations_bring_a_new_database_to_the_latest_version(tmp_path):
    store = Store(tmp_path / "a.db")
    assert store.schema_version == len(MIGRATIONS)
    columns = {r[1] for r in sqlite3.connect(tmp_path / "a.db").execute("PRAGMA table_info(sessions)")}
    assert {"id", "started_at", "mode", "archetype", "audio_path", "transcript", "words_json", "score_json"} <= columns


def test_a_database_from_a_newer_version_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "b.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(RehearseError, match="newer rehearse"):
        Store(path)


def test_a_corrupt_database_gives_a_plain_error(tmp_path):
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RehearseError, match="cannot be opened"):
        Store(path)


def test_session_round_trip_keeps_words_and_score(tmp_path):
    store = Store(tmp_path / "s.db")
    sid = store.create(mode="practice", archetype="storyteller", prompt_id="storyteller-1", prompt_text="hi")
    score = _score()
    store.save_scored(sid, score=score, words=[Word("thank", 0.0, 0.3)], transcript=score.transcript,
                      engine="x", duration_s=3.0)
    rec = store.get(sid)
    assert rec.status == "complete"
    assert rec.words == (Word("thank", 0.0, 0.3),)
    assert rec.score == json.loads(json.dumps(score.to_json()))
    assert rec.verdict == score.verdict
    assert rec.history_json()["session_id"] == sid


def test_a_failed_write_leaves_nothing_half_written(tmp_path):
    store = Store(tmp_path / "t.db")
    sid = store.create(mode="practice", archetype="storyteller")
    with pytest.raises(sqlite3.Error):
        store.update(sid, transcript="x", no_such_column=1)
    assert store.get(sid).transcript is None


def test_resolve_accepts_unique_prefix_and_last_and_explains_ambiguity(tmp_path):
    store = Store(tmp_path / "r.db")
    a = store.create(mode="score", archetype="storyteller", session_id="20260101-000000-aaaa")
    store.create(mode="score", archetype="storyteller", session_id="20260101-000000-aabb")
    assert store.resolve("20260101-000000-aaa").id == a
    with pytest.raises(RehearseError, match="several sessions"):
        store.resolve("20260101-000000-aa")
    with pytest.raises(RehearseError, match="No session matches"):
        store.resolve("nope")
    assert store.resolve("last").id in {a, "20260101-000000-aabb"}


def test_rows_left_recording_by_a_dead_process_become_interrupted(tmp_path):
    path = tmp_path / "k.db"
    code = (
        "import sys; from rehearse.store.sessions import Store; "
        f"s = Store(__import__('pathlib').Path({str(path)!r})); "
        "print(s.create(mode='practice', archetype='storyteller'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ})
    sid = out.stdout.strip()
    rec = Store(path).get(sid)
    assert rec.status == "interrupted"
    assert rec.stopped_by == "killed"


def test_a_live_recording_in_this_process_is_left_alone(tmp_path):
    path = tmp_path / "l.db"
    sid = Store(path).create(mode="practice", archetype="storyteller")
    assert Store(path).get(sid).status == "recording"



def test_a_storage_fault_in_the_middle_of_a_command_is_one_sentence(run_cli, monkeypatch):
    import rehearse.store.sessions as sessions

    def locked(self, *a, **kw):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(sessions.Store, "history", locked)
    code, out, err = run_cli("history")
    assert code == 2
    assert err.count("\n") == 1 and "busy" in err and "unexpected" not in err

