"""The seams between the rehearsal loop and the outside world.

The orchestration (:mod:`rehearse.session.round`) receives these ports; the real adapters live in
:mod:`rehearse.audio.microphone`, :mod:`rehearse.audio.speaker` and :mod:`rehearse.store.sessions`; tests pass fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Protocol, Sequence

import numpy as np

from rehearse.core.audio import Audio
from rehearse.core.model import Prompt, Transcript, Word

STOP_REASONS = ("silence", "enter", "max_seconds", "interrupted", "stopped")


@dataclass(frozen=True)
class Recording:
    """What a recorder produced: the WAV on disk and why recording ended."""

    path: Path
    """The session's WAV file; it holds every block that reached us, even after an interruption."""
    duration_s: float
    """Seconds of audio written."""
    stopped_by: str
    """One of STOP_REASONS: silence after speech (or, for a recorder given a start timeout, silence
    with no speech at all), Enter, the time limit, Ctrl-C, or stop_when()."""
    heard_speech: bool = True
    """False when voice-activity detection never heard speech."""


BlockCallback = Callable[[np.ndarray, float], None]
"""Called from the consumer thread with each int16 block and the seconds recorded so far."""


class Recorder(Protocol):
    """Records one answer into a WAV file."""

    def record(
        self,
        path: Path,
        *,
        max_seconds: float,
        on_start: Optional[Callable[[], None]] = None,
        on_block: Optional[BlockCallback] = None,
        stop_when: Optional[Callable[[float], bool]] = None,
        live_text: Optional[Callable[[], "str | Sequence[Word]"]] = None,
        on_pause: Optional[Callable[[float], None]] = None,
        on_resume: Optional[Callable[[], None]] = None,
    ) -> Recording:
        """Record until silence after speech, Enter, ``max_seconds``, or ``stop_when(elapsed_s)``.

        ``on_start`` is called the moment audio capture starts. Ctrl-C ends the recording with
        ``stopped_by="interrupted"``; it does not raise. ``live_text()`` gives the words heard so far
        (from the live transcriber; a text, or words that may say how sure the engine is): a recorder may use them to decide how much silence ends the
        answer. ``on_pause(at_s)`` is called once a silence after speech has lasted a moment (``at_s``:
        where the speech stopped, in seconds of the answer) and ``on_resume()`` when speech comes back
        after it. A recorder that cannot tell pauses need not call them. A recorder that hears voice
        activity may also offer ``speaking() -> bool`` (is the speaker talking at the block ``on_block``
        was just given?); a drill then rings its red-light tone only while the speaker talks.
        """
        ...


class Speaker(Protocol):
    """Says an interviewer's prompt out loud."""

    def speak(self, prompt: Prompt) -> None:
        """Play the prompt; raise RehearseError when there is no output device."""
        ...


class Transcriber(Protocol):
    """A speech engine (``rehearse.speech.engines.Engine`` is this protocol)."""

    name: str
    """The engine's name, saved with every transcript."""

    def transcribe(self, audio: Audio) -> Transcript:
        """Transcribe the whole of ``audio``; an empty text means no speech was recognised."""
        ...
