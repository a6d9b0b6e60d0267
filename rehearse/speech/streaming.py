"""Transcription while the person speaks, so that little is left to do when they stop.

Two ways, one interface (``feed``, ``pause``, ``resume``, ``text_so_far``, ``finish``); use
:func:`live_transcriber`, which picks one by policy (a setting, ``[engine] live``) and engine:

* :class:`AgreementTranscriber` (engines that offer ``transcribe_window``: Whisper) decodes the
  answer as it grows, about every 2 s of new audio, and commits the words two consecutive
  decodes agree on (the LocalAgreement-2 policy of whisper_streaming). Committed audio is trimmed
  from the front of the buffer, so each decode stays short whatever the answer's length and no
  pause is needed. When the person stops, only the uncommitted tail is decoded.
* :class:`IncrementalTranscriber` (any other engine: PocketSphinx, the scripted test engine) cuts
  the answer at pauses and transcribes the pieces; an engine that decodes each call from scratch
  without word-level agreement gains nothing from re-decoding the same audio.

Both run the engine in one background thread (or, with ``background=False``, when the caller asks:
benchmarks and tests drive them step by step); the agreement transcriber's second opinion at a pause
gets a thread of its own when the engine decodes two at once. ``pause(at_s)`` says silence began at
``at_s`` of the answer: the tail is decoded at once, speculatively (and, by the agreement
transcriber, the last seconds once more from another start: ``second_opinion()``); ``resume()`` says
speech came back and throws that result away; ``finish()`` uses it when no speech came after the
pause, else decodes what is left; ``close()`` stops without a transcript. Every word is on the whole
answer's clock.
"""

from __future__ import annotations

import inspect
import logging
import queue
import re
import threading
import time
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from rehearse.audio.pcm import Audio
from rehearse.core.errors import DecodeAbandoned
from rehearse.core.model import Transcript, Word

log = logging.getLogger("rehearse.live")

FRAME_S = 0.03
ABSOLUTE_FLOOR_RMS = 60.0
"""Frames quieter than this (about -55 dBFS) are a pause whatever the room sounds like."""


POLICIES = ("segments", "agreement")
CHECK_S = 5.0
"""Seconds before a pause that the second opinion decodes (:meth:`AgreementTranscriber.second_opinion`)."""

CLOSE_WAIT_S = 10.0
"""Longest wait for a live transcriber's worker when it is closed (a decode that cannot be abandoned
runs to its end: about a second)."""

DEFAULT_POLICY = "agreement"
"""Chosen by ``scripts/bench_streaming.py`` on the realistic set (README, "While you speak"): agreement
keeps the streamed transcript within 0.1 points of one pass (8.2% against 8.1% WER; cutting at pauses:
9.0%, words lost at the cuts) and bounds the lag during a pauseless answer; cutting at pauses costs a
third of the compute (RTF 0.12 against 0.42 on two cores) and leaves a shorter tail, so it stays a
choice (``[engine] live = "segments"``) for a slow machine."""


def live_transcriber(engine, sample_rate: int = 16000, policy: Optional[str] = None, **kwargs):
    """The live transcriber for ``policy`` (``agreement`` or ``segments``; default
    :data:`DEFAULT_POLICY`). Agreement needs an engine that decodes a growing window
    (``transcribe_window``: Whisper); any other engine cuts at pauses."""
    policy = policy or DEFAULT_POLICY
    if policy == "agreement" and callable(getattr(engine, "transcribe_window", None)):
        return AgreementTranscriber(engine, sample_rate=sample_rate, **kwargs)
    return IncrementalTranscriber(engine, sample_rate=sample_rate, **kwargs)


@dataclass(frozen=True)
class Decode:
    """One engine call made by a live transcriber (for benchmarks: what was decoded, and its cost)."""

    kind: str
    """``step`` (the growing answer), ``segment`` (a piece cut at a pause), ``speculative`` (the tail,
    at a pause), ``check`` (the last seconds before a pause again, from another start: a second
    opinion on how the answer stops) or ``final`` (the tail, after the recording ended)."""
    start_s: float
    end_s: float
    compute_s: float
    """Wall-clock seconds of the engine call."""
    cpu_s: float = 0.0
    """CPU seconds of the process (all threads) during the call."""
    abandoned: bool = False
    """True when the call was stopped part-way because its words were no longer wanted (a step
    decode under way when a pause began or the recording ended; a decode made for a pause that
    was over before it was done)."""


class _Levels:
    """The rms of every 30 ms frame of the answer, and whether speech came after a point."""

    def __init__(self, frame_samples: int, sample_rate: int) -> None:
        self.frame_samples = frame_samples
        self.sample_rate = sample_rate
        self.rms: list[float] = []
        self._partial = np.zeros(0, dtype=np.int16)

    def add(self, data: np.ndarray) -> list[float]:
        frames = np.concatenate([self._partial, data]) if len(self._partial) else data
        whole = len(frames) // self.frame_samples * self.frame_samples
        self._partial = frames[whole:].copy()
        if not whole:
            return []
        shaped = frames[:whole].astype(np.float64).reshape(-1, self.frame_samples)
        new = [float(v) for v in np.sqrt(np.mean(shaped ** 2, axis=1))]
        self.rms.extend(new)
        return new

    def loudest(self) -> float:
        return max(self.rms + [_rms(self._partial)])

    def speech_after(self, sample: int, min_s: float = 0.15) -> bool:
        """True when, after ``sample``, at least ``min_s`` of frames are as loud as speech (within
        12 dB of the answer's loud frames, and above the absolute floor)."""
        first = sample // self.frame_samples + 1
        after = np.asarray(self.rms[first:])
        if not len(after):
            return False
        level = max(ABSOLUTE_FLOOR_RMS, 0.25 * float(np.percentile(np.asarray(self.rms), 90)))
        return int(np.count_nonzero(after > level)) * self.frame_samples >= min_s * self.sample_rate

    def quietest(self, lo: int, hi: int) -> int:
        """The sample at the start of the quietest whole frame between samples ``lo`` and ``hi``
        (``lo`` when there is none)."""
        f_lo = -(-lo // self.frame_samples)
        f_hi = min(hi // self.frame_samples, len(self.rms))
        if f_hi <= f_lo:
            return lo
        return (f_lo + int(np.argmin(self.rms[f_lo:f_hi]))) * self.frame_samples


# --- re-decoding the growing answer -------------------------------------------------------------------


PAUSE_GAP_S = 0.25
"""A gap between two committed words this long is a pause the buffer may be trimmed at."""

PAUSE_BUFFER_S = 4.0
"""At a pause, the live buffer is trimmed once it holds more than this many seconds (between
pauses: ``max_buffer_s``), so the tail's decode, which the verdict waits for, is short."""

MAX_TAIL_S = 6.0
"""Longest tail decoded at a pause or at the end when the latest step's words can bridge the rest:
the audio before it is written with those words (the ones that end a second or more before that
step's window did). Trimming needs committed words, and when decoding is slower than speech the
commits lag: on a slower two-core machine (latency seed 147) the tails decoded at the last pause
were 6-24 s long, took up to 4 s or more, and four answers waited the longest window because their
tail was not done."""


def _norm(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def _phrase_ends(word: Word, following: Optional[Word]) -> bool:
    """Whether ``word`` ends a sentence or is followed by a pause: a place to cut the audio between
    two words (in fluent speech a cut between two words clips one of them)."""
    return (word.word.rstrip("\"')").endswith((".", "?", "!"))
            or (following is not None and following.start - word.end >= PAUSE_GAP_S))


class AgreementTranscriber:
    """Decodes the growing answer about every ``step_s`` of new audio and commits the words on which
    two consecutive decodes agree; the committed audio leaves the buffer once it holds more than
    ``max_buffer_s``, after a committed sentence or a pause (after any committed word only past
    ``hard_max_buffer_s``: a cut between two fluent words clips one), so every decode stays short.
    With ``context``, the committed text before the buffer goes with each decode as context. When
    decoding is slower than speech, each decode simply covers more new audio. At the end (or at a
    pause) the buffer is decoded once more from its start (``tail_from="buffer"``) or from the last
    committed word (``"committed"``). After that speculative decode, an engine that offers
    ``check_window`` decodes the last ``check_s`` seconds before the pause once more, quickly, from
    another start: :meth:`second_opinion` (None: no check). When the engine can stop a decode
    between its stages (``abandon=``), a step decode under way when a pause begins (or the
    recording ends) is abandoned, so the tail's decode starts sooner, and so are the decodes made
    for a pause once speech comes back. A tail decoded at a pause the speaker then goes on from
    counts as the next step's decode (it decoded the buffer from its start, as a step does), so
    the buffer still moves on when the steps around pauses were abandoned.

    Step 2 s was measured (scripts/bench_streaming.py): on the realistic set it made no more errors
    than a step of 1 s at about half the compute."""

    policy = "agreement"

    def __init__(self, engine, sample_rate: int = 16000, *, step_s: float = 2.0, max_buffer_s: float = 10.0,
                 context: bool = False, tail_from: str = "buffer", background: bool = True,
                 hard_max_buffer_s: float = 20.0, min_window_s: float = 2.0,
                 check_s: Optional[float] = CHECK_S, pause_buffer_s: Optional[float] = PAUSE_BUFFER_S,
                 max_tail_s: Optional[float] = MAX_TAIL_S):
        if tail_from not in ("committed", "buffer"):
            raise ValueError("tail_from is 'committed' or 'buffer'")
        self.engine = engine
        self.sample_rate = int(sample_rate)
        self.step = max(1, int(step_s * self.sample_rate))
        self.min_window = int(min_window_s * self.sample_rate)
        self.max_buffer = int(max_buffer_s * self.sample_rate)
        self.hard_max_buffer = int(max(hard_max_buffer_s, max_buffer_s + 2 * step_s) * self.sample_rate)
        self.pause_buffer = int(pause_buffer_s * self.sample_rate) if pause_buffer_s else None
        """At a pause, the buffer is trimmed (after a committed sentence or pause) once it holds more
        than this: the tail decoded there is what the verdict waits for. None: as between pauses."""
        self.max_tail = int(max_tail_s * self.sample_rate) if max_tail_s else None
        """Samples a tail's decode covers at most when the latest step's words bridge the rest
        (:data:`MAX_TAIL_S`); None: the tail always starts where :attr:`tail_from` says."""
        self.context = context
        self.tail_from = tail_from
        self.check = (int(check_s * self.sample_rate)
                      if check_s and callable(getattr(engine, "check_window", None)) else None)
        """Samples the second opinion at a pause decodes, or None when there is none."""
        self._can_abandon = _takes_abandon(getattr(engine, "transcribe_window", None))
        """The engine can stop a live decode part-way once its words are no longer wanted."""
        self._check_can_abandon = _takes_abandon(getattr(engine, "check_window", None))
        self.parallel_check = bool(background and self.check is not None
                                   and getattr(engine, "parallel_decodes", 1) >= 2)
        """The second opinion runs on a thread of its own, from the moment the tail's decode starts,
        at the same time as it (an engine that decodes two at once: ``parallel_decodes``); else it
        follows the tail's decode on the one worker."""
        self._abandoned = False  # the last step was abandoned: the next one is not (it must commit)
        self.frame_samples = max(1, int(round(FRAME_S * self.sample_rate)))
        self._levels = _Levels(self.frame_samples, self.sample_rate)

        self._cond = threading.Condition()
        self._audio = np.zeros(self.sample_rate * 30, dtype=np.int16)
        self._total = 0
        self._buf_start = 0                 # sample where the decoded buffer starts
        self._decoded_to = 0                # end of the audio the latest step decoded
        self._committed: list[Word] = []
        self._tentative: list[Word] = []   # the latest decode's words after the committed ones
        self._heard_nothing_twice = False   # the latest two decodes heard nothing after the committed words
        self._pause_at: Optional[int] = None
        self._generation = 0                # a pause and the resume after it end a generation
        self._spec_started: Optional[int] = None
        self._spec: Optional[tuple[int, int, int, list[Word]]] = None  # generation, end, committed, words
        self._check_started: Optional[int] = None
        self._spec_start = 0
        self._spec_end = 0
        self._check: Optional[tuple[int, list[Word]]] = None  # generation, words
        self._finishing = False
        self._done = False
        self._error: Optional[BaseException] = None
        self.decodes: list[Decode] = []
        self.background = background
        self._worker = None
        self._check_worker = None
        if background:
            self._worker = threading.Thread(target=self._work, name="live-transcriber", daemon=True)
            self._worker.start()
        if self.parallel_check:
            self._check_worker = threading.Thread(target=self._work_checks, name="live-second-opinion",
                                                  daemon=True)
            self._check_worker.start()

    # --- the recorder side ------------------------------------------------------------------

    def feed(self, block: np.ndarray, elapsed_s: float = 0.0) -> None:
        """Add a block of int16 samples (or floats in [-1, 1]); cheap enough for the audio thread."""
        data = _as_int16_mono(block)
        if not len(data):
            return
        with self._cond:
            if self._finishing:
                raise RuntimeError("feed() after finish()")
            need = self._total + len(data)
            if need > len(self._audio):
                grown = np.zeros(max(need, 2 * len(self._audio)), dtype=np.int16)
                grown[: self._total] = self._audio[: self._total]
                self._audio = grown
            self._audio[self._total:need] = data
            self._total = need
            self._levels.add(data)
            self._cond.notify_all()

    def pause(self, at_s: float) -> None:
        """Silence began ``at_s`` seconds into the answer: decode the tail now, in the background."""
        with self._cond:
            if self._finishing:
                return
            if self._pause_at is not None:
                self._generation += 1  # a new pause point: the earlier speculation is stale
            self._pause_at = max(0, int(round(at_s * self.sample_rate)))
            self._cond.notify_all()

    def resume(self) -> None:
        """Speech came back: the speculative result is no longer the answer's end, so it goes. When
        it is done and decoded the buffer from its start, it counts as the next step's decode
        (its words agree with the last step's, or not, as a step's would); else it is thrown away."""
        with self._cond:
            if self._pause_at is None:
                return
            spec = self._spec
            if (spec is not None and spec[0] == self._generation and spec[2] == len(self._committed)
                    and self._can_serve_as_step(self._spec_start, spec[1])):
                self._tail_as_step(spec[3], self._spec_start, spec[1])
            self._pause_at = None
            self._generation += 1
            self._spec = None
            self._check = None
            self._cond.notify_all()

    def text_so_far(self) -> str:
        """The committed words and the latest decode's tentative ones, or, once the tail decoded at
        the current pause is ready, that tail (cheap, any thread; for the end-of-answer rule)."""
        return " ".join(w.word for w in self.words_so_far())

    def words_so_far(self) -> tuple[Word, ...]:
        """The words of :meth:`text_so_far`, timed, with the engine's probabilities."""
        with self._cond:
            return tuple(self._committed + self._heard_after_committed()[0])

    @property
    def offers_second_opinion(self) -> bool:
        """True when a pause gets a second decode of its last seconds (:meth:`second_opinion`)."""
        return self.check is not None

    def second_opinion(self) -> Optional[tuple[Word, ...]]:
        """The words of the second decode of the last seconds before the current pause (from
        another start than the speculative decode's), once it is done; None before, or without a
        pause. Whisper's last words before a pause change with where its window starts, so two
        decodes that agree the answer stops at a finished sentence are worth more than one."""
        with self._cond:
            check = self._check
            if self._pause_at is None or check is None or check[0] != self._generation:
                return None
            return tuple(check[1])

    @property
    def covered_s(self) -> float:
        """Seconds of the answer, from its start, that :meth:`text_so_far` covers: the end of the
        audio behind its words. Short of a pause, they do not tell how the speaker stopped there."""
        with self._cond:
            return self._heard_after_committed()[1] / self.sample_rate

    def _heard_after_committed(self) -> tuple[list[Word], int]:
        """The words after the committed ones and the sample they reach (lock held)."""
        spec = self._spec
        if spec is not None and spec[0] == self._generation and spec[2] == len(self._committed):
            return spec[3], spec[1]
        return self._tentative, self._decoded_to

    @property
    def fed_s(self) -> float:
        return self._total / self.sample_rate

    @property
    def committed_s(self) -> float:
        """End of the last committed word (0 before any)."""
        with self._cond:
            return self._committed[-1].end if self._committed else 0.0

    # --- the work ---------------------------------------------------------------------------

    def _next_job(self) -> Optional[tuple]:
        """What the worker should do next, or None; called with the lock held."""
        if self._done:
            return None
        if self._finishing:
            return ("final", self._total)
        if self._pause_at is not None:
            if self._spec_started != self._generation and self._total >= self._pause_at:
                return ("speculative", self._total)
            spec = self._spec
            if (self.check is not None and not self.parallel_check and self._check_started != self._generation
                    and spec is not None and spec[0] == self._generation):
                return ("check", spec[1])
            return None
        if self._total - self._decoded_to >= self.step and self._total - self._buf_start >= self.min_window:
            return ("step", self._total)
        return None

    def _next_check(self) -> Optional[tuple]:
        """The second opinion's thread's next job (:attr:`parallel_check`), or None; lock held. It is
        due once the tail's decode for the current pause has started (its window is known then)."""
        if (self._done or self._finishing or self._pause_at is None or self._spec_started != self._generation
                or self._check_started == self._generation):
            return None
        return ("check", self._spec_end, self._generation)

    def run_pending(self) -> Optional[Decode]:
        """Without a background thread: do the next piece of work, if any is due (returns its record)."""
        with self._cond:
            job = self._next_job()
            if job is None:
                return None
        return self._run(job)

    def _work(self) -> None:
        while True:
            with self._cond:
                job = self._next_job()
                while job is None and not self._done:
                    self._cond.wait()
                    job = self._next_job()
                if job is None:
                    return
            self._run(job)

    def _work_checks(self) -> None:
        while True:
            with self._cond:
                job = self._next_check()
                while job is None and not (self._done or self._finishing):
                    self._cond.wait()
                    job = self._next_check()
                if job is None:
                    return
            self._run(job)

    def _run(self, job: tuple) -> Optional[Decode]:
        kind, end = job[:2]
        try:
            if kind == "step":
                return self._step(end)
            if kind == "speculative":
                return self._speculate(end)
            if kind == "check":
                return self._second(end, *job[2:])
            return self._final(end)
        except BaseException as exc:  # surfaced by finish()
            with self._cond:
                self._error = exc
                self._done = True
            return None
        finally:
            with self._cond:
                self._cond.notify_all()

    def _decode(self, kind: str, start: int, end: int, final: bool,
                abandon=None) -> tuple[Optional[list[Word]], Decode]:
        """Words of samples [start, end) on the answer's clock, and the record of the call (a
        ``check`` is the engine's quick second decode). ``abandon``, when the engine can take it,
        is asked between the stages of the decode; once it says the words are no longer wanted the
        decode stops there (words None)."""
        with self._cond:
            samples = self._audio[start:end].copy()
            context = self._context_before(start) if self.context else None
        if not (self._check_can_abandon if kind == "check" else self._can_abandon):
            abandon = None
        stop = {} if abandon is None else {"abandon": abandon}
        began, cpu = time.perf_counter(), time.process_time()
        audio = Audio(samples, self.sample_rate)
        transcript = None
        try:
            if kind == "check":
                transcript = self.engine.check_window(audio, **stop)
            elif callable(getattr(self.engine, "transcribe_window", None)):
                transcript = self.engine.transcribe_window(audio, context=context, final=final, **stop)
            else:
                transcript = self.engine.transcribe(audio)
        except DecodeAbandoned:
            if abandon is None:
                raise
        record = Decode(kind, start / self.sample_rate, end / self.sample_rate, time.perf_counter() - began,
                        time.process_time() - cpu, abandoned=transcript is None)
        _log_decode(record, transcript)
        if transcript is None:
            return None, record
        offset = start / self.sample_rate
        words = [w.shifted(offset) for w in transcript.words if w.word.strip()]
        return words, record

    def _step_unwanted(self) -> bool:
        """Asked by the engine during a step decode (worker thread; plain reads of two fields): a
        pause began, or the recording ended (the tail's decode covers the step's audio, and the
        verdict waits for that decode, not for this one)."""
        return self._pause_at is not None or self._finishing

    def _check_unwanted(self, generation: int):
        """For the second opinion on the pause of ``generation``: asks whether its words are no
        longer wanted: that pause is over (speech came back, or a new pause began), which throws them
        away anyway, or the recording ended (the answer's end is decided then)."""
        return lambda: self._generation != generation or self._finishing

    def _context_before(self, start: int) -> str:
        t = start / self.sample_rate
        return " ".join(w.word for w in self._committed if (w.start + w.end) / 2 < t)

    def _after_committed(self, words: list[Word], bridge: Sequence[Word] = ()) -> list[Word]:
        """The decoded words that come after the committed ones (and after the ``bridge`` words that
        lead up to a bounded tail): those starting after the last one's end (less 0.1 s), without a
        repeat of its last one to five words."""
        before = self._committed + list(bridge)
        if not before:
            return list(words)
        last = before[-1].end
        new = [w for w in words if w.start > last - 0.1]
        if new and abs(new[0].start - last) < 1.0:
            for n in range(min(5, len(before), len(new)), 0, -1):
                if [_norm(w.word) for w in before[-n:]] == [_norm(w.word) for w in new[:n]]:
                    new = new[n:]
                    break
        return new

    def _step(self, end: int) -> Decode:
        with self._cond:
            start = self._buf_start
            # a step under way when a pause begins is abandoned; never twice in a row, so a
            # speaker who pauses often still has the growing answer committed
            abandon = None if self._abandoned else self._step_unwanted
        words, record = self._decode("step", start, end, final=False, abandon=abandon)
        with self._cond:
            self.decodes.append(record)
            self._abandoned = words is None
            if words is None:
                return record  # the audio is still to decode: the next step (or the tail) does it
            if self._finishing or start != self._buf_start or end <= self._decoded_to:
                # finishing: the tail's decode has it all; else a newer decode (a pause's tail
                # taken as a step) came first
                self._decoded_to = max(self._decoded_to, end)
                return record
            self._agree(self._after_committed(words), end)
        return record

    def _agree(self, new: list[Word], end: int) -> int:
        """Take a decode of the buffer up to sample ``end``, its words after the committed ones in
        ``new``: commit the words it agrees on with the last decode, keep the rest as tentative,
        trim the buffer; returns how many words were committed (lock held)."""
        agreed = 0
        while (agreed < len(new) and agreed < len(self._tentative)
               and _norm(new[agreed].word) == _norm(self._tentative[agreed].word)):
            agreed += 1
        self._committed += new[:agreed]
        self._heard_nothing_twice = not new and not self._tentative
        self._tentative = new[agreed:]
        self._decoded_to = end
        self._abandoned = False
        self._trim(end)
        return agreed

    def _trim(self, end: int, limit: Optional[int] = None) -> None:
        """Move the buffer's start past committed audio once the buffer is longer than allowed
        (``max_buffer``, or ``limit``: then only after a committed sentence or pause)."""
        if limit is not None:
            if end - self._buf_start > limit:
                self._cut_at_a_pause(self._committed_inside())
            return
        if end - self._buf_start <= self.max_buffer:
            return
        inside = self._committed_inside()
        if not inside and not self._tentative and self._heard_nothing_twice:
            # nothing heard in the whole buffer by two decodes in a row: keep only its last second
            # (one empty decode of speech is not enough: in latency seed 147's second run one decode
            # of 13 s of fluent speech came back empty, and the words of the one before were lost)
            lo = max(self._buf_start, end - 2 * self.sample_rate)
            self._buf_start = max(self._buf_start, self._levels.quietest(lo, end - self.sample_rate))
            return
        if not inside:
            if end - self._buf_start > self.hard_max_buffer:
                # the decodes never agree: commit what the latest one heard in all but its last 5 s
                keep = [w for w in self._tentative if w.end * self.sample_rate < end - 5 * self.sample_rate]
                looped = _loop_start(keep)
                keep = keep if looped is None else keep[:looped]  # never a loop: the next decode tries again
                if keep:
                    self._committed += keep
                    self._tentative = self._tentative[len(keep):]
                    self._trim(end)
            return
        if self._cut_at_a_pause(inside) or end - self._buf_start <= self.hard_max_buffer:
            return
        cut = self._cut_after(inside[-1])
        if cut > self._buf_start:
            self._buf_start = cut

    def _committed_inside(self) -> list[int]:
        """Indexes of the committed words inside the buffer."""
        return [i for i, w in enumerate(self._committed) if w.start * self.sample_rate >= self._buf_start]

    def _cut_at_a_pause(self, inside: list[int]) -> bool:
        """Move the buffer's start to after the last of the committed words ``inside`` it that ends a
        sentence or is followed by a gap (in fluent speech a cut between two words clips one of them,
        and Whisper then mishears it); False when there is none."""
        following = self._committed[1:] + self._tentative
        ends = [i for i in inside if _phrase_ends(self._committed[i], following[i] if i < len(following) else None)]
        if not ends:
            return False
        cut = self._cut_after(ends[-1])
        if cut > self._buf_start:
            self._buf_start = cut
        return True

    def _cut_after(self, index: int) -> int:
        """A sample between committed word ``index`` and the word after it (committed or tentative):
        the quietest frame of the gap, widened by 50 ms on each side."""
        word = self._committed[index]
        following = (self._committed[index + 1:] + self._tentative)[:1]
        lo = int((word.end - 0.05) * self.sample_rate)
        hi = int(((following[0].start if following else word.end + 0.3) + 0.05) * self.sample_rate)
        hi = min(max(hi, lo + self.frame_samples), self._total)
        return max(self._buf_start, min(self._levels.quietest(lo, hi), self._total))

    def _tail_start(self) -> int:
        """Where the tail's decode starts: after the last committed word, or at the buffer's start."""
        if self.tail_from == "committed" and self._committed:
            return self._cut_after(len(self._committed) - 1)
        return self._buf_start

    def _bounded_tail(self, start: int, end: int) -> tuple[int, list[Word]]:
        """Where a tail decode of samples ``start`` to ``end`` starts when it may cover at most
        :attr:`max_tail`, and the latest step's words (after the committed ones) that write the
        audio before it: (``start``, []) when the tail is short enough or no such words reach it.
        The cut lies between two of those words, the first ending a second or more before that
        step's window ended (the words at a window's end are the unsure ones): as early as allowed,
        after a finished sentence or a pause if there is one; when that step lags so far behind that
        no such word is late enough, at the latest one, for the shortest tail there is (lock held)."""
        if self.max_tail is None or end - start <= self.max_tail:
            return start, []
        earliest, settled = end - self.max_tail, self._decoded_to - self.sample_rate
        words = self._tentative
        cuts = [i for i in range(len(words) - 1)
                if words[i].end * self.sample_rate <= settled and words[i].start * self.sample_rate >= start]
        late = [i for i in cuts if words[i].end * self.sample_rate >= earliest]
        if late:
            ends = [i for i in late if _phrase_ends(words[i], words[i + 1])]
            i = (ends or late)[0]
        elif cuts:
            i = cuts[-1]
        else:
            return start, []
        if _loop_start(words[: i + 1]) is not None:
            return start, []  # a step that looped ("long, long, long, ...") bridges nothing
        lo = int((words[i].end - 0.05) * self.sample_rate)
        hi = min(max(int((words[i + 1].start + 0.05) * self.sample_rate), lo + self.frame_samples), end)
        cut = self._levels.quietest(lo, hi)
        if not start < cut < end:
            return start, []
        return cut, list(words[: i + 1])

    def _speculate(self, end: int) -> Decode:
        with self._cond:
            generation = self._generation
            self._spec_started = generation
            if self.pause_buffer is not None:
                self._trim(end, limit=self.pause_buffer)
            start, bridge = self._bounded_tail(self._tail_start(), end)
            self._spec_start, self._spec_end = start, end
            committed = len(self._committed)
            self._cond.notify_all()  # the second opinion's thread may start now
        words, record = self._decode("speculative", start, end, final=True,
                                     abandon=self._tail_unwanted(generation, start))
        with self._cond:
            self.decodes.append(record)
            if words is None or committed != len(self._committed):
                return record
            if generation == self._generation:
                self._spec = (generation, end, committed, bridge + self._after_committed(words, bridge))
            elif not bridge and self._can_serve_as_step(start, end):
                self._tail_as_step(self._after_committed(words), start, end)  # the speaker went on during it
        return record

    def _can_serve_as_step(self, start: int, end: int) -> bool:
        """Whether a tail decoded from sample ``start`` to ``end`` can be the next step's decode: it
        started at the buffer's start, reaches past the latest step, and the recording goes on
        (lock held)."""
        return start == self._buf_start and end > self._decoded_to and not self._finishing

    def _tail_as_step(self, new: list[Word], start: int, end: int) -> None:
        """A tail decoded at a pause the speaker went on from (samples ``start`` to ``end``, the
        buffer's) taken as the next step's decode (lock held)."""
        agreed = self._agree(new, end)
        log.debug("the tail decoded at a pause that is over (%.2f-%.2f s) served as a step: %d words committed",
                  start / self.sample_rate, end / self.sample_rate, agreed)

    def _tail_unwanted(self, generation: int, start: int):
        """For the tail decoded at the pause of ``generation``: asks whether its words are no longer
        wanted. Once the speaker goes on they still serve as the next step's decode when it started
        at the buffer's start, so it runs on, unless a new pause began (whose tail is the one to
        decode now) or the recording ended (the final decode covers it)."""
        def unwanted() -> bool:
            if self._generation == generation:
                return False
            return start != self._buf_start or self._pause_at is not None or self._finishing
        return unwanted

    def _second(self, end: int, generation: Optional[int] = None) -> Optional[Decode]:
        """The second opinion on the pause of ``generation`` (default: the current one); nothing when
        that pause is over already."""
        with self._cond:
            if generation is None:
                generation = self._generation
            elif generation != self._generation:
                return None
            self._check_started = generation
            start = max(0, end - self.check)
            if abs(start - self._spec_start) < self.sample_rate:
                # not the speculative decode's window again: start 1.5 s before it (later only at the
                # answer's start; a window of 2-3 s from mid-sentence now and then decodes to nothing)
                shift = 3 * self.sample_rate // 2
                start = (self._spec_start - shift if self._spec_start >= shift
                         else max(0, min(end - 2 * self.sample_rate, self._spec_start + shift)))
        words, record = self._decode("check", start, end, final=True,
                                     abandon=self._check_unwanted(generation))
        with self._cond:
            self.decodes.append(record)
            if words is not None and generation == self._generation:
                self._check = (generation, words)
        return record

    def _final(self, end: int) -> Optional[Decode]:
        with self._cond:
            spec = self._spec
            usable = (spec is not None and self._pause_at is not None and spec[0] == self._generation
                      and spec[2] == len(self._committed) and not self._levels.speech_after(spec[1]))
            if usable:
                self._committed += spec[3]
                self._tentative = []
                self._done = True
                return None
            start, bridge = self._bounded_tail(self._tail_start(), end)
        if self._levels.loudest() < ABSOLUTE_FLOOR_RMS:
            words, record = [], None  # digital silence throughout: nothing to hear
        else:
            words, record = self._decode("final", start, end, final=True)
        with self._cond:
            if record is not None:
                self.decodes.append(record)
            self._committed += bridge + self._after_committed(words, bridge)
            self._tentative = []
            self._done = True
        return record

    # --- the end ------------------------------------------------------------------------------

    def finish(self, timeout_s: Optional[float] = None) -> Transcript:
        """Decode what is left (or take the speculative result) and return the whole transcript."""
        with self._cond:
            self._finishing = True
            self._cond.notify_all()
        if self._worker is not None:
            for worker in (self._worker, self._check_worker):
                if worker is not None:
                    worker.join(timeout_s)
                    if worker.is_alive():
                        raise TimeoutError("the transcription worker did not finish in time")
        else:
            while not self._done:
                self.run_pending()
        if self._error is not None:
            raise self._error
        return self.result()

    def close(self, timeout_s: Optional[float] = CLOSE_WAIT_S) -> None:
        """Stop without a transcript (the recording was interrupted or failed): nothing more is
        decoded, a decode under way stops at its next stage where the engine allows it, and the
        workers are joined (up to ``timeout_s`` each), so no decode is left running in the engine's
        native code when the process exits (that can abort it)."""
        with self._cond:
            self._finishing = True
            self._done = True
            self._generation += 1  # the decodes made for a pause are no longer wanted
            self._cond.notify_all()
        for worker in (self._worker, self._check_worker):
            if worker is not None:
                worker.join(timeout_s)

    def result(self) -> Transcript:
        with self._cond:
            words = tuple(self._committed)
            processing = sum(d.compute_s for d in self.decodes)
        return Transcript(text=" ".join(w.word for w in words), words=words,
                          engine=getattr(self.engine, "name", None), duration_s=self._total / self.sample_rate,
                          processing_s=processing)


# --- cutting at pauses ------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _Speculation:
    generation: int
    start_sample: int
    end_sample: int


class IncrementalTranscriber:
    """Cuts a live recording at pauses and transcribes the pieces in a background thread."""

    policy = "segments"

    def __init__(self, engine, sample_rate: int = 16000, min_segment_s: float = 4.0,
                 max_segment_s: float = 22.0, pause_s: float = 0.35, frame_s: float = FRAME_S,
                 long_pause_s: Optional[float] = 0.8, min_before_long_pause_s: float = 1.5,
                 background: bool = True):
        """Segments are cut in a pause of ``pause_s`` once they are ``min_segment_s`` long, and in a
        pause of ``long_pause_s`` (None: never) once they hold ``min_before_long_pause_s`` of audio
        before it: a long pause is often the end of the answer, and cutting there lets the last
        sentence be transcribed while the silence that ends the recording is still being waited for.
        Between :meth:`pause` and :meth:`resume` nothing is cut: the open segment is being decoded
        speculatively."""
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
        self._levels = _Levels(self.frame_samples, self.sample_rate)

        self._chunks: list[np.ndarray] = []   # samples of the open segment, as fed
        self._open_start = 0                  # sample index where the open segment starts
        self._open_len = 0
        self._frame_rms: list[float] = []     # rms of every whole frame of the open segment
        self._history: list[float] = []       # rms of recent frames of the whole answer
        self._quiet_run = 0                   # trailing quiet frames in the open segment
        self._total = 0
        self._next_index = 0
        self._finished = False
        self._closed = False
        self._feed_lock = threading.Lock()

        self._paused = False
        self._generation = 0
        self._spec: Optional[tuple[_Speculation, SegmentResult]] = None
        self.decodes: list[Decode] = []

        self._queue: "queue.Queue" = queue.Queue()
        self._results: dict[int, SegmentResult] = {}
        self._error: Optional[BaseException] = None
        self.background = background
        self._worker = None
        if background:
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
            for rms in self._levels.add(data):
                self._on_frame(rms)

    def pause(self, at_s: float) -> None:
        """Silence began at ``at_s``: transcribe the open segment now, speculatively, in the worker."""
        with self._feed_lock:
            if self._finished:
                return
            self._generation += 1
            self._paused = True
            if self._open_len:
                spec = _Speculation(self._generation, self._open_start, self._open_start + self._open_len)
                data = np.concatenate(self._chunks)
                self._queue.put(("speculative", spec, Segment(-1, self._open_start, data, _loud(data, self.frame_samples))))

    def resume(self) -> None:
        """Speech came back: throw the speculative result away and go on cutting at pauses."""
        with self._feed_lock:
            if not self._paused:
                return
            self._paused = False
            self._generation += 1
            self._spec = None

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
        if self._paused:
            return  # the open segment is being decoded speculatively: no cut under it
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
            if not self._handle(self._queue.get()):
                return

    def run_pending(self) -> Optional[Decode]:
        """Without a background thread: transcribe the next piece sent, if any (returns its record)."""
        try:
            item = self._queue.get_nowait()
        except queue.Empty:
            return None
        count = len(self.decodes)
        self._handle(item)
        return self.decodes[-1] if len(self.decodes) > count else None

    def _handle(self, item) -> bool:
        """Transcribe one queued item; False at the end of the queue."""
        if item is None:
            return False
        if self._error is not None or self._closed:
            return True
        try:
            if isinstance(item, tuple) and item[0] == "speculative":  # the open segment, at a pause
                _, spec, segment = item
                if spec.generation != self._generation:
                    return True  # speech resumed (or another pause came) before it started
                result = self._transcribe(segment, "speculative")
                with self._feed_lock:
                    if spec.generation == self._generation:
                        self._spec = (spec, result)
            elif isinstance(item, tuple):  # the open segment at the end: the speculation, if it holds
                segment = item[1]
                spec = self._spec
                if (spec is not None and self._paused and spec[0].generation == self._generation
                        and spec[0].start_sample == segment.start_sample
                        and not self._levels.speech_after(spec[0].end_sample)):
                    self._results[segment.index] = SegmentResult(segment, spec[1].transcript, spec[1].words)
                else:
                    self._results[segment.index] = self._transcribe(segment, "final")
            else:
                self._results[item.index] = self._transcribe(item, "segment")
        except BaseException as exc:  # surfaced by finish()
            self._error = exc
        return True

    def _transcribe(self, segment: Segment, kind: str = "segment") -> SegmentResult:
        duration = len(segment.samples) / self.sample_rate
        if not segment.has_sound or not len(segment.samples):
            empty = Transcript(text="", engine=getattr(self.engine, "name", None), duration_s=duration,
                               processing_s=0.0)
            return SegmentResult(segment, empty, ())
        began, cpu = time.perf_counter(), time.process_time()
        transcript = self.engine.transcribe(Audio(segment.samples, self.sample_rate))
        offset = segment.start_sample / self.sample_rate
        record = Decode(kind, offset, offset + duration, time.perf_counter() - began, time.process_time() - cpu)
        self.decodes.append(record)
        _log_decode(record, transcript)
        words = tuple(w.shifted(offset) for w in transcript.words)
        return SegmentResult(segment, transcript, words)

    # --- the end ----------------------------------------------------------------------------------

    def finish(self, timeout_s: Optional[float] = None) -> Transcript:
        """Transcribe what is left (or take the speculative result), wait for the worker, and return
        the whole answer's transcript."""
        with self._feed_lock:
            if not self._finished:
                self._finished = True
                if self._open_len:
                    self._finish_open_segment()
                self._queue.put(None)
        if self._worker is not None:
            self._worker.join(timeout_s)
            if self._worker.is_alive():
                raise TimeoutError("the transcription worker did not finish in time")
        else:
            while self._handle(self._queue.get()):
                pass
        if self._error is not None:
            raise self._error
        return self.result()

    def close(self, timeout_s: Optional[float] = CLOSE_WAIT_S) -> None:
        """Stop without a transcript (see :meth:`AgreementTranscriber.close`): the pieces still
        queued are dropped, the one being transcribed is let finish, and the worker is joined."""
        with self._feed_lock:
            self._finished = True
            self._closed = True
            self._queue.put(None)
        if self._worker is not None:
            self._worker.join(timeout_s)

    def _finish_open_segment(self) -> None:
        """Queue the open segment; the worker takes its speculative transcript instead when that
        covers it and no speech came after the pause (the speculation, queued at the pause, is done
        by then). Called with the feed lock held."""
        data = np.concatenate(self._chunks)
        segment = Segment(self._next_index, self._open_start, data, _loud(data, self.frame_samples))
        self._next_index += 1
        self._queue.put(("open", segment))
        self._chunks, self._open_len = [], 0

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
        """The words of the segments transcribed so far, up to the first one still being worked on,
        and, once those are all done, the speculative tail decoded at the current pause (cheap: no
        decoding; for the recorder's end-of-answer rule)."""
        return " ".join(w for w in (w.word.strip() for w in self._heard()[0]) if w)

    def words_so_far(self) -> tuple[Word, ...]:
        """The words of :meth:`text_so_far`, timed, with the engine's probabilities."""
        return tuple(w for w in self._heard()[0] if w.word.strip())

    @property
    def covered_s(self) -> float:
        """Seconds of the answer, from its start, that :meth:`text_so_far` covers."""
        return self._heard()[1] / self.sample_rate

    def _heard(self) -> tuple[list[Word], int]:
        words: list[Word] = []
        end = 0
        for i in range(self._next_index):
            done = self._results.get(i)
            if done is None:
                return words, end
            words.extend(done.words)
            end = done.segment.start_sample + len(done.segment.samples)
        with self._feed_lock:
            spec = self._spec if self._paused else None
            if spec is not None and spec[0].generation == self._generation and spec[0].start_sample == end:
                words.extend(spec[1].words)
                end = spec[0].end_sample
        return words, end

    @property
    def segment_results(self) -> list[SegmentResult]:
        return [self._results[i] for i in sorted(self._results)]


def _loop_start(words: Sequence[Word]) -> Optional[int]:
    """Where a phrase of one to four words that comes three times or more in a row begins in
    ``words`` (None: nowhere): Whisper looping on a window cut mid-speech. In latency seed 147's
    third run a 21 s step wrote "long, long, long, ..." over 12 s of speech, and a tail bridged by
    those words lost the speech under them; in seed 149's first run a 21 s step's "I mean, I mean,
    ..." was committed when the buffer grew past its hard limit."""
    said = [_norm(w.word) for w in words]
    for i in range(len(said)):
        for n in range(1, 5):
            phrase = said[i:i + n]
            if len(phrase) == n and said[i + n:i + 2 * n] == phrase and said[i + 2 * n:i + 3 * n] == phrase:
                return i
    return None


def _takes_abandon(method) -> bool:
    """True when an engine's decode method takes ``abandon`` (a decode it can stop part-way)."""
    return callable(method) and "abandon" in inspect.signature(method).parameters


def _log_decode(record: Decode, transcript: Optional[Transcript]) -> None:
    if not log.isEnabledFor(logging.DEBUG):
        return  # the words are joined only for the debug log
    if transcript is None:
        log.debug("%s decode of %.2f-%.2f s abandoned after %.2f s (its words were no longer wanted)",
                  record.kind, record.start_s, record.end_s, record.compute_s)
        return
    last = transcript.words[-1].probability if transcript.words else None
    log.debug("%s decode of %.2f-%.2f s took %.2f s: ...%s%s", record.kind, record.start_s, record.end_s,
              record.compute_s, " ".join(w.word for w in transcript.words[-6:]),
              "" if last is None else f" (last word p={last:.2f})")


def _loud(samples: np.ndarray, frame: int) -> bool:
    """True when some frame of ``samples`` rises above the absolute silence floor."""
    n = len(samples) // frame
    loudest = _rms(samples[n * frame:])
    if n:
        shaped = samples[: n * frame].astype(np.float64).reshape(n, frame)
        loudest = max(loudest, float(np.sqrt(np.mean(shaped ** 2, axis=1)).max()))
    return loudest >= ABSOLUTE_FLOOR_RMS


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
