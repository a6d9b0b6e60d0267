"""The guided review of the first interview: reading answers, the plan they make, the typed review
through the CLI with a scripted input, the spoken review with fakes at the device seam, --show."""

import io
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from fakes import FakeSpeaker, blocks_of, install_fake_microphone, quiet, script_engine, tone_wav, vowel
from rehearse.core import archetypes
from rehearse.coaching.bank import Accomplishment
from rehearse.store.bank import Bank
from rehearse.store.debriefs import load_targets
from rehearse.coaching.debrief import Answer, build_plan, load_script, read_fill, read_instead, read_yes_no

SCRIPT = load_script()


def yes_no(text):
    return read_yes_no(text, SCRIPT.answers)


@pytest.mark.parametrize("text, value, rest", [
    ("yes", True, ""),
    ("Yeah, she said I had never managed a budget.", True, "she said I had never managed a budget"),
    ("y", True, ""),
    ("it was, mostly", True, "mostly"),
    ("No.", False, ""),
    ("not really", False, ""),
    ("It wasn't, it was long", False, "it was long"),
    ("Well, I didn't think so", False, "think so"),
    ("hmm, hard to say", None, "hmm, hard to say"),
    ("not sure", None, "not sure"),                   # a yes word after "not" is no yes
    ("Not right now", None, "Not right now"),
    ("No, not really", False, "not really"),
    ("I'd rather not", False, ""),
])
def test_yes_no_answers(text, value, rest):
    assert yes_no(text) == (value, rest)


def test_fill_in_answers_drop_the_sentence_and_split():
    q = SCRIPT.question("regret_answer")
    assert read_fill("I wish I had answered the question about salary differently", q, SCRIPT.answers) == ["salary"]
    assert read_fill("my budget experience; the team size;", q, SCRIPT.answers) == ["my budget experience",
                                                                                    "the team size"]
    assert read_fill("   ", q, SCRIPT.answers) == []
    q = SCRIPT.question("regret_not_asked")
    assert read_fill("my work at the Denver warehouse and also the audit", q, SCRIPT.answers) == [
        "the Denver warehouse", "the audit"]
    q = SCRIPT.question("regret_accomplishment")
    assert read_instead("the onboarding redesign instead of the billing migration.", q, SCRIPT.answers) == (
        "the onboarding redesign", "the billing migration")
    assert read_instead("Acme's analytics rebuild", q, SCRIPT.answers) == ("Acme's analytics rebuild", None)
    assert read_instead("the launch, not the migration", q, SCRIPT.answers) == ("the launch", "the migration")


def plan_for(**answers):
    return build_plan([Answer(k, v) for k, v in answers.items()], SCRIPT)


def test_each_first_interview_maps_to_its_drills_and_advice():
    challenger = plan_for(challenged="yes", superficial="no", sales_pitch="no", bad_questions="no")
    assert [d.archetype for d in challenger.drills] == ["challenger"]
    assert challenger.flagged == ("challenged",) and not challenger.default
    assert "measurable result" in " ".join(challenger.advice)

    superficial = plan_for(challenged="no", superficial="yes")
    assert [d.archetype for d in superficial.drills] == ["storyteller"]
    assert "present the one accomplishment" in " ".join(superficial.advice)

    pitch = plan_for(sales_pitch="yeah, he talked for 40 minutes")
    assert [d.archetype for d in pitch.drills] == ["salesperson", "storyteller"]
    assert pitch.details == {"sales_pitch": "he talked for 40 minutes"}

    soup = plan_for(bad_questions="yes, my favourite soup")
    assert [d.archetype for d in soup.drills] == ["salesperson"]
    assert "Steer" in " ".join(soup.advice)

    both = plan_for(challenged="yes", bad_questions="yes")
    assert [d.archetype for d in both.drills] == ["challenger", "salesperson"]

    nothing = plan_for(challenged="no", superficial="no", sales_pitch="no", bad_questions="no")
    assert nothing.default and [d.archetype for d in nothing.drills] == ["storyteller"]

    unclear = plan_for(challenged="maybe")
    assert unclear.unclear == ("challenged",) and unclear.default
    assert set(unclear.skipped) == {"superficial", "sales_pitch", "bad_questions", "regret_answer",
                                    "regret_accomplishment", "regret_not_asked"}


def test_every_archetype_named_in_the_questions_exists():
    named = {a for q in SCRIPT.questions for a in q.archetypes} | set(SCRIPT.plan["default_archetypes"])
    for name in named:
        assert archetypes.get(name).name == name


TYPED = "\n".join([
    "yes, she said I had never run a team this size",   # challenged
    "no",                                               # superficial
    "",                                                 # sales pitch: skipped
    "yes, my favourite soup",                           # bad questions
    "the budget overrun; why I left Initech",           # I wish I had answered the question about ___
    "the onboarding redesign instead of the billing migration",  # my accomplishment at ___ instead of ___
    "New hires needed ten weeks to be useful",          # follow-up: situation
    "I rebuilt the first two weeks",                    # follow-up: what I did
    "",                                                 # follow-up: result, skipped
    "onboarding, ramp-up",                              # follow-up: key terms
    "my work at the Denver warehouse",                  # why didn't they ask me about ___
]) + "\n"


def test_typed_review_through_the_cli(run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(TYPED))
    code, out, err = run_cli("debrief", "--text", "--json")
    assert code == 0, err
    result = json.loads(out)
    plan = result["plan"]
    assert [d["archetype"] for d in plan["drills"]] == ["challenger", "salesperson"]
    assert plan["reanswer"] == ["the budget overrun", "why I left Initech"]
    assert plan["topics"] == ["the Denver warehouse"]
    assert plan["skipped"] == ["sales_pitch"]
    assert plan["instead_of"] == "the billing migration"
    # the accomplishment became a bank entry, the best one (there was none), accepted without a result
    acc = result["accomplishment"]
    assert acc["title"] == "Onboarding redesign" and acc["best"] and acc["source"] == "debrief"
    assert acc["situation"] == "New hires needed ten weeks to be useful" and acc["terms"] == ["onboarding", "ramp-up"]
    assert any("no result" in n for n in acc["nudges"])
    assert result["accomplishment_created"] is True
    assert "[1/7]" in err and "favourite soup" in err  # the questions on stderr
    # --show gives back what was saved; the human form names the plan
    code, out, _ = run_cli("debrief", "--show", "--json")
    shown = json.loads(out)
    assert shown["plan"] == plan and shown["debrief_id"] == result["debrief_id"]
    code, out, _ = run_cli("debrief", "--show")
    assert "rehearse practice --archetype challenger" in out
    assert "the question about the budget overrun" in out and "the Denver warehouse" in out
    assert "Open with: the onboarding redesign" in out and "no result yet" in out
    # and practice now holds openings to it
    targets = load_targets()
    assert targets.accomplishment.title == "Onboarding redesign" and targets.topics == ("the Denver warehouse",)


def _bank_with_best():
    bank = Bank.open()
    existing = bank.add(Accomplishment("Onboarding redesign", result="cut ramp-up by 40%"))
    best = bank.add(Accomplishment("Billing migration", result="saved $40k a year", best=True))
    bank.close()
    return existing, best


def _bank_titles(run_cli):
    code, out, _ = run_cli("accomplishments", "list", "--json")
    assert code == 0
    return [e["title"] for e in json.loads(out)]


@pytest.mark.parametrize("mention", [
    "the onboarding redesign",
    "Onboarding Redesign.",
    "the on-boarding re-design at Acme instead of the billing migration",   # as a recogniser may write it
    "my onboarding redesign project",
])
def test_an_accomplishment_already_in_the_bank_asks_no_follow_ups_and_adds_nothing(run_cli, monkeypatch, mention):
    existing, best = _bank_with_best()
    # the make-best question is answered "no"; the last line answers "why didn't they ask me about ___"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"\n\n\n\n\n{mention}\nno\nthe warehouse audit\n"))
    code, out, err = run_cli("debrief", "--text", "--json")
    assert code == 0, err
    follow_ups = [q.text for q in SCRIPT.follow_ups]
    assert not any(text in err for text in follow_ups), err
    assert _bank_titles(run_cli) == ["Billing migration", "Onboarding redesign"]  # no new entry
    result = json.loads(out)
    assert result["named_accomplishment"]["id"] == existing.id and result["accomplishment_created"] is False
    assert f'Make "{existing.title}" the one accomplishment you open with' in err
    assert result["plan"]["topics"] == ["the warehouse audit"]  # the "no" went to the make-best question


def test_no_to_make_it_the_opener_keeps_the_best_as_the_opener(run_cli, monkeypatch):
    existing, best = _bank_with_best()
    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n\n\n\nthe onboarding redesign\nno\n\n"))
    code, out, err = run_cli("debrief", "--text", "--json")
    assert code == 0, err
    result = json.loads(out)
    plan = result["plan"]
    assert result["accomplishment"]["id"] == best.id and result["accomplishment"]["best"]
    assert plan["accomplishment"] == best.title and plan["accomplishment_id"] == best.id
    assert plan["named"] == existing.title and plan["named_id"] == existing.id
    assert load_targets().accomplishment.id == best.id
    code, shown, _ = run_cli("debrief", "--show")
    assert "Open with: the billing migration that saved $40k a year (your best" in shown
    assert "Open with: the onboarding redesign" not in shown
    assert f'You chose not to open with "{existing.title}"' in shown
    # an answer that is not a yes ("not sure") does not make it the opener either
    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n\n\n\nthe onboarding redesign\nnot sure\n\n"))
    code, out, err = run_cli("debrief", "--text", "--json")
    assert json.loads(out)["accomplishment"]["id"] == best.id and load_targets().accomplishment.id == best.id
    # answered "yes", it becomes the best and the opener
    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n\n\n\nOnboarding Redesign\nyes\n\n"))
    code, out, err = run_cli("debrief", "--text", "--json")
    result = json.loads(out)
    assert result["accomplishment"]["id"] == existing.id and result["accomplishment"]["best"] is True
    assert result["named_accomplishment"] is None and result["plan"]["named"] is None
    assert load_targets().accomplishment.id == existing.id
    code, shown, _ = run_cli("debrief", "--show")
    assert "Open with: the onboarding redesign that cut ramp-up by 40% (your best" in shown
    assert _bank_titles(run_cli) == ["Onboarding redesign", "Billing migration"]


def test_input_that_ends_early_skips_the_rest(run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    code, out, err = run_cli("debrief", "--text", "--json")
    assert code == 0, err
    plan = json.loads(out)["plan"]
    assert plan["flagged"] == ["challenged"] and len(plan["skipped"]) == 6


def test_all_questions_skipped_saves_nothing(run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n   \n\n\n\n\n\n"))
    code, out, err = run_cli("debrief", "--text")
    assert code == 2 and out == "" and "Every question was skipped" in err
    code, _, err = run_cli("debrief", "--show")
    assert code == 2 and "No debrief is saved yet" in err
    code, _, err = run_cli("debrief", "--show", "99")
    assert code == 2 and "No debrief '99'" in err


def test_spoken_review_speaks_each_question_and_transcribes_each_answer(tmp_path, monkeypatch, run_cli):
    """Fakes at the device seam: a speaker that remembers, a recorder that plays a file, a scripted engine."""
    import rehearse.audio.devices as devices
    import rehearse.audio.microphone as recorder
    import rehearse.audio.speaker as speaker_mod
    from rehearse.audio.file_recorder import FileRecorder

    speaker = FakeSpeaker()
    answer = tone_wav(tmp_path / "answer.wav", seconds=1.0)
    monkeypatch.setattr(devices, "resolve_input", lambda spec=None: None)
    monkeypatch.setattr(devices, "resolve_output", lambda spec=None: None)
    monkeypatch.setattr(speaker_mod, "PromptSpeaker", lambda device=None, **kw: speaker)
    monkeypatch.setattr(recorder, "MicrophoneRecorder", lambda device=None, **kw: FileRecorder(answer))
    script_engine("no", "yes it was a superficial review of my resume", "no", "no",
                  "the question about my biggest failure", "", "my work at the warehouse audit")
    code, out, err = run_cli("debrief", "--engine", "scripted", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert [p.id for p in speaker.said] == [f"debrief-{q.key}" for q in SCRIPT.questions]
    assert speaker.said[0].text == SCRIPT.questions[0].spoken
    assert result["mode"] == "spoken"
    plan = result["plan"]
    assert [d["archetype"] for d in plan["drills"]] == ["storyteller"]
    assert plan["reanswer"] == ["my biggest failure"] and plan["topics"] == ["the warehouse audit"]
    assert plan["skipped"] == ["regret_accomplishment"]
    answers = result["answers"]
    assert all(a["source"] == "spoken" and a["audio"].endswith(f"{a['key']}.wav") for a in answers)
    assert "Recording" in err and "heard: \"no\"" in err


def test_spoken_review_without_a_microphone_points_to_text_mode(monkeypatch, run_cli):
    import rehearse.audio.devices as devices
    from rehearse.core.errors import RehearseError

    def no_device(spec=None):
        raise RehearseError("No microphone was found.")

    monkeypatch.setattr(devices, "resolve_input", no_device)
    code, out, err = run_cli("debrief")
    assert code == 2 and out == ""
    assert "No microphone was found" in err and "rehearse debrief --text" in err


def test_a_paragraph_is_shown_once_even_when_one_answer_flags_two_archetypes(run_cli, monkeypatch):
    q = SCRIPT.question("sales_pitch")
    assert len(q.archetypes) == 2  # the case that showed one paragraph under both
    monkeypatch.setattr("sys.stdin", io.StringIO("no\nno\nyes, he talked for 40 minutes\nno\n\n\n\n"))
    code, out, err = run_cli("debrief", "--text")
    assert code == 0, err
    drill = out.split("Drill:")[1].split("Advice:")[0]
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n(?=    \S)", drill) if p.startswith("    ")
                  and not p.strip().startswith("rehearse practice")]
    assert len(paragraphs) == 2 and len(set(paragraphs)) == 2, drill
    for arch in q.archetypes:
        assert f"rehearse practice --archetype {arch}" in drill
        assert " ".join(q.reason_for(arch).split()) in " ".join(drill.split())
    text = " ".join(out.split())
    for paragraph in {*(q.reason_for(a) for a in q.archetypes), q.advice}:
        assert text.count(" ".join(paragraph.split())) == 1


def test_a_debrief_saved_with_one_reason_under_two_archetypes_shows_it_once(run_cli):
    from rehearse.coaching.debrief import Debrief, Drill, Plan
    from rehearse.store.sessions import Store

    reason = "A pitch with few questions for you is the salesperson, and a talker like the storyteller."
    store = Store()
    store.debriefs.save(Debrief(None, "2024-05-01T10:00:00+00:00", "text", (Answer("sales_pitch", "yes"),),
                                Plan(drills=(Drill("salesperson", (reason,)), Drill("storyteller", (reason,))),
                                     flagged=("sales_pitch",))))
    store.close()
    code, out, err = run_cli("debrief", "--show")
    assert code == 0, err
    assert " ".join(out.split()).count(reason) == 1
    assert "for the reason given under salesperson" in out


def test_a_question_flagging_two_archetypes_needs_a_reason_for_each():
    import copy
    from rehearse.coaching.debrief import script_from_data
    from rehearse.coaching.personal import load_data
    from rehearse.core.errors import RehearseError

    data = copy.deepcopy(load_data())
    pitch = next(q for q in data["questions"] if q["key"] == "sales_pitch")
    pitch["why"] = "One paragraph for both."
    with pytest.raises(RehearseError, match="sales_pitch"):
        script_from_data(data)


def test_with_text_prompt_each_spoken_question_is_shown_once(tmp_path, monkeypatch, run_cli):
    import rehearse.audio.devices as devices
    import rehearse.audio.microphone as recorder
    from rehearse.audio.file_recorder import FileRecorder

    answer = tone_wav(tmp_path / "answer.wav", seconds=1.0)
    monkeypatch.setattr(devices, "resolve_input", lambda spec=None: None)
    monkeypatch.setattr(recorder, "MicrophoneRecorder", lambda device=None, **kw: FileRecorder(answer))
    script_engine("no", "no", "no", "no", "", "", "")
    code, out, err = run_cli("debrief", "--text-prompt", "--engine", "scripted", "--json")
    assert code == 0, err
    for q in SCRIPT.questions:
        assert err.count(q.text) == 1, err
        assert err.count(q.spoken) == q.text.count(q.spoken), err  # the spoken wording is not shown too
    assert "Interviewer:" not in err


def test_spoken_silence_skips_a_question_quickly_and_a_short_no_is_heard(monkeypatch, run_cli):
    """The real recorder (voice activity, end of answer) on a fake microphone: a question nobody
    answers is skipped after the short silence window, not the 45 s limit; a one-word "No." (0.2 s
    of voice) is an answer."""
    from rehearse.audio import pcm as audio
    from rehearse.session.debrief import SKIP_AFTER_S

    silent = blocks_of(quiet(60.0))
    install_fake_microphone(monkeypatch, [
        silent,                                            # challenged: never answered
        blocks_of(quiet(1.0), vowel(0.2), quiet(10.0)),    # superficial: "No."
        blocks_of(quiet(0.5), vowel(2.0), quiet(10.0)),    # sales pitch: "yes, ..."
        silent, silent, silent, silent,
    ])
    script_engine("No.", "yes, he pitched the company the whole time")
    code, out, err = run_cli("debrief", "--text-prompt", "--engine", "scripted", "--json")
    assert code == 0, err
    result = json.loads(out)
    plan = result["plan"]
    assert plan["flagged"] == ["sales_pitch"]
    assert "superficial" not in plan["skipped"] and "superficial" not in plan["unclear"]
    assert set(plan["skipped"]) == {"challenged", "bad_questions", "regret_answer", "regret_accomplishment",
                                    "regret_not_asked"}
    assert 'heard: "No."' in err and err.count("(nothing heard: skipped)") == 5
    seconds = {a["key"]: audio.load(a["audio"]).duration_s for a in result["answers"]}
    for key in plan["skipped"]:  # the silence window, far from the 45 s limit
        assert SKIP_AFTER_S <= seconds[key] <= SKIP_AFTER_S + 0.5
    assert seconds["superficial"] <= 1.0 + 0.2 + 2.0 + 0.5  # ended by the usual 2 s after the word
    code, out, err = run_cli("debrief", "--text-prompt", "--skip-after", "0", "--json")
    assert code == 2 and "--skip-after must be more than 0" in err


TESTS = Path(__file__).resolve().parent


def run_child(tmp_path, env, spec: dict, *args: str, on_line=None, stdin_tty: bool = True):
    """`rehearse ARGS` in a child with a fake microphone (tests/fake_mic_child.py) and a
    pseudo-terminal on stdin. ``on_line(line, terminal_fd, child)`` sees each stderr line as it
    comes. Returns (exit code, stdout, stderr)."""
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec))
    master, slave = os.openpty()
    child = subprocess.Popen([sys.executable, str(TESTS / "fake_mic_child.py"), str(spec_path), *args], env=env,
                             stdin=slave if stdin_tty else subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    os.close(slave)
    watchdog = threading.Timer(300, child.kill)  # a hang fails the test instead of blocking the run
    watchdog.start()
    lines = []
    try:
        for line in child.stderr:
            lines.append(line)
            if on_line is not None:
                on_line(line, master, child)
        out = child.stdout.read()
        child.wait(120)
    finally:
        watchdog.cancel()
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    return child.returncode, out, "".join(lines)


def test_enter_skips_a_spoken_question_at_once(tmp_path, cli_env):
    """In a terminal, Enter before any answer skips the question there and then, where silence would
    take the --skip-after window (30 s here); an answer spoken after it is kept."""
    never = [["quiet", 60.0]]
    spec = {"takes": [never, [["quiet", 0.5], ["vowel", 0.5], ["quiet", 10.0]], never, never, never, never, never],
            "transcripts": ["No."]}
    recordings = []

    def press_enter(line, terminal, child):
        if "Recording" in line:
            recordings.append(line)
            if len(recordings) != 2:  # the second question is answered out loud
                os.write(terminal, b"\n")

    code, out, err = run_child(tmp_path, cli_env, spec, "debrief", "--text-prompt", "--engine", "scripted",
                               "--skip-after", "30", "--silence", "0.5", "--json", on_line=press_enter)
    assert code == 0, err
    result = json.loads(out)
    plan = result["plan"]
    assert len(recordings) == 7
    assert "superficial" not in plan["skipped"] and plan["unclear"] == []
    assert len(plan["skipped"]) == 6 and err.count("(nothing heard: skipped)") == 6
    from rehearse.audio import pcm as audio

    for a in result["answers"]:
        if a["key"] != "superficial":
            assert audio.load(a["audio"]).duration_s < 15.0  # at once, not after 30 s of silence


# -- saved as it goes, resumed later ---------------------------------------------------------------

class StopsAfter(io.StringIO):
    """Typed answers, then Ctrl-C (KeyboardInterrupt) where the next line would be read."""

    def __init__(self, lines, *, stop_after: int):
        super().__init__("".join(line + "\n" for line in lines))
        self.left = stop_after

    def readline(self, *args):
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return super().readline(*args)


def _lines_until(stream, marker: str, seen: list) -> None:
    for line in stream:
        seen.append(line)
        if marker in line:
            return
    raise AssertionError(f"{marker!r} never came: {''.join(seen)}")


def test_ctrl_c_in_a_typed_debrief_keeps_every_answer_and_resume_continues(tmp_path, cli_env):
    """A real Ctrl-C (SIGINT) at the third question: the first two answers are saved, and
    `--resume` asks only the rest."""
    import signal

    child = subprocess.Popen([sys.executable, "-m", "rehearse", "debrief", "--text"], env=cli_env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list = []
    watchdog = threading.Timer(300, child.kill)  # a hang fails the test; a loaded machine is slow
    watchdog.start()
    try:
        _lines_until(child.stderr, "[1/7]", seen)
        child.stdin.write("yes, she doubted my budget experience\n")
        child.stdin.flush()
        _lines_until(child.stderr, "[2/7]", seen)
        child.stdin.write("no\n")
        child.stdin.flush()
        _lines_until(child.stderr, "[3/7]", seen)
        child.send_signal(signal.SIGINT)
        seen.append(child.stderr.read())
        code = child.wait(120)
    finally:
        watchdog.cancel()
        if child.poll() is None:
            child.kill()
            child.wait()
    err = "".join(seen)
    assert code == 130, err
    assert "your answers so far are saved" in err and "continues at question 3" in err, err
    assert "not saved" not in err

    rest = "\n".join(["", "yes, my favourite soup", "the budget overrun", "", "the Denver warehouse"]) + "\n"
    done = subprocess.run([sys.executable, "-m", "rehearse", "debrief", "--resume", "--text", "--json"], env=cli_env,
                          input=rest, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "[1/7]" not in done.stderr and "[2/7]" not in done.stderr and "[3/7]" in done.stderr
    assert "continuing at question 3" in done.stderr
    result = json.loads(done.stdout)
    plan = result["plan"]
    assert result["finished"] is True
    assert plan["flagged"] == ["challenged", "bad_questions"]
    assert plan["details"]["challenged"] == "she doubted my budget experience"
    assert plan["skipped"] == ["sales_pitch", "regret_accomplishment"] and plan["unclear"] == []
    assert plan["reanswer"] == ["the budget overrun"] and plan["topics"] == ["the Denver warehouse"]
    assert [a["key"] for a in result["answers"]] == [q.key for q in SCRIPT.questions]
    # one debrief, finished, and nothing left to resume
    again = subprocess.run([sys.executable, "-m", "rehearse", "debrief", "--resume", "--text"], env=cli_env,
                           input="", capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "There is no unfinished debrief to resume" in again.stderr
    shown = subprocess.run([sys.executable, "-m", "rehearse", "debrief", "--show", "--json"], env=cli_env,
                           capture_output=True, text=True, timeout=60)
    assert json.loads(shown.stdout)["debrief_id"] == result["debrief_id"]


def test_ctrl_c_in_a_spoken_debrief_keeps_the_answers_and_it_can_be_finished_typed(tmp_path, cli_env, run_cli,
                                                                                    monkeypatch):
    """Ctrl-C while the third spoken answer is recorded (a real SIGINT into the real recorder)."""
    import signal

    said = [["quiet", 0.3], ["vowel", 0.6], ["quiet", 5.0]]
    spec = {"takes": [said, said, [["quiet", 60.0]]], "transcripts": ["yes, she doubted my budget", "no"]}
    recordings = []

    def interrupt_third(line, terminal, child):
        if "Recording" in line:
            recordings.append(line)
            if len(recordings) == 3:
                child.send_signal(signal.SIGINT)

    code, out, err = run_child(tmp_path, cli_env, spec, "debrief", "--text-prompt", "--engine", "scripted",
                               "--silence", "0.5", on_line=interrupt_third)
    assert code == 130, err
    assert "your answers so far are saved" in err and "continues at question 3" in err, err
    # finished later by typing
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n\n\n\n\n"))
    code, out, err = run_cli("debrief", "--resume", "--text", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert [a["source"] for a in result["answers"][:3]] == ["spoken", "spoken", "typed"]
    assert result["plan"]["flagged"] == ["challenged"] and result["mode"] == "spoken"


def test_ctrl_c_during_the_follow_ups_resumes_there_and_adds_the_entry_once(run_cli, monkeypatch):
    answers = ["", "", "", "", "", "the onboarding redesign instead of the billing migration",
               "New hires needed ten weeks to be useful"]  # ... then Ctrl-C at "What did you do?"
    monkeypatch.setattr("sys.stdin", StopsAfter(answers, stop_after=len(answers)))
    code, out, err = run_cli("debrief", "--text")
    assert code == 130 and "your answers so far are saved" in err, err
    assert "continues with the questions about your accomplishment" in err  # a follow-up is next, not question 7
    assert _bank_titles(run_cli) == []  # the entry is added once its follow-ups are done
    monkeypatch.setattr("sys.stdin", io.StringIO("I rebuilt the first two weeks\ncut ramp-up to 6 weeks\n"
                                                 "onboarding, ramp-up\nthe Denver warehouse\n"))
    code, out, err = run_cli("debrief", "--resume", "--text", "--json")
    assert code == 0, err
    assert "About that accomplishment: what was the situation?" not in err and "What did you do?" in err
    acc = json.loads(out)["accomplishment"]
    assert acc["title"] == "Onboarding redesign" and acc["best"]
    assert acc["situation"] == "New hires needed ten weeks to be useful"
    assert acc["action"] == "I rebuilt the first two weeks" and acc["terms"] == ["onboarding", "ramp-up"]
    assert _bank_titles(run_cli) == ["Onboarding redesign"]


def test_ctrl_c_after_the_entry_is_added_resumes_without_adding_it_again(run_cli, monkeypatch):
    bank = Bank.open()
    best = bank.add(Accomplishment("Billing migration", best=True))
    bank.close()
    answers = ["", "", "", "", "", "the onboarding redesign", "", "", "", ""]  # ... Ctrl-C at make-best
    monkeypatch.setattr("sys.stdin", StopsAfter(answers, stop_after=len(answers)))
    code, out, err = run_cli("debrief", "--text")
    assert code == 130, err
    assert _bank_titles(run_cli) == ["Billing migration", "Onboarding redesign"]
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\nthe Denver warehouse\n"))
    code, out, err = run_cli("debrief", "--resume", "--text", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["accomplishment"]["title"] == "Onboarding redesign" and result["accomplishment"]["best"]
    assert result["accomplishment_created"] is True
    assert _bank_titles(run_cli) == ["Onboarding redesign", "Billing migration"]
    assert load_targets().accomplishment.id != best.id


def test_ctrl_c_before_any_answer_saves_nothing(run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", StopsAfter(["", ""], stop_after=2))  # two skips, then Ctrl-C
    code, out, err = run_cli("debrief", "--text")
    assert code == 130 and "before any answer; nothing was saved" in err, err
    code, out, err = run_cli("debrief", "--resume", "--text")
    assert code == 2 and "There is no unfinished debrief to resume" in err


def test_an_unfinished_debrief_is_not_what_practice_holds_you_to_and_is_pointed_out(run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n\n\n\n\nmy work at the warehouse audit\n"))
    assert run_cli("debrief", "--text")[0] == 0
    monkeypatch.setattr("sys.stdin", StopsAfter(["yes", "", "", "", "", ""], stop_after=6))  # Ctrl-C at question 7
    assert run_cli("debrief", "--text")[0] == 130
    assert load_targets().topics == ("the warehouse audit",)  # the finished one
    code, out, err = run_cli("debrief", "--show")
    assert code == 0 and "the warehouse audit" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = run_cli("debrief", "--text")
    assert "was stopped before its end; `rehearse debrief --resume` continues it" in err
    code, out, err = run_cli("debrief", "--resume", "--show")
    assert code == 2 and "not both" in err


def test_debriefs_saved_before_progress_was_kept_are_finished(tmp_path):
    import sqlite3

    from rehearse.store.db import Database
    from rehearse.store.debriefs import DebriefStore
    from rehearse.store.migrations import MIGRATIONS

    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path)
    for _, sql in MIGRATIONS[:4]:
        conn.executescript(sql)
    conn.execute("INSERT INTO debriefs (created_at, mode, answers_json, plan_json) VALUES (?, 'text', ?, ?)",
                 ("2024-05-01T10:00:00+00:00", json.dumps([{"key": "challenged", "text": "yes"}]),
                  json.dumps({"drills": [{"archetype": "challenger", "reasons": []}], "topics": ["the audit"]})))
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    db = Database(path)
    store = DebriefStore(db)
    assert "006_debrief_progress" in db.applied()
    old = store.latest()
    assert old is not None and old.finished and old.plan.topics == ("the audit",)
    assert store.unfinished() is None
    db.close()


def test_score_holds_a_typed_opening_to_your_own_targets(run_cli, monkeypatch):
    """Someone who typed their debrief and then tries an opening with ``score`` sees whether it
    presents their accomplishment and mentions their topics, as practice shows them."""
    from rehearse.store.sessions import Store

    code, out, _ = run_cli("score", "--archetype", "storyteller", "--text", "I led the Denver warehouse.", "--json")
    assert "personal" not in json.loads(out)  # nothing to hold it to yet: the contract's object
    monkeypatch.setattr("sys.stdin", io.StringIO(TYPED))
    assert run_cli("debrief", "--text", "--json")[0] == 0
    opening = ("Thank you for asking me back. I rebuilt the onboarding for new hires, and ramp-up fell "
               "from ten weeks to six. I also ran the Denver warehouse for two years.")
    code, out, err = run_cli("score", "--archetype", "storyteller", "--text", opening, "--json")
    result = json.loads(out)
    mine = {p["name"]: p for p in result["personal"]}
    assert mine["presents_accomplishment"]["passed"] and mine["mentions_topic"]["passed"]
    assert mine["mentions_topic"]["target"] == "the Denver warehouse"
    assert Store().get(result["session_id"]).extra["personal"] == result["personal"]
    # the verdict is the five checks' alone
    assert result["verdict"] == json.loads(run_cli("score", "--archetype", "storyteller", "--text", opening,
                                                   "--json", "--no-save")[1])["verdict"]
    code, out, _ = run_cli("score", "--archetype", "storyteller", "--text", "I am a hard worker.")
    assert 'Mentions "the Denver warehouse"' in out and "[miss]" in out
