"""The debrief asked out loud: each question spoken, the answer recorded and transcribed.

The review itself (questions, reading answers, the plan) is pure: :mod:`rehearse.coaching.debrief`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional, TextIO

from rehearse.coaching.debrief import Answer, Question
from rehearse.core.errors import Interrupted, NoSpeechError


class SpokenAsker:
    """Says each question through a Speaker, records the answer, transcribes it.

    No speech (silence until the time limit, or Enter at once) skips the question. Ctrl-C stops the
    review without saving it.
    """

    def __init__(self, *, speaker, recorder, transcriber, folder: Path, max_seconds: float = 45.0,
                 out: Optional[TextIO] = None, on_recording_start: Optional[Callable[[], None]] = None):
        self.speaker = speaker
        self.recorder = recorder
        self.transcriber = transcriber
        self.folder = Path(folder)
        self.max_seconds = max_seconds
        self.out = out if out is not None else sys.stderr
        self.on_recording_start = on_recording_start

    def __call__(self, q: Question, number: int, total: int) -> Answer:
        from rehearse.audio import pcm as audio_mod
        from rehearse.core.model import Prompt

        prefix = f"[{number}/{total}] " if q.kind in ("yes_no", "fill") else "    "
        self.out.write(f"{prefix}{q.text}\n")
        self.out.flush()
        self.speaker.speak(Prompt(id=f"debrief-{q.key}", archetype="debrief", text=q.spoken))
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{q.key}.wav"
        recording = self.recorder.record(path, max_seconds=self.max_seconds, on_start=self.on_recording_start)
        if recording.stopped_by == "interrupted":
            raise Interrupted("Stopped by Ctrl-C; the debrief was not saved (run `rehearse debrief` again).")
        text = ""
        if recording.heard_speech and recording.duration_s > 0:
            try:
                text = self.transcriber.transcribe(audio_mod.load(recording.path)).text.strip()
            except NoSpeechError:
                text = ""
        self.out.write(f"    heard: \"{text}\"\n" if text else "    (nothing heard: skipped)\n")
        self.out.flush()
        return Answer(key=q.key, text=text, source="spoken", audio=str(path))
