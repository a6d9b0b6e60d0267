"""Endpointing: deciding from per-frame speech decisions that the speaker has finished.

Pure logic (no audio, no numpy): :class:`Endpointer` is fed one speech/no-speech decision per frame
and says "done" once speech has been heard and then ``silence_s`` of silence followed, or, with a
``start_timeout_s``, once that much silence passed without the answer ever starting. A burst of
speech frames shorter than ``sustain_s`` (a click, a cough, a breath) neither counts as speech nor
restarts the silence count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional


PAUSE_S = 0.3
"""Silence longer than this after speech is a pause: the speaker is no longer talking (for now)."""


@dataclass
class Endpointer:
    """A state machine over per-frame speech decisions; call :meth:`feed` once per frame."""

    frame_s: float
    """Duration of one frame in seconds."""
    silence_s: float = 1.5
    """Continuous silence after speech that ends the answer."""
    min_speech_s: float = 0.3
    """Speech needed before an answer counts as started."""
    sustain_s: float = 0.09
    """A run of speech frames must last this long to count; shorter runs are blips."""
    start_timeout_s: Optional[float] = None
    """Silence, with no speech heard yet, that ends the answer (it never started); None waits on."""

    _frames: int = field(default=0, init=False)
    _run: int = field(default=0, init=False)
    _speech_frames: int = field(default=0, init=False)
    _silence_frames: int = field(default=0, init=False)
    _first_speech_frame: Optional[int] = field(default=None, init=False)
    _last_speech_end_frame: Optional[int] = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.frame_s <= 0:
            raise ValueError("frame_s must be positive")
        self._sustain_frames = max(1, int(round(self.sustain_s / self.frame_s)))
        self._min_speech_frames = max(1, int(round(self.min_speech_s / self.frame_s)))
        self._silence_needed = max(1, int(round(self.silence_s / self.frame_s)))
        self._start_timeout = (None if self.start_timeout_s is None
                               else max(1, int(round(self.start_timeout_s / self.frame_s))))

    def feed(self, is_speech: bool) -> bool:
        """Take the next frame's decision; True once the answer is over (and from then on)."""
        self._frames += 1
        if is_speech:
            self._run += 1
            if self._run == self._sustain_frames:
                # The run has become real speech: count all of it, and silence starts over.
                self._speech_frames += self._run
                if self._first_speech_frame is None:
                    self._first_speech_frame = self._frames - self._run
                self._silence_frames = 0
            elif self._run > self._sustain_frames:
                self._speech_frames += 1
                self._silence_frames = 0
            else:
                self._silence_frames += 1
            if self._run >= self._sustain_frames:
                self._last_speech_end_frame = self._frames
        else:
            self._run = 0
            self._silence_frames += 1
        return self.done

    def feed_all(self, decisions: Iterable[bool]) -> bool:
        """Feed several frames; True once the answer is over."""
        for decision in decisions:
            self.feed(decision)
        return self.done

    @property
    def heard_speech(self) -> bool:
        """At least ``min_speech_s`` of sustained speech has been heard."""
        return self._speech_frames >= self._min_speech_frames

    @property
    def never_started(self) -> bool:
        """``start_timeout_s`` of silence passed and no speech has been heard."""
        return (self._start_timeout is not None and not self.heard_speech
                and self._silence_frames >= self._start_timeout)

    @property
    def done(self) -> bool:
        return (self.heard_speech and self._silence_frames >= self._silence_needed) or self.never_started

    @property
    def elapsed_s(self) -> float:
        return self._frames * self.frame_s

    @property
    def speech_s(self) -> float:
        """Seconds of sustained speech heard so far."""
        return self._speech_frames * self.frame_s

    @property
    def speaking(self) -> bool:
        """The speaker is talking now: the answer has started, and the silence since the last sustained
        speech is shorter than :data:`PAUSE_S` (a gap between words, not a stop). False before the
        answer starts and while the recorder only waits out the silence that ends it."""
        return self.heard_speech and not self.done and self.trailing_silence_s < PAUSE_S

    @property
    def trailing_silence_s(self) -> float:
        """Seconds since the last sustained speech (or since the start)."""
        return self._silence_frames * self.frame_s

    @property
    def first_speech_s(self) -> Optional[float]:
        """When the first sustained speech began, in seconds from the first frame; None if none yet."""
        if self._first_speech_frame is None:
            return None
        return self._first_speech_frame * self.frame_s

    @property
    def last_speech_end_s(self) -> Optional[float]:
        """When the last sustained speech ended (so far), in seconds from the first frame."""
        if self._last_speech_end_frame is None:
            return None
        return self._last_speech_end_frame * self.frame_s
