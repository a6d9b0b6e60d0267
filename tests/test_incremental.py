"""Live transcription cut at pauses (IncrementalTranscriber: PocketSphinx and engines that cannot decode
a growing window): cuts at pauses, keeps every sample, merges words on the answer's clock; and both
live transcribers against one pass on real speech."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest

from conftest import need_engine, speech_sample
from rehearse.audio import pcm as audio_mod
from rehearse.audio.pcm import Audio
from rehearse.speech.streaming import IncrementalTranscriber, live_transcriber, transcribe_in_segments
from rehearse.core.model import Transcript, Word
from rehearse.speech.wer import wer

RATE = 16000


class BurstEngine:
    """A fake engine that 'hears' each tone burst as one word, timed by where the burst is."""

    name = "bursts"

    def __init__(self):
        self.calls: list[float] = []
        self.thread_names: set[str] = set()

    def transcribe(self, audio: Audio) -> Transcript:
        self.calls.append(audio.duration_s)
        self.thread_names.add(threading.current_thread().name)
        frame = audio.sample_rate // 100
        n = len(audio.samples) // frame
        loud = np.sqrt(np.mean(audio.samples[: n * frame].astype(float).reshape(n, frame) ** 2, axis=1)) > 1000
        words, start = [], None
        for i, on in enumerate(list(loud) + [False]):
            if on and start is None:
                start = i
            elif not on and start is not None:
                words.append(Word(f"w{len(words)}", start / 100, i / 100))
                start = None
        return Transcript(" ".join(w.word for w in words), tuple(words), self.name, audio.duration_s, 0.0)


def bursts(layout: list[tuple[float, float]], noise: float = 30.0, seed: int = 0) -> tuple[np.ndarray, list]:
    """Audio with a tone burst at each (start, end) second and faint noise elsewhere."""
    total = max(end for _, end in layout) + 1.0
    rng = np.random.default_rng(seed)
    x = rng.normal(0, noise, int(total * RATE))
    t = np.arange(len(x)) / RATE
    for start, end in layout:
        a, b = int(start * RATE), int(end * RATE)
        x[a:b] += 8000 * np.sin(2 * np.pi * 220 * t[a:b])
    return np.clip(x, -32768, 32767).astype(np.int16), layout


def speech_like(seconds: float, seed: int = 1) -> list[tuple[float, float]]:
    """Bursts of 0.2-0.5 s ('words') with short gaps, and a 0.6 s pause every few seconds."""
    rng = np.random.default_rng(seed)
    layout, pos = [], 0.3
    while pos < seconds:
        length = rng.uniform(0.2, 0.5)
        layout.append((pos, pos + length))
        pos += length + (0.6 if rng.random() < 0.15 else rng.uniform(0.05, 0.15))
    return layout


def feed_all(inc: IncrementalTranscriber, samples: np.ndarray, block: int = 480) -> Transcript:
    for i in range(0, len(samples), block):
        inc.feed(samples[i:i + block], (i + block) / RATE)
    return inc.finish()


def test_words_keep_their_place_across_segments():
    samples, layout = bursts(speech_like(60))
    engine = BurstEngine()
    inc = IncrementalTranscriber(engine, RATE, min_segment_s=3.0, max_segment_s=20.0, pause_s=0.35)
    result = feed_all(inc, samples)
    assert inc.segments_sent >= 5
    assert len(result.words) == len(layout)  # no word lost or doubled at a cut
    for word, (start, end) in zip(result.words, layout):
        assert abs(word.start - start) <= 0.02 and abs(word.end - end) <= 0.02
    assert result.engine == "bursts" and result.duration_s == pytest.approx(len(samples) / RATE)


def test_segments_tile_the_audio_and_cut_only_in_pauses():
    samples, layout = bursts(speech_like(45, seed=3), seed=3)
    inc = IncrementalTranscriber(BurstEngine(), RATE, min_segment_s=3.0, pause_s=0.35)
    feed_all(inc, samples, block=777)  # blocks not aligned with frames
    segs = [r.segment for r in inc.segment_results]
    assert segs[0].start_sample == 0
    for a, b in zip(segs, segs[1:]):
        assert a.start_sample + len(a.samples) == b.start_sample
    assert segs[-1].start_sample + len(segs[-1].samples) == len(samples)
    joined = np.concatenate([s.samples for s in segs])
    assert np.array_equal(joined, samples)
    for seg in segs[1:]:
        cut = seg.start_sample / RATE
        assert not any(start <= cut <= end for start, end in layout), f"cut at {cut:.2f}s inside a word"
        assert len(seg.samples) / RATE <= 25


def test_work_happens_in_the_background_while_feeding():
    samples, _ = bursts(speech_like(30, seed=5), seed=5)
    engine = BurstEngine()
    inc = IncrementalTranscriber(engine, RATE, min_segment_s=3.0)
    for i in range(0, len(samples), 480):
        inc.feed(samples[i:i + 480])
    sent_before_finish = inc.segments_sent
    inc.finish()
    assert sent_before_finish >= 3
    assert engine.thread_names == {"incremental-transcriber"}


def test_a_short_last_sentence_is_sent_during_the_closing_silence():
    """A long pause after even a short stretch is cut at once, so the last sentence is transcribed
    while the recorder still waits for the silence that ends the answer; short pauses are not."""
    words = [(0.2 + 0.4 * i, 0.5 + 0.4 * i) for i in range(12)]          # 0.2-4.9 s, 0.1 s gaps
    last = [(5.6 + 0.4 * i, 5.9 + 0.4 * i) for i in range(4)]            # after a 0.7 s pause: 1.5 s of words
    samples, _ = bursts(words + last)
    silence = np.random.default_rng(9).normal(0, 30, int(1.5 * RATE)).astype(np.int16)  # the closing silence
    inc = IncrementalTranscriber(BurstEngine(), RATE, min_segment_s=4.0, pause_s=0.35, long_pause_s=0.8)
    for i in range(0, len(samples), 480):
        inc.feed(samples[i:i + 480])
    for i in range(0, len(silence), 480):
        inc.feed(silence[i:i + 480])
    sent = inc.segments_sent
    transcript = inc.finish()
    ends = [(r.segment.start_sample + len(r.segment.samples)) / RATE for r in inc.segment_results]
    assert sent >= 2 and ends[sent - 1] > last[-1][1]  # the last words went before finish()
    assert len(transcript.words) == len(words) + len(last)
    short = IncrementalTranscriber(BurstEngine(), RATE, min_segment_s=4.0, pause_s=0.35, long_pause_s=None)
    for i in range(0, len(samples), 480):
        short.feed(samples[i:i + 480])
    assert short.segments_sent == 1  # without it, only the 4 s cut; the last sentence waits


def test_speech_without_pauses_is_cut_at_the_maximum_length_at_a_quiet_moment():
    # continuous 'speech': bursts with only 60 ms gaps, never a pause
    layout, pos = [], 0.2
    while pos < 70:
        layout.append((pos, pos + 0.3))
        pos += 0.36
    samples, _ = bursts(layout, seed=7)
    inc = IncrementalTranscriber(BurstEngine(), RATE, min_segment_s=4.0, max_segment_s=20.0, pause_s=0.35)
    result = feed_all(inc, samples)
    lengths = [len(r.segment.samples) / RATE for r in inc.segment_results]
    assert len(lengths) >= 4 and max(lengths) <= 20.0 + 0.05
    assert len(result.words) == len(layout)
    for r in inc.segment_results[1:]:
        cut = r.segment.start_sample / RATE
        assert not any(s + 0.02 < cut < e - 0.02 for s, e in layout), f"cut at {cut:.2f}s inside a burst"


def test_silence_is_not_sent_to_the_engine():
    engine = BurstEngine()
    inc = IncrementalTranscriber(engine, RATE, min_segment_s=2.0)
    quiet = np.random.default_rng(0).normal(0, 20, RATE * 12).astype(np.int16)
    result = feed_all(inc, quiet)
    assert result.is_empty and result.words == ()
    assert engine.calls == []
    assert result.duration_s == pytest.approx(12.0)


def test_float_and_stereo_blocks_are_accepted():
    samples, layout = bursts([(0.5, 1.0), (1.5, 2.0)])
    inc = IncrementalTranscriber(BurstEngine(), RATE)
    floats = samples.astype(np.float32) / 32767.0
    stereo = np.stack([floats, floats], axis=1)
    result = feed_all(inc, stereo, block=1024)
    assert [round(w.start, 1) for w in result.words] == [0.5, 1.5]


def test_engine_failure_surfaces_at_finish():
    class Broken:
        name = "broken"

        def transcribe(self, audio):
            raise RuntimeError("engine exploded")

    samples, _ = bursts(speech_like(20))
    inc = IncrementalTranscriber(Broken(), RATE, min_segment_s=3.0)
    with pytest.raises(RuntimeError, match="engine exploded"):
        feed_all(inc, samples)


def test_feed_after_finish_is_an_error():
    inc = IncrementalTranscriber(BurstEngine(), RATE)
    inc.finish()
    with pytest.raises(RuntimeError):
        inc.feed(np.zeros(480, np.int16))


def test_scripted_engine_works_through_it():
    from scripted_engine import ScriptedEngine

    engine = ScriptedEngine()
    engine.queue = ["first part", "second part"]
    samples, _ = bursts([(0.2, 2.5), (3.5, 6.0)])
    inc = IncrementalTranscriber(engine, RATE, min_segment_s=2.0, pause_s=0.4)
    result = feed_all(inc, samples)
    assert result.text == "first part second part"
    assert result.words[2].start >= 2.5  # second segment (cut in the pause) is on the answer's clock


# --- real speech --------------------------------------------------------------------------------------

NAMES = ["jfk.wav", "librivox-sense-and-sensibility-0870.wav", "ljspeech-lj001-0009.wav",
         "librispeech-4507-16021-0012.wav"]


def _real_answer():
    """Real clips joined with 0.7 s pauses: the audio, the joined reference, each clip's span."""
    samples = speech_sample("manifest.tsv").parent
    refs = {}
    for line in (samples / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        refs[cols[0]] = cols[3]
    parts, spans, pos = [], [], 0
    for name in NAMES:
        clip = audio_mod.load(speech_sample(name)).to_rate(RATE).samples
        parts += [clip, np.zeros(int(0.7 * RATE), np.int16)]
        spans.append((pos / RATE, (pos + len(clip)) / RATE))
        pos += len(clip) + int(0.7 * RATE)
    return Audio(np.concatenate(parts), RATE), " ".join(refs[n] for n in NAMES), spans


def _wer(ref: str, hyp: str) -> float:
    return wer(ref, hyp)


def _live(engine, answer: Audio) -> Transcript:
    """The answer through the live transcriber the app picks for ``engine``, fed in 0.1 s blocks with
    the worker keeping up (no background thread: the same decodes whatever the machine's speed)."""
    live = live_transcriber(engine, sample_rate=answer.sample_rate, background=False)
    step = answer.sample_rate // 10
    for i in range(0, len(answer.samples), step):
        live.feed(answer.samples[i:i + step])
        while live.run_pending() is not None:
            pass
    return live.finish()


def _check_against_single_pass(engine, tolerance: float, live: bool = False):
    """The merged transcript is about as good as one pass over the whole answer, timed right."""
    answer, reference, spans = _real_answer()
    single = engine.transcribe(answer)
    merged = _live(engine, answer) if live else transcribe_in_segments(engine, answer, min_segment_s=4.0)
    # (an engine that heard nothing at all would pass the comparisons below)
    assert len(merged.words) >= 0.8 * len(reference.split()), merged.text
    assert _wer(reference, merged.text) <= _wer(reference, single.text) + tolerance
    inside = [w for w in merged.words if any(a - 0.3 <= (w.start + w.end) / 2 <= b + 0.3 for a, b in spans)]
    assert len(inside) >= 0.95 * len(merged.words)
    starts = [w.start for w in merged.words]
    assert starts == sorted(starts)
    return merged, reference


@pytest.mark.slow
def test_real_clips_pocketsphinx_matches_single_pass():
    from rehearse.speech import engines

    need_engine("pocketsphinx")
    merged, reference = _check_against_single_pass(engines.get("pocketsphinx"), 0.08)
    assert _wer(reference, merged.text) <= 0.35  # measured 0.24 (0.46 in one pass over the whole answer)


@pytest.mark.slow
def test_real_clips_whisper_streamed_matches_single_pass():
    """Whisper's live transcriber re-decodes the growing answer: as good as one pass, words in place."""
    from rehearse.speech import engines

    need_engine("whisper")
    merged, reference = _check_against_single_pass(engines.get("whisper"), 0.02, live=True)
    assert _wer(reference, merged.text) <= 0.15
    words = [(re.sub(r"[^a-z]", "", w.word.lower()), w.start) for w in merged.words]
    americans = [t for w, t in words if w == "americans"]
    assert americans and 1.0 <= americans[0] <= 3.0  # in jfk.wav, at the start of the answer
    dashwood = [t for w, t in words if w == "dashwood"]
    assert dashwood and 11.7 + 0.5 <= dashwood[0] <= 11.7 + 3.5  # second clip starts at 11.7 s
