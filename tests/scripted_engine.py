"""A scripted engine for tests, registered like the real ones (by tests/conftest.py, never in the package).

It returns the texts queued on it and spreads the words evenly over the audio's length, so the whole
loop (timings included) runs without a speech model.
"""

from __future__ import annotations

from typing import Optional

from rehearse.audio.pcm import Audio
from rehearse.core.model import Transcript, Word


def probe() -> Optional[str]:
    return None


class ScriptedEngine:
    name = "scripted"

    def __init__(self) -> None:
        self.queue: list[str] = []
        """Texts to return next, in order; used before any sidecar file."""

    def transcribe(self, audio: Audio) -> Transcript:
        text = self.queue.pop(0) if self.queue else ""
        if audio.rms() < 1.0:
            text = ""  # digital silence: nothing to hear
        tokens = text.split()
        duration = audio.duration_s
        step = duration / max(len(tokens), 1)
        words = tuple(Word(t, i * step, (i + 0.9) * step) for i, t in enumerate(tokens))
        return Transcript(text=" ".join(tokens), words=words, engine=self.name,
                          duration_s=duration, processing_s=0.0)
