"""Where an opening mentions a debrief topic ("my work at ___"): names and kinds, misheard and spelled
names, denials, and the check's verdict with and without its trained head."""

import pytest

from rehearse.coaching import personal, topic_match
from rehearse.coaching.checks import load_rules as check_rules
from rehearse.coaching.personal import MENTIONS, Targets, check
from rehearse.coaching.textnorm import normalize
from rehearse.core.model import Transcript


def doc(text):
    return normalize(text.split(), check_rules().norm)


@pytest.fixture
def rules():
    return personal.load_topic_rules()


def find(text, topic, rules):
    return topic_match.find(doc(text), topic_match.terms(doc(topic), rules), rules)


def test_names_say_which_one_and_kinds_only_what_sort(rules):
    t = topic_match.terms(doc("my time at Kendrick Construction"), rules)
    assert t.names == ("kendrick",) and t.kinds == ("construction",)
    t = topic_match.terms(doc("the migration to Kubernetes"), rules)
    assert t.names == ("kubernetes",) and t.kinds == ("migration",)
    # a topic of kinds alone: every word must then say which one
    t = topic_match.terms(doc("the complaints team"), rules)
    assert "complaints" in t.names
    assert topic_match.terms(doc("the council office"), rules).names == ("council", "office")


@pytest.mark.parametrize("text, topic", [
    ("i did six years at ken drick as a q s", "Kendrick Construction"),       # a name split in two
    ("i worked at the grand harber in brighton", "Grand Harbour Hotel"),     # misheard, kind left out
    ("when the see queue see came back to beechwood", "the CQC inspection"),  # spelled letter by letter
    ("i was site engineer on the a fourteen bridge", "the A14 bridge job"),   # a code with a number
])
def test_a_misheard_or_shortened_name_is_heard(text, topic, rules):
    m = find(text, topic, rules)
    assert m.names == 1.0 and not m.negated and m.span is not None


def test_a_look_alike_or_a_shared_kind_is_not_the_name(rules):
    assert find("we did the migration to azure last year", "the migration to Kubernetes", rules).names == 0.0
    assert find("thank you for asking", "forecasting", rules).names == 0.0
    # the skeleton needs five letters: short words must be close by spelling
    assert topic_match.skeleton("harbour") == topic_match.skeleton("harber")
    assert find("i went to the sage shop", "Sage migration", rules).words < 1.0


@pytest.mark.parametrize("text, denied", [
    ("i never actually did the night audit i just covered nights", True),
    ("i wasn't part of the roman gallery refit that was before my time", True),
    ("i'll probably talk about oakfield vets a bit later if there's time", True),
    ("last time nobody asked about my time at the grand harbour", False),
    ("i don't think i explained my six years at kirklees well", False),
    ("the thing i didn't get to say is i ran the night audit", False),
])
def test_a_denial_or_a_deferral_is_told_from_the_topic_brought_up(text, denied, rules):
    topic = {"night": "the night audit", "roman": "the roman gallery refit", "oakfield": "oakfield vets",
             "grand": "Grand Harbour Hotel", "kirklees": "kirklees council"}
    name = next(k for k in topic if k in text)
    assert find(text, topic[name], rules).negated is denied


def verdict(text, topic, head):
    d = doc(text)
    return personal.check_topic(d, Transcript(text), topic, personal.load_rules(), head)


@pytest.mark.parametrize("use_head", [True, False])
def test_the_check_passes_a_mention_and_fails_a_denial(use_head):
    head = personal.load_topic_head() if use_head else None
    assert not use_head or head is not None
    said = verdict("thanks for having me back i want to start with my six years at kendrick", "my time at Kendrick Construction", head)
    assert said.result.passed and "kendrick" in said.result.evidence and said.result.score >= 50
    denied = verdict("to be clear i never worked at kendrick construction", "my time at Kendrick Construction", head)
    assert not denied.result.passed and denied.result.evidence is None and denied.result.score < 50
    assert "Kendrick Construction" in denied.result.advice
    elsewhere = verdict("i ran the dispatch desk at harbour foods for three years", "my time at Kendrick Construction", head)
    assert not elsewhere.result.passed


def test_the_topic_check_reads_words_only_and_is_the_same_without_the_embedding_model():
    text = "i spent three years at acme logistics running their depot"
    with_model = check(Transcript(text), Targets(topics=("Acme Logistics",)))[0]
    without = check(Transcript(text), Targets(topics=("Acme Logistics",)), model=None)[0]
    assert with_model.name == MENTIONS and with_model == without and with_model.result.passed


def test_the_words_around_a_mention_are_its_sentence_only_without_the_mention(rules):
    m = find("I was at the depot. A friend at Kendrick told me about this job, she loves it. Then I moved.",
             "Kendrick Construction", rules)
    assert m.span is not None
    assert "friend" in m.context and "told" in m.context
    assert "kendrick" not in m.context  # the mention itself is not its context
    assert "depot" not in m.context and "moved" not in m.context  # other sentences are not
    nowhere = topic_match.find(doc("we closed the books early"), topic_match.terms(doc("Kendrick"), rules), rules)
    assert nowhere.context == ()


def test_the_context_votes_with_its_weights_each_word_once(rules):
    m = find("a friend a friend at kendrick told me", "Kendrick Construction", rules)
    weights = {"friend": -2.0, "told": -0.5, "led": 1.0}
    assert topic_match.context_score(m, weights, 0.25) == pytest.approx(0.25 - 2.0 - 0.5)
    assert topic_match.features(m, weights, 0.25)[-1] == topic_match.context_score(m, weights, 0.25)
    assert topic_match.features(m)[-1] == 0.0  # no weights: no vote
    nowhere = find("we closed the books early", "Kendrick Construction", rules)
    assert topic_match.context_score(nowhere, weights, 0.25) == 0.0


def test_a_head_with_context_weights_tells_a_name_in_passing_from_the_work_there():
    base = personal.load_topic_head()
    head = personal.Head(base.weights, base.bias, base.threshold, base.features,
                         {"friend": -6.0, "heard": -6.0, "led": 3.0, "years": 3.0}, 0.0)
    topic = "my time at Kendrick Construction"
    work = verdict("thanks for having me back i led the site team at kendrick for three years", topic, head)
    passing = verdict("thanks for having me back i heard about this job from a friend at kendrick", topic, head)
    assert work.result.passed and not passing.result.passed
    assert passing.result.score < 50 <= work.result.score


def test_later_before_the_mention_defers_it_too(rules):
    assert find("maybe later i can tell you about oakfield vets", "oakfield vets", rules).negated
    assert not find("i spent four years at oakfield vets", "oakfield vets", rules).negated
