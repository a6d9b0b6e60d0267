"""The end-of-turn rule over recognised words (no punctuation): finished clauses end the answer
early, unfinished ones wait."""

import pytest

from rehearse.coaching.turn import COMPLETE, INCOMPLETE, UNKNOWN, TurnPolicy, completeness


@pytest.mark.parametrize("text", [
    "and what i did was",
    "we rewrote the jobs because",
    "so the",
    "i led a team of",
    "the thing is that",
    "and then we",
    "we cut the drop in half and",
    "my goal was to",
    "the result was um",
    "i rewrote the reconciliation jobs uh",
    "and we moved every customer you know",
    "i think that it was kind of",
    "it took us about",
    "what would you want a new person to",
    "the project i am proudest of is the",
])
def test_an_unfinished_clause_is_incomplete(text):
    assert completeness(text) == INCOMPLETE


@pytest.mark.parametrize("text", [
    "i rewrote the reconciliation jobs and we closed the books two days earlier",
    "if i were very successful in the first year what would i have accomplished",
    "response times went from two days to about four hours within a month",
    "they renewed for three more years and doubled the number of seats",
    "how do you usually measure good work on this team",
    "thank you for asking me back",
    "thank you",
    "we cut that drop in half",
    "that is the kind of work i would like to bring to this role",
])
def test_a_finished_sentence_is_complete(text):
    assert completeness(text) == COMPLETE


def test_punctuation_and_case_do_not_decide():
    # Whisper puts a full stop at the end of every segment, even one cut mid-sentence
    assert completeness("And what I did was.") == INCOMPLETE
    assert completeness("We closed the books two days earlier") == COMPLETE
    assert completeness("We closed the books two days earlier.") == COMPLETE


def test_words_can_come_as_a_list():
    assert completeness(["We", "closed", "the", "books."]) == COMPLETE
    assert completeness(["We", "closed", "the"]) == INCOMPLETE


@pytest.mark.parametrize("text", ["", "   ", "...", "i took over", "we signed up", "billing",
                                  "i would rather show you what i can do"])
def test_nothing_or_an_ambiguous_ending_is_unknown(text):
    assert completeness(text) == UNKNOWN


def test_the_policy_waits_long_after_an_unfinished_clause_and_short_after_a_finished_one():
    policy = TurnPolicy()
    short = policy.window_s("we closed the books two days earlier")
    long = policy.window_s("and what i did was")
    middle = policy.window_s("")
    assert short < middle < long
    assert short == policy.complete_s and long == policy.incomplete_s and middle == policy.unknown_s


def test_words_that_do_not_reach_the_pause_wait_the_stale_window():
    policy = TurnPolicy(stale_s=3.5)
    assert policy.window_s(None) == 3.5


def test_the_policy_rejects_windows_out_of_order():
    with pytest.raises(ValueError):
        TurnPolicy(complete_s=3.0, unknown_s=2.0)
    with pytest.raises(ValueError):
        TurnPolicy(complete_s=0.0)


def test_a_speaker_who_pauses_long_between_sentences_gets_a_longer_window_after_a_finished_one():
    policy = TurnPolicy()
    done = "we closed the books two days earlier"
    fluent = policy.window_s(done, pauses=[0.3, 0.4, 0.3, 0.2])
    slow = policy.window_s(done, pauses=[1.2, 1.5, 0.3, 1.4, 1.6])
    assert fluent == policy.complete_s
    assert policy.complete_s < slow <= policy.rhythm_cap_s
    assert slow > 1.5  # over their usual long pause
    # never beyond the cap, and the rhythm does not shorten the other windows
    assert policy.window_s(done, pauses=[3.0, 3.5, 3.2]) == policy.rhythm_cap_s
    assert policy.window_s("and what i did was", pauses=[1.2, 1.5, 1.4]) == policy.incomplete_s
