"""Live transcription that re-decodes the growing answer (AgreementTranscriber), the speculative
finish of both live transcribers, and the choice between them."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest

from conftest import need_engine
from rehearse.audio.pcm import Audio
from rehearse.core.errors import DecodeAbandoned
from rehearse.core.model import Transcript, Word
from rehearse.speech.streaming import (AgreementTranscriber, IncrementalTranscriber, live_transcriber)
from rehearse.speech.wer import edit_distance, normalise
from scripted_engine import ScriptedEngine

RATE = 16000


class ToneEngine:
    """A fake engine that can decode any window: each tone burst is a word named by its pitch
    ("f440"), timed where the burst is in the window; a burst followed by 0.3 s of quiet ends a
    sentence ("f440."). Fragments under 60 ms (a burst cut by the window's end) are not heard."""

    name = "tones"

    def __init__(self):
        self.windows: list[tuple[float, bool]] = []  # (duration, final) of every call
        self.thread_names: set[str] = set()

    def transcribe_window(self, audio: Audio, *, context=None, final=False) -> Transcript:
        self.windows.append((audio.duration_s, final))
        self.thread_names.add(threading.current_thread().name)
        x = audio.samples.astype(float)
        frame = RATE // 100
        n = len(x) // frame
        loud = np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1)) > 1000
        words, start = [], None
        for i, on in enumerate(list(loud) + [False]):
            if on and start is None:
                start = i
            elif not on and start is not None:
                if i - start >= 6:
                    piece = x[start * frame:i * frame]
                    spectrum = np.abs(np.fft.rfft(piece * np.hanning(len(piece))))
                    pitch = int(round(np.argmax(spectrum) * RATE / len(piece) / 20.0)) * 20
                    quiet_after = i + 30 <= n and not loud[i:i + 30].any()
                    words.append(Word(f"f{pitch}" + ("." if quiet_after else ""), start / 100, i / 100))
                start = None
        return Transcript(" ".join(w.word for w in words), tuple(words), self.name, audio.duration_s, 0.0)

    def transcribe(self, audio: Audio) -> Transcript:
        return self.transcribe_window(audio, final=True)


def tones(layout: list[tuple[float, float, int]], tail_s: float = 1.0, seed: int = 0) -> np.ndarray:
    """Faint noise with a tone burst of ``pitch`` Hz at each (start, end, pitch)."""
    total = max(end for _, end, _ in layout) + tail_s
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 30, int(total * RATE))
    t = np.arange(len(x)) / RATE
    for start, end, pitch in layout:
        a, b = int(start * RATE), int(end * RATE)
        x[a:b] += 8000 * np.sin(2 * np.pi * pitch * t[a:b])
    return np.clip(x, -32768, 32767).astype(np.int16)


def fluent(seconds: float, seed: int = 2) -> list[tuple[float, float, int]]:
    """Fluent 'speech': words of 0.2-0.4 s with 60-120 ms gaps, a 0.3 s pause every 8 words,
    each word a pitch of its own."""
    rng = np.random.default_rng(seed)
    layout, pos, k = [], 0.4, 0
    while pos < seconds:
        length = rng.uniform(0.2, 0.4)
        layout.append((pos, pos + length, 300 + 20 * k))
        k += 1
        pos += length + (0.35 if k % 8 == 0 else rng.uniform(0.06, 0.12))
    return layout


def names(words) -> list[str]:
    return [re.sub(r"[^a-z0-9]", "", w.word) for w in words]


def feed(live, samples: np.ndarray, block: int = 1600, step_each_block: bool = True) -> None:
    """Feed blocks; without a background thread, let the transcriber work after every block."""
    for i in range(0, len(samples), block):
        live.feed(samples[i:i + block])
        if step_each_block and not live.background:
            while live.run_pending() is not None:
                pass


# --- re-decoding the growing answer --------------------------------------------------------------


def test_words_are_committed_while_speaking_and_timed_on_the_answers_clock():
    layout = fluent(40)
    samples = tones(layout)
    engine = ToneEngine()
    live = AgreementTranscriber(engine, RATE, step_s=1.0, max_buffer_s=6.0, background=False)
    committed_during = []
    for i in range(0, len(samples), 1600):
        live.feed(samples[i:i + 1600])
        while live.run_pending() is not None:
            pass
        committed_during.append((live.fed_s, live.committed_s))
    result = live.finish()
    assert names(result.words) == [f"f{p}" for _, _, p in layout]  # none lost, none doubled
    for word, (start, end, _) in zip(result.words, layout):
        assert abs(word.start - start) <= 0.02 and abs(word.end - end) <= 0.02
    # words were committed as the answer grew, never more than a few seconds behind it
    assert all(fed - done <= 4.0 for fed, done in committed_during if fed > 5)
    # the buffer stayed bounded: no window much longer than its limit, though nothing was final
    steps = [d for d, final in engine.windows if not final]
    assert len(steps) >= 30 and max(steps) <= 6.0 + 1.0 + 1.0
    # at the end only the tail was decoded
    finals = [d for d, final in engine.windows if final]
    assert len(finals) == 1 and finals[0] <= 8.0


def test_the_last_words_are_not_lost():
    layout = fluent(12, seed=5)
    samples = tones(layout, tail_s=0.05)  # the recording ends right after the last word
    live = AgreementTranscriber(ToneEngine(), RATE, background=False)
    feed(live, samples)
    result = live.finish()
    assert names(result.words) == [f"f{p}" for _, _, p in layout]


def test_a_background_thread_does_the_work_and_text_so_far_grows():
    layout = fluent(20, seed=3)
    samples = tones(layout)
    engine = ToneEngine()
    live = AgreementTranscriber(engine, RATE, step_s=0.5)
    seen = []
    half = len(samples) // 2
    for i in range(0, len(samples), 1600):
        live.feed(samples[i:i + 1600])
        seen.append(live.text_so_far())
        if i <= half < i + 1600:  # give the worker time to catch up once (not a timing test)
            for _ in range(400):
                if live.text_so_far():
                    break
                threading.Event().wait(0.05)
    result = live.finish(timeout_s=60)
    assert engine.thread_names == {"live-transcriber"}
    assert names(result.words) == [f"f{p}" for _, _, p in layout]
    assert any(seen), "text_so_far() showed nothing while the answer was fed"
    for text in seen:  # whatever it showed was (the start of) what was said
        shown = [w.rstrip(".") for w in text.split()]
        assert shown == names(result.words)[:len(shown)]


def test_no_speech_gives_an_empty_transcript():
    quiet = np.random.default_rng(0).normal(0, 20, RATE * 12).astype(np.int16)
    live = AgreementTranscriber(ToneEngine(), RATE, background=False)
    feed(live, quiet)
    result = live.finish()
    assert result.is_empty and result.words == ()
    assert result.duration_s == pytest.approx(12.0)
    engine = ScriptedEngine()
    engine.queue = ["words from nowhere"] * 20
    silent = AgreementTranscriber(engine, RATE, background=False)
    feed(silent, np.zeros(RATE * 5, np.int16))
    assert silent.finish().is_empty


def test_engine_failure_surfaces_at_finish():
    class Broken(ToneEngine):
        def transcribe_window(self, audio, *, context=None, final=False):
            raise RuntimeError("engine exploded")

    live = AgreementTranscriber(Broken(), RATE)
    live.feed(tones(fluent(5)))
    with pytest.raises(RuntimeError, match="engine exploded"):
        live.finish(timeout_s=30)


def test_each_engine_gets_the_live_transcriber_that_suits_it():
    assert isinstance(live_transcriber(ToneEngine(), RATE, policy="agreement", background=False), AgreementTranscriber)
    assert isinstance(live_transcriber(ToneEngine(), RATE, background=False), AgreementTranscriber)  # the default
    assert isinstance(live_transcriber(ToneEngine(), RATE, policy="segments", background=False), IncrementalTranscriber)
    # an engine that cannot decode a growing window cuts at pauses whatever is asked
    assert isinstance(live_transcriber(ScriptedEngine(), RATE, policy="agreement", background=False),
                      IncrementalTranscriber)


class AbandoningEngine(ToneEngine):
    """A ToneEngine that can stop a step decode part-way, as Whisper does between its stages:
    ``during_step`` runs once inside the next step call (as if the recorder thread acted then),
    after which the decode asks ``abandon``."""

    def __init__(self):
        super().__init__()
        self.during_step = None
        self.offered: list[bool] = []  # for each step: could it be abandoned?

    during_tail = None  # the same, inside the next decode of a tail

    def transcribe_window(self, audio, *, context=None, final=False, abandon=None):
        if not final:
            self.offered.append(abandon is not None)
        hook = "during_tail" if final else "during_step"
        act = getattr(self, hook)
        if act is not None:
            setattr(self, hook, None)
            act()
        if abandon is not None and abandon():
            raise DecodeAbandoned("unwanted")
        return super().transcribe_window(audio, context=context, final=final)


def test_a_pause_that_begins_during_a_step_abandons_it_and_nothing_is_lost():
    layout = fluent(6, seed=7)
    samples = tones(layout, tail_s=0.8)
    engine = AbandoningEngine()
    live = AgreementTranscriber(engine, RATE, background=False)
    feed(live, samples, step_each_block=False)
    engine.during_step = lambda: live.pause(layout[-1][1])
    step = live.run_pending()
    assert step.kind == "step" and step.abandoned
    assert live.run_pending().kind == "speculative"  # the tail at once, not after the step
    result = live.finish()
    assert names(result.words) == [f"f{p}" for _, _, p in layout]
    assert not any(d.abandoned for d in live.decodes[1:])


def test_a_step_is_never_abandoned_twice_in_a_row():
    layout = fluent(12, seed=8)
    samples = tones(layout)
    engine = AbandoningEngine()
    live = AgreementTranscriber(engine, RATE, background=False)
    feed(live, samples[: 5 * RATE], step_each_block=False)
    engine.during_step = lambda: live.pause(4.5)
    assert live.run_pending().abandoned
    live.resume()
    engine.during_step = lambda: live.pause(4.6)  # the speaker pauses again during the next step
    again = live.run_pending()
    assert again.kind == "step" and not again.abandoned  # this one commits what it can
    live.resume()
    feed(live, samples[5 * RATE:])
    assert engine.offered[:2] == [True, False] and engine.offered[2] is True
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]


def test_a_tail_decode_for_a_pause_that_is_over_runs_on_as_a_step_unless_a_new_pause_began():
    layout = fluent(10, seed=10)
    samples = tones(layout)
    paused = int(4.3 * RATE)  # the recorder noticed the pause at 3.9 s here

    def paused_at_4s(engine, **kwargs):
        live = AgreementTranscriber(engine, RATE, background=False, **kwargs)
        feed(live, samples[:paused])
        live.pause(3.9)
        return live

    # the speaker goes on while the tail is being decoded: it runs on and serves as a step
    engine = AbandoningEngine()
    live = paused_at_4s(engine)
    before = live.committed_s
    engine.during_tail = live.resume
    spec = live.run_pending()
    assert spec.kind == "speculative" and not spec.abandoned
    assert live.committed_s > before and live.run_pending() is None
    feed(live, samples[paused:])
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]
    # ... and pauses again: the new pause's tail is the one wanted
    engine = AbandoningEngine()
    live = paused_at_4s(engine)
    engine.during_tail = lambda: (live.resume(), live.pause(4.2))
    spec = live.run_pending()
    assert spec.kind == "speculative" and spec.abandoned
    assert live.run_pending().kind == "speculative"
    feed(live, samples[paused:])
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]
    # a tail that did not start at the buffer's start cannot serve as a step
    engine = AbandoningEngine()
    live = paused_at_4s(engine, tail_from="committed")
    engine.during_tail = live.resume
    assert live.run_pending().abandoned
    feed(live, samples[paused:])
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]
    # a pause that goes on keeps its tail decode
    engine = AbandoningEngine()
    live = paused_at_4s(engine)
    assert not live.run_pending().abandoned


def test_a_tail_decoded_at_a_pause_the_speaker_goes_on_from_counts_as_a_step():
    layout = fluent(14, seed=3)
    samples = tones(layout)
    gap_after = layout[15][1]  # a 0.35 s gap between sentences
    engine = ToneEngine()
    live = AgreementTranscriber(engine, RATE, max_buffer_s=2.0, background=False)
    cut = int((gap_after + 0.25) * RATE)
    feed(live, samples[:cut])
    live.pause(gap_after)
    committed, before = len(live.words_so_far()), live.committed_s
    assert live.run_pending().kind == "speculative"
    live.resume()
    assert live.committed_s > before  # the tail's words agreed with the last step's: committed
    assert live.run_pending() is None  # no step re-decodes what the tail covered
    assert len(live.words_so_far()) >= committed
    feed(live, samples[cut:])
    result = live.finish()
    assert names(result.words) == [f"f{p}" for _, _, p in layout]  # none lost, none doubled


def test_a_tail_decode_that_did_not_start_at_the_buffer_is_not_taken_as_a_step():
    layout = fluent(14, seed=3)
    samples = tones(layout)
    gap_after = layout[15][1]
    engine = ToneEngine()
    live = AgreementTranscriber(engine, RATE, max_buffer_s=2.0, tail_from="committed", background=False)
    cut = int((gap_after + 0.25) * RATE)
    feed(live, samples[:cut])
    live.pause(gap_after)
    before, buffer_start = live.committed_s, live._buf_start
    live.run_pending()
    live.resume()
    assert live.committed_s == before and live._buf_start == buffer_start
    feed(live, samples[cut:])
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]


def test_at_a_pause_the_buffer_is_trimmed_after_a_committed_sentence_so_the_tail_is_short():
    layout = fluent(9.5, seed=5)
    samples = tones(layout, tail_s=0.6)
    stopped = layout[-1][1]
    heard = {}
    for pause_buffer_s in (None, 4.0):
        engine = ToneEngine()
        live = AgreementTranscriber(engine, RATE, pause_buffer_s=pause_buffer_s, max_tail_s=None,
                                    background=False)
        cut = int((stopped + 0.3) * RATE)
        feed(live, samples[:cut])
        live.pause(stopped)
        assert live.run_pending().kind == "speculative"
        heard[pause_buffer_s] = (engine.windows[-1][0], live.words_so_far())
        feed(live, samples[cut:])
        assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]
    whole, trimmed = heard[None][0], heard[4.0][0]
    assert whole > stopped and trimmed < whole - 3.0  # the tail decoded from a committed sentence's end
    assert names(heard[None][1]) == names(heard[4.0][1])  # the same words at the pause


def _long_uncommitted_buffer(max_tail_s=6.0, seconds: float = 14.0, seed: int = 6, heard_s: int = 12,
                             engine=None):
    """A live answer whose decodes lag far behind (a slow machine): one step over its first
    ``heard_s`` seconds, nothing committed, then the rest fed and a pause at its end. Returns the
    layout, the samples still to feed, the engine and the transcriber."""
    layout = fluent(seconds, seed=seed)
    samples = tones(layout, tail_s=0.6)
    stopped = layout[-1][1]
    engine = engine or ToneEngine()
    live = AgreementTranscriber(engine, RATE, max_tail_s=max_tail_s, background=False)
    feed(live, samples[: heard_s * RATE], step_each_block=False)
    assert live.run_pending().kind == "step" and live.committed_s == 0.0
    cut = int((stopped + 0.3) * RATE)
    feed(live, samples[heard_s * RATE: cut], step_each_block=False)
    live.pause(stopped)
    return layout, samples[cut:], engine, live


@pytest.mark.parametrize("resumed", [False, True])
def test_a_long_uncommitted_tail_is_decoded_from_the_latest_steps_words_on(resumed):
    """When decoding lags, the tail decoded at a pause is bounded: the latest step's words write the
    audio before it, and the words at the pause and at the end are the same as with the whole
    buffer decoded."""
    heard, windows = {}, {}
    for max_tail_s in (None, 6.0):
        layout, rest, engine, live = _long_uncommitted_buffer(max_tail_s)
        assert live.run_pending().kind == "speculative"
        windows[max_tail_s] = engine.windows[-1][0]
        heard[max_tail_s] = names(live.words_so_far())
        assert live.covered_s > layout[-1][1]
        if resumed:
            live.resume()
        feed(live, rest)
        assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]
    assert windows[None] > 13.0 and windows[6.0] <= 6.0
    assert heard[6.0] == heard[None] == [f"f{p}" for _, _, p in layout]


def test_when_the_latest_step_lags_far_behind_the_tail_starts_at_its_latest_settled_word():
    layout, rest, engine, live = _long_uncommitted_buffer(seconds=20.0, seed=8, heard_s=8)
    assert live.run_pending().kind == "speculative"
    end_s = layout[-1][1] + 0.3
    assert end_s - 8.0 < engine.windows[-1][0] < end_s - 6.0  # from the last word ending before 7 s
    assert names(live.words_so_far()) == [f"f{p}" for _, _, p in layout]
    feed(live, rest)
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]


class LoopingEngine(ToneEngine):
    """Loops on its first decode: every word from the fourth on is written as the third again."""

    def transcribe_window(self, audio: Audio, *, context=None, final=False) -> Transcript:
        heard = super().transcribe_window(audio, context=context, final=final)
        if len(self.windows) > 1:
            return heard
        words = [w if i < 3 else Word(heard.words[2].word, w.start, w.end) for i, w in enumerate(heard.words)]
        return Transcript(" ".join(w.word for w in words), tuple(words), self.name, audio.duration_s, 0.0)


def test_a_step_that_looped_bridges_nothing():
    layout, rest, engine, live = _long_uncommitted_buffer(engine=LoopingEngine())
    assert live.run_pending().kind == "speculative"
    assert engine.windows[-1][0] > 13.0  # the whole buffer again
    feed(live, rest)
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]


def test_a_loop_is_never_committed_when_the_buffer_outgrows_its_limit():
    """Decodes lag so far that the buffer passes its hard limit before two decodes agree: what the
    latest decode heard is committed then, but not from where it loops."""
    layout = fluent(26.0, seed=9)
    samples = tones(layout)
    live = AgreementTranscriber(LoopingEngine(), RATE, background=False)
    feed(live, samples[: 22 * RATE], step_each_block=False)
    assert live.run_pending().kind == "step"  # one 22 s decode, looping from its third word
    assert 0 < len(live._committed) <= 3
    feed(live, samples[22 * RATE:])
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]


def test_the_final_decode_is_bounded_too_when_no_tail_was_decoded_at_a_pause():
    layout = fluent(14.0, seed=6)
    samples = tones(layout, tail_s=0.6)
    engine = ToneEngine()
    live = AgreementTranscriber(engine, RATE, background=False)
    feed(live, samples[: 12 * RATE], step_each_block=False)
    assert live.run_pending().kind == "step"
    feed(live, samples[12 * RATE:], step_each_block=False)
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]
    assert engine.windows[-1] [1] and engine.windows[-1][0] <= 6.0


class OnceDeafEngine(ToneEngine):
    """Hears nothing in one window (the ``deaf``-th decode), as Whisper now and then writes nothing
    for a long stretch of speech."""

    def __init__(self, deaf: int):
        super().__init__()
        self.deaf = deaf

    def transcribe_window(self, audio: Audio, *, context=None, final=False) -> Transcript:
        heard = super().transcribe_window(audio, context=context, final=final)
        if len(self.windows) == self.deaf:
            return Transcript("", (), self.name, audio.duration_s, 0.0)
        return heard


def test_one_decode_that_hears_nothing_in_speech_loses_no_words():
    """Decodes lag (a slow machine): the buffer holds 14 s with nothing committed when one decode
    of it comes back empty; the words the decode before heard are not thrown away with its audio."""
    layout = fluent(24.0, seed=7)
    samples = tones(layout)
    live = AgreementTranscriber(OnceDeafEngine(deaf=2), RATE, background=False)
    feed(live, samples[: 12 * RATE], step_each_block=False)
    assert live.run_pending().kind == "step" and live.words_so_far()
    feed(live, samples[12 * RATE: 14 * RATE], step_each_block=False)
    assert live.run_pending().kind == "step" and not live.words_so_far()  # heard nothing
    feed(live, samples[14 * RATE:])
    assert names(live.finish().words) == [f"f{p}" for _, _, p in layout]


def test_a_buffer_two_decodes_hear_nothing_in_is_let_go():
    """Silence or noise before the answer: two decodes in a row that hear nothing let the buffer go,
    so decodes stay short."""
    quiet = tones([(13.0, 13.3, 500)], tail_s=0.0)[: 13 * RATE]  # 13 s of faint noise
    engine = ToneEngine()
    live = AgreementTranscriber(engine, RATE, background=False)
    feed(live, quiet)
    assert live._buf_start > 10 * RATE and max(d for d, _ in engine.windows) <= 12.5


def test_the_recording_ending_during_a_step_abandons_it():
    layout = fluent(6, seed=9)
    samples = tones(layout, tail_s=0.3)
    engine = AbandoningEngine()
    in_step, go = threading.Event(), threading.Event()

    def wait_in_step():
        in_step.set()
        assert go.wait(10)

    engine.during_step = wait_in_step
    live = AgreementTranscriber(engine, RATE)
    live.feed(samples)
    assert in_step.wait(10)
    done = {}
    finisher = threading.Thread(target=lambda: done.update(result=live.finish(timeout_s=30)))
    finisher.start()
    for _ in range(1000):
        if live._finishing:
            break
        threading.Event().wait(0.01)
    go.set()
    finisher.join(30)
    assert live.decodes[0].kind == "step" and live.decodes[0].abandoned
    assert [d.kind for d in live.decodes[1:]] == ["final"]
    assert names(done["result"].words) == [f"f{p}" for _, _, p in layout]


# --- the speculative finish --------------------------------------------------------------------------


def speech_then_pause(seconds: float = 2.0, pause_s: float = 1.0, seed: int = 0) -> np.ndarray:
    return tones([(0.3, 0.3 + seconds, 440)], tail_s=pause_s, seed=seed)


@pytest.mark.parametrize("cls", [IncrementalTranscriber, AgreementTranscriber])
def test_a_resumed_answer_discards_the_speculative_result(cls):
    engine = ScriptedEngine()
    live = cls(engine, RATE, background=False)
    first = speech_then_pause(pause_s=0.3)  # the detector calls pause() 0.3 s into the silence
    engine.queue = ["what I heard at the pause"]
    feed(live, first, step_each_block=False)
    live.pause(2.3)
    assert live.run_pending() is not None  # the speculative decode, done at once
    assert engine.queue == []
    live.resume()  # the speaker goes on
    feed(live, speech_then_pause(seed=1), step_each_block=False)
    engine.queue = ["the whole answer as it ended"]
    result = live.finish()
    assert result.text == "the whole answer as it ended"
    assert result.words[0].start < 2.3 < result.words[-1].start  # both parts, on the answer's clock


@pytest.mark.parametrize("cls", [IncrementalTranscriber, AgreementTranscriber])
def test_a_pause_that_ends_the_answer_is_not_decoded_twice(cls):
    engine = ScriptedEngine()
    live = cls(engine, RATE, background=False)
    feed(live, speech_then_pause(pause_s=0.4), step_each_block=False)
    engine.queue = ["thank you for asking me back"]
    live.pause(2.3)
    live.run_pending()
    feed(live, np.random.default_rng(4).normal(0, 30, RATE).astype(np.int16), step_each_block=False)  # silence
    engine.queue = ["decoded again"]
    result = live.finish()
    assert result.text == "thank you for asking me back"
    assert engine.queue == ["decoded again"]  # the engine was not called after the pause


@pytest.mark.parametrize("cls", [IncrementalTranscriber, AgreementTranscriber])
def test_speech_after_a_pause_is_decoded_even_without_resume(cls):
    engine = ScriptedEngine()
    live = cls(engine, RATE, background=False)
    feed(live, speech_then_pause(pause_s=0.4), step_each_block=False)
    engine.queue = ["first words"]
    live.pause(2.3)
    live.run_pending()
    feed(live, speech_then_pause(seed=2), step_each_block=False)  # resume() never came
    engine.queue = ["first words and more"]
    assert live.finish().text == "first words and more"


def test_finish_takes_the_speculative_result_of_the_growing_answer():
    layout = fluent(15, seed=7)
    samples = tones(layout, tail_s=0.5)
    engine = ToneEngine()
    live = AgreementTranscriber(engine, RATE, background=False)
    feed(live, samples)
    live.pause(layout[-1][1])
    live.run_pending()
    calls = len(engine.windows)
    result = live.finish()
    assert len(engine.windows) == calls
    assert names(result.words) == [f"f{p}" for _, _, p in layout]


# --- real speech ---------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return normalise(text)


@pytest.mark.slow
def test_streamed_whisper_matches_one_pass_on_the_bundled_answer():
    from importlib import resources

    from rehearse.audio import pcm
    from rehearse.speech import engines

    need_engine("whisper")
    engine = engines.get("whisper")
    answer = pcm.load(resources.files("rehearse") / "data" / "sample_answer.wav").to_rate(RATE)
    one_pass = engine.transcribe(answer)
    live = live_transcriber(engine, RATE, policy="agreement", background=False)
    assert isinstance(live, AgreementTranscriber)
    feed(live, answer.samples)
    streamed = live.finish()
    assert len([d for d in live.decodes if d.kind == "step"]) >= 5  # it did decode as the answer grew
    import tomllib

    spoken = tomllib.loads((resources.files("rehearse") / "data" / "sample_answer.toml").read_text())["text"]
    ref, hyp = _tokens(one_pass.text), _tokens(streamed.text)
    assert len(hyp) >= 0.9 * len(ref)
    assert edit_distance(ref, hyp) <= 0.1 * len(ref), (one_pass.text, streamed.text)
    truth = _tokens(spoken)  # and no worse than one pass against what was said
    assert edit_distance(truth, hyp) <= edit_distance(truth, ref) + 0.05 * len(truth), streamed.text
    # the same words at the same places of the answer
    by_word = {}
    for w in one_pass.words:
        by_word.setdefault(re.sub(r"[^a-z]", "", w.word.lower()), []).append(w.start)
    in_place = [w for w in streamed.words
                if any(abs(s - w.start) <= 0.5 for s in by_word.get(re.sub(r"[^a-z]", "", w.word.lower()), ()))]
    assert len(in_place) >= 0.85 * len(streamed.words), streamed.words
    starts = [w.start for w in streamed.words]
    assert starts == sorted(starts) and starts[-1] > answer.duration_s - 5


def test_agreement_words_are_trusted_at_a_pause_only_once_they_reach_it():
    """Re-decoding (the default): covered_s says how far the words reach, so the recorder's rule holds
    back words that stop short of a pause (they do not tell how the speaker stopped there; trusting
    the end of an earlier sentence cut answers off at thinking pauses), and the tail decoded at the
    pause reaches the rule at once; after resume() it counts as a step's decode."""
    from rehearse.session.round import live_hooks

    engine = ToneEngine()
    # the whole buffer as the tail (no bridge from a step's words), so it can serve as a step
    live = AgreementTranscriber(engine, RATE, max_tail_s=None, background=False)
    layout = fluent(5.0)
    samples = tones(layout, tail_s=1.0)
    feed(live, samples[: 4 * RATE])  # decoded every 2 s while speaking
    assert live.covered_s == pytest.approx(4.0)
    feed(live, samples[4 * RATE:], step_each_block=False)  # the rest not decoded yet
    last_word = f"f{layout[-1][2]}"
    stopped = layout[-1][1]
    hooks = live_hooks(live)
    hooks["on_pause"](stopped)
    before = " ".join(w.word for w in hooks["live_text"]())  # the recorder gets the words
    assert live.covered_s < stopped and last_word not in before
    assert live.run_pending() is not None  # the tail, decoded at the pause
    assert live.covered_s >= stopped
    assert hooks["live_text"]()[-1].word.rstrip(".") == last_word
    hooks["on_resume"]()
    # the speaker went on: the tail is now the latest step's decode, its words tentative until
    # the next step agrees with them (none committed yet: no step decoded them before)
    assert live.covered_s == pytest.approx(len(samples) / RATE) and live.committed_s <= 4.0
    assert live.run_pending() is None  # and no step decodes that audio again


class SecondOpinionEngine(ToneEngine):
    """A tone engine that also makes the quick second decode at a pause; that decode hears a
    hesitation after the last tone ("um") when ``hesitates``, as Whisper's second window now and
    then keeps the "in, um" the first one dropped."""

    def __init__(self, hesitates: bool):
        super().__init__()
        self.hesitates = hesitates
        self.checks: list[float] = []  # duration of every check

    def check_window(self, audio: Audio) -> Transcript:
        self.checks.append(audio.duration_s)
        heard = self.transcribe_window(audio, final=True)
        if not self.hesitates or not heard.words:
            return heard
        last = heard.words[-1]
        words = heard.words[:-1] + (Word(last.word.rstrip("."), last.start, last.end),
                                    Word("um,", last.end, last.end + 0.2))
        return Transcript(" ".join(w.word for w in words), words, self.name, audio.duration_s, 0.0)


@pytest.mark.parametrize("hesitates", [True, False])
def test_a_pause_gets_a_second_opinion_and_a_finished_ending_waits_for_it(hesitates):
    """After the tail's speculative decode, the last seconds before the pause are decoded once more
    from another start; the recorder's words are held back while the first decode ends a finished
    sentence and the second is not done, then judged with it: a second decode that hears the speaker
    trail off makes the answer wait; one that agrees lets the first's words stand. Speech coming back
    withdraws it, and the transcript is the first decode's."""
    from rehearse.session.round import live_hooks

    engine = SecondOpinionEngine(hesitates)
    live = AgreementTranscriber(engine, RATE, background=False)
    assert live.offers_second_opinion
    layout = fluent(12.0)
    samples = tones(layout, tail_s=1.0)
    feed(live, samples[: 11 * RATE])
    feed(live, samples[11 * RATE:], step_each_block=False)
    stopped = layout[-1][1]
    hooks = live_hooks(live)
    before_pause = hooks["live_text"]()
    hooks["on_pause"](stopped)
    assert live.run_pending().kind == "speculative"
    first = live.words_so_far()
    assert live.second_opinion() is None and hooks["live_text"]() == before_pause  # held back: wait
    check = live.run_pending()
    assert check.kind == "check" and engine.checks
    assert check.start_s != live.decodes[-2].start_s  # another window than the speculative decode's
    heard = hooks["live_text"]()
    if hesitates:
        assert heard[-1].word == "um," and live.second_opinion()[-1].word == "um,"
    else:
        assert tuple(heard) == first
    assert live.run_pending() is None  # one check per pause
    hooks["on_resume"]()
    assert live.second_opinion() is None
    assert "um" not in live.finish().text


def test_the_second_opinion_starts_before_a_tail_that_starts_5_s_before_the_pause():
    engine = SecondOpinionEngine(hesitates=False)
    live = AgreementTranscriber(engine, RATE, pause_buffer_s=None, background=False)
    layout = fluent(12.0)
    samples = tones(layout, tail_s=1.0)
    feed(live, samples)
    live.pause(layout[-1][1])
    end = len(samples) / RATE
    live._buf_start = int((end - 5.2) * RATE)  # the tail's decode starts about where a check would
    spec = live.run_pending()
    check = live.run_pending()
    assert spec.kind == "speculative" and check.kind == "check"
    assert check.start_s == pytest.approx(spec.start_s - 1.5, abs=0.01)  # another start, not a short window
    assert check.end_s - check.start_s > 5.0


class ParallelEngine(SecondOpinionEngine):
    """A second-opinion engine that decodes two at once: its tail decode at a pause holds on until
    the check has started (so it can only finish when both run at the same time), and its check
    holds on until the test lets it go, or until it is abandoned."""

    parallel_decodes = 2

    def __init__(self):
        super().__init__(hesitates=False)
        self.check_started, self.let_check_go = threading.Event(), threading.Event()
        self.check_threads: set[str] = set()

    def transcribe_window(self, audio, *, context=None, final=False):
        if final and not self.check_started.is_set():
            assert self.check_started.wait(10), "the check did not start during the tail's decode"
        return super().transcribe_window(audio, context=context, final=final)

    def check_window(self, audio, *, abandon=None):
        self.check_threads.add(threading.current_thread().name)
        self.check_started.set()
        for _ in range(1000):
            if self.let_check_go.is_set():
                return super().check_window(audio)
            if abandon is not None and abandon():
                raise DecodeAbandoned("not wanted")
            threading.Event().wait(0.01)
        raise AssertionError("the check was neither let go nor abandoned")


def wait_for(condition, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        threading.Event().wait(0.01)
    return False


def test_an_engine_that_decodes_two_at_once_gets_the_second_opinion_during_the_tails_decode():
    engine = ParallelEngine()
    live = AgreementTranscriber(engine, RATE)
    assert live.parallel_check
    layout = fluent(8.0)
    live.feed(tones(layout, tail_s=1.0))
    live.pause(layout[-1][1])
    assert engine.check_started.wait(10)
    assert wait_for(lambda: any(d.kind == "speculative" for d in live.decodes))  # done while the check runs
    assert live.second_opinion() is None
    engine.let_check_go.set()
    assert wait_for(lambda: live.second_opinion() is not None)
    spec, check = (next(d for d in live.decodes if d.kind == k) for k in ("speculative", "check"))
    assert check.end_s == spec.end_s and check.start_s != spec.start_s  # the same pause, another start
    assert engine.check_threads == {"live-second-opinion"}
    result = live.finish(timeout_s=30)
    assert names(result.words) == [f"f{p}" for _, _, p in layout]


def test_a_second_opinion_under_way_when_the_recording_ends_is_abandoned():
    """Enter pressed during a pause: the answer's end is decided, so the check stops and finish()
    returns the speculative words without waiting for it (and no decode is left running)."""
    engine = ParallelEngine()
    live = AgreementTranscriber(engine, RATE)
    layout = fluent(6.0)
    live.feed(tones(layout, tail_s=1.0))
    live.pause(layout[-1][1])
    assert engine.check_started.wait(10)
    assert wait_for(lambda: any(d.kind == "speculative" for d in live.decodes))
    result = live.finish(timeout_s=30)
    assert not engine.let_check_go.is_set()
    assert [d.abandoned for d in live.decodes if d.kind == "check"] == [True]
    assert not live._check_worker.is_alive()
    assert names(result.words) == [f"f{p}" for _, _, p in layout]


def test_a_check_for_a_pause_that_is_over_before_it_starts_is_not_made():
    live = AgreementTranscriber(SecondOpinionEngine(hesitates=False), RATE, background=False)
    layout = fluent(6.0)
    feed(live, tones(layout, tail_s=1.0))
    live.pause(layout[-1][1])
    live.run_pending()  # the tail
    live.resume()
    assert live._second(len(live._audio), generation=0) is None and live.second_opinion() is None


def test_an_engine_without_a_quick_decode_gets_no_second_opinion():
    from rehearse.session.round import live_hooks

    live = AgreementTranscriber(ToneEngine(), RATE, background=False)
    assert not live.offers_second_opinion
    layout = fluent(6.0)
    samples = tones(layout, tail_s=1.0)
    feed(live, samples)
    hooks = live_hooks(live)
    hooks["on_pause"](layout[-1][1])
    assert live.run_pending().kind == "speculative"
    assert live.run_pending() is None and live.second_opinion() is None
    assert hooks["live_text"]() == live.words_so_far()  # nothing to wait for


def test_the_words_decoded_at_a_pause_reach_the_end_of_turn_rule_at_once():
    """Cutting at pauses: text_so_far and covered_s include the tail decoded speculatively at a pause, so
    the recorder's end-of-answer rule reads the last words without waiting for the recording to end;
    after resume() they are withdrawn."""
    engine = ScriptedEngine()
    live = IncrementalTranscriber(engine, RATE, background=False)
    feed(live, speech_then_pause(pause_s=0.4), step_each_block=False)
    assert live.text_so_far() == "" and live.covered_s == 0.0
    engine.queue = ["and we cut the backlog in half"]
    live.pause(2.3)
    live.run_pending()
    assert live.text_so_far() == "and we cut the backlog in half"
    assert live.covered_s >= 2.3  # the words reach the pause
    live.resume()
    assert live.text_so_far() == "" and live.covered_s == 0.0


def test_each_live_decode_is_in_the_debug_log(caplog):
    import logging

    engine = ToneEngine()
    live = AgreementTranscriber(engine, RATE, background=False)
    with caplog.at_level(logging.DEBUG, logger="rehearse.live"):
        feed(live, tones(fluent(4.5), tail_s=0.5))
    lines = [r.getMessage() for r in caplog.records if r.name == "rehearse.live"]
    assert len(lines) == len(live.decodes) >= 2
    assert all(line.startswith("step decode of 0.00-") for line in lines), lines


@pytest.mark.parametrize("cls", [AgreementTranscriber, IncrementalTranscriber])
def test_close_stops_the_work_without_a_transcript_and_joins_the_workers(cls):
    """After Ctrl-C there is no transcript to make: close() drops what is queued, a decode under way
    stops where it can, and no worker is left running when it returns."""
    engine = AbandoningEngine()
    started, go = threading.Event(), threading.Event()

    def hold():
        started.set()
        assert go.wait(10)

    engine.during_step = hold
    if cls is IncrementalTranscriber:
        engine.transcribe = lambda audio: (hold(), ToneEngine.transcribe(engine, audio))[1]
    live = cls(engine, RATE) if cls is AgreementTranscriber else cls(engine, RATE, min_segment_s=1.0)
    live.feed(tones(fluent(8.0), tail_s=0.5))
    assert started.wait(10)
    closer = threading.Thread(target=live.close)
    closer.start()
    assert wait_for(lambda: getattr(live, "_finishing", False) or getattr(live, "_closed", False))
    go.set()
    closer.join(10)
    assert not closer.is_alive() and not live._worker.is_alive()
    if cls is AgreementTranscriber:
        assert [d.kind for d in live.decodes] == ["step"] and live.decodes[0].abandoned
    else:
        assert len(live.decodes) == 1  # the pieces queued behind it were dropped
