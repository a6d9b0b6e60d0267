"""`rehearse practice --from-debrief`: the archetype the latest debrief says to drill."""

import json

from fakes import install_fake_devices, script_engine, tone_wav
from rehearse.coaching.debrief import Debrief, Drill, Plan

ANSWER = "thank you for asking me back i rebuilt our onboarding and cut ramp up by forty percent"


def save_debrief(*drills, topics=(), reanswer=()):
    from rehearse.store.db import now
    from rehearse.store.sessions import Store

    Store().debriefs.save(Debrief(id=None, created_at=now(), mode="text", answers=(),
                                  plan=Plan(drills=tuple(drills), topics=topics, reanswer=reanswer)))


def test_practice_takes_the_archetype_from_the_latest_debrief(tmp_path, monkeypatch, run_cli):
    save_debrief(Drill("storyteller", ("they talked the whole time",)))
    save_debrief(Drill("challenger", ("they doubted your budget experience",)), Drill("salesperson", ()),
                 topics=("the Denver warehouse audit",), reanswer=("my biggest failure",))
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(ANSWER)
    code, out, err = run_cli("practice", "--from-debrief", "--engine", "scripted", "--text-prompt")
    assert "drill the challenger (they doubted your budget experience)" in err
    assert "It also names: salesperson" in err and "Bring up: the Denver warehouse audit" in err
    assert "re-answer: my biggest failure" in err
    code, out, _ = run_cli("history", "--json")
    assert json.loads(out.splitlines()[0])["archetype"] == "challenger"


def test_from_debrief_with_an_archetype_keeps_the_archetype(tmp_path, monkeypatch, run_cli):
    save_debrief(Drill("challenger", ("doubt",)), Drill("salesperson", ("pitch",)))
    speaker = install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=2))
    script_engine(ANSWER)
    code, out, err = run_cli("practice", "--from-debrief", "--archetype", "salesperson", "--engine", "scripted",
                             "--json")
    assert json.loads(out)["archetype"] == "salesperson" and [p.archetype for p in speaker.said] == ["salesperson"]


def test_from_debrief_without_a_debrief_is_one_sentence(run_cli):
    code, out, err = run_cli("practice", "--from-debrief")
    assert code == 2 and out == "" and "No debrief is saved yet" in err and "Traceback" not in err


def test_practice_without_an_archetype_is_one_sentence(run_cli):
    code, out, err = run_cli("practice")
    assert code == 2 and "Choose the interviewer with --archetype" in err and "--from-debrief" in err
