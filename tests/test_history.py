"""`rehearse history` through the CLI, and the store's listing, figures and migration behind it."""

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

import pytest

from rehearse.core.model import CHECK_NAMES, CheckResult, Score, Transcript, Word
from rehearse.store.migrations import MIGRATIONS
from rehearse.store.sessions import Store

OPENING = ("thank you for asking me back um i was charged with cutting release time and i cut it by "
           "forty percent what would i have accomplished in the first year")


def timed_words(text: str, step: float = 0.4, start: float = 0.5) -> tuple[Word, ...]:
    return tuple(Word(w, start + i * step, start + i * step + step * 0.8) for i, w in enumerate(text.split()))


def make_score(archetype: str, text: str, words, passed: dict, required=("leads_with_accomplishment",),
               evidence: Optional[dict] = None, duration_s: Optional[float] = None) -> Score:
    """A score object built by hand (the checks' wording is another module's business)."""
    from rehearse.coaching import metrics

    evidence = evidence or {}
    checks = {}
    for name in CHECK_NAMES:
        ev = evidence.get(name)
        index = ev[0] if ev else None
        phrase = " ".join(text.split()[ev[0]:ev[0] + ev[1]]) if ev else None
        seconds = words[index].start if ev and words else None
        checks[name] = CheckResult(passed=passed.get(name, False), required=name in required,
                                   score=90 if passed.get(name) else 10, evidence=phrase, word_index=index,
                                   seconds=seconds, advice=None if passed.get(name) else f"Do {name}.")
    m = metrics.compute(Transcript(text=text, words=tuple(words), engine="scripted", duration_s=duration_s))
    return Score(archetype=archetype, transcript=text, engine="scripted" if words else None, checks=checks,
                 metrics=m)


def make_session(*, archetype="storyteller", mode="practice", text=OPENING, timed=True, passed=None,
                 evidence=None, started_at: Optional[datetime] = None, audio_path=None,
                 prompt_text="Tell me why you came back.", source="microphone", extra=None,
                 store: Optional[Store] = None) -> str:
    """Save one scored session the way practice/score do, optionally back-dated."""
    store = store or Store()
    words = timed_words(text) if timed else ()
    passed = {"leads_with_accomplishment": True, "thanks_for_callback": True} if passed is None else passed
    duration = (words[-1].end + 0.5) if words else None
    score = make_score(archetype, text, words, passed, evidence=evidence, duration_s=duration)
    sid = store.create(mode=mode, archetype=archetype, prompt_id=f"{archetype}-1" if prompt_text else None,
                       prompt_text=prompt_text, source=source, audio_path=audio_path, status="recording",
                       session_id=_unique_id(started_at))
    store.save_scored(sid, score=score, words=words, transcript=text, engine=score.engine, duration_s=duration,
                      extra=extra)
    if started_at is not None:
        store.update(sid, started_at=started_at.astimezone(timezone.utc).isoformat(timespec="seconds"))
    return sid


_counter = [0]


def _unique_id(when: Optional[datetime]) -> str:
    _counter[0] += 1
    when = when or datetime.now(timezone.utc)
    return when.strftime("%Y%m%d-%H%M%S-") + f"{_counter[0]:04x}"


def rows(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# -- CLI -----------------------------------------------------------------------------------------

def test_empty_history_is_a_friendly_line_not_an_empty_table(run_cli):
    code, out, err = run_cli("history")
    assert code == 0 and "No sessions saved yet" in out and "verdict" not in out and out.count("\n") == 1
    code, out, _ = run_cli("history", "--json")
    assert code == 0 and out == ""


def test_table_shows_when_mode_archetype_verdict_accomplishment_pace_and_fillers(run_cli):
    sid = make_session(evidence={"leads_with_accomplishment": (7, 6)})
    code, out, _ = run_cli("history")
    assert code == 0
    header, _, line = out.splitlines()[:3]
    for column in ("when", "mode", "archetype", "verdict", "1st acc.", "WPM", "fill/min"):
        assert column in header
    rec = Store().get(sid)
    expected_acc = rec.score["checks"]["leads_with_accomplishment"]["seconds"]
    assert sid in line and "practice" in line and "storyteller" in line and "pass" in line
    assert f"{expected_acc:.1f} s" in line
    assert f"{rec.score['metrics']['wpm']:.0f}" in line.split()
    assert f"{rec.score['metrics']['fillers_per_min']:.1f}" in line.split()


def test_json_keeps_the_contract_fields_and_adds_the_figures(run_cli):
    sid = make_session(evidence={"leads_with_accomplishment": (7, 6)})
    make_session(passed={}, mode="drill", archetype="challenger")
    code, out, _ = run_cli("history", "--json")
    listed = rows(out)
    assert len(listed) == 2
    for row in listed:
        assert {"session_id", "started_at", "mode", "archetype", "verdict", "duration_s"} <= set(row)
        datetime.fromisoformat(row["started_at"])
    first_made = next(r for r in listed if r["session_id"] == sid)
    score = Store().get(sid).score
    assert first_made["wpm"] == score["metrics"]["wpm"]
    assert first_made["fillers_per_min"] == score["metrics"]["fillers_per_min"]
    assert first_made["first_accomplishment_s"] == score["checks"]["leads_with_accomplishment"]["seconds"]
    failed = next(r for r in listed if r["session_id"] != sid)
    assert failed["verdict"] == "fail" and failed["first_accomplishment_s"] is None


def test_newest_first_and_filters_by_archetype_mode_and_since(run_cli):
    now = datetime.now(timezone.utc)
    old = make_session(archetype="salesperson", mode="practice", started_at=now - timedelta(days=30))
    mid = make_session(archetype="challenger", mode="drill", started_at=now - timedelta(days=3))
    new = make_session(archetype="challenger", mode="practice", started_at=now - timedelta(hours=1))
    code, out, _ = run_cli("history", "--json")
    assert [r["session_id"] for r in rows(out)] == [new, mid, old]
    code, out, _ = run_cli("history", "--json", "--archetype", "Challenger")
    assert [r["session_id"] for r in rows(out)] == [new, mid]
    code, out, _ = run_cli("history", "--json", "--mode", "practice")
    assert [r["session_id"] for r in rows(out)] == [new, old]
    code, out, _ = run_cli("history", "--json", "--since", "7d")
    assert [r["session_id"] for r in rows(out)] == [new, mid]
    day = (now - timedelta(days=10)).astimezone().strftime("%Y-%m-%d")
    code, out, _ = run_cli("history", "--json", "--since", day, "--archetype", "challenger", "--mode", "drill")
    assert [r["session_id"] for r in rows(out)] == [mid]
    code, out, _ = run_cli("history", "--archetype", "salesperson", "--since", "today")
    assert code == 0 and "No sessions match those filters" in out


def test_limit_and_the_more_line(run_cli):
    now = datetime.now(timezone.utc)
    made = [make_session(started_at=now - timedelta(minutes=i)) for i in range(25)]
    code, out, _ = run_cli("history")
    table = [line for line in out.splitlines() if line.startswith("20")]
    assert len(table) == 20 and made[0] in table[0]
    assert "5 more; use --limit 25" in out
    code, out, _ = run_cli("history", "--limit", "3")
    assert "22 more" in out
    code, out, _ = run_cli("history", "--json", "--limit", "2")
    assert [r["session_id"] for r in rows(out)] == made[:2]
    code, out, _ = run_cli("history", "--json")
    assert len(rows(out)) == 25


def test_bad_since_and_limit_are_one_sentence(run_cli):
    code, out, err = run_cli("history", "--since", "last tuesday")
    assert code == 2 and "--since 'last tuesday' is not a time" in err and err.count("\n") == 1
    code, out, err = run_cli("history", "--limit", "0")
    assert code == 2 and "--limit" in err


def test_unscored_sessions_show_their_status(run_cli):
    store = Store()
    for status in ("no_speech", "interrupted"):
        store.update(store.create(mode="practice", archetype="storyteller"), status=status)
    code, out, _ = run_cli("history", "--all")
    assert "no speech" in out and "interrupted" in out and "hidden" not in out


def _silent_practice(monkeypatch, tmp_path, run_cli):
    from fakes import install_fake_devices, script_engine, silent_wav

    install_fake_devices(monkeypatch, silent_wav(tmp_path / "quiet.wav"))
    script_engine("")
    code, _, err = run_cli("practice", "--archetype", "storyteller", "--engine", "scripted")
    assert code == 2 and "No speech was heard" in err


def test_no_speech_attempts_are_hidden_from_the_table_and_counted(run_cli, monkeypatch, tmp_path):
    kept = [make_session(), make_session(archetype="challenger")]
    for _ in range(2):
        _silent_practice(monkeypatch, tmp_path, run_cli)
    code, out, _ = run_cli("history")
    assert code == 0
    table = [line for line in out.splitlines() if re.search(r"\d{8}-\d{6}-\w+$", line)]
    assert sorted(line.split()[-1] for line in table) == sorted(kept)
    assert "2 attempts in which no speech was heard are hidden; `rehearse history --all` lists them." in out
    code, out, _ = run_cli("history", "--all")
    table = [line for line in out.splitlines() if re.search(r"\d{8}-\d{6}-\w+$", line)]
    assert len(table) == 4 and sum("no speech" in line for line in table) == 2 and "hidden" not in out
    code, out, _ = run_cli("history", "--archetype", "challenger")  # the count follows the filters
    assert "hidden" not in out
    code, out, _ = run_cli("history", "--json")  # the contract's listing keeps every session
    assert [r["status"] for r in rows(out)].count("no_speech") == 2 and len(rows(out)) == 4


def test_only_no_speech_attempts_say_so_instead_of_an_empty_table(run_cli, monkeypatch, tmp_path):
    _silent_practice(monkeypatch, tmp_path, run_cli)
    code, out, _ = run_cli("history")
    assert code == 0 and "verdict" not in out
    assert "1 attempt in which no speech was heard is hidden; `rehearse history --all` lists them." in out


def test_demo_runs_are_saved_as_demo_listed_by_mode_and_kept_out_of_progress(run_cli):
    from fakes import script_engine

    script_engine("thank you for asking me back i rebuilt our pipeline and cut release time by forty percent")
    code, out, err = run_cli("demo", "--text-prompt", "--engine", "scripted", "--json")
    demo_id = json.loads(out)["session_id"]
    mine = make_session()
    code, out, _ = run_cli("history", "--json")
    modes = {r["session_id"]: r["mode"] for r in rows(out)}
    assert modes == {demo_id: "demo", mine: "practice"}
    code, out, _ = run_cli("history", "--mode", "demo")
    assert demo_id in out and mine not in out
    code, out, _ = run_cli("progress", "--json", "--no-chart")
    assert json.loads(out)["sessions"] == 1  # your practice, not the sample answer
    code, out, _ = run_cli("progress", "--json", "--no-chart", "--mode", "practice")
    assert json.loads(out)["sessions"] == 1


def test_the_demo_mode_migration_relabels_earlier_demo_runs(tmp_path):
    path = tmp_path / "old.db"
    store = Store(path)
    demo = store.create(mode="practice", archetype="storyteller", source="sample")  # as `demo` saved them
    mine = store.create(mode="practice", archetype="storyteller", source="microphone")
    store.db.conn.execute("DELETE FROM migrations WHERE name = '005_demo_mode'")  # a database from before
    store.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert (store.get(demo).mode, store.get(mine).mode) == ("demo", "practice")


# -- store ----------------------------------------------------------------------------------------

def test_migration_backfills_figures_and_first_results_from_a_version_1_database(tmp_path):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0][1])
    score = make_score("storyteller", OPENING, timed_words(OPENING), {"leads_with_accomplishment": True},
                       evidence={"leads_with_accomplishment": (7, 6)}, duration_s=12.0).to_json()
    failing = {**score, "checks": {**score["checks"], "leads_with_accomplishment":
                                   {**score["checks"]["leads_with_accomplishment"], "passed": False}}}
    for sid, data in (("a", score), ("b", failing)):
        conn.execute("INSERT INTO sessions (id, started_at, mode, archetype, status, score_json, verdict, "
                     "transcript) VALUES (?, '2025-01-01T00:00:00+00:00', 'practice', 'storyteller', 'complete', "
                     "?, 'pass', ?)", (sid, json.dumps(data), OPENING))
    conn.execute("INSERT INTO sessions (id, started_at, mode, archetype, status) VALUES "
                 "('c', '2025-01-02T00:00:00+00:00', 'practice', 'storyteller', 'interrupted')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    listed = {r.id: r for r in store.history()}
    assert listed["a"].wpm == score["metrics"]["wpm"] and listed["a"].wpm is not None
    assert listed["a"].fillers_per_min == score["metrics"]["fillers_per_min"]
    assert listed["a"].first_accomplishment_s == score["checks"]["leads_with_accomplishment"]["seconds"]
    assert listed["b"].first_accomplishment_s is None
    assert listed["c"].wpm is None
    assert [r.reason for r in store.versions("a")] == ["original"]
    assert store.versions("c") == []


def test_every_score_is_kept_and_the_latest_is_current(tmp_path):
    store = Store(tmp_path / "s.db")
    sid = make_session(store=store, passed={})
    assert store.get(sid).verdict == "fail"
    better = make_score("storyteller", OPENING, timed_words(OPENING),
                        {"leads_with_accomplishment": True, "thanks_for_callback": True})
    store.rescore(sid, score=better, words=timed_words(OPENING), transcript=OPENING, engine="scripted")
    results = store.versions(sid)
    assert [(r.number, r.reason, r.verdict) for r in results] == [(1, "original", "fail"), (2, "rescore", "pass")]
    assert store.get(sid).verdict == "pass" and store.history()[0].verdict == "pass"
    store.delete(sid)
    assert store.versions(sid) == [] and store.count() == 0
