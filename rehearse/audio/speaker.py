"""The Speaker adapters: say a prompt out loud, or show its text when there is no output device."""

from __future__ import annotations

import sys
import textwrap
from typing import Callable, Optional, TextIO, Union

from rehearse.audio.pcm import Audio, load
from rehearse.core.errors import SpeechSynthesisError
from rehearse.core.model import Prompt

PlayFn = Callable[..., None]
"""``play(audio, device=None)``: :func:`rehearse.audio.playback.play` or a test fake."""


class PromptSpeaker:
    """Plays a prompt's spoken audio (pre-rendered, cached, or rendered now) on an output device.

    ``text_fallback``: when given (e.g. ``TextOnlySpeaker()``), a prompt that cannot be turned into
    speech is shown as text, after the one-sentence reason, instead of raising
    :class:`~rehearse.core.errors.SpeechSynthesisError`, so the round goes on. Playback faults (no
    output device, ...) are raised either way.
    """

    def __init__(
        self,
        device: Union[int, str, None] = None,
        play: Optional[PlayFn] = None,
        text_fallback: Optional["TextOnlySpeaker"] = None,
    ):
        self.device = device
        self._play = play
        self.text_fallback = text_fallback
        self.fallback_error: Optional[SpeechSynthesisError] = None
        """Why the last prompt was shown as text instead of spoken; None when it was spoken."""

    def speak(self, prompt: Prompt) -> None:
        """Find or render the prompt's audio and play it; RehearseError when it cannot be played."""
        from rehearse.audio import prompt_audio

        self.fallback_error = None
        try:
            path = prompt_audio.audio_for(prompt)
        except SpeechSynthesisError as err:
            if self.text_fallback is None:
                raise
            self.fallback_error = err
            self.text_fallback.notice(f"{err} Showing the interviewer's prompt as text instead.")
            self.text_fallback.speak(prompt)
            return
        self.play_audio(load(path))

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

    def notice(self, message: str) -> None:
        """One line for the person (e.g. why the prompt is shown rather than spoken)."""
        self.stream.write(message.rstrip() + "\n")
        self.stream.flush()

    def speak(self, prompt: Prompt) -> None:
        body = textwrap.fill(prompt.text, width=self.width, initial_indent="  ", subsequent_indent="  ")
        self.stream.write(f"Interviewer:\n{body}\n")
        self.stream.flush()
