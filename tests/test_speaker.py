"""The Speaker adapters: PromptSpeaker plays the right audio; TextOnlySpeaker shows the words."""

from __future__ import annotations

import io

import numpy as np
import pytest

from rehearse.audio import pcm as audio_mod
from rehearse.audio import prompt_audio
from rehearse.core.archetypes import packaged_prompts
from rehearse.audio.pcm import Audio, save
from rehearse.core.errors import RehearseError, SpeechSynthesisError
from rehearse.core.model import Prompt
from rehearse.audio.speaker import PromptSpeaker, TextOnlySpeaker


class FakePlay:
    def __init__(self, error: Exception | None = None):
        self.played: list[tuple[Audio, object]] = []
        self.error = error

    def __call__(self, audio, device=None):
        if self.error:
            raise self.error
        self.played.append((audio, device))


def test_packaged_prompt_plays_its_prerendered_audio_on_the_chosen_device():
    prompt = packaged_prompts()[0]
    play = FakePlay()
    PromptSpeaker(device="vsink", play=play).speak(prompt)
    assert len(play.played) == 1
    heard, device = play.played[0]
    expected = audio_mod.load(prompt_audio.audio_for(prompt, render_missing=False))
    assert device == "vsink"
    assert heard.sample_rate == 16000
    assert np.array_equal(heard.samples, expected.samples)


def test_user_prompt_is_rendered_then_played(monkeypatch):
    tone = Audio.from_float(np.sin(np.arange(4000) * 2 * np.pi * 300 / 16000) * 0.2, 16000)
    rendered = []

    def fake_render(text, path, voice=None, rate=None):
        rendered.append(text)
        save(tone, path)
        return tone

    monkeypatch.setattr("rehearse.audio.tts.render", fake_render)
    prompt = Prompt(id="challenger-user-1", archetype="challenger", text="Why this company?")
    play = FakePlay()
    speaker = PromptSpeaker(play=play)
    speaker.speak(prompt)
    speaker.speak(prompt)
    assert rendered == ["Why this company?"]  # second time from the cache
    assert [np.array_equal(a.samples, tone.samples) for a, _ in play.played] == [True, True]
    assert [d for _, d in play.played] == [None, None]


def test_default_play_is_rehearse_playback_play(monkeypatch):
    play = FakePlay()
    monkeypatch.setattr("rehearse.audio.playback.play", play)
    PromptSpeaker(device=3).speak(packaged_prompts()[0])
    assert [d for _, d in play.played] == [3]


def test_playback_fault_reaches_the_caller():
    play = FakePlay(RehearseError("No speaker found; connect one."))
    with pytest.raises(RehearseError, match="No speaker found"):
        PromptSpeaker(play=play).speak(packaged_prompts()[0])


def test_text_only_speaker_writes_the_whole_prompt():
    prompt = packaged_prompts()[0]
    stream = io.StringIO()
    TextOnlySpeaker(stream=stream).speak(prompt)
    shown = stream.getvalue()
    assert shown.startswith("Interviewer:")
    assert shown.split()[1:] == prompt.text.split()


def test_text_only_speaker_defaults_to_stderr(capsys):
    TextOnlySpeaker().speak(Prompt(id="x", archetype="storyteller", text="Go ahead."))
    out, err = capsys.readouterr()
    assert out == ""
    assert "Go ahead." in err


def _unspeakable(monkeypatch):
    def fail(text, path, voice=None, rate=None):
        raise SpeechSynthesisError("The prompt could not be turned into speech (pyttsx3: it broke).")

    monkeypatch.setattr("rehearse.audio.tts.render", fail)
    return Prompt(id="challenger-user-1", archetype="challenger", text="Why should we risk it on you?")


def test_unspeakable_prompt_raises_the_synthesis_error_by_default(monkeypatch):
    prompt = _unspeakable(monkeypatch)
    play = FakePlay()
    with pytest.raises(SpeechSynthesisError, match="could not be turned into speech"):
        PromptSpeaker(play=play).speak(prompt)
    assert play.played == []
