"""Personalised checks: the opening presents the user's best accomplishment (its key terms and
numbers, robust to speech-recognition errors) and mentions the topics the debrief said were missed."""

import json

import pytest

from fakes import install_fake_devices, script_engine, tone_wav
from rehearse.coaching import scoring
from rehearse.core.archetypes import get as get_archetype
from rehearse.coaching.bank import Accomplishment
from rehearse.store.bank import Bank
from rehearse.core.model import Transcript, Word
from rehearse.coaching.personal import MENTIONS, PRESENTS, Targets, check

ONBOARDING = Accomplishment(
    title="Onboarding redesign",
    situation="New hires needed ten weeks before they shipped anything.",
    action="I rebuilt the first two weeks around real tickets and a buddy system.",
    result="Ramp-up fell from 10 weeks to 6, 40% faster.",
    terms=("onboarding", "ramp-up", "new hires"),
)

# What PocketSphinx-like recognition makes of a spoken opening about it: words split and misheard
# ("on boarding", "re design", "new hire", "ramped"), numbers spelled out, no punctuation.
HEARD = ("thank you for asking me back i want to start with the on boarding re design i did at acme "
         "new hire ramped up time fell from ten weeks to six that is forty per cent faster")

# A different accomplishment, with a number and the same kind of words around it.
OTHER = ("thank you for asking me back i want to start with the billing migration at acme i moved "
         "our invoices to a new database and we cut hosting costs by thirty percent in six months")


def presents(text: str, acc=ONBOARDING):
    results = check(Transcript(text), Targets(accomplishment=acc))
    assert results[0].name == PRESENTS
    return results[0]


def test_finds_the_best_accomplishment_in_a_misheard_transcript_with_spelled_out_numbers():
    r = presents(HEARD)
    assert r.result.passed, r
    assert not r.result.required  # never part of the verdict
    assert "on boarding" in r.result.evidence
    assert {"onboarding", "ramp-up", "new hires"} & set(r.heard)
    assert {"10 weeks", "40%"} <= set(r.heard)  # "ten weeks", "forty per cent"
    assert r.result.word_index == HEARD.split().index("on")


def test_does_not_fire_on_a_different_accomplishment():
    r = presents(OTHER)
    assert not r.result.passed
    assert r.result.evidence is None
    assert "the onboarding redesign" in r.result.advice  # the advice names the accomplishment


def test_a_shared_number_or_a_lone_word_is_not_enough():
    assert not presents("i cut our support backlog from ten weeks to six").result.passed
    lone = presents("our onboarding was fine but i mostly worked on billing")
    assert not lone.result.passed
    assert "onboarding" in lone.result.advice  # "I heard only onboarding of it"
    # a near-homophone plus the same number in another unit: "conversation", "twelve months"
    checkout = Accomplishment("Checkout rebuild", result="conversion up 12 percent", terms=("checkout", "conversion"))
    assert not presents("thank you for having me back for a second conversation picture me twelve months "
                        "into this job", checkout).result.passed
    assert presents("i rebuilt the check out and conversion went up twelve per cent", checkout).result.passed


def test_presented_too_late_fails_with_advice_to_bring_it_forward():
    preamble = "well let me tell you a little about myself and my background and where i grew up " * 6
    r = presents(preamble + "then i did the onboarding redesign and ramp up fell by forty percent")
    assert not r.result.passed and r.result.evidence
    assert "bring it to the start" in r.result.advice


def test_presented_without_its_number_passes_with_a_tip():
    r = presents("thank you for having me back i led the onboarding redesign for new hires")
    assert r.result.passed
    assert r.result.advice and "number" in r.result.advice


def test_evidence_is_timed_from_the_words():
    words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(HEARD.split()))
    r = check(Transcript(HEARD, words=words, engine="x", duration_s=20.0), Targets(ONBOARDING))[0]
    assert r.result.seconds == pytest.approx(words[HEARD.split().index("on")].start)


def test_topics_from_the_debrief_are_checked_one_by_one():
    text = "i also ran the denver ware house inventory for two years"
    results = check(Transcript(text), Targets(topics=("the Denver warehouse", "budget forecasting")))
    assert [r.name for r in results] == [MENTIONS, MENTIONS]
    warehouse, budget = results
    assert warehouse.result.passed and "denver" in warehouse.result.evidence
    assert not budget.result.passed and "budget forecasting" in budget.result.advice
    # a joined pair of unrelated words is not the topic ("for asking" is not "forecasting")
    assert not check(Transcript("thank you for asking"), Targets(topics=("forecasting",)))[0].result.passed


def test_nothing_to_check_without_targets():
    assert check(Transcript(HEARD), Targets()) == []


def test_practice_shows_and_saves_the_personal_checks_without_changing_the_contract(
        tmp_path, monkeypatch, run_cli):
    bank = Bank.open()
    bank.add(Accomplishment(ONBOARDING.title, result=ONBOARDING.result, terms=ONBOARDING.terms, best=True))
    bank.close()
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "a.wav", seconds=3))
    script_engine(HEARD)
    code, out, err = run_cli("practice", "--archetype", "challenger", "--engine", "scripted", "--json")
    result = json.loads(out)
    assert result["personal"][0]["name"] == PRESENTS and result["personal"][0]["passed"]
    # the five checks and the verdict are what the scorer alone gives
    alone = scoring.score(Transcript(result["transcript"]), get_archetype("challenger")).to_json()
    assert {k: v["passed"] for k, v in result["checks"].items()} == \
        {k: v["passed"] for k, v in alone["checks"].items()}
    assert result["verdict"] == alone["verdict"]
    from rehearse.store.sessions import Store

    saved = Store().get(result["session_id"])
    assert saved.extra["personal"] == result["personal"]
    # the human report names the target
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "b.wav", seconds=3))
    script_engine(OTHER)
    code, out, err = run_cli("practice", "--archetype", "storyteller", "--engine", "scripted")
    assert "Presents \"Onboarding redesign\"" in out and "[miss]" in out
    assert "Open with the onboarding redesign" in out


def test_practice_without_a_bank_prints_the_contract_object_only(tmp_path, monkeypatch, run_cli):
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "a.wav", seconds=3))
    script_engine(HEARD)
    code, out, _ = run_cli("practice", "--archetype", "challenger", "--engine", "scripted", "--json")
    assert "personal" not in json.loads(out)


# -- the similarity model (the checks' decision when the embedding package is installed) --------------

import builtins  # noqa: E402
import importlib.util  # noqa: E402

from conftest import need  # noqa: E402
from rehearse.coaching import embed, personal, topic_match  # noqa: E402

CLOSE = Accomplishment(
    title="Month-end close cut to four days",
    situation="Finance took ten working days to close the books each month.",
    action="I automated the bank reconciliations and moved accruals to a shared schedule.",
    result="Close fell from 10 days to 4.",
)

# The same piece of work retold in other words: no word of the title, no number of the result.
RETOLD = ("thanks for having me back the thing i'd start with is how long our monthly accounts took we needed "
          "two weeks to sign off the ledger so i scripted the reconciliation of the bank statements and put "
          "accruals on one shared calendar and now we finish in under a week")


@pytest.fixture
def model():
    m = personal.load_model()
    need(m is not None, "the embedding package (wordllama) is not installed")
    return m


def test_a_retold_accomplishment_is_presented_where_the_word_matching_missed_it(model):
    r = check(Transcript(RETOLD), Targets(accomplishment=CLOSE), model=model)[0]
    assert r.result.passed, r
    assert r.result.evidence and r.result.evidence in RETOLD and "reconciliation" in r.result.evidence
    assert RETOLD.split()[r.result.word_index] == r.result.evidence.split()[0]
    assert 50 <= r.result.score <= 100  # the model's probability, in percent
    # the word matching alone (the fallback) misses it: the recall problem
    assert not check(Transcript(RETOLD), Targets(accomplishment=CLOSE), model=None)[0].result.passed


@pytest.mark.parametrize("text", [
    # another accomplishment of the same job
    "i'd start with the audit i prepared every working paper for our external auditors and we had no "
    "findings for the first time",
    # the same subject as a wish, not a piece of work done
    "i'm a finance manager and um month end is always busy um i think the close could be faster and "
    "that's something i'd love to work on here",
])
def test_the_model_does_not_pass_another_accomplishment_or_a_wish(model, text):
    r = check(Transcript(text), Targets(accomplishment=CLOSE), model=model)[0]
    assert not r.result.passed, r
    assert r.result.evidence is None and r.result.score < 50
    assert "the month-end close cut to four days" in r.result.advice.lower()


def test_a_short_mention_by_name_and_number_still_passes_by_the_word_matching(model):
    # the model reads the whole entry and finds too little of it; the precise word matching says yes
    r = check(Transcript("then i did the onboarding redesign and ramp up fell by forty percent"),
              Targets(ONBOARDING), model=model)[0]
    assert r.result.passed and "onboarding" in r.result.evidence


@pytest.mark.parametrize("use_model", [True, False])
def test_look_alike_words_do_not_mention_a_named_topic(model, use_model):
    m = model if use_model else None

    def mentions(text, topic):
        return check(Transcript(text), Targets(topics=(topic,)), model=m)[0].result.passed

    # the two false matches: a misheard "me logistics", a "migration" to something else
    assert not mentions("i'd say my work ethic, me logistics is what i enjoy", "Acme Logistics")
    assert not mentions("we did the migration to cover needs over the summer", "the migration to Kubernetes")
    assert mentions("i spent three years at acme logistics running their depot", "Acme Logistics")
    assert mentions("i led the migration of all our services to kubernetes last year", "the migration to Kubernetes")


def test_results_keep_the_same_json_shape_with_and_without_the_model(model):
    targets = Targets(accomplishment=CLOSE, topics=("the month-end close", "budget forecasting"))
    for m in (model, None):
        for item in personal.results_json(check(Transcript(RETOLD), targets, model=m)):
            assert set(item) == {"name", "target", "passed", "required", "score", "evidence", "word_index",
                                 "seconds", "advice", "heard"}
            assert isinstance(item["score"], int) and 0 <= item["score"] <= 100
            assert item["required"] is False
            assert (item["evidence"] is None) == (item["word_index"] is None)


def test_the_shipped_weights_match_the_features():
    data = json.loads((personal.resources.files("rehearse") / personal.MODEL_FILE).read_text(encoding="utf-8"))
    heads = personal.heads_from_json(data)
    assert set(heads) == {PRESENTS, MENTIONS}
    assert heads[PRESENTS].features == personal.FEATURES
    assert heads[MENTIONS].features == topic_match.FEATURES
    assert all(len(h.weights) == len(h.features) for h in heads.values())
    assert heads[MENTIONS].context and all(isinstance(w, float) for w in heads[MENTIONS].context.values())
    with pytest.raises(ValueError):
        personal.heads_from_json({**data, "features": ["soft", "window"]})
    # a topic head that reads other features than the topic check computes is refused
    wrong = json.loads(json.dumps(data))
    wrong["heads"][MENTIONS]["features"] = list(personal.FEATURES)
    wrong["heads"][MENTIONS]["weights"] = [1.0] * len(personal.FEATURES)
    with pytest.raises(ValueError):
        personal.heads_from_json(wrong)


@pytest.fixture
def no_embedding_package(monkeypatch):
    real_find, real_import = importlib.util.find_spec, builtins.__import__

    def find_spec(name, *args, **kwargs):
        return None if name.split(".")[0] in ("wordllama", "tokenizers") else real_find(name, *args, **kwargs)

    def guarded_import(name, *args, **kwargs):
        if name.split(".")[0] in ("wordllama", "tokenizers"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(builtins, "__import__", guarded_import)
    for cached in (embed.load, personal.load_model):
        cached.cache_clear()
    yield
    monkeypatch.undo()
    for cached in (embed.load, personal.load_model):
        cached.cache_clear()


def test_without_the_embedding_package_the_word_matching_decides(no_embedding_package):
    assert personal.load_model() is None
    assert not check(Transcript(RETOLD), Targets(accomplishment=CLOSE))[0].result.passed  # the fallback
    assert check(Transcript(HEARD), Targets(ONBOARDING))[0].result.passed


def test_a_bank_entry_with_only_a_title_is_still_recognised_and_told_apart(model):
    title_only = Accomplishment(title=CLOSE.title)
    told = ("so um the one i'd talk about is closing the books um it used to take like ten days every month and "
            "i automated the bank recs and um got everyone doing accruals on one schedule so now it's four days")
    assert check(Transcript(told), Targets(accomplishment=title_only), model=model)[0].result.passed
    other = "i run payroll for four hundred people and i have never missed a pay day in six years"
    assert not check(Transcript(other), Targets(accomplishment=title_only), model=model)[0].result.passed
