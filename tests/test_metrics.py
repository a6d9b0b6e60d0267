from rehearse.coaching import metrics
from rehearse.core.model import Transcript, Word


def test_fillers_count_phrases_once_and_not_inside_words():
    words = metrics.tokens("Um so I you know led the, uh, umbrella project; I mean it was like great")
    assert metrics.count_fillers(words) == 5  # um, you know, uh, i mean, like


def test_pace_uses_speaking_time_between_first_and_last_word():
    words = tuple(Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate("one two three four five six".split()))
    m = metrics.compute(Transcript("one two three four five six", words, duration_s=10.0))
    assert m.words == 6
    assert m.duration_s == 10.0
    assert abs(m.wpm - 6 / 2.9 * 60) < 0.01


def test_text_without_timings_has_no_pace():
    m = metrics.compute(Transcript("I led the project"))
    assert m.wpm is None and m.fillers_per_min is None and m.words == 4


def test_fillers_that_carry_meaning_are_not_counted():
    words = metrics.tokens("I'd like to ask what kind of team it is, and it looks like fun, like, really")
    assert metrics.count_fillers(words) == 1  # only the bare "like" before "really"


def test_the_checks_and_the_figures_read_one_filler_list():
    """What the checks drop as a filler, the delivery figures count as one (fillers.toml is the one list)."""
    from rehearse.coaching import fillers
    from rehearse.coaching.checks import load_rules

    norm = load_rules().norm
    counted = set(metrics.default_fillers())
    assert set(norm.fillers) == set(fillers.hesitations()) and set(norm.fillers) <= counted
    assert {" ".join(p) for p in norm.filler_phrases} == set(fillers.phrases()) <= counted
    for sound in fillers.hesitations():
        assert metrics.count_fillers(["so", sound, "i", "rebuilt", "it"]) == 1, sound
