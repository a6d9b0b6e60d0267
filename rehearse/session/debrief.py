"""The debrief asked out loud: each question spoken, the answer recorded and transcribed.

The review itself (questions, reading answers, the plan) is pure: :mod:`rehearse.coaching.debrief`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional, TextIO

from rehearse.coaching.debrief import Answer, Question
from rehearse.core.errors import Interrupted, NoSpeechError, RehearseError


SKIP_AFTER_S = 6.0
"""Silence after the question, with no answer begun, that skips it."""
MIN_ANSWER_SPEECH_S = 0.12
"""Speech that makes an answer: a one-word "No." has 0.2 to 0.4 s of voiced sound, under the 0.3 s a
practice answer needs before it counts as started (so that a cough does not start one)."""


class SpokenAsker:
    """Shows each question, says it through a Speaker, records the answer and transcribes it.

    An answer that never starts (the recorder's short silence window) or Enter before any speech
    skips the question. Ctrl-C raises :class:`Interrupted`; the answers given before it are the
    caller's to keep (the review stores each one as it is given).

    The question is on screen already, so a speaker that only shows text is not asked to show it
    again; a speaker that fails is reported once and the review goes on with the questions as text.
    """

    def __init__(self, *, speaker, recorder, transcriber, folder: Path, max_seconds: float = 45.0,
                 out: Optional[TextIO] = None, on_recording_start: Optional[Callable[[], None]] = None):
        from rehearse.audio.speaker import TextOnlySpeaker

        self.speaker = None if isinstance(speaker, TextOnlySpeaker) else speaker
        self.recorder = recorder
        self.transcriber = transcriber
        self.folder = Path(folder)
        self.max_seconds = max_seconds
        self.out = out if out is not None else sys.stderr
        self.on_recording_start = on_recording_start

    def __call__(self, q: Question, number: int, total: int) -> Answer:
        from rehearse.audio import pcm as audio_mod

        prefix = f"[{number}/{total}] " if q.kind in ("yes_no", "fill") else "    "
        self._write(f"{prefix}{q.text}\n")
        self._say(q)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{q.key}.wav"
        recording = self.recorder.record(path, max_seconds=self.max_seconds, on_start=self.on_recording_start)
        if recording.stopped_by == "interrupted":
            raise Interrupted("Stopped by Ctrl-C.")
        text = ""
        if recording.heard_speech and recording.duration_s > 0:
            try:
                text = self.transcriber.transcribe(audio_mod.load(recording.path)).text.strip()
            except NoSpeechError:
                text = ""
        self._write(f"    heard: \"{text}\"\n" if text else "    (nothing heard: skipped)\n")
        return Answer(key=q.key, text=text, source="spoken", audio=str(path))

    def _say(self, q: Question) -> None:
        from rehearse.core.model import Prompt
        from rehearse.session.round import no_sound_message

        if self.speaker is None:
            return
        try:
            self.speaker.speak(Prompt(id=f"debrief-{q.key}", archetype="debrief", text=q.spoken))
        except Interrupted:
            raise
        except RehearseError as err:
            self.speaker = None  # said once; the questions are on screen from now on
            self._write(no_sound_message(err).replace("the interviewer's prompt", "the questions") + "\n")

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
