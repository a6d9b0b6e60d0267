"""The pure timing of seizing the moment: the floor watch, where in the monologue, the judgement."""

import pytest

from rehearse.coaching import seize
from rehearse.coaching.seize import FloorWatch, Spoken, judge, locate

F = 0.03


def feed(watch, pattern):
    """``pattern``: a string of frames, ``I`` interviewer only, ``B`` interviewer and speech,
    ``S`` speech alone, ``.`` silence."""
    for ch in pattern:
        watch.feed(speech=ch in "SB", interviewer=ch in "IB")
    return watch


def test_pause_mode_ignores_speech_over_the_interviewer_and_in_the_guard():
    watch = feed(FloorWatch(F, seize.PAUSES), "B" * 40)
    assert not watch.taken and not watch.pending
    # right after the interviewer stops, speech (a late echo, or someone talking over them) does not
    # count until the microphone has been quiet 0.15 s after the 0.25 s guard; the interviewer
    # waits, though, once it goes on past the guard
    feed(watch, "S" * 8)
    assert not watch.pending and not watch.taken
    feed(watch, "S")
    assert watch.pending and not watch.taken
    feed(watch, "." * 5)
    feed(watch, "S")
    assert watch.pending and not watch.taken
    feed(watch, "S" * 9)
    assert watch.taken
    assert watch.taken_at_s == pytest.approx(54 * F)


def test_speech_that_never_pauses_counts_once_no_echo_could_be_that_late():
    watch = feed(FloorWatch(F, seize.PAUSES), "B" * 40 + "S" * 40)
    # quiet for more than the guard (8 frames) + 0.4 s (13 frames): the 22nd frame after the
    # interviewer, frame 61
    assert watch.taken_at_s == pytest.approx(61 * F)


def test_speech_begun_within_the_guard_counts_from_its_first_pause():
    watch = feed(FloorWatch(F, seize.PAUSES), "I" * 10 + "." * 4 + "S" * 12)
    assert not watch.taken and watch.pending
    feed(watch, "." * 5 + "S" * 10)
    assert watch.taken_at_s == pytest.approx((10 + 4 + 12 + 5) * F)


def test_a_cough_in_the_pause_holds_the_interviewer_only_while_it_lasts():
    watch = feed(FloorWatch(F, seize.PAUSES), "I" * 10 + "." * 10 + "SS")
    assert watch.pending
    feed(watch, "." * 5)
    assert not watch.pending and not watch.taken


def test_pause_mode_counts_speech_that_starts_in_a_pause():
    watch = feed(FloorWatch(F, seize.PAUSES), "I" * 30 + "." * 20 + "S" * 10)
    assert watch.taken_at_s == pytest.approx(50 * F)


def test_a_short_blip_is_not_the_floor_and_releases_the_hold():
    watch = feed(FloorWatch(F, seize.PAUSES), "I" * 10 + "." * 20 + "SSS" + "." * 5)
    assert not watch.taken and not watch.pending


def test_short_gaps_inside_speech_stay_one_run():
    watch = feed(FloorWatch(F, seize.PAUSES), "." * 5 + "SSSS..SSSS..SS")
    assert watch.taken_at_s == pytest.approx(5 * F)


def test_subtract_and_headphones_count_speech_over_the_interviewer():
    watch = feed(FloorWatch(F, seize.HEADPHONES), "I" * 20 + "B" * 10)
    assert watch.taken_at_s == pytest.approx(20 * F)
    # subtraction: over the interviewer it takes 0.6 s (20 frames), not 0.3 s
    watch = feed(FloorWatch(F, seize.SUBTRACT), "I" * 20 + "B" * 19)
    assert watch.pending and not watch.taken
    feed(watch, "B")
    assert watch.taken_at_s == pytest.approx(20 * F)


def test_subtract_counts_a_pause_like_pause_only():
    watch = feed(FloorWatch(F, seize.SUBTRACT), "I" * 20 + "." * 10 + "S" * 10)
    assert watch.taken_at_s == pytest.approx(30 * F)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        FloorWatch(F, "loud")


SENTENCES = (Spoken(1, "a", 0.0, 4.0), Spoken(2, "b", 5.2, 9.0), Spoken(3, "c", 10.6, 13.0))
END = 14.0


@pytest.mark.parametrize("at, where, index, offered", [
    (4.5, "pause", 1, 0),
    (9.3, "pause", 2, 1),
    (13.5, "pause", 3, 2),
    (6.0, "sentence", 2, 1),
    (14.2, "after", None, 3),
])
def test_locate(at, where, index, offered):
    outcome = locate(at, SENTENCES, END)
    assert (outcome.where, outcome.index, outcome.pauses_offered) == (where, index, offered)
    assert outcome.took_floor == (where in ("pause", "sentence"))


def test_never():
    outcome = locate(None, SENTENCES, END)
    assert outcome.where == "never" and not outcome.took_floor and outcome.pauses_offered == 3


def _checks(lead):
    return {"leads_with_accomplishment": {"passed": lead}}


def _best(passed):
    return [{"name": "presents_accomplishment", "target": "Payments migration", "passed": passed}]


def test_judge_seized_with_the_best():
    j = judge(locate(9.3, SENTENCES, END), _checks(True), _best(True))
    assert j.verdict == "seized" and j.best is True
    assert "9.3 s" in j.message and "2nd pause" in j.message and "Payments migration" in j.message


def test_judge_seized_with_another_accomplishment():
    j = judge(locate(9.3, SENTENCES, END), _checks(True), _best(False))
    assert j.verdict == "seized_weakly" and "not your best" in j.message


def test_judge_without_a_bank_entry_counts_the_lead_alone():
    j = judge(locate(4.5, SENTENCES, END), _checks(True), None)
    assert j.best is None and j.verdict == "seized"
    assert judge(locate(4.5, SENTENCES, END), _checks(False), None).verdict == "seized_weakly"


def test_judge_late_and_never_say_so():
    late = judge(locate(15.0, SENTENCES, END), _checks(True), _best(True))
    assert late.verdict == "late" and "never took the floor" in late.message and "3 pauses" in late.message
    never = judge(locate(None, SENTENCES, END), _checks(False), None)
    assert never.verdict == "never" and never.to_json()["took_floor"] is False
