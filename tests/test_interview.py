"""`rehearse interview` through the CLI: fakes at the device seam, scripted answers, real checks and store."""

import json

import pytest

from fakes import install_fake_devices, script_engine, silent_wav, tone_wav
from rehearse.coaching import interview as coach

NO_NUMBER = "i led the rebuild of our billing system and wrote most of the new code myself"
QUANTIFIED = "i rebuilt the billing pipeline myself and cut release time from two weeks to three days"
ANOTHER = "i personally redesigned the on call rotation and cut pages by sixty percent"
SMALL_TALK = "that sounds wonderful i love the free lunches"
FIRST_YEAR_Q = "if i were very successful in the first year what would i have accomplished"


def lines(archetype):
    return coach.load_script(archetype, extra_dirs=[]).lines


def run_interview(run_cli, *argv):
    code, out, err = run_cli("interview", "--engine", "scripted", "--json", *argv)
    assert out, err
    return code, json.loads(out), err


def test_challenger_pushes_back_on_no_number_and_moves_on_after_a_quantified_answer(tmp_path, monkeypatch, run_cli):
    speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(NO_NUMBER, QUANTIFIED, ANOTHER)
    code, result, err = run_interview(run_cli, "--archetype", "challenger", "--turns", "3",
                                      "--prompt", "challenger-1")
    said = [p.text for p in speaker.said]
    # opening, the reply to each of the first two answers, the closing line
    assert len(said) == 4
    assert said[0] == result["conversation"][0]["interviewer"]["text"]
    assert said[1] == "That sounds like a team effort. What did you change, and by how much?"
    assert said[2] in [line.text for line in lines("challenger")["next_doubt"]]
    assert said[3] in [line.text for line in lines("challenger")["close_convinced"]]
    turns = result["conversation"]
    assert [t["transcript"] for t in turns] == [NO_NUMBER, QUANTIFIED, ANOTHER]
    assert [t["took_charge"] for t in turns] == [False, True, True]
    assert [t["interviewer"]["move"] for t in turns] == ["opening", "push_back", "next_doubt"]
    assert result["took_charge"] == [2, 3]
    assert turns[1]["charge_s"] is not None and 0 <= turns[1]["charge_s"] < 2.0
    assert result["verdict"] == "fail" and code == 1  # the first answer did not take charge
    assert result["closing"]["text"] == said[3]
    assert "Recording" in err and "pushes back" in err

    # every turn is a saved session with mode "interview", the interview's id and the turn number
    code, out, _ = run_cli("history", "--mode", "interview", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["session_id"] for r in rows) == sorted(t["session_id"] for t in turns)
    for t in turns:
        code, out, _ = run_cli("replay", t["session_id"], "--json")
        replay = json.loads(out)
        assert replay["mode"] == "interview" and replay["prompt"]["text"] == t["interviewer"]["text"]
    from rehearse.store.sessions import Store

    extras = [Store().get(t["session_id"]).extra["interview"] for t in turns]
    assert [e["turn"] for e in extras] == [1, 2, 3]
    assert {e["id"] for e in extras} == {result["interview_id"]}


def test_salesperson_never_asked_is_told_so(tmp_path, monkeypatch, run_cli):
    speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(SMALL_TALK, QUANTIFIED, SMALL_TALK)
    code, result, err = run_interview(run_cli, "--archetype", "salesperson", "--turns", "3")
    pitches = [line.text for line in lines("salesperson")["pitch"]]
    said = [p.text for p in speaker.said]
    assert said[1] in pitches and said[2] in pitches and said[1] != said[2]
    never = [line.text for line in lines("salesperson")["close_never_asked"]]
    assert said[3] in never and "never asked" in said[3]
    assert result["took_charge"] == [] and result["verdict"] == "fail" and code == 1
    assert result["goals"] == {"asks_first_year_question": False, "asks_contributor_question": False}


def test_salesperson_answers_a_key_question_then_pitches_again(tmp_path, monkeypatch, run_cli):
    speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(FIRST_YEAR_Q, SMALL_TALK, SMALL_TALK)
    code, result, _ = run_interview(run_cli, "--archetype", "salesperson", "--turns", "3")
    moves = [t["interviewer"]["move"] for t in result["conversation"]]
    assert moves == ["opening", "answer_first_year", "pitch"]
    assert result["closing"]["move"] == "close_asked"
    assert speaker.said[-1].text in [line.text for line in lines("salesperson")["close_asked"]]
    assert result["goals"]["asks_first_year_question"] and not result["goals"]["asks_contributor_question"]


def test_storyteller_resumes_the_monologue_unless_the_moment_is_seized(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    seized = "thank you for asking me back last spring i rebuilt our onboarding and cut ramp up by forty percent"
    script_engine(SMALL_TALK, seized, SMALL_TALK)
    code, result, _ = run_interview(run_cli, "--archetype", "storyteller", "--turns", "3")
    assert [t["interviewer"]["move"] for t in result["conversation"]] == ["monologue", "resume", "follow_up"]
    assert result["closing"]["move"] == "close_seized"


def test_with_a_prompt_or_no_monologue_the_storyteller_opens_with_a_prompt(tmp_path, monkeypatch, run_cli):
    for flags in (("--prompt", "storyteller-1"), ("--no-monologue",)):
        speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
        script_engine(SMALL_TALK, SMALL_TALK, SMALL_TALK)
        code, result, _ = run_interview(run_cli, "--archetype", "storyteller", "--turns", "3", *flags)
        assert result["conversation"][0]["interviewer"]["move"] == "opening"
        assert result["seize"] is None and result["conversation"][0]["seize"] is None
        assert speaker.said[0].text == result["conversation"][0]["interviewer"]["text"]


BEST = ("--title", "Payments migration", "--action", "I led the move of our payment system to a new platform",
        "--result", "cut the error rate by sixty percent", "--terms", "payment system, error rate", "--best")


def test_storyteller_seized_in_the_second_pause_with_the_best_accomplishment(tmp_path, monkeypatch, run_cli):
    """The monologue's recorder is a fake here (its own tests run it on a fake duplex stream and on the
    virtual devices): the floor is taken 7.5 s in, in the second pause; the answer presents the bank's
    best entry up front."""
    code, _, err = run_cli("accomplishments", "add", *BEST)
    assert code == 0, err
    speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2), seize_s=7.5)
    best = "i led the move of our payment system to a new platform and we cut the error rate by sixty percent"
    script_engine(best, SMALL_TALK, SMALL_TALK)
    code, result, err = run_interview(run_cli, "--archetype", "storyteller", "--turns", "3")
    first = result["conversation"][0]
    seize = result["seize"]
    assert seize == first["seize"]
    assert seize["took_floor"] and seize["seize_s"] == 7.5 and seize["where"] == "pause" and seize["index"] == 2
    assert seize["pauses_offered"] == 1 and seize["leads_with_accomplishment"] and seize["presents_best"]
    assert seize["verdict"] == "seized" and seize["best_title"] == "Payments migration"
    assert "7.5 s into the interview, in the 2nd pause, with your best accomplishment" in " ".join(err.split())
    assert first["interviewer"]["move"] == "monologue" and first["took_charge"]
    monologue = lines("storyteller")["monologue"]
    assert first["interviewer"]["text"] == " ".join(line.text for line in monologue)
    # the monologue was the recorder's to play: the speaker said only the replies and the closing line
    assert [p.text for p in speaker.said][0] == result["conversation"][1]["interviewer"]["text"]
    assert result["conversation"][1]["interviewer"]["move"] == "follow_up"
    # saved with the turn, and shown again
    code, out, _ = run_cli("interview", "--show", "--json")
    assert json.loads(out)["seize"] == seize
    code, out, _ = run_cli("interview", "--show")
    assert "in the 2nd pause" in " ".join(out.split())


def test_seized_with_another_accomplishment_is_told_it_was_not_the_best(tmp_path, monkeypatch, run_cli):
    run_cli("accomplishments", "add", *BEST)
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2), seize_s=3.5)
    script_engine(QUANTIFIED, SMALL_TALK, SMALL_TALK)
    code, result, err = run_interview(run_cli, "--archetype", "storyteller", "--turns", "3")
    seize = result["seize"]
    assert seize["index"] == 1 and seize["leads_with_accomplishment"] and seize["presents_best"] is False
    assert seize["verdict"] == "seized_weakly" and "not your best one (Payments migration)" in " ".join(err.split())


def test_never_taking_the_floor_in_the_monologue_does_not_take_charge(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2), seize_s=9.0)
    led = "thank you for asking me back last spring i rebuilt our onboarding and cut ramp up by forty percent"
    script_engine(led, SMALL_TALK, SMALL_TALK)
    code, result, err = run_interview(run_cli, "--archetype", "storyteller", "--turns", "3")
    first = result["conversation"][0]
    assert first["seize"]["where"] == "after" and not first["seize"]["took_floor"]
    assert first["seize"]["verdict"] == "late" and "never took the floor" in " ".join(err.split())
    # the answer led with an accomplishment, but only once the monologue was over
    assert first["score"]["checks"]["leads_with_accomplishment"]["passed"]
    assert not first["took_charge"] and result["conversation"][1]["interviewer"]["move"] == "resume"
    assert not result["first_answer_took_charge"] and code == 1


@pytest.mark.parametrize("argv, settings, mode", [
    ((), None, "pauses"),
    (("--echo", "subtract"), None, "subtract"),
    (("--headphones",), None, "headphones"),
    ((), 'listening = "subtract"', "subtract"),
    (("--speakers",), 'listening = "headphones"', "pauses"),
])
def test_listening_mode_from_flags_and_settings(tmp_path, monkeypatch, run_cli, rehearse_home, argv, settings, mode):
    if settings:
        rehearse_home.mkdir(parents=True, exist_ok=True)
        (rehearse_home / "settings.toml").write_text(f"[interview]\n{settings}\n")
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(SMALL_TALK, SMALL_TALK, SMALL_TALK)
    code, result, _ = run_interview(run_cli, "--archetype", "storyteller", "--turns", "3", *argv)
    assert result["seize"]["mode"] == mode


def test_echo_with_headphones_is_refused(run_cli):
    code, out, err = run_cli("interview", "--archetype", "storyteller", "--headphones", "--echo", "subtract")
    assert code == 2 and "--echo is for speakers" in err and "Traceback" not in err


def test_the_conversation_is_shown_with_the_turns_that_took_charge(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(QUANTIFIED, NO_NUMBER, ANOTHER)
    code, out, err = run_cli("interview", "--archetype", "challenger", "--turns", "3", "--engine", "scripted")
    assert code == 0, err  # first answer took charge, both goals met
    assert out.count("Interviewer:") == 4 and out.count("You (turn") == 3
    assert "Took charge in 2 of 3 turns (turns 1, 3)" in out and "Verdict: PASS" in out
    code, shown, _ = run_cli("interview", "--show")
    assert code == 0 and "Took charge in 2 of 3 turns (turns 1, 3)" in shown
    code, out, _ = run_cli("interview", "--show", "--json")
    saved = json.loads(out)
    assert saved["complete"] and [t["transcript"] for t in saved["conversation"]] == [QUANTIFIED, NO_NUMBER, ANOTHER]


def test_no_speech_stops_the_interview_and_keeps_the_turns_so_far(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, silent_wav(tmp_path / "quiet.wav"))
    script_engine("")
    code, out, err = run_cli("interview", "--archetype", "storyteller", "--engine", "scripted")
    assert code == 2 and out == ""
    message = [line for line in err.splitlines() if line.startswith("rehearse:")]
    assert len(message) == 1 and "Traceback" not in err
    assert "No speech was heard" in message[0] and "stopped at turn 1 of 4" in message[0]


@pytest.mark.parametrize("argv, fragment", [
    (("--archetype", "challenger", "--turns", "7"), "--turns must be 3 to 5"),
    (("--turns", "4"), "Choose the interviewer with --archetype"),
    (("--archetype", "pirate"), "Unknown archetype 'pirate'"),
    (("--show",), "no saved mock interviews yet"),
])
def test_bad_input_is_one_sentence_and_exit_2(run_cli, argv, fragment):
    code, out, err = run_cli("interview", *argv)
    assert code == 2 and out == "" and fragment in err and "Traceback" not in err


def test_a_users_own_line_in_the_prompt_folder_is_said_first(tmp_path, monkeypatch, run_cli, rehearse_home):
    folder = rehearse_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('[[interview.challenger.push_back]]\n'
                                      'text = "Your team did that. What did you do?"\n', encoding="utf-8")
    speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(NO_NUMBER, NO_NUMBER, NO_NUMBER)
    code, result, _ = run_interview(run_cli, "--archetype", "challenger", "--turns", "3")
    assert [p.text for p in speaker.said][1:3] == [
        "Your team did that. What did you do?",
        "That sounds like a team effort. What did you change, and by how much?"]
    assert result["closing"]["move"] == "close_unconvinced"


def test_an_interview_stopped_midway_keeps_and_shows_its_turns(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(QUANTIFIED, "")  # the second answer: nothing heard
    code, out, err = run_cli("interview", "--archetype", "challenger", "--engine", "scripted", "--json")
    assert code == 2 and out == ""
    assert "stopped at turn 2 of 4; the answer before it is saved" in err
    code, out, _ = run_cli("interview", "--show", "last", "--json")
    shown = json.loads(out)
    assert code == 0 and not shown["complete"] and shown["closing"] is None
    assert [t["transcript"] for t in shown["conversation"]] == [QUANTIFIED]
