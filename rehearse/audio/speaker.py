"""The Speaker adapters: say a prompt out loud, or show its text when there is no output device."""

from __future__ import annotations

import sys
import textwrap
from typing import Callable, Optional, TextIO, Union

from rehearse.audio.pcm import Audio, load
from rehearse.core.model import Prompt

PlayFn = Callable[..., None]
"""``play(audio, device=None)``: :func:`rehearse.audio.playback.play` or a test fake."""


class PromptSpeaker:
    """Plays a prompt's spoken audio (pre-rendered, cached, or rendered now) on an output device.

    A prompt that cannot be turned into speech raises
    :class:`~rehearse.core.errors.SpeechSynthesisError` (one sentence); the round's one no-speaker
    policy (:func:`rehearse.session.round.speak_or_show`) then shows it as text and goes on.
    """

    def __init__(self, device: Union[int, str, None] = None, play: Optional[PlayFn] = None):
        self.device = device
        self._play = play

    def speak(self, prompt: Prompt) -> None:
        """Find or render the prompt's audio and play it; RehearseError when it cannot be played."""
        from rehearse.audio import prompt_audio

        self.play_audio(load(prompt_audio.audio_for(prompt)))

    def play_audio(self, audio: Audio) -> None:
        play = self._play
        if play is None:
            from rehearse.audio.playback import play
        play(audio, device=self.device)


class TextOnlySpeaker:
    """Prints the interviewer's words instead of speaking them (no output device, or ``--no-audio``)."""

    def __init__(self, stream: Optional[TextIO] = None, width: int = 78):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width

    def speak(self, prompt: Prompt) -> None:
        body = textwrap.fill(prompt.text, width=self.width, initial_indent="  ", subsequent_indent="  ")
        self.stream.write(f"Interviewer:\n{body}\n")
        self.stream.flush()
