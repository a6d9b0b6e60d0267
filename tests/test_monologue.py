"""The monologue recorder at the device seam: fake input and output streams share a fake room.

The real MonologueRecorder (player, echo canceller, voice activity, FloorWatch, end of answer) runs;
only sounddevice is replaced. The room echoes what the speakers play (speakers) or not (headphones)
and the candidate speaks in a chosen pause.
"""

import numpy as np
import pytest

from fake_sounddevice import FakeSoundDevice, Room, add_room, device
from fakes import RATE, quiet, vowel
from rehearse.audio import monologue, pcm
from rehearse.audio.monologue import Clip, MonologueRecorder, Player
from rehearse.coaching import seize

SENTENCE_S = (1.5, 1.2, 1.8, 1.0)
PAUSES_S = (1.0, 1.4, 1.2, 1.0)


def sentence(seconds, seed):
    """The interviewer's 'sentence': a vowel with noise in it (a pure vowel is periodic, which no
    voice is, and would give the echo's cross-correlation several equal peaks)."""
    rng = np.random.default_rng(seed)
    noise = np.convolve(rng.standard_normal(int(seconds * RATE)), np.ones(4) / 4, mode="same") * 2500
    return np.clip(vowel(seconds, f0=170.0 + 15 * seed) * 0.7 + noise, -32768, 32767).astype(np.int16)


def clips():
    return [Clip(f"line-{i + 1}", sentence(s, i), p) for i, (s, p) in enumerate(zip(SENTENCE_S, PAUSES_S))]


def install(monkeypatch, room, max_blocks=2000):
    import rehearse.audio.devices as devices

    sd = add_room(FakeSoundDevice([device("Fake Room", inputs=1, outputs=1)], (0, 0)), room, max_blocks)
    monkeypatch.setattr(devices, "sounddevice_module", lambda: sd)
    return sd


def candidate():
    """About 1.5 s of 'speech' with short gaps, then quiet."""
    return np.concatenate([vowel(0.6, 110.0), quiet(0.06), vowel(0.9, 115.0), quiet(4.0)]).astype(np.float64)


def record(tmp_path, mode, notes=None, max_seconds=10):
    recorder = MonologueRecorder(clips(), watch=lambda frame_s: seize.FloorWatch(frame_s, mode), mode=mode,
                                 silence_s=1.0, stop_on_enter=False,
                                 notify=(notes.append if notes is not None else None))
    recording = recorder.record(tmp_path / "answer.wav", max_seconds=max_seconds)
    recorder.outcome = seize.outcome_of(recorder.seize_s, recorder.sentences, recorder.monologue_end_s)
    return recorder, recording


def expected_second_pause():
    return SENTENCE_S[0] + PAUSES_S[0] + SENTENCE_S[1]


@pytest.mark.parametrize("mode, gain, delay", [
    (seize.PAUSES, 0.7, 1600),
    (seize.SUBTRACT, 0.7, 1600),
    (seize.HEADPHONES, 0.0, 1280),  # the fake stream reports 30 + 50 ms of latency
])
def test_seized_in_the_second_pause_with_the_time_measured(monkeypatch, tmp_path, mode, gain, delay):
    room = Room(echo_gain=gain, echo_delay=delay, voice=candidate(), voice_in_pause=2, voice_delay=int(0.4 * RATE))
    sd = install(monkeypatch, room)
    recorder, recording = record(tmp_path, mode)
    stream = sd.rooms[0]
    outcome = recorder.outcome
    assert outcome.where == "pause" and outcome.index == 2 and outcome.took_floor
    assert outcome.pauses_offered == 1
    truth = stream.voice_spoken_at / RATE
    assert truth == pytest.approx(expected_second_pause() + 0.4, abs=0.05)
    # the vowel's onset is detected within a few 30 ms frames
    assert outcome.seize_s == pytest.approx(truth, abs=0.1)
    assert recording.heard_speech and recording.stopped_by == "silence"
    # the interviewer stopped: nothing was played after the floor was taken (plus the output in flight)
    taken_out = int((outcome.seize_s + 0.5) * RATE)
    assert np.abs(stream.played[taken_out:]).max() == 0
    assert [s.index for s in outcome.sentences] == [1, 2]
    # the answer file starts just before the candidate (the preroll) and holds their voice
    answer = pcm.load(recording.path)
    assert 1.2 < answer.duration_s < 4.0
    assert recorder.full_path.is_file() and pcm.load(recorder.full_path).duration_s > answer.duration_s
    if mode != seize.HEADPHONES:
        assert recorder.delay_measured and recorder.delay_s == pytest.approx(delay / RATE, abs=0.002)
    if mode == seize.SUBTRACT:
        assert recorder.suppression_db > 30


def test_pause_only_ignores_speech_over_the_interviewer(monkeypatch, tmp_path):
    """The candidate speaks 0.9 s in the middle of sentence 2, stopping before its end: pause-only does not
    count it (it cannot tell it from the echo), subtraction does."""
    voice = np.concatenate([vowel(0.9, 110.0), quiet(8.0)]).astype(np.float64)
    middle = int((SENTENCE_S[0] + PAUSES_S[0] + 0.3) * RATE)
    for mode, taken in ((seize.PAUSES, False), (seize.SUBTRACT, True)):
        install(monkeypatch, Room(echo_gain=0.7, echo_delay=1600, voice=voice, voice_at=middle))
        notes = []
        (tmp_path / mode).mkdir()
        recorder, recording = record(tmp_path / mode, mode, notes, max_seconds=2)
        if taken:
            assert recorder.outcome.where == "sentence" and recorder.outcome.index == 2
        else:
            assert recorder.outcome.where == "never"
            assert not recording.heard_speech
            assert any("never took the floor" in n for n in notes)


def test_without_subtraction_the_echo_itself_would_be_taken_for_the_candidate(monkeypatch, tmp_path):
    """The reason for the modes: with speakers, counting the raw microphone everywhere (as with
    headphones) takes the interviewer's own first sentence for the candidate."""
    install(monkeypatch, Room(echo_gain=0.7, echo_delay=1600))
    recorder, _ = record(tmp_path, seize.HEADPHONES)
    assert recorder.outcome.where == "sentence" and recorder.outcome.index == 1


def test_never_taking_the_floor_is_said_and_the_answer_is_what_follows(monkeypatch, tmp_path):
    monologue_s = sum(SENTENCE_S) + sum(PAUSES_S)
    voice = candidate()
    room = Room(echo_gain=0.7, echo_delay=1600, voice=voice, voice_at=int((monologue_s + 1.0) * RATE))
    install(monkeypatch, room)
    notes = []
    recorder, recording = record(tmp_path, seize.PAUSES, notes)
    assert any("never took the floor" in n for n in notes)
    assert recorder.outcome.where == "after" and not recorder.outcome.took_floor
    assert recorder.outcome.pauses_offered == 4
    assert recording.heard_speech and recording.stopped_by == "silence"
    assert [s.index for s in recorder.outcome.sentences] == [1, 2, 3, 4]


def test_the_next_sentence_waits_while_the_candidate_may_be_starting():
    player = Player([Clip("a", np.full(100, 1000, np.int16), 0.01), Clip("b", np.full(100, 2000, np.int16), 0.01)],
                    sample_rate=10000)
    first = player.next(200)  # clip a (100), its pause (100)
    assert list(first[:100]) == [1000] * 100 and not first[100:].any()
    player.hold = True
    assert not player.next(50).any() and player.starts[1] is None
    player.hold = False
    out = player.next(150)
    assert player.starts[1] == 250 and list(out[:100]) == [2000] * 100
    player.stop()
    assert not player.next(100).any() and player.finished


def test_a_stopped_sentence_ends_where_it_was_cut():
    player = Player([Clip("a", np.full(1000, 1000, np.int16), 0.1)], sample_rate=10000)
    player.next(300)
    player.stop()
    assert player.ends[0] == 300 and player.remaining_samples() == 700 + 1000


def test_unknown_mode_is_one_sentence():
    from rehearse.core.errors import RehearseError

    with pytest.raises(RehearseError, match="Unknown listening mode"):
        MonologueRecorder(clips(), watch=lambda f: None, mode="loud")
