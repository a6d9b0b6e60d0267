"""The endpointer's decisions on synthetic per-frame speech sequences (30 ms frames)."""

import pytest

from rehearse.audio.endpoint import Endpointer

FRAME = 0.03


def frames(seconds: float) -> int:
    return int(round(seconds / FRAME))


def run(pattern):
    """Feed (is_speech, seconds) pairs; return the endpointer and the frame number it said done at."""
    ep = Endpointer(frame_s=FRAME, silence_s=1.5, min_speech_s=0.3)
    done_at = None
    n = 0
    for speech, seconds in pattern:
        for _ in range(frames(seconds)):
            n += 1
            if ep.feed(speech) and done_at is None:
                done_at = n
    return ep, done_at


def test_done_after_speech_then_silence_s_of_silence():
    ep, done_at = run([(False, 1.0), (True, 2.0), (False, 3.0)])
    assert ep.heard_speech
    assert done_at == frames(1.0) + frames(2.0) + frames(1.5)
    assert ep.first_speech_s == pytest.approx(frames(1.0) * FRAME)
    assert ep.last_speech_end_s == pytest.approx((frames(1.0) + frames(2.0)) * FRAME)


def test_silence_alone_never_ends_the_answer():
    ep, done_at = run([(False, 10.0)])
    assert done_at is None
    assert not ep.heard_speech
    assert ep.first_speech_s is None


def test_a_pause_shorter_than_silence_s_does_not_end_it():
    ep, done_at = run([(True, 1.0), (False, 1.2), (True, 1.0), (False, 1.4)])
    assert done_at is None
    assert ep.speech_s == pytest.approx(2 * frames(1.0) * FRAME)


def test_too_little_speech_does_not_count():
    ep, done_at = run([(True, 0.15), (False, 3.0)])
    assert not ep.heard_speech
    assert done_at is None


def test_single_frame_blips_in_the_silence_do_not_restart_it():
    blips = []
    for _ in range(6):
        blips += [(False, 0.27), (True, FRAME)]
    ep, done_at = run([(True, 1.0)] + blips + [(False, 2.0)])
    # Done 1.5 s after the real speech ended, as if the blips were silence.
    assert done_at == frames(1.0) + frames(1.5)
    assert ep.last_speech_end_s == pytest.approx(frames(1.0) * FRAME)


def test_sustained_speech_after_silence_restarts_the_count():
    ep, done_at = run([(True, 1.0), (False, 1.0), (True, 0.3), (False, 2.0)])
    assert done_at == frames(1.0) + frames(1.0) + frames(0.3) + frames(1.5)


def test_blips_alone_are_not_speech():
    ep, done_at = run([(False, 0.3), (True, FRAME)] * 20)
    assert not ep.heard_speech
    assert ep.first_speech_s is None


def test_done_stays_true_and_feed_all_reports_it():
    ep = Endpointer(frame_s=FRAME, silence_s=0.3)
    assert not ep.feed_all([True] * 20)
    assert ep.feed_all([False] * 10)
    assert ep.feed(True)
    assert ep.done


def test_silence_s_is_configurable():
    ep = Endpointer(frame_s=FRAME, silence_s=0.6)
    ep.feed_all([True] * 20)
    assert not ep.feed_all([False] * (frames(0.6) - 1))
    assert ep.feed(False)


def test_frame_duration_must_be_positive():
    with pytest.raises(ValueError):
        Endpointer(frame_s=0)


def test_an_answer_that_never_starts_ends_after_the_start_timeout():
    ep = Endpointer(frame_s=FRAME, silence_s=1.5, min_speech_s=0.3, start_timeout_s=6.0)
    for _ in range(frames(6.0) - 1):
        assert not ep.feed(False)
    assert ep.feed(False)
    assert ep.never_started and not ep.heard_speech


def test_an_answer_begun_before_the_start_timeout_ends_on_silence_as_usual():
    ep = Endpointer(frame_s=FRAME, silence_s=1.5, min_speech_s=0.3, start_timeout_s=6.0)
    done_at = None
    for n, speech in enumerate([False] * frames(4.0) + [True] * frames(3.0) + [False] * frames(8.0), start=1):
        if ep.feed(speech) and done_at is None:
            done_at = n
    assert done_at == frames(4.0) + frames(3.0) + frames(1.5)
    assert ep.heard_speech and not ep.never_started


def test_a_one_word_answer_counts_when_the_minimum_is_short():
    pattern = [False] * frames(0.5) + [True] * frames(0.21) + [False] * frames(3.0)
    short = Endpointer(frame_s=FRAME, silence_s=1.5, min_speech_s=0.12, start_timeout_s=6.0)
    usual = Endpointer(frame_s=FRAME, silence_s=1.5, min_speech_s=0.3)
    short.feed_all(pattern)
    usual.feed_all(pattern)
    assert short.heard_speech and short.done and not short.never_started
    assert not usual.heard_speech and not usual.done
