"""Pure timing logic of a drill: lights, grace, overtime, pace, pauses, time to the accomplishment.

Times are stepped with a fake clock (a list of elapsed seconds) and words are synthetic.
"""

import pytest

from rehearse.coaching import metrics

from rehearse.coaching import timing
from rehearse.core.errors import RehearseError
from rehearse.core.model import CheckResult, Metrics, Score, Word
from rehearse.coaching.timing import Lights, LightTracker


def words_at(*spans, text=None):
    """Words with the given (start, end) spans."""
    names = (text or " ".join(f"w{i}" for i in range(len(spans)))).split()
    return tuple(Word(n, s, e) for n, (s, e) in zip(names, spans))


def evenly(n, start, end):
    """n words spread evenly from start to end, each taking 80% of its slot."""
    step = (end - start) / n
    return tuple(Word(f"w{i}", start + i * step, start + (i + 0.8) * step) for i in range(n))


def score_with(passed, seconds=None, word_index=None):
    check = CheckResult(passed=passed, required=True, score=90 if passed else 10,
                        word_index=word_index, seconds=seconds)
    return Score(archetype="storyteller", transcript="", engine="scripted",
                 checks={"leads_with_accomplishment": check}, metrics=Metrics(words=0))


def test_default_lights_are_half_three_quarters_and_the_limit_with_ten_percent_grace():
    lights = Lights.for_limit(40)
    assert (lights.green_at_s, lights.yellow_at_s, lights.red_at_s, lights.grace_s) == (20, 30, 40, 4)
    assert lights.cutoff_s == 44


@pytest.mark.parametrize("t, light", [(0, "none"), (14.99, "none"), (15, "green"), (22.49, "green"),
                                      (22.5, "yellow"), (29.99, "yellow"), (30, "red"), (100, "red")])
def test_light_at_each_boundary(t, light):
    assert Lights.for_limit(30).light_at(t) == light


def test_fractions_and_explicit_seconds_configure_the_lights():
    lights = Lights.for_limit(60, green_fraction=0.6, yellow_fraction=0.9, grace_fraction=0.0)
    assert (lights.green_at_s, lights.yellow_at_s, lights.red_at_s, lights.grace_s) == (36, 54, 60, 0)
    lights = Lights.for_limit(60, green_at_s=10, red_at_s=50, grace_s=2)
    assert (lights.green_at_s, lights.yellow_at_s, lights.red_at_s, lights.cutoff_s) == (10, 45, 50, 52)


@pytest.mark.parametrize("kwargs", [dict(limit_s=0), dict(limit_s=-5), dict(limit_s=30, green_at_s=20, yellow_at_s=10),
                                    dict(limit_s=30, yellow_at_s=40), dict(limit_s=30, grace_s=-1),
                                    dict(limit_s="soon")])
def test_impossible_lights_are_one_sentence_errors(kwargs):
    with pytest.raises(RehearseError):
        Lights.for_limit(**kwargs)


def test_tracker_reports_each_light_once_as_the_fake_clock_advances():
    tracker = LightTracker(Lights.for_limit(10))
    fake_clock = [0.0, 1.0, 4.99, 5.0, 5.03, 7.5, 9.0, 10.0, 10.5, 11.0]
    seen = [(t, tracker.advance(t)) for t in fake_clock]
    assert [(t, c) for t, c in seen if c] == [(5.0, ["green"]), (7.5, ["yellow"]), (10.0, ["red"])]
    assert tracker.current == "red"


def test_tracker_reports_every_light_passed_when_the_clock_jumps():
    tracker = LightTracker(Lights.for_limit(10))
    assert tracker.advance(8.0) == ["green", "yellow"]
    assert tracker.advance(12.0) == ["red"]
    assert tracker.advance(3.0) == []  # the clock never goes back, and nothing is reported twice


def test_recording_is_cut_at_red_plus_grace_and_not_before():
    lights = Lights.for_limit(20)  # red 20, grace 2
    fake_clock = [x * 0.03 for x in range(0, 1000)]
    cut_at = next(t for t in fake_clock if lights.should_stop(t))
    assert cut_at == pytest.approx(22.0, abs=0.031)
    assert not lights.should_stop(21.9)


def test_next_change_names_the_coming_light():
    lights = Lights.for_limit(8)
    assert lights.next_change(0) == ("green", 4)
    assert lights.next_change(4) == ("yellow", 6)
    assert lights.next_change(7) == ("red", 8)
    assert lights.next_change(8) is None


def test_an_answer_finishing_in_the_green_has_no_overtime():
    lights = Lights.for_limit(30)
    words = evenly(40, 1.5, 19.5)
    t = timing.measure(lights, words, recorded_s=21.5, cut=False)
    assert t.light == "green"
    assert t.overtime_s == 0
    assert t.started_at_s == 1.5 and t.ended_at_s == pytest.approx(words[-1].end)
    assert t.spoken_s == pytest.approx(words[-1].end - 1.5)


def test_an_answer_cut_at_red_plus_grace_reports_overtime_from_the_limit():
    lights = Lights.for_limit(30)
    words = evenly(90, 0.5, 33.0)  # still talking when cut at 33 s
    t = timing.measure(lights, words, recorded_s=33.0, cut=True)
    assert t.light == "red" and t.cut
    assert t.overtime_s == pytest.approx(words[-1].end - 30.0)
    assert 2.5 < t.overtime_s <= 3.0


def test_a_slow_start_counts_against_the_limit():
    lights = Lights.for_limit(10)
    words = evenly(10, 6.0, 9.0)  # three seconds of talk after six of hesitation
    t = timing.measure(lights, words, recorded_s=11, cut=False)
    assert t.light == "yellow"  # judged where the answer ended (8.9 s), not after 3 s of speech
    assert t.spoken_s == pytest.approx(2.94, abs=0.01)


def test_no_words_means_no_light_and_no_pace():
    t = timing.measure(Lights.for_limit(30), (), recorded_s=5, cut=False)
    assert t.light == "none" and t.spoken_s == 0 and t.wpm is None and t.pace is None
    assert t.ended_at_s is None and t.fillers_per_min is None


@pytest.mark.parametrize("n_words, seconds, band", [(20, 10.0, "in band"), (15, 10.0, "slow"),
                                                      (30, 10.0, "fast"), (24, 12.0, "in band")])
def test_pace_is_words_per_minute_over_speaking_time_against_the_band(n_words, seconds, band):
    words = tuple(Word(f"w{i}", 2 + i * seconds / n_words, 2 + (i + 1) * seconds / n_words) for i in range(n_words))
    t = timing.measure(Lights.for_limit(60), words, recorded_s=20, cut=False)
    assert t.wpm == pytest.approx(n_words / seconds * 60)
    assert t.pace == band


def test_pace_band_edges():
    assert timing.pace_band(120.0) == "in band" and timing.pace_band(160.0) == "in band"
    assert timing.pace_band(119.9) == "slow" and timing.pace_band(160.1) == "fast"
    assert timing.pace_band(100, band=(90, 110)) == "in band"
    assert timing.pace_band(None) is None


def test_longest_pause_is_the_biggest_gap_between_words_not_the_start_delay():
    words = words_at((5.0, 5.4), (5.5, 6.0), (8.2, 8.6), (8.7, 9.0), (9.9, 10.2))
    pause, at = timing.longest_pause(words)
    assert pause == pytest.approx(2.2) and at == 6.0
    assert timing.longest_pause(words[:1]) == (0.0, None)


def test_time_to_the_accomplishment_comes_from_the_check_when_it_passed():
    words = evenly(10, 1.0, 11.0)
    assert timing.first_accomplishment_s(score_with(True, seconds=3.25), words) == 3.25
    assert timing.first_accomplishment_s(score_with(True, word_index=4), words) == pytest.approx(words[4].start)
    assert timing.first_accomplishment_s(score_with(False, seconds=3.25), words) is None
    t = timing.measure(Lights.for_limit(30), words, recorded_s=12, cut=False, score=score_with(True, seconds=3.25))
    assert t.first_accomplishment_s == 3.25
    assert t.to_json()["first_accomplishment_s"] == 3.25


def test_filler_counts_take_phrases_first_and_agree_with_metrics():
    text = "um so i mean i was kind of like you know the lead uh basically i like it um"
    fillers = metrics.default_fillers()
    found = timing.filler_counts(metrics.tokens(text), fillers)
    assert found == {"um": 2, "i mean": 1, "kind of": 1, "like": 1, "you know": 1, "uh": 1, "basically": 1}
    assert sum(found.values()) == metrics.count_fillers(metrics.tokens(text), fillers)
    assert timing.filler_counts(["er", "um"], ["er"]) == {"er": 1}


def test_fillers_per_minute_over_speaking_time():
    words = evenly(30, 0.0, 15.0)
    t = timing.measure(Lights.for_limit(30), words, recorded_s=16, cut=False, filler_words={"um": 2, "like": 1})
    assert t.fillers == 3
    assert t.fillers_per_min == pytest.approx(3 / words[-1].end * 60)


def test_timing_json_has_every_contract_field():
    t = timing.measure(Lights.for_limit(30), evenly(10, 1, 8), recorded_s=10, cut=False)
    data = t.to_json()
    for key in ("limit_s", "spoken_s", "green_at_s", "yellow_at_s", "red_at_s", "light", "overtime_s",
                "first_accomplishment_s"):
        assert key in data
    assert data["light"] in timing.LIGHTS
    assert (data["limit_s"], data["green_at_s"], data["yellow_at_s"], data["red_at_s"]) == (30, 15, 22.5, 30)
