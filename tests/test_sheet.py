"""`rehearse sheet`: the one page before the interview, with and without a bank (real store, real checks)."""

import json

import pytest

from fakes import install_fake_devices, script_engine, tone_wav
from rehearse.coaching import sheet
from rehearse.coaching.bank import Accomplishment
from rehearse.coaching.debrief import Debrief, Plan

FIRST_YEAR_ASKED = ("thank you for having me back if i were very successful in the first year what would i "
                    "have accomplished")
BETTER_FIRST_YEAR = ("Thanks. If I were offered this role and was very successful in the first year, what would "
                     "I have accomplished? I ask because")


def add_best(run_cli, **fields):
    argv = ["accomplishments", "add", "--best"]
    for key, value in fields.items():
        argv += [f"--{key}", value]
    code, _, err = run_cli(*argv)
    assert code == 0, err


def test_sheet_without_a_bank_falls_back_and_says_so(run_cli):
    code, out, err = run_cli("sheet")
    assert code == 0, err
    assert "Your accomplishment bank is empty" in out and "rehearse accomplishments add" in out
    assert "I was charged with" in out  # the article's shape of an opener
    for check in sheet.QUESTIONS:
        assert sheet.ARTICLE_WORDING[check] in out
    assert out.count("the article's wording: you have not asked it in a saved session yet") == 2
    assert "No debrief yet" in out and "No scored session yet" in out
    code, out, _ = run_cli("sheet", "--json")
    data = json.loads(out)
    assert data["opener"] is None and data["template"]
    assert [q["source"] for q in data["questions"]] == ["article", "article"]
    assert data["topics"] == [] and data["figures"]["sessions"] == 0


def test_sheet_with_a_bank_sessions_and_a_debrief(tmp_path, monkeypatch, run_cli):
    add_best(run_cli, title="Onboarding redesign", situation="new hires took ten weeks to be productive",
             action="I rebuilt onboarding around mentors and a checklist", result="cut ramp-up from 10 weeks to 6")
    from rehearse.store.db import now
    from rehearse.store.sessions import Store

    Store().debriefs.save(Debrief(id=None, created_at=now(), mode="text", answers=(),
                                  plan=Plan(drills=(), topics=("the Denver warehouse audit",))))
    # two spoken answers that ask the first-year question, and one typed that does not
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=3))
    script_engine(FIRST_YEAR_ASKED)
    code, out, _ = run_cli("practice", "--archetype", "salesperson", "--engine", "scripted", "--json")
    first = json.loads(out)
    assert first["checks"]["asks_first_year_question"]["passed"]
    code, out, _ = run_cli("score", "--archetype", "salesperson", "--text", BETTER_FIRST_YEAR, "--json")
    second = json.loads(out)
    code, _, _ = run_cli("score", "--archetype", "challenger", "--text", "we are a good team")

    code, out, _ = run_cli("sheet", "--json")
    data = json.loads(out)
    opener = data["opener"]
    assert opener["title"] == "Onboarding redesign" and opener["has_number"]
    for part in ("new hires took ten weeks", "I rebuilt onboarding around mentors", "cut ramp-up from 10 weeks to 6"):
        assert part.lower() in opener["say"].lower()
    assert opener["say"].startswith("Thank you for asking me back.")
    assert data["opener_note"] is None
    first_year, contributor = data["questions"]
    scores = {first["session_id"]: first["checks"]["asks_first_year_question"]["score"],
              second["session_id"]: second["checks"]["asks_first_year_question"]["score"]}
    best = max(scores, key=lambda sid: (scores[sid], sid == second["session_id"]))  # ties: the latest
    assert first_year["source"] == "yours" and first_year["session_id"] == best
    assert first_year["text"].startswith("If I were") and first_year["text"].endswith("accomplished?")
    assert contributor["source"] == "article" and contributor["text"] == sheet.ARTICLE_WORDING[contributor["check"]]
    assert data["topics"] == ["the Denver warehouse audit"]
    figures = data["figures"]
    assert figures["sessions"] == 3
    by_arch = {a["archetype"]: a for a in figures["archetypes"]}
    assert by_arch["challenger"]["last_verdict"] == "fail" and by_arch["salesperson"]["sessions"] == 2
    assert figures["metrics"]["wpm"]["latest"] == first["metrics"]["wpm"]  # the one spoken session

    code, md, _ = run_cli("sheet")
    assert "**Onboarding redesign**" in md and "- The number: cut ramp-up from 10 weeks to 6" in md
    assert "- the Denver warehouse audit" in md and f"session {best}" in md
    out_file = tmp_path / "sheet.html"
    code, out, err = run_cli("sheet", "--format", "html", "--output", str(out_file))
    assert code == 0 and out == "" and "Wrote" in err
    page = out_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<li>the Denver warehouse audit</li>" in page
    assert "&ldquo;If I were" in page


def test_a_best_entry_without_a_number_is_flagged(run_cli):
    add_best(run_cli, title="Billing <migration>", action="I moved invoices to a new database",
             result="it went well")
    code, out, _ = run_cli("sheet", "--json")
    data = json.loads(out)
    assert not data["opener"]["has_number"] and "has no number yet" in data["opener_note"]
    code, page, _ = run_cli("sheet", "--format", "html")
    assert "Billing &lt;migration&gt;" in page and "<migration>" not in page


def test_a_bank_with_no_best_entry_says_to_mark_one(run_cli):
    code, _, _ = run_cli("accomplishments", "add", "--title", "Onboarding redesign", "--result", "cut it by 40%")
    code, out, _ = run_cli("sheet", "--json")
    note = json.loads(out)["opener_note"]
    assert "None of the 1 accomplishments in your bank is marked best" in note


def test_an_unwritable_output_is_one_sentence(tmp_path, run_cli):
    code, out, err = run_cli("sheet", "--output", str(tmp_path / "missing" / "sheet.md"))
    assert code == 2 and "Cannot write" in err and "Traceback" not in err


@pytest.mark.parametrize("tokens, index, evidence, expected", [
    # no punctuation: from the first question word within reach
    ("thank you for having me back if i were very successful in the first year what would i have accomplished",
     9, "very successful in the first year what would i have accomplished",
     "if i were very successful in the first year what would i have accomplished"),
    # punctuation: the sentence the evidence is in, to its question mark
    ("Thanks. So if I were very successful in the first year, what would I have accomplished? And",
     4, "very successful in the first year, what would",
     "So if I were very successful in the first year, what would I have accomplished?"),
    # no question word in reach: the evidence as it is
    ("we shipped it and very successful in the first year meant a lot", 4, "very successful in the first year",
     "very successful in the first year"),
    # an index that does not fit the words: the evidence as it is
    ("a b c", 7, "x y", "x y"),
])
def test_the_question_is_taken_whole_from_the_answer(tokens, index, evidence, expected):
    assert sheet.question_in_context(tokens.split(), index, evidence) == expected


def test_the_opener_reads_as_sentences():
    acc = Accomplishment(title="T", situation="sales were flat", action="i rebuilt the pricing page",
                         result="Revenue grew 12% in a quarter")
    op = sheet.opener(acc)
    assert op.say.endswith("Sales were flat. I rebuilt the pricing page. The result: revenue grew 12% in a quarter.")
    assert op.has_number
