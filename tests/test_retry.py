"""`rehearse retry` through the CLI (fakes at the device seam, scripted answers), and its pure comparison."""

import json

from fakes import install_fake_devices, script_engine, silent_wav, tone_wav
from rehearse import score_text
from rehearse.coaching import retry

NO_NUMBER = "i led the rebuild of our billing system and wrote most of the new code myself"
QUANTIFIED = "i rebuilt the billing pipeline myself and cut release time from two weeks to three days"
SMALL_TALK = "that sounds wonderful i love the free lunches"
FIRST_YEAR_Q = "if i were very successful in the first year what would i have accomplished"


def practice(run_cli, archetype, *extra):
    code, out, err = run_cli("practice", "--archetype", archetype, "--engine", "scripted", "--json", *extra)
    assert out, err
    return json.loads(out)


def test_retry_reports_only_the_checks_that_failed_before(tmp_path, monkeypatch, run_cli):
    speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(NO_NUMBER, QUANTIFIED)
    first = practice(run_cli, "challenger", "--prompt", "challenger-2")
    failed_then = [n for n, c in first["checks"].items() if c["required"] and not c["passed"]]
    assert failed_then == ["quantified_result"]  # the scripted answer: an accomplishment, no number
    code, out, err = run_cli("retry", "--engine", "scripted", "--json")
    result = json.loads(out)
    assert code == 0, err
    assert speaker.said[-1].text == speaker.said[0].text  # the same prompt again
    assert result["retry_of"] == first["session_id"] and result["session_id"] != first["session_id"]
    assert list(result["checks"]) == ["quantified_result"]  # only the earlier failure
    assert result["checks"]["quantified_result"]["before"] is False
    assert result["checks"]["quantified_result"]["now"] is True
    assert result["checks"]["quantified_result"]["evidence"]
    assert result["fixed"] == ["quantified_result"] and result["still_failing"] == []
    assert result["before"]["verdict"] == "fail" and result["verdict"] == "pass"
    code, out, _ = run_cli("replay", result["session_id"], "--json")
    assert json.loads(out)["prompt"]["text"] == speaker.said[0].text


def test_retry_says_which_earlier_failures_still_fail(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(SMALL_TALK, FIRST_YEAR_Q)
    first = practice(run_cli, "salesperson")
    code, out, err = run_cli("retry", first["session_id"][:17], "--engine", "scripted")
    assert code == 1
    assert "[now PASS] Asks what a very successful first year would accomplish" in out
    assert "[still failing] Asks what an effective contributor would be showing" in out
    assert "Leads with" not in out  # it was not required and is not reported
    assert f"rehearse replay {first['session_id']} " in out


def test_retry_last_skips_a_session_that_was_never_scored(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(NO_NUMBER)
    first = practice(run_cli, "challenger")
    install_fake_devices(monkeypatch, silent_wav(tmp_path / "quiet.wav"))
    script_engine("")
    code, _, _ = run_cli("practice", "--archetype", "storyteller", "--engine", "scripted")
    assert code == 2  # no speech: saved, not scored
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(NO_NUMBER)
    code, out, _ = run_cli("retry", "--engine", "scripted", "--json")
    assert json.loads(out)["retry_of"] == first["session_id"]


def test_retry_of_a_typed_score_is_one_sentence(run_cli):
    code, out, _ = run_cli("score", "--archetype", "challenger", "--text", NO_NUMBER, "--json")
    sid = json.loads(out)["session_id"]
    code, out, err = run_cli("retry", sid)
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"Session {sid} has no interviewer prompt to repeat (it was scored from text)" in err
    code, out, err = run_cli("retry")  # `last` passes over it
    assert code == 2 and "no scored session with an interviewer prompt to retry yet" in err


def test_retry_with_nothing_saved_is_one_sentence(run_cli):
    code, out, err = run_cli("retry")
    assert code == 2 and "no scored session with an interviewer prompt to retry yet" in err


def test_replay_plays_two_attempts_one_after_the_other(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(NO_NUMBER, QUANTIFIED)
    first = practice(run_cli, "challenger")
    code, out, _ = run_cli("retry", "--engine", "scripted", "--json")
    second = json.loads(out)["session_id"]
    code, out, err = run_cli("replay", first["session_id"], second, "--no-audio")
    assert code == 0, err
    one, two = out.index("=== Attempt 1 of 2 ==="), out.index("=== Attempt 2 of 2 ===")
    assert one < out.index(first["session_id"]) < two < out.index(second)
    code, out, _ = run_cli("replay", first["session_id"], second, "--json")
    assert [json.loads(line)["session_id"] for line in out.splitlines()] == [first["session_id"], second]


def test_compare_names_a_required_check_that_passed_before_and_fails_now():
    before = score_text("thank you for asking me back", "storyteller").to_json()
    after = score_text("i rebuilt the billing pipeline and cut release time by half", "storyteller").to_json()
    c = retry.compare(before, after)
    assert c.failed_before == ("leads_with_accomplishment",)
    assert c.fixed == ("leads_with_accomplishment",) and c.all_fixed
    assert c.newly_failing == ("thanks_for_callback",)
    assert list(c.checks_json()) == ["leads_with_accomplishment"]
