"""The adaptive end of an answer, on the real MicrophoneRecorder over a fake sounddevice: the live
words decide how much silence ends the answer, and the pause hooks follow the speaker.

Times here are audio time (the fake device hands over blocks as fast as they are taken), so nothing
depends on the speed of the machine."""

import os

import pytest

from fakes import BLOCK, RATE, blocks_of, install_fake_microphone, quiet, vowel
from rehearse.audio.microphone import MicrophoneRecorder
from rehearse.coaching.turn import TurnPolicy

POLICY = TurnPolicy()  # the defaults: a fluent finished sentence 0.9 s, 4.5 s when unfinished or unsure
LAG_S = 0.3
"""How long after a stretch of speech its words reach the live transcript."""


class LiveWords:
    """A stand-in for the live transcriber: the words of each stretch of speech appear ``LAG_S``
    after it ends (in audio time, as fed by on_block)."""

    def __init__(self, said):
        self.said = said  # [(end_s, words)]
        self.now = 0.0

    def on_block(self, block, elapsed_s):
        self.now = elapsed_s

    def text(self):
        return " ".join(words for end, words in self.said if end + LAG_S <= self.now)


def answer(*parts):
    """Speech and pauses: ("say", seconds, words) or ("pause", seconds); a lead of quiet first.
    Returns the blocks and [(end_s, words)] of each stretch of speech."""
    signal, said, t = [quiet(0.5)], [], 0.5
    for part in parts:
        if part[0] == "say":
            signal.append(vowel(part[1]))
            t += part[1]
            said.append((t, part[2]))
        else:
            signal.append(quiet(part[1]))
            t += part[1]
    return blocks_of(*signal), said


def record(monkeypatch, tmp_path, blocks, said, *, silence_s=None, **kwargs):
    install_fake_microphone(monkeypatch, [blocks])
    live = LiveWords(said)
    rec = MicrophoneRecorder(silence_s=silence_s, stop_on_enter=kwargs.pop("stop_on_enter", False),
                             end_of_turn=POLICY.window_s, **kwargs.pop("recorder", {}))
    result = rec.record(tmp_path / "a.wav", max_seconds=60.0, on_block=live.on_block, live_text=live.text,
                        **kwargs)
    return rec, result


def test_a_thinking_pause_in_the_middle_of_a_sentence_does_not_end_the_answer(monkeypatch, tmp_path):
    blocks, said = answer(("say", 2.0, "and what i did was"), ("pause", 3.2),
                          ("say", 2.0, "rewrite the jobs and we closed the books two days earlier"),
                          ("pause", 8.0))
    rec, result = record(monkeypatch, tmp_path, blocks, said)
    resumed_at = 0.5 + 2.0 + 3.2
    assert result.stopped_by == "silence"
    assert result.duration_s > resumed_at + 2.0  # the second stretch was recorded whole


def test_a_finished_answer_ends_after_a_short_silence(monkeypatch, tmp_path):
    # a fluent speaker (short pauses after five finished sentences), past the first seconds of an answer
    sentences = ["i took over the billing system", "it failed every month end",
                 "i rewrote the reconciliation jobs", "the team reviewed every change",
                 "we shipped the fix in a month", "we closed the books two days earlier"]
    parts = []
    for text in sentences:
        parts += [("say", 3.0, text), ("pause", 0.4)]
    blocks, said = answer(*parts[:-1], ("pause", 8.0))
    rec, result = record(monkeypatch, tmp_path, blocks, said)
    speech_end = 0.5 + 6 * 3.0 + 5 * 0.4
    assert speech_end > POLICY.settle_s
    assert result.stopped_by == "silence"
    # well before the 2 s a fixed window would wait (the VAD may hang over a frame or two)
    assert speech_end + 0.5 <= result.duration_s <= speech_end + 1.5
    assert POLICY.complete_s <= rec.end_window_s < 1.0


def test_a_finished_sentence_in_the_first_seconds_of_an_answer_waits_longer(monkeypatch, tmp_path):
    # "Thank you for asking me back." then a breath of 1.3 s: an answer has hardly begun
    blocks, said = answer(("say", 2.0, "thank you for asking me back"), ("pause", 1.3),
                          ("say", 2.0, "we closed the books two days earlier"), ("pause", 8.0))
    rec, result = record(monkeypatch, tmp_path, blocks, said)
    assert result.duration_s > 0.5 + 2.0 + 1.3 + 2.0  # the second sentence was recorded
    assert rec.end_window_s == POLICY.slow_s  # and the speaker's rhythm is not known yet


def test_an_unfinished_clause_waits_the_long_window_then_ends(monkeypatch, tmp_path):
    blocks, said = answer(("say", 2.0, "and the reason was because"), ("pause", 10.0))
    rec, result = record(monkeypatch, tmp_path, blocks, said)
    speech_end = 0.5 + 2.0
    assert result.stopped_by == "silence"
    assert speech_end + POLICY.incomplete_s - 0.1 <= result.duration_s <= speech_end + POLICY.incomplete_s + 0.5


def test_words_that_do_not_reach_the_pause_are_not_trusted(monkeypatch, tmp_path):
    # the live transcript is behind: it still holds only the first (finished) sentence when the
    # speaker pauses mid-way through the second
    blocks, said = answer(("say", 2.0, "we closed the books two days earlier"), ("pause", 0.1),
                          ("say", 1.5, "and what i did was"), ("pause", 3.0),
                          ("say", 1.5, "rewrite the reconciliation jobs"), ("pause", 8.0))
    late = [(end + (10.0 if i > 0 else 0.0), words) for i, (end, words) in enumerate(said)]
    rec, result = record(monkeypatch, tmp_path, blocks, late)
    assert result.duration_s > 0.5 + 2.0 + 0.1 + 1.5 + 3.0 + 1.0


def test_enter_still_ends_at_once_during_a_pause(monkeypatch, tmp_path):
    blocks, said = answer(("say", 2.0, "and what i did was"), ("pause", 8.0))
    install_fake_microphone(monkeypatch, [blocks])
    live = LiveWords(said)
    master, slave = os.openpty()
    pressed = []
    with os.fdopen(slave, "r") as tty:
        def on_block(block, elapsed):
            live.on_block(block, elapsed)
            if elapsed >= 3.0 and not pressed:
                os.write(master, b"\n")
                pressed.append(elapsed)

        rec = MicrophoneRecorder(silence_s=None, end_of_turn=POLICY.window_s, stdin=tty)
        result = rec.record(tmp_path / "a.wav", max_seconds=60.0, on_block=on_block, live_text=live.text)
    os.close(master)
    assert result.stopped_by == "enter"
    assert pressed[0] <= result.duration_s <= pressed[0] + 0.5


def test_an_explicit_silence_window_is_fixed_whatever_the_words(monkeypatch, tmp_path):
    blocks, said = answer(("say", 2.0, "we closed the books two days earlier"), ("pause", 8.0))
    rec, result = record(monkeypatch, tmp_path, blocks, said, silence_s=2.5)
    speech_end = 0.5 + 2.0
    assert result.stopped_by == "silence"
    assert speech_end + 2.5 <= result.duration_s <= speech_end + 2.5 + 0.3
    # and a fixed window cuts a thinking pause longer than itself, as it always did
    blocks, said = answer(("say", 2.0, "and what i did was"), ("pause", 3.5), ("say", 2.0, "rewrite it"),
                          ("pause", 8.0))
    rec, result = record(monkeypatch, tmp_path, blocks, said, silence_s=2.5)
    assert result.duration_s <= 0.5 + 2.0 + 2.5 + 0.3


def test_without_live_words_an_adaptive_recorder_falls_back_to_a_fixed_window(monkeypatch, tmp_path):
    blocks, _ = answer(("say", 2.0, "and what i did was"), ("pause", 8.0))
    install_fake_microphone(monkeypatch, [blocks])
    rec = MicrophoneRecorder(silence_s=None, end_of_turn=POLICY.window_s, stop_on_enter=False,
                             fallback_silence_s=1.2)
    result = rec.record(tmp_path / "a.wav", max_seconds=60.0)
    assert 0.5 + 2.0 + 1.2 <= result.duration_s <= 0.5 + 2.0 + 1.2 + 0.3


@pytest.mark.parametrize("silence_s", [None, 3.0])
def test_the_pause_hooks_follow_the_speaker_in_order(monkeypatch, tmp_path, silence_s):
    blocks, said = answer(("say", 1.5, "and what i did was"), ("pause", 1.0),
                          ("say", 1.5, "rewrite the jobs"), ("pause", 0.1),  # too short to be a pause
                          ("say", 1.0, "and we closed the books two days earlier"), ("pause", 8.0))
    events = []
    rec, result = record(monkeypatch, tmp_path, blocks, said, silence_s=silence_s,
                         on_pause=lambda at: events.append(("pause", at)),
                         on_resume=lambda: events.append(("resume",)))
    assert [e[0] for e in events] == ["pause", "resume", "pause"]
    first_stop, last_stop = 0.5 + 1.5, 0.5 + 1.5 + 1.0 + 1.5 + 0.1 + 1.0
    assert events[0][1] == pytest.approx(first_stop, abs=0.15)
    assert events[2][1] == pytest.approx(last_stop, abs=0.15)
    assert rec.last_speech_end_s == pytest.approx(last_stop, abs=0.15)


# --- a whole round: the real recorder, the real incremental transcriber, the adaptive rule ---------

class SegmentEngine:
    """Says the first text for each burst of speech of about 2 s in the audio it is given, the second
    for the longer second burst: the same words however the answer is cut and however often a stretch
    is decoded (a speculative decode at a pause is thrown away when speech comes back)."""

    name = "segments"

    def __init__(self, *texts):
        self.texts = list(texts)

    def transcribe(self, audio):
        import numpy as np

        from rehearse.core.model import Transcript, Word

        frame = int(0.03 * audio.sample_rate)
        n = len(audio.samples) // frame
        rms = np.sqrt(np.mean(audio.samples[: n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1))
        loud = np.concatenate([[False], rms > 500, [False]]).astype(int)
        edges = np.flatnonzero(np.diff(loud))
        runs = [(b - a) * 0.03 for a, b in zip(edges[::2], edges[1::2])]  # each burst of speech, in seconds
        text = " ".join(self.texts[0] if run < 2.25 else self.texts[1] for run in runs if run >= 0.3)
        words = text.split()
        step = audio.duration_s / max(len(words), 1)
        return Transcript(text, tuple(Word(w, i * step, (i + 0.9) * step) for i, w in enumerate(words)),
                          engine=self.name, duration_s=audio.duration_s)


@pytest.mark.slow
def test_a_round_keeps_an_answer_with_a_thinking_pause_whole(monkeypatch, tmp_path):
    from fakes import FakeSpeaker
    from rehearse.core import archetypes
    from rehearse.session import round as rnd
    from rehearse.store.sessions import Store

    first, second = "and what i did was", "rewrite the jobs and we closed the books two days earlier"
    blocks, _ = answer(("say", 2.0, first), ("pause", 3.2), ("say", 2.5, second), ("pause", 8.0))
    install_fake_microphone(monkeypatch, [blocks], realtime=True)
    recorder = MicrophoneRecorder(silence_s=None, end_of_turn=POLICY.window_s, stop_on_enter=False)
    archetype = archetypes.get("challenger")
    ports = rnd.RoundPorts(speaker=FakeSpeaker(), recorder=recorder, transcriber=SegmentEngine(first, second),
                           store=Store(), recordings=tmp_path / "rec")
    result = rnd.run_round(archetype=archetype, prompt=archetype.prompts[0], ports=ports)
    assert result.recording.stopped_by == "silence"
    assert result.recording.duration_s > 0.5 + 2.0 + 3.2 + 2.5
    assert result.transcript.text == f"{first} {second}"


def test_the_round_wires_a_live_transcribers_pause_and_resume_when_it_has_them():
    from rehearse.session.round import live_hooks

    class Streaming:  # the shape of a streaming transcriber: text so far, pause, resume
        def __init__(self):
            self.calls, self.text = [], "we closed the books"

        def text_so_far(self):
            return self.text

        def pause(self, at_s):
            self.calls.append(("pause", at_s))

        def resume(self):
            self.calls.append(("resume",))

    live = Streaming()
    hooks = live_hooks(live)
    assert hooks["live_text"]() == "we closed the books"
    hooks["on_pause"](2.5)
    hooks["on_resume"]()
    hooks["on_pause"](4.0)
    assert live.calls == [("pause", 2.5), ("resume",), ("pause", 4.0)]

    class Plain:  # no hooks at all: nothing is wired, the recorder keeps a fixed window
        pass

    assert live_hooks(Plain()) == {}


def test_words_of_an_incremental_transcriber_that_stop_short_of_the_pause_are_held_back():
    from rehearse.session.round import live_hooks

    class Incremental:
        def __init__(self):
            self.text, self.covered_s = "we closed the books", 3.0

        def text_so_far(self):
            return self.text

    live = Incremental()
    hooks = live_hooks(live)
    hooks["on_pause"](6.0)
    live.text = "we closed the books and what i did was"  # a segment before the pause, not up to it
    live.covered_s = 5.0
    assert hooks["live_text"]() == "we closed the books"  # unchanged: the recorder will not trust it
    live.text, live.covered_s = "we closed the books and what i did was rewrite them", 6.4
    assert hooks["live_text"]() == live.text


def test_the_recorder_learns_the_speakers_pauses_and_waits_longer_after_a_slow_speakers_sentence(
        monkeypatch, tmp_path):
    # a slow speaker: 1.4 s pauses inside clauses first, then the same after a finished sentence
    blocks, said = answer(("say", 1.5, "and the first thing i did was"), ("pause", 1.4),
                          ("say", 1.5, "rewrite the jobs so that"), ("pause", 1.4),
                          ("say", 1.5, "we closed the books two days earlier"), ("pause", 1.4),
                          ("say", 1.5, "and we shipped the new tool in eleven weeks"), ("pause", 8.0))
    rec, result = record(monkeypatch, tmp_path, blocks, said)
    assert result.duration_s > 0.5 + 4 * 1.5 + 3 * 1.4  # the last sentence was recorded
    assert POLICY.complete_s < rec.end_window_s <= POLICY.slow_s


def test_the_debug_log_tells_each_window_and_why_the_answer_ended(monkeypatch, tmp_path, caplog):
    """With the debug log on (REHEARSE_DEBUG), each window chosen in a pause is logged with the words
    it was chosen on, and the line at the end says which window ended the answer."""
    import logging

    blocks, said = answer(("say", 2.0, "and what i did was"), ("pause", 1.0),
                          ("say", 2.0, "rewrite the jobs"), ("pause", 8.0))
    with caplog.at_level(logging.DEBUG, logger="rehearse.turn"):
        rec, result = record(monkeypatch, tmp_path, blocks, said)
    lines = [r.getMessage() for r in caplog.records if r.name == "rehearse.turn"]
    assert any("do not reach the pause" in line for line in lines)  # before the words come in
    assert any(f"window {POLICY.incomplete_s:.2f} s after 'and what i did was'" in line for line in lines)
    assert any(line.startswith("speech again after a pause of") for line in lines)
    ends = [line for line in lines if line.endswith("the answer ends")]
    assert len(ends) == 1 and f"window {rec.end_window_s:.2f} s after 'and what i did was rewrite the jobs'" in ends[0]


def test_a_short_pause_after_a_long_one_is_measured_as_short(monkeypatch, tmp_path):
    """A pause the speaker comes back from at the next block is its own length, not the pause
    before it: a 3 s thinking pause once counted again for each short pause after it, and a
    fluent speaker was read as slow (2.5 s windows). Short pauses of every length around the
    moment the recorder calls it a pause, so one comes back at the very next block."""
    for short_s in [round(0.24 + 0.01 * i, 2) for i in range(16)]:
        blocks, said = answer(("say", 1.5, "and what i did was"), ("pause", 3.0),
                              ("say", 1.5, "rewrite the jobs"), ("pause", short_s),
                              ("say", 1.5, "and we closed the books two days earlier"), ("pause", 8.0))
        install_fake_microphone(monkeypatch, [blocks])
        live = LiveWords(said)
        seen = []

        def end_of_turn(heard, pauses, spoken_s):
            seen.append(tuple(p for p, _ in pauses))
            return POLICY.window_s(heard, pauses, spoken_s)

        rec = MicrophoneRecorder(silence_s=None, stop_on_enter=False, end_of_turn=end_of_turn)
        rec.record(tmp_path / "a.wav", max_seconds=60.0, on_block=live.on_block, live_text=live.text)
        lengths = max(seen, key=len)
        assert 2.8 <= lengths[0] <= 3.4, (short_s, lengths)
        assert all(p < 0.8 for p in lengths[1:]), (short_s, lengths)
