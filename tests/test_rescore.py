"""`rehearse rescore`: current checks on saved transcripts (or re-transcribed audio), earlier results kept."""

import json

from fakes import script_engine, tone_wav
from rehearse.core import archetypes
from rehearse.coaching import scoring
from rehearse.core.model import Transcript
from rehearse.store.sessions import Store
from test_history import OPENING, make_session


def current_checks(session) -> dict:
    """What the scoring module says today about the saved transcript (computed here, not hard-coded)."""
    transcript = Transcript(text=session.transcript, words=session.words, engine=session.engine,
                            duration_s=session.duration_s)
    return scoring.score(transcript, archetypes.get(session.archetype)).to_json()


def test_rescore_applies_the_current_checks_and_keeps_the_earlier_result(run_cli):
    # saved with a hand-made result that today's checks would not give (every check failed, no evidence)
    sid = make_session(passed={})
    before = Store().get(sid)
    expected = current_checks(before)
    assert before.score != expected
    code, out, err = run_cli("rescore", sid, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert {k: result[k] for k in expected} == expected
    assert result["session_id"] == sid and result["reason"] == "rescore"
    assert result["previous"]["verdict"] == "fail"
    assert (f"verdict fail -> {expected['verdict']}" in result["changed"]) == (expected["verdict"] != "fail")
    results = Store().versions(sid)
    assert [r.reason for r in results] == ["original", "rescore"]
    assert results[0].score == before.score and results[1].score == expected
    # today's checks pass the required checks the hand-made result failed: the new version is current
    assert result["version"] == 2 and result["current"] and [r.current for r in results] == [False, True]
    code, out, _ = run_cli("replay", sid, "--json")
    replayed = json.loads(out)
    assert replayed["checks"] == expected["checks"] and replayed["results"] == 2 and replayed["version"] == 2
    code, out, _ = run_cli("replay", sid, "--no-audio")
    assert "Showing version 2 of 2, the current one" in out and "the others: 1: fail" in out


def test_human_output_names_what_changed(run_cli):
    sid = make_session(passed={})
    expected = current_checks(Store().get(sid))
    code, out, _ = run_cli("rescore", sid[:-1])
    assert code == 0 and out.startswith(sid) and f"fail -> {expected['verdict']}" in out
    flipped = [n for n, c in expected["checks"].items() if c["passed"]]
    for name in flipped:
        assert f"{name} miss -> pass" in out


def test_retranscribe_uses_the_saved_audio_and_the_named_engine(run_cli, rehearse_home):
    wav = tone_wav(rehearse_home / "recordings" / "a.wav", seconds=4.0)
    sid = make_session(audio_path=wav)
    script_engine("thank you for asking me back i led the rebuild of our billing system")
    code, out, err = run_cli("rescore", sid, "--retranscribe", "--engine", "scripted", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["transcript"] == "thank you for asking me back i led the rebuild of our billing system"
    assert result["engine"] == "scripted" and result["reason"] == "retranscribe"
    assert any(p.startswith(f"words {len(OPENING.split())} -> 14 (") for p in result["changed"]), result["changed"]
    assert result["comparison"]["words"]["before"] == len(OPENING.split())
    session = Store().get(sid)
    assert session.transcript == result["transcript"] and len(session.words) == 14
    assert session.words[-1].end <= 4.0
    assert [r.transcript for r in Store().versions(sid)] == [OPENING, result["transcript"]]


def test_retranscribe_can_score_an_interrupted_session(run_cli, rehearse_home):
    store = Store()
    sid = store.create(mode="practice", archetype="challenger",
                       audio_path=tone_wav(rehearse_home / "recordings" / "i.wav", seconds=2.0))
    store.update(sid, status="interrupted", duration_s=2.0)
    code, out, err = run_cli("rescore", sid)
    assert code == 2 and "no saved transcript" in err and "--retranscribe" in err
    script_engine("i cut our patient intake wait from forty minutes to twelve")
    code, out, err = run_cli("rescore", sid, "--retranscribe", "--engine", "scripted")
    assert code == 0, err
    session = Store().get(sid)
    assert session.status == "complete" and "first result" in out
    # an accomplishment with a number up front: both of the challenger's required checks pass
    assert session.verdict == "pass"


def test_all_rescores_every_session_and_skips_the_unscorable(run_cli):
    a = make_session()
    b = make_session(archetype="salesperson", passed={})
    store = Store()
    gone = store.create(mode="practice", archetype="storyteller")
    store.update(gone, status="no_speech")
    code, out, err = run_cli("rescore", "--all", "--json")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    done = {line["session_id"] for line in lines if "error" not in line}
    assert done == {a, b}
    assert [line["session_id"] for line in lines if "error" in line] == [gone]
    assert all(len(Store().versions(s)) == 2 for s in (a, b))
    code, out, err = run_cli("rescore", "--all")
    assert "Rescored 2 sessions; skipped 1." in err


def test_rescore_faults(run_cli, rehearse_home):
    code, out, err = run_cli("rescore", "--all")
    assert code == 0 and "no saved sessions" in err
    sid = make_session()
    code, out, err = run_cli("rescore", sid, "--engine", "scripted")
    assert code == 2 and "--retranscribe" in err
    code, out, err = run_cli("rescore", sid, "--retranscribe", "--engine", "scripted")
    assert code == 2 and "no recording to re-transcribe" in err
    wav = tone_wav(rehearse_home / "recordings" / "m.wav")
    sid = make_session(audio_path=wav)
    wav.unlink()
    code, out, err = run_cli("rescore", sid, "--retranscribe", "--engine", "scripted")
    assert code == 2 and "is missing" in err and err.count("\n") == 1



def test_rescore_needs_a_session_or_all(run_cli):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        run_cli("rescore")
    assert exit_info.value.code == 2
