"""Play the storyteller's monologue while recording, and notice when the candidate takes the floor.

:class:`MonologueRecorder` is a :class:`rehearse.core.ports.Recorder`: an output stream plays the
monologue's sentences with their pauses while an input stream records (the output starts once the
microphone delivers, and what it plays is placed on the microphone's timeline from there; a duplex
stream would share one clock, but through ALSA's PulseAudio plugin its output underflows several
times a second). The callbacks only move audio; the calling thread writes every microphone block to ``<answer>-monologue.wav`` as it comes
(nothing is lost), takes the echo of the played signal out (:mod:`rehearse.audio.echo`), classifies
frames for voice activity and feeds the floor watch it is given (the pure
:class:`rehearse.coaching.seize.FloorWatch`, made by the caller for the frame length). While speech that
may be the candidate's is going on, the next sentence waits; once it is the floor, the interviewer
stops, and from there (with ``preroll_s`` before) the answer is written to the round's WAV and
handed to ``on_block``, until the candidate falls silent, Enter, the limit or Ctrl-C. When the
monologue ends and nobody took the floor, ``notify`` says so and the answer is whatever is said next.

After :meth:`MonologueRecorder.record`, :attr:`seize_s` says when the floor was taken (seconds after
the interview started, i.e. after the first sentence began; None: never), :attr:`sentences` when each
sentence was played, :attr:`monologue_end_s` when it ended (or would have), and :attr:`delay_s`,
:attr:`suppression_db` how the echo was measured and removed.

How the microphone is listened to (``mode``): ``headphones`` (it does not hear the interviewer: raw
microphone), ``pauses`` (speakers: the echo's delay is measured so the watch knows when the
interviewer is audible; raw microphone) or ``subtract`` (speakers: the echo is subtracted and the
watch listens to what is left).
"""

from __future__ import annotations

import collections
import queue
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

from rehearse.audio import devices
from rehearse.audio.devices import DeviceSpec, device_errors
from rehearse.audio.echo import MIN_REF_RMS, EchoCanceller
from rehearse.audio.endpoint import Endpointer
from rehearse.audio.microphone import STALL_S, _EnterWatcher
from rehearse.audio.pcm import WavAppender
from rehearse.audio.vad import FrameClassifier
from rehearse.core.errors import RehearseError
from rehearse.core.ports import BlockCallback, Recording

HEADPHONES, PAUSES, SUBTRACT = "headphones", "pauses", "subtract"
LISTENING = (PAUSES, SUBTRACT, HEADPHONES)
"""The modes; the same names as :data:`rehearse.coaching.seize.MODES`."""

FULL_SUFFIX = "-monologue"
"""The whole recording (interviewer's echo included) is kept beside the answer as ``<id>-monologue.wav``."""


@dataclass(frozen=True)
class Clip:
    """One sentence of the monologue: its audio (16 kHz int16) and the pause after it."""

    line_id: str
    samples: np.ndarray
    pause_s: float


class Player:
    """What the speakers play, block by block: each clip, then its pause; the next clip waits while
    :attr:`hold` is set, and :meth:`stop` silences the rest. Records when each clip was played."""

    def __init__(self, clips: Sequence[Clip], sample_rate: int = 16000):
        self.sample_rate = sample_rate
        self._items: list[tuple[str, int, object]] = []
        for i, clip in enumerate(clips):
            self._items.append(("clip", i, np.asarray(clip.samples, dtype=np.int16).reshape(-1)))
            self._items.append(("pause", i, int(round(clip.pause_s * sample_rate))))
        self._item = 0
        self._pos = 0
        self.position = 0
        """Samples played so far (silence included)."""
        self.hold = False
        self.stopped_at: Optional[int] = None
        self.starts: list[Optional[int]] = [None] * len(clips)
        self.ends: list[Optional[int]] = [None] * len(clips)
        self.finished_at: Optional[int] = None
        """When the last pause ended (None: not yet, or stopped before)."""
        self.held_samples = 0

    @property
    def finished(self) -> bool:
        return self.finished_at is not None or self.stopped_at is not None

    def stop(self) -> None:
        if self.stopped_at is None and self.finished_at is None:
            self.stopped_at = self.position
            start = self.starts[self._items[self._item][1]] if self._item < len(self._items) else None
            index = self._items[self._item][1] if self._item < len(self._items) else None
            if index is not None and start is not None and self.ends[index] is None:
                self.ends[index] = self.position  # cut off mid-sentence

    def remaining_samples(self) -> int:
        """Samples the rest of the monologue would take (from now, without holds)."""
        left = 0
        for n, (kind, _, payload) in enumerate(self._items[self._item:]):
            size = len(payload) if kind == "clip" else payload
            left += size - (self._pos if n == 0 else 0)
        return max(0, left)

    def next(self, frames: int) -> np.ndarray:
        out = np.zeros(frames, dtype=np.int16)
        filled = 0
        while filled < frames and self.stopped_at is None and self._item < len(self._items):
            kind, index, payload = self._items[self._item]
            if kind == "clip":
                if self._pos == 0:
                    if self.hold and index > 0:
                        self.held_samples += frames - filled
                        break  # the candidate may be starting: wait before the next sentence
                    self.starts[index] = self.position + filled
                take = min(frames - filled, len(payload) - self._pos)
                out[filled:filled + take] = payload[self._pos:self._pos + take]
                if self._pos + take >= len(payload):
                    self.ends[index] = self.position + filled + take
            else:
                take = min(frames - filled, payload - self._pos)
            filled += take
            self._pos += take
            size = len(payload) if kind == "clip" else payload
            if self._pos >= size:
                self._item += 1
                self._pos = 0
                if self._item >= len(self._items):
                    self.finished_at = self.position + filled
        self.position += frames
        return out


class MonologueRecorder:
    """Plays ``clips`` while recording the answer (see the module's docstring)."""

    def __init__(
        self,
        clips: Sequence[Clip],
        *,
        watch: Callable[[float], Any],
        mode: str = PAUSES,
        input_device: DeviceSpec = None,
        output_device: DeviceSpec = None,
        sample_rate: int = 16000,
        block_s: float = 0.03,
        silence_s: float = 1.5,
        min_speech_s: float = 0.3,
        preroll_s: float = 0.3,
        vad_mode: int = 2,
        stop_on_enter: bool = True,
        notify: Optional[Callable[[str], None]] = None,
        stdin=None,
    ):
        if mode not in LISTENING:
            raise RehearseError(f"Unknown listening mode {mode!r}; use one of: {', '.join(LISTENING)}.")
        self.clips = list(clips)
        if not self.clips:
            raise RehearseError("The monologue has no lines.")
        self.mode = mode
        self.input_device = input_device
        self.output_device = output_device
        self.sample_rate = int(sample_rate)
        self.block_s = float(block_s)
        self.silence_s = float(silence_s)
        self.min_speech_s = float(min_speech_s)
        self.make_watch = watch
        """``watch(frame_s)``: a new floor watch (``feed(speech, interviewer)``, ``pending``, ``taken``,
        ``taken_at_s``), e.g. ``lambda f: FloorWatch(f, mode)``."""
        self.preroll_s = float(preroll_s)
        self.vad_mode = vad_mode
        self.stop_on_enter = stop_on_enter
        self.notify = notify
        self._stdin = stdin
        self.seize_s: Optional[float] = None
        self.sentences: tuple[tuple[int, str, float, float], ...] = ()
        """``(index, line id, start_s, end_s)`` of each sentence played, 1-based, in interview time."""
        self.monologue_end_s: Optional[float] = None
        self.delay_s: Optional[float] = None
        """The echo path (speakers: measured by correlation when the microphone heard the interviewer;
        otherwise the stream's reported latency)."""
        self.delay_measured = False
        self.suppression_db: Optional[float] = None
        """How much the subtraction took out where only the interviewer was heard, once the delay was
        measured (speakers modes; in pause-only mode it is measured but not used)."""
        self.full_path: Optional[Path] = None
        self.first_speech_s: Optional[float] = None

    @property
    def monologue_s(self) -> float:
        return sum(len(c.samples) / self.sample_rate + c.pause_s for c in self.clips)

    def record(
        self,
        path: Path,
        *,
        max_seconds: float,
        on_start: Optional[Callable[[], None]] = None,
        on_block: Optional[BlockCallback] = None,
        stop_when: Optional[Callable[[float], bool]] = None,
        live_text: Optional[Callable[[], str]] = None,
        on_pause: Optional[Callable[[float], None]] = None,
        on_resume: Optional[Callable[[], None]] = None,
    ) -> Recording:
        # The live words and pause hooks of the Recorder port are not used here: the monologue turn
        # ends on its own fixed silence window, and the live transcriber decodes what is left at the end.
        sd = devices.sounddevice_module()
        in_index = devices.resolve_input(self.input_device)
        out_index = devices.resolve_output(self.output_device)
        rate = self.sample_rate
        block = max(1, int(round(self.block_s * rate)))
        classifier = FrameClassifier(rate, self.block_s, mode=self.vad_mode)
        frame = classifier.frame_samples
        watch = self.make_watch(classifier.frame_s)
        player = Player(self.clips, rate)
        blocks: "queue.Queue[np.ndarray]" = queue.Queue()
        lock = threading.Lock()
        given: list[np.ndarray] = []  # what the speakers were given since the consumer last looked
        clock = {"captured": 0, "anchor": None}

        def on_input(indata, frames, time_info, status) -> None:
            clock["captured"] += frames
            blocks.put(indata[:, 0].copy() if indata.ndim == 2 else indata.copy())

        def on_output(outdata, frames, time_info, status) -> None:
            with lock:
                if clock["anchor"] is None:
                    # the speakers' first sample goes out as the microphone has delivered this many:
                    # the played signal is placed on the microphone's timeline from here
                    clock["anchor"] = clock["captured"]
                played = player.next(frames)
                given.append(played)
            outdata[:, 0] = played
            if outdata.shape[1] > 1:
                outdata[:, 1:] = played[:, None]

        path = Path(path)
        self.full_path = path.with_name(path.stem + FULL_SUFFIX + path.suffix)
        full = WavAppender(self.full_path, rate)
        answer: Optional[WavAppender] = None
        answer_max = max(0, int(round(max_seconds * rate)))
        limit = int(round((self.monologue_s + max_seconds) * rate))
        history: list[np.ndarray] = []  # recent microphone blocks, for the preroll
        decisions: list[bool] = []
        canceller = None
        endpointer: Optional[Endpointer] = None
        echo_mic = echo_res = 0.0
        told_ended = False
        enter = (_EnterWatcher(self._stdin if self._stdin is not None else sys.stdin)
                 if self.stop_on_enter else None)
        stopped_by = "max_seconds"
        stream = speakers = None
        reference = np.zeros(limit + 10 * rate, dtype=np.int16)  # everything played, from the first sample
        ref_len = 0
        mic_at = 0  # samples of microphone audio taken so far
        self.seize_s, self.sentences, self.monologue_end_s = None, (), None
        taken_frame: Optional[int] = None
        try:
            try:
                # Two streams, not one duplex stream: through ALSA's PulseAudio plugin a duplex
                # stream's output underflows several times a second, which chops the interviewer
                # up. The microphone starts first; the speakers start once it delivers.
                with device_errors("input"):
                    stream = sd.InputStream(samplerate=rate, blocksize=block, device=in_index, channels=1,
                                            dtype="int16", callback=on_input)
                    stream.start()
                with device_errors("output"):
                    speakers = sd.OutputStream(samplerate=rate, blocksize=block, device=out_index, channels=1,
                                               dtype="int16", callback=on_output, latency=_output_latency())
                initial = _latency(stream) + _latency(speakers)
                if self.mode != HEADPHONES:
                    canceller = EchoCanceller(rate, initial_delay_s=initial)
                self.delay_s = initial
                started = last_block = time.monotonic()
                waiting: "collections.deque[tuple[np.ndarray, float]]" = collections.deque()
                anchor = None
                while True:
                    try:
                        waiting.append((blocks.get(timeout=0.02), time.monotonic()))
                        last_block = waiting[-1][1]
                    except queue.Empty:
                        pass
                    now = time.monotonic()
                    with lock:
                        for part in given:
                            take = min(len(part), len(reference) - ref_len)
                            reference[ref_len:ref_len + take] = part[:take]
                            ref_len += take
                        given.clear()
                        anchor = clock["anchor"]
                    mic = None
                    if waiting:
                        # A microphone block is taken once the speakers' samples of its moment are in
                        # (they come ahead of it, unless the output stream is late): a block judged
                        # without them would hear the interviewer's echo as the candidate.
                        head, arrived = waiting[0]
                        covered = anchor is None or ref_len >= mic_at - anchor + len(head)
                        if covered or now - arrived > REFERENCE_WAIT_S:
                            mic = waiting.popleft()[0]
                    if clock["anchor"] is None and full.frames > OUTPUT_START_S * rate:
                        raise RehearseError("The output device (speakers) did not start playing the interviewer; "
                                            "check it, or run `rehearse devices` to pick another.")
                    if mic is None:
                        if not waiting and now - last_block > STALL_S:
                            raise RehearseError("The input device (microphone) stopped sending audio; check that "
                                                "it is connected, or run `rehearse devices` to pick another.")
                    else:
                        if full.frames == 0:
                            with device_errors("output"):
                                speakers.start()
                            if on_start is not None:
                                on_start()
                        played = _on_mic_timeline(reference[:ref_len], anchor, mic_at, len(mic))
                        mic_at += len(mic)
                        full.write(mic)
                        history.append(mic)
                        if canceller is not None:
                            residual = canceller.process(mic, played)
                            delay = canceller.delay or 0
                            # the interviewer is audible in this block if they were played D before it,
                            # or will be within LOOK_AHEAD_S (a dropped input block brings the echo early)
                            ahead = int(LOOK_AHEAD_S * rate)
                            heard = _on_mic_timeline(reference[:ref_len], anchor, mic_at - len(mic) - delay,
                                                     len(mic) + ahead)
                            loud = _any_loud(heard, len(mic))
                            if loud and canceller.delay_measured and not watch.pending and taken_frame is None:
                                echo_mic += float(np.sum(mic.astype(np.float64) ** 2))
                                echo_res += float(np.sum(residual ** 2))
                            listen = residual if self.mode == SUBTRACT else mic
                            if taken_frame is None:  # the seize is timed with the delay known then
                                self.delay_s, self.delay_measured = delay / rate, canceller.delay_measured
                        else:
                            loud, listen = False, mic
                        listen = np.clip(np.round(listen), -32768, 32767).astype(np.int16)
                        doubtful = self.mode == SUBTRACT and canceller is not None and canceller.suspect and loud
                        for decision in classifier.feed(listen):
                            decision = decision and not doubtful  # what is left may be misaligned echo
                            decisions.append(decision)
                            watch.feed(decision, loud)
                            if endpointer is not None:
                                endpointer.feed(decision)
                        with lock:
                            player.hold = watch.pending
                        opened = False
                        if watch.taken and taken_frame is None:
                            taken_frame = int(round(watch.taken_at_s / classifier.frame_s))
                            with lock:
                                player.stop()
                            if answer is None:
                                answer, endpointer = self._open_answer(
                                    path, history, full.frames, taken_frame * frame, decisions[taken_frame:],
                                    classifier.frame_s, on_block)
                                opened = True
                        if answer is not None and not opened:
                            part = mic[: max(0, answer_max - answer.frames)]
                            answer.write(part)
                            if on_block is not None and len(part):
                                on_block(part, answer.duration_s)
                        if not told_ended and player.finished_at is not None and taken_frame is None:
                            # The monologue is over and nobody took the floor: say so; the answer is
                            # what is said from now on.
                            told_ended = True
                            if self.notify is not None:
                                self.notify("The monologue is over and you never took the floor; "
                                            "answer now (Enter or silence ends it).")
                            answer, endpointer = self._open_answer(path, [], full.frames, full.frames, [],
                                                                   classifier.frame_s, on_block)
                        del history[:-_keep_blocks(self.preroll_s, len(mic), rate)]
                        if endpointer is not None and endpointer.done:
                            stopped_by = "silence"
                            break
                        if answer is not None and answer.frames >= answer_max:
                            stopped_by = "max_seconds"
                            break
                        if full.frames >= limit:
                            stopped_by = "max_seconds"
                            break
                    if enter is not None and enter.pressed():
                        stopped_by = "enter"
                        break
                    if stop_when is not None and answer is not None and stop_when(answer.duration_s):
                        stopped_by = "stopped"
                        break
            except KeyboardInterrupt:
                stopped_by = "interrupted"
        finally:
            for kind, opened in (("output", speakers), ("input", stream)):
                if opened is None:
                    continue
                try:
                    with device_errors(kind):
                        try:
                            opened.stop()
                        finally:
                            opened.close()
                except RehearseError:
                    pass  # stopping a stream that already failed: the first error is the one to see
            full.close()
            if answer is None:  # stopped before anyone spoke and before the monologue ended
                answer = WavAppender(path, rate)
            answer.close()
        self.sentences = tuple(
            (i + 1, self.clips[i].line_id, start / rate, (end if end is not None else start) / rate)
            for i, (start, end) in enumerate(zip(player.starts, player.ends)) if start is not None)
        if player.finished_at is not None:
            self.monologue_end_s = player.finished_at / rate
        else:
            self.monologue_end_s = (player.stopped_at or player.position) / rate + player.remaining_samples() / rate
        offset = (self.delay_s or 0.0) + (clock["anchor"] or 0) / rate
        self.seize_s = None if taken_frame is None else max(0.0, taken_frame * classifier.frame_s - offset)
        self.first_speech_s = self.seize_s
        if canceller is not None and echo_mic > 0:
            from math import log10

            self.suppression_db = 10.0 * log10(echo_mic / max(echo_res, 1e-9))
        return Recording(path=path, duration_s=answer.duration_s, stopped_by=stopped_by,
                         heard_speech=taken_frame is not None)

    def _open_answer(self, path, history, recorded, start_sample, decisions, frame_s, on_block):
        """Start the answer file at ``start_sample`` of the full recording, less the preroll, with what
        ``history`` (the last blocks, ending at ``recorded`` samples) already holds from there."""
        kept = np.concatenate(history) if history else np.zeros(0, np.int16)
        start = max(0, start_sample - int(round(self.preroll_s * self.sample_rate)))
        first = max(0, start - (recorded - len(kept)))
        answer = WavAppender(path, self.sample_rate)
        head = kept[first:]
        if len(head):
            answer.write(head)
            if on_block is not None:
                on_block(head, answer.duration_s)
        endpointer = Endpointer(frame_s=frame_s, silence_s=self.silence_s, min_speech_s=self.min_speech_s)
        endpointer.feed_all(decisions)
        return answer, endpointer


OUTPUT_LATENCY_S = 0.2
"""The speakers' buffer asked for: PortAudio's "low" latency underflows several times a second through
ALSA's PulseAudio plugin on a busy machine, and every underflow shifts the echo; 0.2 s rides it out."""
REFERENCE_WAIT_S = 1.0
"""How long a microphone block may wait for the speakers' samples of its moment (a stalled output)."""
OUTPUT_START_S = 3.0
LOOK_AHEAD_S = 0.2
"""The interviewer counts as audible this long before their echo is due."""
"""Seconds of microphone audio by which the speakers must have started."""


def _output_latency():
    """0.2 s, unless ``PULSE_LATENCY_MSEC`` fixes PulseAudio's buffer: asking for another then leaves
    ALSA's PulseAudio plugin never calling back (the variable decides the buffer anyway)."""
    import os

    return "high" if os.environ.get("PULSE_LATENCY_MSEC") else OUTPUT_LATENCY_S


def _latency(stream) -> float:
    value = getattr(stream, "latency", None)
    try:
        return float(value) if value is not None else 0.05
    except TypeError:
        return float(value[0]) if value else 0.05


def _on_mic_timeline(reference: np.ndarray, anchor: Optional[int], start: int, n: int) -> np.ndarray:
    """The played samples given to the speakers at microphone samples ``start`` .. ``start + n``
    (zeros before the speakers started and where nothing was given yet)."""
    out = np.zeros(n, dtype=np.int16)
    if anchor is None:
        return out
    a = start - anchor
    lo, hi = max(0, a), min(len(reference), a + n)
    if hi > lo:
        out[lo - a:hi - a] = reference[lo:hi]
    return out


def _any_loud(x: np.ndarray, block: int) -> bool:
    for i in range(0, len(x), max(1, block)):
        if _rms(x[i:i + block]) >= MIN_REF_RMS:
            return True
    return False


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2))) if len(x) else 0.0


def _keep_blocks(preroll_s: float, block: int, rate: int) -> int:
    return max(2, int(np.ceil((preroll_s + 1.0) * rate / max(1, block))))
