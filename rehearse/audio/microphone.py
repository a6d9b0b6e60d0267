"""Recording an answer from the microphone into a WAV file that is valid at every moment.

:class:`MicrophoneRecorder` implements :class:`rehearse.core.ports.Recorder`. PortAudio's callback only
copies each block onto a queue; the calling thread takes blocks off it, appends them to the WAV at
once (header kept valid, so a killed process keeps everything recorded), classifies them for voice
activity and stops on the first of: silence after speech, silence with no speech at all for
``start_timeout_s`` (when set), Enter, the time limit, ``stop_when``, or Ctrl-C.
"""

from __future__ import annotations

import queue
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from rehearse.audio.pcm import WavAppender
from rehearse.audio import devices
from rehearse.audio.devices import DeviceSpec, device_errors, resolve_input
from rehearse.audio.endpoint import Endpointer
from rehearse.core.errors import RehearseError
from rehearse.core.ports import BlockCallback, Recording
from rehearse.audio.vad import FrameClassifier

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


class MicrophoneRecorder:
    """Records one answer from an input device (see :class:`rehearse.core.ports.Recorder`)."""

    def __init__(
        self,
        device: DeviceSpec = None,
        sample_rate: int = 16000,
        block_s: float = 0.03,
        silence_s: float = 1.5,
        stop_on_enter: bool = True,
        *,
        min_speech_s: float = 0.3,
        start_timeout_s: Optional[float] = None,
        vad_mode: int = 2,
        stdin=None,
    ):
        self.device = device
        self.sample_rate = int(sample_rate)
        self.block_s = float(block_s)
        self.silence_s = float(silence_s)
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
    ) -> Recording:
        early, self._early = self._early, None  # a stream prepare() opened during the prompt
        try:
            sd = devices.sounddevice_module()
            index = resolve_input(self.device) if early is None else None
            classifier = FrameClassifier(self.sample_rate, self.block_s, mode=self.vad_mode)
            endpointer = Endpointer(
                frame_s=classifier.frame_s, silence_s=self.silence_s, min_speech_s=self.min_speech_s,
                start_timeout_s=self.start_timeout_s,
            )
            self._endpointer = endpointer
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
                        done = endpointer.feed_all(classifier.feed(block))
                        if on_block is not None:
                            on_block(block, writer.duration_s)
                        if done:
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
        return Recording(
            path=Path(path),
            duration_s=writer.duration_s,
            stopped_by=stopped_by,
            heard_speech=endpointer.heard_speech,
        )


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
