"""`rehearse export`: a shareable report in Markdown or JSON, through the CLI."""

import json

from rehearse.store.sessions import Store
from test_history import OPENING, make_score, make_session, timed_words

EVIDENCE = {"thanks_for_callback": (0, 6), "leads_with_accomplishment": (7, 6)}


def test_markdown_has_prompt_timed_transcript_checks_advice_and_metrics(run_cli):
    sid = make_session(evidence=EVIDENCE)
    saved = Store().get(sid)
    code, out, err = run_cli("export", sid)
    assert code == 0, err
    assert out.startswith("# Interview opening rehearsal: storyteller")
    assert "> Tell me why you came back." in out
    assert "| time (s) | words |" in out and "| 0.5 | thank you for asking me back" in out
    assert '"thank you for asking me back" (at 0.5 s)' in out
    assert "| pass | Leads with your accomplishment | yes | 90 |" in out
    assert "| miss | Asks what a very successful first year would accomplish | no | 10 |" in out
    assert "- Do asks\\_first\\_year\\_question." in out  # advice of the missed checks (escaped)
    assert "For this interviewer:" in out  # the archetype's coaching
    assert f"| words per minute | {saved.score['metrics']['wpm']:.0f} |" in out
    assert f"| filler words | {saved.score['metrics']['fillers']} |" in out
    assert "Verdict: **PASS**" in out


def test_json_report_carries_the_same_facts(run_cli, tmp_path):
    sid = make_session(evidence=EVIDENCE, mode="drill", extra={"timing": {"limit_s": 30, "light": "green"}})
    target = tmp_path / "report.json"
    code, out, err = run_cli("export", sid[:-1], "--format", "json", "-o", str(target))
    assert code == 0 and out == "" and str(target) in err
    report = json.loads(target.read_text())
    saved = Store().get(sid)
    assert report["session_id"] == sid and report["mode"] == "drill"
    assert report["prompt"]["text"] == "Tell me why you came back."
    assert report["words"] == [w.to_json() for w in saved.words]
    assert report["checks"] == saved.score["checks"] and report["metrics"] == saved.score["metrics"]
    assert report["verdict"] == "pass" and report["timing"] == {"limit_s": 30, "light": "green"}
    assert "Do asks_first_year_question." in report["advice"]
    assert report["earlier_results"] == []


def test_a_rescored_session_lists_its_earlier_results(run_cli):
    sid = make_session(passed={})
    store = Store()
    better = make_score("storyteller", OPENING, timed_words(OPENING),
                        {"leads_with_accomplishment": True, "thanks_for_callback": True})
    store.rescore(sid, score=better, words=timed_words(OPENING), transcript=OPENING, engine="scripted")
    code, out, _ = run_cli("export", sid, "-f", "json")
    report = json.loads(out)
    assert report["verdict"] == "pass"
    assert [(r["result"], r["reason"], r["verdict"]) for r in report["earlier_results"]] == [(1, "original", "fail")]
    code, out, _ = run_cli("export", sid)
    assert "## Earlier results" in out and "| 1 |" in out and "| original | fail |" in out


def test_text_session_and_markdown_escaping(run_cli):
    sid = make_session(timed=False, prompt_text=None, text="i built a | pipe *star* thing")
    code, out, _ = run_cli("export", sid)
    assert "> i built a \\| pipe \\*star\\* thing" in out and "| time (s)" not in out


def test_export_faults_are_one_sentence(run_cli, tmp_path):
    code, out, err = run_cli("export", "nothing-here")
    assert code == 2 and "No session matches" in err
    sid = make_session()
    code, out, err = run_cli("export", sid, "-o", str(tmp_path / "no" / "such" / "dir" / "r.md"))
    assert code == 2 and "cannot be written" in err and err.count("\n") == 1
