"""Recording an answer from the microphone into a WAV file that is valid at every moment.

:class:`MicrophoneRecorder` implements :class:`rehearse.core.ports.Recorder`. PortAudio's callback only
copies each block onto a queue; the calling thread takes blocks off it, appends them to the WAV at
once (header kept valid, so a killed process keeps everything recorded), classifies them for voice
activity and stops on the first of: silence after speech, silence with no speech at all for
``start_timeout_s`` (when set), Enter, the time limit, ``stop_when``, or Ctrl-C.

How much silence ends the answer: a fixed ``silence_s``, or, when ``silence_s`` is None and the
recorder has an ``end_of_turn`` rule and ``record()`` gets the live words (``live_text``), a window
chosen afresh while the speaker is silent: short after a finished sentence, long after an unfinished
clause (the rule lives in :mod:`rehearse.coaching.turn`). Words that do not yet reach the pause
(the live transcriber is behind) count as "cannot tell": ``end_of_turn(None)``. Without live words
an adaptive recorder falls back to ``fallback_silence_s``.

The pause hooks: ``on_pause(at_s)`` once silence after speech has lasted ``pause_hook_s`` (``at_s``
is where the speech stopped, in seconds of the answer), then ``on_resume()`` if speech comes back;
a live transcriber uses them to decode the tail early and to throw that away.
"""

from __future__ import annotations

import logging
import queue
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

from rehearse.audio.pcm import WavAppender
from rehearse.audio import devices
from rehearse.audio.devices import DeviceSpec, device_errors, resolve_input
from rehearse.audio.endpoint import Endpointer
from rehearse.core.errors import RehearseError
from rehearse.core.ports import BlockCallback, Recording
from rehearse.audio.vad import FrameClassifier

log = logging.getLogger("rehearse.turn")

STALL_S = 10.0
"""Seconds without a single block from the device before we give up on it (a machine under heavy load
can hold the sound server back for several seconds; a device unplugged sends nothing at all)."""


class _Capture:
    """PortAudio's callback: copies each block onto a queue, once armed.

    A stream opened early (:meth:`MicrophoneRecorder.prepare`, while the prompt is still playing) runs
    unarmed: what it hears then is the interviewer, and is dropped. Arming at the start of
    :meth:`MicrophoneRecorder.record` makes the next block the answer's first.
    """

    def __init__(self, armed: bool = True):
        self.queue: "queue.Queue[np.ndarray]" = queue.Queue()
        self.armed = armed
        self.overflows = 0

    def __call__(self, indata, frames, time_info, status) -> None:
        if not self.armed:
            return
        if status and getattr(status, "input_overflow", False):
            self.overflows += 1
        self.queue.put(indata[:, 0].copy() if indata.ndim == 2 else indata.copy())

PAUSE_HOOK_S = 0.25
"""Silence after speech that counts as a pause (``on_pause`` is called)."""

FALLBACK_SILENCE_S = 2.0
"""The fixed window of an adaptive recorder that gets no live words."""

EndOfTurn = Callable[[Any, Sequence[tuple], Optional[float]], float]
"""(the words heard so far, as ``live_text()`` gives them (a text, or words), None when they do not
reach the pause yet; the pauses the speaker left and went on after, each (seconds, the words heard
before it or None); seconds from the first speech to this pause) -> the silence that ends the
answer (see :meth:`rehearse.coaching.turn.TurnPolicy.window_s`)."""


class MicrophoneRecorder:
    """Records one answer from an input device (see :class:`rehearse.core.ports.Recorder`)."""

    def __init__(
        self,
        device: DeviceSpec = None,
        sample_rate: int = 16000,
        block_s: float = 0.03,
        silence_s: Optional[float] = 1.5,
        stop_on_enter: bool = True,
        *,
        end_of_turn: Optional[EndOfTurn] = None,
        fallback_silence_s: float = FALLBACK_SILENCE_S,
        pause_hook_s: float = PAUSE_HOOK_S,
        min_speech_s: float = 0.3,
        start_timeout_s: Optional[float] = None,
        vad_mode: int = 2,
        stdin=None,
    ):
        self.device = device
        self.sample_rate = int(sample_rate)
        self.block_s = float(block_s)
        self.silence_s = None if silence_s is None else float(silence_s)
        """Fixed silence that ends the answer; None: adaptive (``end_of_turn``) when live words come."""
        self.end_of_turn = end_of_turn
        self.fallback_silence_s = float(fallback_silence_s)
        self.pause_hook_s = float(pause_hook_s)
        self.stop_on_enter = stop_on_enter
        self.min_speech_s = float(min_speech_s)
        self.start_timeout_s = start_timeout_s
        """Silence that ends a recording in which no speech was ever heard (None: wait to the limit)."""
        self.vad_mode = vad_mode
        self._stdin = stdin
        self._early: Optional[tuple] = None  # (stream, capture) opened by prepare(), not yet recorded
        self.overflows = 0
        """Input overflows (audio PortAudio had to drop) in the last recording."""
        self.first_block_latency_s: Optional[float] = None
        """Seconds from starting the stream to the first block reaching the consumer (last recording)."""
        self.first_speech_s: Optional[float] = None
        """When speech began in the last recording, in seconds of audio; None if none was heard."""
        self._endpointer: Optional[Endpointer] = None
        self.last_speech_end_s: Optional[float] = None
        """Where the last speech of the last recording stopped, in seconds of audio."""
        self.end_window_s: Optional[float] = None
        """The silence window that ended the last recording (when silence ended it)."""

    def speaking(self) -> bool:
        """Whether the speaker is talking at the block just recorded (see :attr:`Endpointer.speaking`):
        False before the answer starts, in a pause, and while only the closing silence is being waited
        out. Meant for ``on_block`` callbacks, which run right after each block is classified."""
        return self._endpointer is not None and self._endpointer.speaking

    def prepare(self) -> None:
        """Open and start the input stream now, before recording (call it as the prompt begins).

        PortAudio on PulseAudio can take ~1.8 s from starting a stream to the first block; opened
        while the interviewer speaks, the stream is already delivering when :meth:`record` begins, so
        "Recording" shows at once and the first word is not lost. Blocks heard until then are dropped.
        A device error here is left for :meth:`record` to report.
        """
        if self._early is not None:
            return
        sd = devices.sounddevice_module()
        capture = _Capture(armed=False)
        stream = None
        try:
            with device_errors("input"):
                stream = self._open(sd, resolve_input(self.device), capture)
        except RehearseError:
            if stream is not None:
                _stop(stream, quiet=True)
            return
        self._early = (stream, capture)

    def release(self) -> None:
        """Close a stream opened by :meth:`prepare` that no recording used (the round stopped first)."""
        early, self._early = self._early, None
        if early is not None:
            _stop(early[0], quiet=True)

    def _open(self, sd, index, capture: _Capture):
        stream = sd.InputStream(
            samplerate=self.sample_rate,
            blocksize=max(1, int(round(self.block_s * self.sample_rate))),
            device=index,
            channels=1,
            dtype="int16",
            callback=capture,
        )
        stream.start()
        return stream

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
        early, self._early = self._early, None  # a stream prepare() opened during the prompt
        try:
            sd = devices.sounddevice_module()
            index = resolve_input(self.device) if early is None else None
            classifier = FrameClassifier(self.sample_rate, self.block_s, mode=self.vad_mode)
            adaptive = self.silence_s is None and self.end_of_turn is not None and live_text is not None
            fixed_s = self.silence_s if self.silence_s is not None else self.fallback_silence_s
            endpointer = Endpointer(
                frame_s=classifier.frame_s, silence_s=fixed_s, min_speech_s=self.min_speech_s,
                start_timeout_s=self.start_timeout_s,
            )
            self._endpointer = endpointer
            turn = _Turn(endpointer, pause_hook_s=self.pause_hook_s, live_text=live_text,
                         end_of_turn=self.end_of_turn if adaptive else None, fixed_s=fixed_s,
                         on_pause=on_pause, on_resume=on_resume)
            writer = WavAppender(path, self.sample_rate)
        except BaseException:
            if early is not None:
                _stop(early[0], quiet=True)
            raise
        capture = early[1] if early is not None else _Capture()
        capture.armed = True  # from here on, what the microphone hears is the answer
        blocks = capture.queue
        self.overflows = 0
        self.first_block_latency_s = None
        self.first_speech_s = None
        self.last_speech_end_s = None
        self.end_window_s = None
        max_frames = max(0, int(round(max_seconds * self.sample_rate)))

        enter = _EnterWatcher(self._stdin if self._stdin is not None else sys.stdin) if self.stop_on_enter else None
        stream = early[0] if early is not None else None
        stopped_by = "max_seconds"
        try:
            try:
                if stream is None:
                    with device_errors("input"):
                        stream = self._open(sd, index, capture)
                started = time.monotonic()
                last_block = started
                while True:
                    if writer.frames >= max_frames:
                        stopped_by = "max_seconds"
                        break
                    try:
                        block = blocks.get(timeout=0.02)
                    except queue.Empty:
                        block = None
                    now = time.monotonic()
                    if block is not None:
                        if self.first_block_latency_s is None:
                            # Capture has really begun only now (PortAudio on PulseAudio can take
                            # ~1.8 s to deliver the first block; audio before it is lost).
                            self.first_block_latency_s = now - started
                            if on_start is not None:
                                on_start()
                        last_block = now
                        block = block[: max_frames - writer.frames]
                        writer.write(block)
                        endpointer.feed_all(classifier.feed(block))
                        if on_block is not None:
                            on_block(block, writer.duration_s)
                        if turn.update():
                            stopped_by = "silence"
                            break
                    elif now - last_block > STALL_S:
                        raise RehearseError(
                            "The input device (microphone) stopped sending audio; check that it is "
                            "connected, or run `rehearse devices` to pick another."
                        )
                    if writer.frames >= max_frames:
                        stopped_by = "max_seconds"
                        break
                    if enter is not None and enter.pressed():
                        stopped_by = "enter"
                        break
                    if stop_when is not None and stop_when(writer.duration_s):
                        stopped_by = "stopped"
                        break
            except KeyboardInterrupt:
                stopped_by = "interrupted"
            if stream is not None:
                _stop(stream)
                stream = None
            # After Ctrl-C, everything PortAudio already handed over is kept (up to the time limit);
            # any other stop ends the recording at the block that decided it.
            while stopped_by == "interrupted" and writer.frames < max_frames:
                try:
                    block = blocks.get_nowait()
                except queue.Empty:
                    break
                block = block[: max_frames - writer.frames]
                writer.write(block)
                if on_block is not None:
                    on_block(block, writer.duration_s)
        finally:
            if stream is not None:
                _stop(stream, quiet=True)
            writer.close()
        self.first_speech_s = endpointer.first_speech_s
        self.overflows = capture.overflows
        self.last_speech_end_s = endpointer.last_speech_end_s
        self.end_window_s = turn.window_s if stopped_by == "silence" else None
        return Recording(
            path=Path(path),
            duration_s=writer.duration_s,
            stopped_by=stopped_by,
            heard_speech=endpointer.heard_speech,
        )


class _Turn:
    """Follows the speaker's pauses over the endpointer: calls the pause hooks and decides, block by
    block, whether the silence so far ends the answer (a fixed window, or ``end_of_turn`` over the
    live words)."""

    def __init__(self, endpointer: Endpointer, *, pause_hook_s: float, live_text, end_of_turn,
                 fixed_s: float, on_pause, on_resume):
        self.endpointer = endpointer
        self.pause_hook_s = pause_hook_s
        self.live_text = live_text
        self.end_of_turn = end_of_turn
        self.fixed_s = fixed_s
        self.on_pause = on_pause
        self.on_resume = on_resume
        self.paused_at: Optional[float] = None
        self.window_s: float = fixed_s
        self.pauses: list[tuple] = []
        """The silences the speaker went on after: (seconds, the words heard before it or None)."""
        self._silence = 0.0
        self._text_at_pause: Any = None
        self._heard_in_pause: Any = None  # the words that reached the pause, once the live ones did
        self._logged: Any = None

    def update(self) -> bool:
        """Call after each block; True once the answer is over."""
        ep = self.endpointer
        if ep.never_started:
            return True
        if not ep.heard_speech:
            return False
        stopped = ep.last_speech_end_s
        if self.paused_at is not None and stopped is not None and stopped > self.paused_at:
            log.debug("speech again after a pause of %.2f s at %.2f s", self._silence, self.paused_at)
            self.paused_at = None  # sustained speech came back
            self.pauses.append((self._silence, self._heard_in_pause))
            if self.on_resume is not None:
                self.on_resume()
        silence = ep.trailing_silence_s
        if self.paused_at is not None:
            self._silence = silence  # the pause so far (its length, once speech comes back)
        if self.paused_at is None and stopped is not None and silence >= self.pause_hook_s - 1e-9:
            self.paused_at = stopped
            self._silence = silence  # its length so far, not the last pause's: speech may be back at once
            # the words before the live transcriber hears of the pause: if they are still the same
            # later, they do not reach it
            self._text_at_pause = self._text()
            self._heard_in_pause = None
            if self.on_pause is not None:
                self.on_pause(stopped)
        if self.end_of_turn is None:
            self.window_s = self.fixed_s
            return ep.done
        if self.paused_at is None:
            return False
        text = self._text()
        heard = text if text != self._text_at_pause else None
        if heard is not None:
            self._heard_in_pause = heard
        first = ep.first_speech_s
        spoken_s = None if first is None else max(0.0, self.paused_at - first)
        self.window_s = float(self.end_of_turn(heard, tuple(self.pauses), spoken_s))
        done = silence >= self.window_s - 1e-9
        if log.isEnabledFor(logging.DEBUG):
            self._log(heard, silence, done)
        return done

    def _log(self, heard: Any, silence: float, done: bool) -> None:
        """One debug line each time the window or the words it was chosen on change, and at the end."""
        key = (self.paused_at, self.window_s, None if heard is None else len(heard), done)
        if key == self._logged:
            return
        self._logged = key
        if heard is None:
            words = "(the live words do not reach the pause yet)"
        else:
            last = list(heard[-8:]) if not isinstance(heard, str) else heard[-60:].split()
            words = " ".join(getattr(w, "word", w) for w in last)
            p = getattr(last[-1], "probability", None) if last else None
            words = repr(words) + (f" (last word p={p:.2f})" if p is not None else "")
        log.debug("pause at %.2f s, silence %.2f s: window %.2f s after %s%s", self.paused_at, silence,
                  self.window_s, words, ": the answer ends" if done else "")

    def _text(self) -> Any:
        if self.live_text is None:
            return None
        return self.live_text() or ""


def _stop(stream, quiet: bool = False) -> None:
    """Stop and close a stream; errors are reported unless ``quiet`` (already failing)."""
    try:
        with device_errors("input"):
            try:
                stream.stop()
            finally:
                stream.close()
    except RehearseError:
        if not quiet:
            raise


class _EnterWatcher:
    """Notices a line typed on an interactive stdin, without a thread and without blocking."""

    def __init__(self, stream):
        self._stream = stream
        try:
            self._active = bool(stream is not None and stream.isatty())
        except (AttributeError, ValueError):
            self._active = False

    def pressed(self) -> bool:
        if not self._active:
            return False
        try:
            if sys.platform == "win32":
                import msvcrt

                while msvcrt.kbhit():
                    if msvcrt.getwch() in ("\r", "\n"):
                        return True
                return False
            import select

            ready, _, _ = select.select([self._stream], [], [], 0)
            if ready:
                self._stream.readline()
                return True
        except (OSError, ValueError):
            self._active = False
        return False
