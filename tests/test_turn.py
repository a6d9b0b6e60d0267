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


FLUENT = [(0.3, "i took over billing"), (0.35, "it failed every month end"), (0.3, "so i rebuilt the importer"),
          (0.4, "we closed the books two days earlier"), (0.3, "the team still uses that tool")]
"""Pauses after five finished sentences, all short: a fluent speaker's rhythm, trusted fully."""


def test_the_policy_waits_long_after_an_unfinished_clause_and_short_after_a_finished_one():
    policy = TurnPolicy()
    fluent = FLUENT  # a fluent speaker's rhythm
    short = policy.window_s("we closed the books two days earlier", fluent)
    long = policy.window_s("and what i did was", fluent)
    middle = policy.window_s("", fluent)
    assert short < middle <= long
    assert short == policy.complete_s and long == policy.incomplete_s and middle == policy.unknown_s
    # an ending that cannot tell ("... we cut that out" for "we cut that, um") outlasts a thinking pause
    assert policy.window_s("and we cut that out", fluent) > 4.0


def test_until_the_speaker_has_gone_on_after_two_finished_sentences_a_finished_one_waits_longer():
    policy = TurnPolicy()
    done = "we closed the books two days earlier"
    assert policy.window_s(done) == policy.slow_s
    assert policy.window_s(done, [(0.3, "i took over billing")]) == policy.slow_s
    assert policy.window_s(done, FLUENT[:3]) < policy.slow_s
    assert policy.complete_s < policy.slow_s < policy.incomplete_s


def test_a_fast_rhythm_is_trusted_step_by_step_over_the_first_pauses_after_sentences():
    policy = TurnPolicy()
    done = "we closed the books two days earlier"
    windows = [policy.window_s(done, FLUENT[:n]) for n in range(2, policy.trust_pauses + 1)]
    assert windows[0] == policy.slow_s and windows[-1] == policy.complete_s
    assert all(a > b for a, b in zip(windows, windows[1:]))  # a step down with each short pause
    # a mixed speaker: two short pauses, then a long one after a sentence; the window covers it
    assert policy.window_s(done, FLUENT[:2] + [(1.6, done)]) > 1.6
    # trusted at once, as before, when asked to
    assert TurnPolicy(trust_pauses=2).window_s(done, FLUENT[:2]) == policy.complete_s


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
    fluent = policy.window_s(done, pauses=[0.3, 0.4, 0.3, 0.2, 0.3])
    slow = policy.window_s(done, pauses=[1.2, 1.5, 0.3, 1.4, 1.6])
    assert fluent == policy.complete_s
    assert policy.complete_s < slow <= policy.slow_s
    assert slow > 1.6  # over their longest pause between sentences
    # never beyond the cap, and the rhythm does not shorten the other windows
    assert policy.window_s(done, pauses=[3.0, 3.5, 3.2]) == policy.slow_s
    assert policy.window_s("and what i did was", pauses=[1.2, 1.5, 1.4]) == policy.incomplete_s


def test_thinking_pauses_inside_a_clause_do_not_count_as_the_speakers_rhythm():
    policy = TurnPolicy()
    done = "we closed the books two days earlier"
    thinking = [(3.1, "and what i did was"), (2.4, "we moved every customer to the, um")] + [(0.3, done)] * 5
    assert policy.window_s(done, pauses=thinking) == policy.complete_s
    between = thinking + [(1.4, "it took three days")]
    assert policy.window_s(done, pauses=between) > 1.4
    # a long pause after words that cannot tell ("... what i can do") is rhythm too: it lengthens the window
    undecided = [(0.3, done)] * 5 + [(1.4, "i would rather show you what i can do")]
    assert policy.window_s(done, pauses=undecided) > 1.4
    # ... but never makes it shorter: it does not count towards the two finished sentences needed
    assert policy.window_s(done, pauses=[(0.3, done), (0.3, "i would rather show you what i can do")]) == policy.slow_s


def test_a_finished_sentence_early_in_the_answer_waits_longer():
    policy = TurnPolicy()
    done = "thank you for asking me back"
    fluent = FLUENT
    assert policy.window_s(done, fluent, spoken_s=policy.brief_s + 3) == policy.slow_s
    assert policy.window_s(done, fluent, spoken_s=policy.settle_s + 5) == policy.complete_s
    assert policy.window_s("and what i did was", fluent, spoken_s=policy.brief_s + 3) == policy.incomplete_s


def test_nothing_ends_an_answer_in_its_first_seconds_sooner_than_an_unfinished_clause_would():
    """Whisper dropped the "and" of "They renewed for three more years and, um," before a thinking
    pause 2.3 s into an answer; the words read finished."""
    policy = TurnPolicy()
    heard = "They were nude for three more years"
    assert completeness(heard) == COMPLETE
    assert policy.window_s(heard, spoken_s=2.3) == policy.incomplete_s
    assert policy.window_s(heard, FLUENT, spoken_s=2.3) == policy.incomplete_s
    assert policy.window_s(heard, spoken_s=policy.brief_s + 0.5) == policy.slow_s
    assert policy.window_s(heard) == policy.slow_s  # no clock given: the words decide


def test_a_long_pause_after_a_sentence_the_engine_ended_with_a_comma_is_part_of_the_rhythm():
    """A finished sentence written with a trailing comma is unfinished for the end of the answer, but
    the pause after it shows how long this speaker stays silent between sentences."""
    from rehearse.coaching.turn import rhythm_verdict

    policy = TurnPolicy()
    assert completeness("Every rate fell below 1%,") == INCOMPLETE
    assert rhythm_verdict("Every rate fell below 1%,") == UNKNOWN
    assert rhythm_verdict("and what I did was,") == INCOMPLETE  # the words themselves are unfinished
    quick = [(0.33, "promoted within the year."), (0.33, "about the new platform."),
             (0.36, "budget for test automation.")]
    done = "and I was productive within a few weeks."
    shown_long = [(1.98, "Every rate fell below 1%,")] + quick
    assert policy.window_s(done, shown_long, spoken_s=30) == policy.slow_s
    assert policy.window_s(done, quick, spoken_s=30) < policy.slow_s


def test_a_last_word_the_engine_is_unsure_of_does_not_close_the_clause():
    from rehearse.core.model import Word
    from rehearse.coaching.turn import UNSURE_P

    # "thank you for the invitation to um", written "to home."
    said = ["Thank", "you", "for", "the", "invitation", "to"]
    words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.95) for i, w in enumerate(said)]
    unsure = words + [Word("home.", 1.8, 2.0, UNSURE_P - 0.1)]
    sure = words + [Word("home.", 1.8, 2.0, UNSURE_P + 0.3)]
    assert completeness(unsure) == INCOMPLETE
    assert completeness(sure) == COMPLETE
    # words without a probability are read as before
    assert completeness(words + [Word("home.", 1.8, 2.0)]) == COMPLETE
    assert TurnPolicy().window_s(unsure) == TurnPolicy().incomplete_s


def test_an_object_pronoun_the_engine_is_not_quite_sure_of_does_not_close_the_clause():
    from rehearse.core.model import Word
    from rehearse.coaching.turn import DOUBT_P, PRONOUN_SURE_P

    # "almost half of the new users on, um," written "on them."
    said = ["almost", "half", "of", "the", "new", "users", "on"]
    words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.95) for i, w in enumerate(said)]
    between = (DOUBT_P + PRONOUN_SURE_P) / 2  # sure enough for any other last word
    assert completeness(words + [Word("them.", 2.1, 2.3, between)]) == INCOMPLETE
    assert completeness(words + [Word("her.", 2.1, 2.3, between)]) == INCOMPLETE
    assert completeness(words + [Word("them.", 2.1, 2.3, PRONOUN_SURE_P + 0.05)]) == COMPLETE
    assert completeness(words[:-1] + [Word("today.", 1.8, 2.1, between)]) == COMPLETE


def test_a_last_word_the_engine_doubts_after_finished_words_cannot_tell():
    from rehearse.core.model import Word
    from rehearse.coaching.turn import DOUBT_P, UNSURE_P

    # "I started a weekly review of, um," written "I started a day." before a thinking pause
    said = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.97) for i, w in enumerate(["I", "started", "a"])]
    doubted = said + [Word("day.", 0.9, 1.1, (UNSURE_P + DOUBT_P) / 2)]
    trusted = said + [Word("day.", 0.9, 1.1, DOUBT_P + 0.05)]
    assert completeness(doubted) == UNKNOWN
    assert completeness(trusted) == COMPLETE
    policy = TurnPolicy()
    assert policy.window_s(doubted, spoken_s=30) == policy.unknown_s
    # words that are unfinished anyway stay unfinished
    assert completeness(said[:2] + [Word("a", 0.6, 0.8, (UNSURE_P + DOUBT_P) / 2)]) == INCOMPLETE
    # the pause after such words counts towards the speaker's longest: one who paused 1.7 s after a
    # sentence the engine doubted is not taken for fluent by their short pauses
    done = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.99) for i, w in enumerate("and we shipped it in June.".split())]
    quick = [(0.33, "promoted within the year."), (0.33, "about the new platform."),
             (0.36, "budget for test automation."), (0.35, "on the new billing system."),
             (0.34, "and then we went live.")]
    shown_long = [(1.7, doubted)] + quick
    assert policy.window_s(done, shown_long, spoken_s=30) == policy.slow_s
    assert policy.window_s(done, quick, spoken_s=30) < policy.slow_s


def test_words_that_trail_off_are_unfinished_whatever_the_last_word():
    from rehearse.core.model import Word

    # Whisper writes "..." or a comma where the speaker stopped mid-clause; "that" alone is
    # already unfinished, "seen" or "years" alone would close the clause
    assert completeness("it fits what you described. I think that...") == INCOMPLETE
    assert completeness("and by then I was seen,") == INCOMPLETE
    assert completeness("they renewed for three more years\u2026") == INCOMPLETE
    assert completeness("they renewed for three more years.") == COMPLETE
    words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.99) for i, w in enumerate(["they", "renewed", "for", "three"])]
    assert completeness(words + [Word("years,", 1.2, 1.5, 0.99)]) == INCOMPLETE
    assert completeness(words + [Word("years.", 1.2, 1.5, 0.99)]) == COMPLETE


def test_a_symbol_written_apart_is_not_the_last_word_the_engine_is_unsure_of():
    from rehearse.core.model import Word
    from rehearse.coaching.turn import UNSURE_P

    # "... fell below one percent." written "fell below 1 %", the "%" a word of its own
    said = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.95) for i, w in enumerate(["the", "error", "rate", "fell", "below", "1"])]
    unsure_sign = said + [Word("%", 1.8, 1.9, UNSURE_P - 0.2)]
    assert completeness(unsure_sign) == COMPLETE
    # the number itself unsure: a hesitation may hide behind it, as before
    unsure_number = said[:-1] + [Word("1", 1.5, 1.7, UNSURE_P - 0.2), Word("%", 1.8, 1.9, 0.99)]
    assert completeness(unsure_number) == INCOMPLETE


def test_a_finished_ending_stands_only_when_the_second_decode_of_the_pause_agrees():
    from rehearse.coaching.turn import NOT_YET, with_second_opinion

    first = "i know you had some doubts about my background"  # Whisper dropped the "in, um"
    assert with_second_opinion(first, None) is NOT_YET  # wait for the second decode
    assert with_second_opinion(first, "doubts about my background in um,") == "doubts about my background in um,"
    assert completeness(with_second_opinion(first, "doubts about my background in um,")) == INCOMPLETE
    assert with_second_opinion(first, "had some doubts about my background.") == first
    # an unfinished first decode needs no second opinion: it already waits
    assert with_second_opinion("and what i did was", None) == "and what i did was"
    # a second decode that heard nothing gives no opinion
    assert with_second_opinion(first, "") == first and with_second_opinion(first, ()) == first


def test_a_doubted_last_word_is_settled_by_a_second_decode_sure_of_the_same_ending():
    from rehearse.core.model import Word
    from rehearse.coaching.turn import DOUBT_P, NOT_YET, UNSURE_P, with_second_opinion

    def said(text: str, last_p: float) -> list:
        words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.97) for i, w in enumerate(text.split())]
        return words[:-1] + [Word(words[-1].word, words[-1].start, words[-1].end, last_p)]

    for p in (UNSURE_P - 0.05, (UNSURE_P + DOUBT_P) / 2):  # unsure (read unfinished), in doubt (cannot tell)
        first = said("bringing me in was the right call?", p)
        assert completeness(first) != COMPLETE
        assert with_second_opinion(first, None) is NOT_YET  # wait for the second decode
        sure = said("me in was the right call.", DOUBT_P + 0.08)
        assert completeness(with_second_opinion(first, sure)) == COMPLETE
        # the first heard one word more than the second: still the same ending
        longer = said("we shipped it two weeks early. yeah.", p)
        assert completeness(with_second_opinion(longer, said("shipped it two weeks early.", 0.95))) == COMPLETE
        # a second decode as unsure, one that ends elsewhere, one unfinished, one that heard nothing: no
        for other in (said("me in was the right call.", p), said("and the whole team called.", 0.95),
                      said("me in was the", 0.95), ()):
            assert completeness(with_second_opinion(first, other)) != COMPLETE
    # words that do not close a clause wait whatever the second decode says, without waiting for it
    unfinished = said("and what I did was to", UNSURE_P - 0.05)
    assert with_second_opinion(unfinished, None) == unfinished
    assert with_second_opinion(unfinished, said("what I did was to.", 0.99)) == unfinished
    # a hesitation heard as a word before a thinking pause, heard as unsurely a second time: it waits
    thinking = said("thank you for having me welcome, despite the rum.", 0.44)
    assert completeness(with_second_opinion(thinking, said("having me welcome despite the rum.", 0.48))) != COMPLETE


def test_a_second_opinion_that_loops_gives_no_opinion_but_a_hesitation_is_heard():
    from rehearse.coaching.turn import repeats_itself, with_second_opinion

    first = "before that change a release took two weeks and afterwards it took three days."
    loop = "I wrote the proposal. I'm sorry, I'm sorry, I'm sorry, I'm sorry,"
    assert completeness(loop) != COMPLETE and repeats_itself(loop)
    assert with_second_opinion(first, loop) == first  # the first decode's finished sentence stands
    for thinking in ("and afterwards it took, um, um, um,", "and afterwards it took three, uh, uh, uh"):
        assert not repeats_itself(thinking)
        assert with_second_opinion(first, thinking) == thinking  # a speaker thinking: wait
    assert not repeats_itself("we cut it from three days to two days. two days.")  # twice is not a loop
    assert repeats_itself("the the the") and not repeats_itself("")


def test_a_hesitation_written_as_arm_is_a_hesitation():
    """Whisper writes "um" before a pause as "arm" ("at my, um," as "at my arm.", p 0.88)."""
    from rehearse.core.model import Word

    assert completeness("we cut that drop in half at my arm.") == INCOMPLETE
    said = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.99) for i, w in enumerate(["and", "doubled", "the"])]
    assert completeness(said + [Word("arm.", 1.0, 1.2, 0.9)]) == INCOMPLETE
    assert completeness("i moved to the consulting arm and stayed five years") == COMPLETE


def test_a_too_at_the_end_closes_a_clause_only_after_a_pronoun():
    """Whisper writes "to, um," before a thinking pause as ", too." (p 1.00)."""
    from rehearse.core.model import Word

    assert completeness("Thanks for having me in again. It was good, too.") == INCOMPLETE
    said = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.99) for i, w in enumerate(["It", "was", "good,"])]
    assert completeness(said + [Word("too.", 1.0, 1.2, 1.0)]) == INCOMPLETE
    assert completeness("it was too") == INCOMPLETE
    assert completeness("thank you for asking me back. me too") == COMPLETE
    assert completeness("have a good weekend, you too.") == COMPLETE


@pytest.mark.parametrize("text", [
    "the finance team now uses it every morning. It replaced",
    "I wrote",
    "response times fell by half. Um, I rewrote",
    "we won the account and I built",
    "That took a year, so we migrated",
    "most of a day to update. I think",  # a verb that leads into a clause
    "and we realised",
    "I was there three years. Um, I guess",
])
def test_a_new_clause_of_a_subject_and_a_verb_that_wants_an_object_or_a_clause_is_unfinished(text):
    # Whisper drops the short word after the verb before a thinking pause ("I rewrote the, um")
    assert completeness(text) == INCOMPLETE
    assert completeness(text.split()) == INCOMPLETE


@pytest.mark.parametrize("text", [
    "that is the tool I built.",          # the object came first
    "the old system it replaced.",
    "and it improved.",                   # verbs as often without an object are not read so
    "that is what we launched.",
    "I rewrote the reconciliation jobs.",
    "and we delivered.",
    "it went well, I think.",             # a tag after a comma, not a new clause
    "that is what I think.",
    "and that is what we realised.",
])
def test_a_verb_whose_object_came_first_or_needs_none_ends_a_sentence(text):
    assert completeness(text) == COMPLETE


def _engine_words(text: str, p: float = 0.95) -> list:
    from rehearse.core.model import Word

    return [Word(w, i * 0.3, i * 0.3 + 0.25, p) for i, w in enumerate(text.split())]


def test_engine_words_that_punctuate_and_stop_without_an_end_mark_cannot_tell():
    # Whisper wrote this before a thinking pause ("... jobs | and we closed the books")
    said = _engine_words("a billing system that failed every month end, and, Um, I rewrote the reconciliation jobs")
    assert completeness(said) == UNKNOWN
    assert TurnPolicy().window_s(said, spoken_s=40.0) == TurnPolicy().unknown_s


@pytest.mark.parametrize("text", [
    "a billing system that failed every month end, and I rewrote the reconciliation jobs.",
    "Last spring, I took over a billing system. What would I have accomplished?",
    'and we closed the books two days "earlier."',
])
def test_engine_words_that_end_on_an_end_mark_are_finished(text):
    assert completeness(_engine_words(text)) == COMPLETE


def test_words_with_no_punctuation_at_all_are_read_by_their_words():
    # an engine that does not punctuate (PocketSphinx), or typed text
    assert completeness(_engine_words("i rewrote the reconciliation jobs")) == COMPLETE
    assert completeness("month end, and I rewrote the reconciliation jobs") == COMPLETE


@pytest.mark.parametrize("text, verdict", [
    ("what would the crew say about the way I work by then?", COMPLETE),
    ("what would i have delivered by then", COMPLETE),
    ("and then", INCOMPLETE),  # a connective left hanging
    ("we cut the backlog and then", INCOMPLETE),
    ("two days earlier. By then", INCOMPLETE),  # a new sentence that starts with "by then"
    ("two days earlier and by then", INCOMPLETE),
    ("two days earlier, by then", INCOMPLETE),
    ("by then", INCOMPLETE),
])
def test_by_then_closes_a_clause_where_it_does_not_start_one(text, verdict):
    assert completeness(text) == verdict


def test_by_then_in_engine_words_is_judged_as_written():
    from rehearse.core.model import Word

    said = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.97) for i, w in enumerate("say about the way I work by then?".split())]
    assert completeness(said) == COMPLETE
    starts = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.97) for i, w in enumerate("two days earlier. By then".split())]
    assert completeness(starts) == INCOMPLETE
    unsure = said[:-1] + [Word("then?", 2.1, 2.3, 0.3)]  # a hesitation heard as "then"
    assert completeness(unsure) == INCOMPLETE


@pytest.mark.parametrize("text, verdict", [
    ("Average pick time went from 2 minutes 42.", INCOMPLETE),  # "... from 2 minutes 40 to, um"
    ("and rejections dropped from forty percent", INCOMPLETE),
    ("we brought it down from 12 days", INCOMPLETE),
    ("average pick time went from 2 minutes 40 to 90 seconds.", COMPLETE),
    ("I moved from London.", COMPLETE),  # no amount
    ("we built it from zero.", COMPLETE),  # no verb of change
    ("I came from 3M.", COMPLETE),
    ("my costs were down 30% from last year.", COMPLETE),
])
def test_a_figure_that_changed_from_an_amount_waits_for_what_it_changed_to(text, verdict):
    assert completeness(text) == verdict


def test_an_open_range_in_engine_words_is_unfinished_however_sure_the_engine_is():
    from rehearse.core.model import Word

    said = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.97) for i, w in enumerate("Average pick time went from 2 minutes 42.".split())]
    assert completeness(said) == INCOMPLETE
    assert TurnPolicy().window_s(said, spoken_s=20.0) == TurnPolicy().incomplete_s


@pytest.mark.parametrize("text, verdict", [
    ("beds? Uh, like, what would you point at?", COMPLETE),  # the question word is the object
    ("One question, what booking software are you on?", COMPLETE),
    ("what do you work on", COMPLETE),
    ("what would you want a new person to", INCOMPLETE),  # "to" leads into a verb: not stranded
    ("and what I did was to", INCOMPLETE),  # no inverted verb: not a question
    ("so what I want to talk about", INCOMPLETE),
    ("I handed it to", INCOMPLETE),
    ("what would the crew say, and then at", INCOMPLETE),  # a clause after the question
])
def test_a_question_that_strands_its_preposition_is_finished(text, verdict):
    assert completeness(text) == verdict


@pytest.mark.parametrize("text, verdict", [
    ("worthwhile, and what's your own management style like?", COMPLETE),  # the question's "like"
    ("what would the first year be like", COMPLETE),
    ("what does a good day look like?", COMPLETE),
    ("I think it was, like", INCOMPLETE),  # a filler
    ("and what I did was like", INCOMPLETE),  # no verb right after "what": a filler
    ("So what we did was build a like", INCOMPLETE),
    ("what's like", INCOMPLETE),
])
def test_a_what_question_ending_in_like_is_finished_and_a_filler_like_is_not(text, verdict):
    assert completeness(text) == verdict


@pytest.mark.parametrize("text, verdict", [
    ("if I'm the sort of engineer you want?", COMPLETE),  # the noun is what is wanted
    ("the person you need.", COMPLETE),
    ("and you want", INCOMPLETE),  # a verb or an object may follow
    ("what you want", INCOMPLETE),
    ("so I want", INCOMPLETE),
    ("if you want", INCOMPLETE),
])
def test_a_noun_you_want_closes_the_clause(text, verdict):
    assert completeness(text) == verdict


@pytest.mark.parametrize("text", ["how would the team describe how we lead a few months in?",
                                  "what would I have got done for you?",
                                  "what would I have done by the end of my first season with you?"])
def test_the_endings_of_the_questions_the_tool_asks_for_are_finished(text):
    assert completeness(text) == COMPLETE


def test_the_silence_flags_help_states_the_policys_windows():
    from rehearse.cli.commands._common import SILENCE_HELP

    policy = TurnPolicy()
    assert f"{policy.complete_s:g}-{policy.slow_s:g} s after a finished sentence" in SILENCE_HELP
    assert f"{policy.incomplete_s:g} s after an unfinished one" in SILENCE_HELP
