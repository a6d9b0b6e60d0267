"""Transcription while the person speaks: segments cut at pauses, transcribed in the background.

:class:`IncrementalTranscriber` is fed the recorder's blocks (pass :meth:`~IncrementalTranscriber.feed`
as ``on_block``). A light energy test finds pauses; once a segment is long enough, it is cut in the
middle of the next pause (or, past the maximum length, at its quietest moment) and handed to a
worker thread that runs the engine on it. When the recording ends, :meth:`~IncrementalTranscriber.finish`
transcribes only what is left and merges every segment's words with their offsets in the whole
answer. It works with any engine (Whisper, PocketSphinx, the scripted test engine), keeps every
sample (segments tile the audio exactly), and skips only segments with no sound above the pause level.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Optional

import numpy as np

from rehearse.audio.pcm import Audio
from rehearse.core.model import Transcript, Word

FRAME_S = 0.03
ABSOLUTE_FLOOR_RMS = 60.0
"""Frames quieter than this (about -55 dBFS) are a pause whatever the room sounds like."""


@dataclass(frozen=True)
class Segment:
    """A stretch of the answer handed to the engine."""

    index: int
    start_sample: int
    samples: np.ndarray
    has_sound: bool
    """False when no frame rose above the absolute silence floor: not worth transcribing."""


@dataclass(frozen=True)
class SegmentResult:
    """One transcribed segment, with words already shifted to the whole answer's clock."""

    segment: Segment
    transcript: Transcript
    words: tuple[Word, ...]


class IncrementalTranscriber:
    """Cuts a live recording at pauses and transcribes the pieces in a background thread."""

    def __init__(self, engine, sample_rate: int = 16000, min_segment_s: float = 4.0,
                 max_segment_s: float = 22.0, pause_s: float = 0.35, frame_s: float = FRAME_S,
                 long_pause_s: Optional[float] = 0.8, min_before_long_pause_s: float = 1.5):
        """Segments are cut in a pause of ``pause_s`` once they are ``min_segment_s`` long, and in a
        pause of ``long_pause_s`` (None: never) once they hold ``min_before_long_pause_s`` of audio
        before it: a long pause is often the end of the answer, and cutting there lets the last
        sentence be transcribed while the silence that ends the recording is still being waited for."""
        if not 0 < min_segment_s < max_segment_s:
            raise ValueError("need 0 < min_segment_s < max_segment_s")
        self.engine = engine
        self.sample_rate = int(sample_rate)
        self.min_segment_s = min_segment_s
        self.max_segment_s = max_segment_s
        self.pause_s = pause_s
        self.long_pause_s = long_pause_s
        self.min_before_long_pause_s = min_before_long_pause_s
        self.frame_samples = max(1, int(round(frame_s * self.sample_rate)))
        self.frame_s = self.frame_samples / self.sample_rate

        self._chunks: list[np.ndarray] = []   # samples of the open segment, as fed
        self._open_start = 0                  # sample index where the open segment starts
        self._open_len = 0
        self._frame_rms: list[float] = []     # rms of every whole frame of the open segment
        self._partial = np.zeros(0, dtype=np.int16)  # samples not yet making a whole frame
        self._history: list[float] = []       # rms of recent frames of the whole answer
        self._quiet_run = 0                   # trailing quiet frames in the open segment
        self._total = 0
        self._next_index = 0
        self._finished = False
        self._feed_lock = threading.Lock()

        self._queue: "queue.Queue[Optional[Segment]]" = queue.Queue()
        self._results: dict[int, SegmentResult] = {}
        self._error: Optional[BaseException] = None
        self._worker = threading.Thread(target=self._work, name="incremental-transcriber", daemon=True)
        self._worker.start()

    # --- the recorder side ----------------------------------------------------------------

    def feed(self, block: np.ndarray, elapsed_s: float = 0.0) -> None:
        """Add a block of int16 samples (or floats in [-1, 1]); cheap enough for the audio thread."""
        data = _as_int16_mono(block)
        if not len(data):
            return
        with self._feed_lock:
            if self._finished:
                raise RuntimeError("feed() after finish()")
            self._chunks.append(data)
            self._open_len += len(data)
            self._total += len(data)
            frames = np.concatenate([self._partial, data]) if len(self._partial) else data
            whole = len(frames) // self.frame_samples * self.frame_samples
            self._partial = frames[whole:].copy()
            if whole:
                shaped = frames[:whole].astype(np.float64).reshape(-1, self.frame_samples)
                for rms in np.sqrt(np.mean(shaped ** 2, axis=1)):
                    self._on_frame(float(rms))

    @property
    def segments_sent(self) -> int:
        """How many segments have gone to the worker so far."""
        return self._next_index

    @property
    def pending(self) -> int:
        """Segments sent but not yet transcribed."""
        return self._next_index - len(self._results)

    @property
    def fed_s(self) -> float:
        return self._total / self.sample_rate

    # --- pause finding ----------------------------------------------------------------------

    def _threshold(self) -> float:
        """The rms below which a frame counts as a pause, from the recent noise and speech levels."""
        recent = np.asarray(self._history[-700:])  # about 20 s
        if len(recent) < 10:
            return ABSOLUTE_FLOOR_RMS
        noise = max(float(np.percentile(recent, 5)), 1.0)
        speech = max(float(np.percentile(recent, 90)), noise)
        # a quarter of the way from noise to speech on a log scale, at least 6 dB over the noise,
        # and never above half the speech level (else continuous speech would look like a pause)
        level = np.exp(np.log(noise) + max(np.log(2.0), 0.25 * (np.log(speech) - np.log(noise))))
        return max(ABSOLUTE_FLOOR_RMS, min(float(level), 0.5 * speech))

    def _on_frame(self, rms: float) -> None:
        self._frame_rms.append(rms)
        self._history.append(rms)
        if len(self._history) > 4000:
            del self._history[:2000]
        threshold = self._threshold()
        self._quiet_run = self._quiet_run + 1 if rms < threshold else 0
        open_s = len(self._frame_rms) * self.frame_s
        pause_frames = max(1, int(round(self.pause_s / self.frame_s)))
        before_pause_s = open_s - self._quiet_run * self.frame_s
        long_pause = (self.long_pause_s is not None and before_pause_s >= self.min_before_long_pause_s
                      and self._quiet_run == max(1, int(round(self.long_pause_s / self.frame_s))))
        if (self._quiet_run >= pause_frames and open_s >= self.min_segment_s) or long_pause:
            # cut in the middle of the pause, so both sides keep a little silence
            cut_frame = len(self._frame_rms) - self._quiet_run // 2
            self._cut(cut_frame * self.frame_samples)
        elif open_s >= self.max_segment_s:
            self._cut(self._quietest_cut())

    def _quietest_cut(self) -> int:
        """Sample offset (in the open segment) of its quietest moment, in the later half: the
        quietest 90 ms stretch, and in it the quietest 30 ms frame (the cut falls at its start)."""
        rms = np.asarray(self._frame_rms)
        lo, hi = len(rms) // 2, len(rms) - 2
        if hi <= lo:
            return len(rms) * self.frame_samples
        smooth = np.convolve(rms, np.ones(3) / 3, mode="same")
        centre = lo + int(np.argmin(smooth[lo:hi]))
        best = centre - 1 + int(np.argmin(rms[centre - 1:centre + 2]))
        return max(best, 1) * self.frame_samples

    def _cut(self, offset: int) -> None:
        """Send the first ``offset`` samples of the open segment to the worker."""
        data = np.concatenate(self._chunks) if len(self._chunks) > 1 else self._chunks[0]
        head, tail = data[:offset], data[offset:]
        n_frames = offset // self.frame_samples
        self._send(head, max(self._frame_rms[:n_frames], default=0.0) >= ABSOLUTE_FLOOR_RMS)
        self._chunks = [tail] if len(tail) else []
        self._open_start += offset
        self._open_len = len(tail)
        self._frame_rms = self._frame_rms[n_frames:]
        self._quiet_run = min(self._quiet_run, len(self._frame_rms))

    def _send(self, samples: np.ndarray, has_sound: bool) -> None:
        segment = Segment(self._next_index, self._open_start, samples, has_sound)
        self._next_index += 1
        self._queue.put(segment)

    # --- the worker ---------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            segment = self._queue.get()
            if segment is None:
                return
            if self._error is not None:
                continue
            try:
                self._results[segment.index] = self._transcribe(segment)
            except BaseException as exc:  # surfaced by finish()
                self._error = exc

    def _transcribe(self, segment: Segment) -> SegmentResult:
        duration = len(segment.samples) / self.sample_rate
        if not segment.has_sound or not len(segment.samples):
            empty = Transcript(text="", engine=getattr(self.engine, "name", None), duration_s=duration,
                               processing_s=0.0)
            return SegmentResult(segment, empty, ())
        transcript = self.engine.transcribe(Audio(segment.samples, self.sample_rate))
        offset = segment.start_sample / self.sample_rate
        words = tuple(Word(w.word, w.start + offset, w.end + offset) for w in transcript.words)
        return SegmentResult(segment, transcript, words)

    # --- the end ----------------------------------------------------------------------------------

    def finish(self, timeout_s: Optional[float] = None) -> Transcript:
        """Transcribe what is left, wait for the worker, and return the whole answer's transcript."""
        with self._feed_lock:
            if not self._finished:
                self._finished = True
                if self._open_len:
                    data = np.concatenate(self._chunks)
                    loudest = max(self._frame_rms + [_rms(self._partial)])
                    self._send(data, loudest >= ABSOLUTE_FLOOR_RMS)
                    self._chunks, self._open_len = [], 0
                self._queue.put(None)
        self._worker.join(timeout_s)
        if self._worker.is_alive():
            raise TimeoutError("the transcription worker did not finish in time")
        if self._error is not None:
            raise self._error
        return self.result()

    def result(self) -> Transcript:
        """The merged transcript of the segments done so far, in order."""
        results = [self._results[i] for i in sorted(self._results)]
        texts = [r.transcript.text.strip() for r in results if r.transcript.text.strip()]
        words = tuple(w for r in results for w in r.words)
        processing = sum(r.transcript.processing_s or 0.0 for r in results)
        return Transcript(
            text=" ".join(texts),
            words=words,
            engine=getattr(self.engine, "name", None),
            duration_s=self._total / self.sample_rate,
            processing_s=processing,
        )

    def text_so_far(self) -> str:
        """The words of the segments transcribed so far, up to the first one still being worked on
        (cheap: no decoding; for the recorder's end-of-answer rule)."""
        words = []
        for i in range(self._next_index):
            done = self._results.get(i)
            if done is None:
                break
            words.extend(w.word.strip() for w in done.words)
        return " ".join(w for w in words if w)

    @property
    def covered_s(self) -> float:
        """Seconds of the answer, from its start, that :meth:`text_so_far` covers."""
        end = 0
        for i in range(self._next_index):
            done = self._results.get(i)
            if done is None:
                break
            end = done.segment.start_sample + len(done.segment.samples)
        return end / self.sample_rate

    @property
    def segment_results(self) -> list[SegmentResult]:
        return [self._results[i] for i in sorted(self._results)]


def _rms(samples: np.ndarray) -> float:
    if not len(samples):
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def _as_int16_mono(block: np.ndarray) -> np.ndarray:
    data = np.asarray(block)
    if data.ndim == 2:
        data = data.mean(axis=1) if data.dtype.kind == "f" else data[:, 0]
    if data.dtype == np.int16:
        return data.copy()
    if data.dtype.kind == "f":
        return np.clip(np.round(data.astype(np.float64) * 32767.0), -32768, 32767).astype(np.int16)
    return np.clip(data, -32768, 32767).astype(np.int16)


def transcribe_in_segments(engine, audio: Audio, block_s: float = 0.03, **kwargs) -> Transcript:
    """Feed a whole recording through :class:`IncrementalTranscriber` as fast as it goes (for tests
    and benchmarks; live use feeds the recorder's blocks)."""
    inc = IncrementalTranscriber(engine, sample_rate=audio.sample_rate, **kwargs)
    step = max(1, int(block_s * audio.sample_rate))
    for i in range(0, len(audio.samples), step):
        inc.feed(audio.samples[i:i + step], (i + step) / audio.sample_rate)
    return inc.finish()
