"""The semantic checker and the default ensemble on the paraphrases the rules missed.

Every sentence here is written for this file (none is copied from a labelled set). The classes are
the maintainers' list of misses: a success question framed as a future moment with no word like
"successful"; asks phrased "what would make you say ..." or "what would I have had to do ...";
questions in recognition-style text with no question mark; contributor questions about how colleagues
would describe the candidate's way of working; a negated accomplishment or a question containing
"I built" read as an accomplishment; an accomplishment after a one-sentence bridge restating the doubt.
"""

from __future__ import annotations

import builtins
import importlib.util

import pytest

from rehearse.coaching import checkers, embed, scoring, semantic
from rehearse.core.model import CHECK_NAMES, Archetype, Transcript, Word

SALESPERSON = Archetype("salesperson", "The salesperson", "", "", ("asks_first_year_question", "asks_contributor_question"))
CHALLENGER = Archetype("challenger", "The challenger", "", "", ("leads_with_accomplishment", "quantified_result"))

needs_model = pytest.mark.skipif(semantic.load_model_checker() is None, reason="the embedding package is not installed")


def _checks(text: str, archetype: Archetype = SALESPERSON):
    return scoring.score(Transcript(text), archetype).checks


@needs_model
def test_the_default_checker_is_the_ensemble_when_the_model_loads():
    assert isinstance(checkers.default_checker(), checkers.EnsembleChecker)


@needs_model
@pytest.mark.parametrize("text", [
    "Thanks for seeing me again. Picture the end of next March: you're telling your boss this hire was a great call. "
    "What will I have gotten done by then?",
    "so say it's my one year anniversary here and you're really glad you picked me what would i have finished by then",
    "Can I ask something first? Ninety days after my first day, if this is going really well, what have I delivered?",
])
def test_a_success_question_framed_as_a_future_moment_is_the_first_year_question(text):
    check = _checks(text)["asks_first_year_question"]
    assert check.passed and check.evidence and check.evidence in text


@needs_model
@pytest.mark.parametrize("text", [
    "Before you start: what would make you say, a year from now, that bringing me on was the right move?",
    "What would I have had to do by next spring for you to call hiring me a real win?",
])
def test_what_would_make_you_say_and_what_would_i_have_had_to_do_are_asks(text):
    assert _checks(text)["asks_first_year_question"].passed


@needs_model
def test_a_question_is_read_from_its_words_without_any_punctuation():
    text = ("okay so my question is six months from now if im really doing well what have i delivered for you "
            "and after a couple of months what would my teammates say about how i work with them")
    checks = _checks(text)
    assert checks["asks_first_year_question"].passed
    assert checks["asks_contributor_question"].passed


@needs_model
@pytest.mark.parametrize("text", [
    "Three or four months in, how would the people working next to me describe the way I handle disagreements and share credit?",
    "once i've been here a few months how would the other nurses on the ward describe working alongside me",
])
def test_how_colleagues_would_describe_the_way_i_work_is_the_contributor_question(text):
    assert _checks(text)["asks_contributor_question"].passed


@needs_model
@pytest.mark.parametrize("text", [
    "Honestly, I haven't really achieved anything big yet. I mostly kept the lights on and helped where I could.",
    "Would you like me to walk you through the scheduling dashboard I built for the sales team?",
])
def test_a_negated_accomplishment_or_a_question_containing_i_built_does_not_lead(text):
    checks = _checks(text, CHALLENGER)
    assert not checks["leads_with_accomplishment"].passed
    assert not checks["quantified_result"].passed


@needs_model
def test_an_accomplishment_after_a_one_sentence_bridge_restating_the_doubt_leads():
    text = ("You're worried I've never handled a budget this size. Last year I took over our regional events budget "
            "and brought it in eleven percent under plan.")
    checks = _checks(text, CHALLENGER)
    assert checks["leads_with_accomplishment"].passed
    assert checks["quantified_result"].passed


@needs_model
def test_the_model_evidence_is_the_clause_that_decided_and_is_timed_from_the_words():
    text = "um hi so next june if you are thrilled with me what will i have shipped"
    words = tuple(Word(w, 0.4 * i, 0.4 * i + 0.3) for i, w in enumerate(text.split()))
    check = scoring.score(Transcript(text, words), SALESPERSON).checks["asks_first_year_question"]
    assert check.passed and check.evidence in text and "shipped" in check.evidence
    assert check.seconds == pytest.approx(words[check.word_index].start)
    assert text.split()[check.word_index] == check.evidence.split()[0]


@needs_model
def test_the_model_gives_every_check_a_probability_and_a_span_inside_the_words():
    words = "thank you for asking me back last year i cut our refund backlog from nine days to two".split()
    found = checkers.checker_named("model")(words, SALESPERSON)
    assert set(found) == set(CHECK_NAMES)
    for f in found.values():
        assert 0.0 <= f.probability <= 1.0
        if f.start is not None:
            assert 0 <= f.start < f.end <= len(words)


def test_the_scores_object_keeps_the_contract_shape():
    text = "Thanks for having me back. What would I have delivered by next June if this goes really well?"
    data = scoring.score(Transcript(text), SALESPERSON).to_json()
    assert set(data) == {"archetype", "transcript", "engine", "checks", "verdict", "metrics"}
    assert list(data["checks"]) == list(CHECK_NAMES)
    for check in data["checks"].values():
        assert set(check) == {"passed", "required", "score", "evidence", "word_index", "seconds", "advice"}
        assert isinstance(check["score"], int) and 0 <= check["score"] <= 100
        assert check["evidence"] is None or check["evidence"] in text
        assert (check["evidence"] is None) == (check["word_index"] is None)
    assert data["verdict"] in ("pass", "fail")


@pytest.fixture
def no_embedding_package(monkeypatch):
    """The embedding package and the tokenizer library cannot be found nor imported."""
    real_find, real_import = importlib.util.find_spec, builtins.__import__

    def find_spec(name, *args, **kwargs):
        if name.split(".")[0] in ("wordllama", "tokenizers"):
            return None
        return real_find(name, *args, **kwargs)

    def guarded_import(name, *args, **kwargs):
        if name.split(".")[0] in ("wordllama", "tokenizers"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(builtins, "__import__", guarded_import)
    for cached in (embed.load, semantic.load_model_checker, checkers.default_checker):
        cached.cache_clear()
    yield
    monkeypatch.undo()
    for cached in (embed.load, semantic.load_model_checker, checkers.default_checker):
        cached.cache_clear()


def test_without_the_embedding_package_the_rules_decide(no_embedding_package):
    assert not embed.available()
    assert semantic.load_model_checker() is None
    assert isinstance(checkers.default_checker(), checkers.RulesChecker)
    text = "Thanks for having me back. Last spring I rebuilt our returns triage and refunds went out in two days."
    result = scoring.score(Transcript(text), CHALLENGER)
    assert result.checks["leads_with_accomplishment"].passed
    assert result.checks["thanks_for_callback"].evidence.startswith("Thanks for having me back")
    with pytest.raises(RuntimeError):
        checkers.checker_named("model")


def test_explain_says_per_check_what_decided():
    words = "thanks for having me back so what would i have delivered by next june if this goes well".split()
    lines = checkers.explain(words)
    assert [line.split(":")[0] for line in lines[:5]] == list(CHECK_NAMES)
    assert all("rules" in line for line in lines[:5])


def test_a_head_with_a_hidden_layer_is_read_from_the_heads_file_and_rectifies_before_its_output(tmp_path):
    import json

    import numpy as np

    name = "leads_with_accomplishment"
    arrays = {f"{name}.w": np.asarray([1.0, -2.0], np.float32), f"{name}.b": np.float32(0.5),
              f"{name}.mean": np.zeros(2, np.float32), f"{name}.scale": np.ones(2, np.float32),
              f"{name}.platt": np.asarray([1.0, 0.0, 0.0], np.float32), f"{name}.threshold": np.float32(0.5),
              f"{name}.w1": np.asarray([[1.0, 0.0], [0.0, 1.0]], np.float32),
              f"{name}.b1": np.asarray([0.0, -1.0], np.float32),
              "meta": np.asarray(json.dumps({"combine": {name: "model"}}))}
    np.savez(tmp_path / "heads.npz", **arrays)
    with np.load(tmp_path / "heads.npz") as data:
        head = semantic.heads_from_npz(data).heads[name]
    x = np.asarray([[3.0, 0.5], [-1.0, 4.0]], np.float32)
    # hidden: relu([3, -0.5]) = [3, 0] -> 3 + 0.5; relu([-1, 3]) = [0, 3] -> -6 + 0.5
    assert head.logits(x).tolist() == pytest.approx([3.5, -5.5])
    linear = semantic.Head(head.weights, head.bias, head.mean, head.scale, head.platt, head.threshold)
    assert linear.logits(x).tolist() == pytest.approx([3.0 - 1.0 + 0.5, -1.0 - 8.0 + 0.5])
    assert not head.numbers
    np.savez(tmp_path / "numbers.npz", **arrays, **{f"{name}.numbers": np.asarray(True)})
    with np.load(tmp_path / "numbers.npz") as data:
        read = semantic.heads_from_npz(data).heads[name]
        assert read.numbers and not read.each_number and not read.number_unit
    marks = {f"{name}.numbers": np.asarray(True), f"{name}.each_number": np.asarray(True),
             f"{name}.number_unit": np.asarray(True)}
    np.savez(tmp_path / "each.npz", **arrays, **marks)
    with np.load(tmp_path / "each.npz") as data:
        read = semantic.heads_from_npz(data).heads[name]
        assert read.numbers and read.each_number and read.number_unit


PLAIN_LEADS = [
    # a known miss of the shipped heads until S40's lead head (83 with it; 0.67 with S31's, under the 75
    # asked): plain now, so that a head that loses it again fails here
    "Thank you for asking me back. I led the migration that cut hosting costs by 30 percent.",
    "Thanks for having me back. Last year I rebuilt the billing system and we stopped losing about forty thousand dollars a month.",
    "I appreciate the second interview. In my last role I redesigned the returns process and cut handling time from six days to two.",
    "thank you for asking me back so last spring i rewrote the scheduling tool and overtime dropped by a third",
    "Thanks for the callback. I was charged with fixing our patient intake, and I cut the wait from forty minutes to twelve.",
    "You doubted I could manage suppliers. I renegotiated our three biggest contracts and saved two hundred thousand pounds a year.",
    "Good to see you again. I trained the new support team and our first-reply time went from nine hours to two.",
]
PLAIN_NON_LEADS = [
    "Thank you for asking me back. I am a hard worker and I love learning new things.",
    "Thanks for having me back. Our company won an award last year and sales went up twenty percent.",
    "Hi, nice to see you again. How was your weekend? The traffic on the way in was terrible.",
    "Thank you for asking me back. I have been a nurse for twelve years and I ran a ward of thirty beds.",
    "Thank you for the second interview. I did not really accomplish anything special in my last job.",
]


@needs_model
@pytest.mark.parametrize("text", PLAIN_LEADS)
def test_a_plain_accomplishment_leads_clearly_not_at_the_threshold(text):
    """A retrained head once put the first of these at 0.50-0.61: every candidate state must keep plain
    openings far from the threshold (at least 3 to 1), whatever its cross-validated figures say. The
    first was a known miss of the shipped heads until S40's lead head (the README's entry for
    train_checks.py)."""
    lead = _checks(text, CHALLENGER)["leads_with_accomplishment"]
    assert lead.passed and lead.score >= 75, lead


@needs_model
@pytest.mark.parametrize("text", PLAIN_NON_LEADS)
def test_a_plain_non_accomplishment_does_not_lead(text):
    lead = _checks(text, CHALLENGER)["leads_with_accomplishment"]
    assert not lead.passed, lead


PLAIN_RESULTS = [
    "I grew regional sales by 40% last year.",
    "I grew sales by 40 percent last year.",
    "Last year I grew our regional sales by forty percent.",
    "I cut delivery times by half.",
    "I reduced customer complaints by 30 percent in six months.",
    "In my last job I doubled the number of repeat customers.",
    "I rewrote the scheduling tool and overtime dropped by a third.",
    pytest.param("Thanks for having me back. I grew regional sales by 40% last year.",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "a known miss of the number check: the rules pass it (90), the model puts it at 0.31 and the "
                     "stack fails it (46 with S28's number head, 6 with S23's, 47 with S31's; 58 with S35's, 59 with S37's, 58 with S38's, 61 with S40's: "
                     "passes, but under the 75 asked here); without the thanks it passes")),
                 id="thanks-then-sales"),
    pytest.param("thanks for having me back so last year i grew regional sales by forty percent",
                 marks=pytest.mark.xfail(strict=True, reason="the same in recognition style: 43 (S23's head 11, S31's 44, S35's 56, S37's 57, S38's 55, S40's 61)"),
                 id="thanks-then-sales-asr"),
    pytest.param("I saved the company two hundred thousand pounds a year.",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "a known miss: read as the company's figure, 9 (S23's head 3, S31's and S35's 12, S37's 11, S38's and S40's 9); the guide counts money "
                     "the speaker saved")),
                 id="saved-the-company"),
]


@needs_model
@pytest.mark.parametrize("text", PLAIN_RESULTS)
def test_a_plain_measurable_result_passes_clearly(text):
    """Plain results of the speaker's own, written for this file: the number check must pass them clearly
    (at least 3 to 1). The marked ones are known misses of the shipped number head, kept so a fix shows."""
    number = _checks(text, CHALLENGER)["quantified_result"]
    assert number.passed and number.score >= 75, number
