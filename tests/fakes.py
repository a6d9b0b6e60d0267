"""Fakes at the device seam: a speaker that remembers what it was asked to say, a microphone that
plays back a WAV file, and helpers that wire them into the CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Optional

import numpy as np

from rehearse.audio import pcm as audio
from rehearse.audio.file_recorder import FileRecorder


class InterruptingFileRecorder(FileRecorder):
    """A FileRecorder that behaves as if Ctrl-C was pressed after ``interrupt_after_s`` seconds."""

    def __init__(self, source: Path, *, interrupt_after_s: Optional[float] = None):
        super().__init__(source)
        self.interrupt_after_s = interrupt_after_s

    def record(self, path, *, max_seconds, on_start=None, on_block=None, stop_when=None, **hooks):
        if self.interrupt_after_s is None:
            return super().record(path, max_seconds=max_seconds, on_start=on_start, on_block=on_block,
                                  stop_when=stop_when, **hooks)
        pressed = []

        def stop(elapsed: float) -> bool:
            if elapsed >= self.interrupt_after_s:
                pressed.append(True)
                return True
            return bool(stop_when and stop_when(elapsed))

        recording = super().record(path, max_seconds=max_seconds, on_start=on_start, on_block=on_block,
                                   stop_when=stop, **hooks)
        if pressed:
            recording = dataclasses.replace(recording, stopped_by="interrupted")
        return recording


class FakeMonologueRecorder(InterruptingFileRecorder):
    """Stands in for the MonologueRecorder (whose own tests run it on a fake duplex stream): the answer
    is the WAV file, and the floor was taken ``seize_s`` after the interview started (None: never),
    in a monologue of two sentences, 0-3 s and 4-7 s, ending at 8 s."""

    def __init__(self, source: Path, *, seize_s: Optional[float] = 3.5, mode: str = "pauses", **kw):
        super().__init__(source, **kw)
        self.mode = mode
        self.given_seize_s = seize_s
        self.seize_s = None
        self.sentences = ()
        self.monologue_end_s = None
        self.delay_s, self.delay_measured, self.suppression_db = 0.06, True, None
        self.calls = 0

    def record(self, path, **kw):
        self.calls += 1
        self.sentences = ((1, "line-1", 0.0, 3.0), (2, "line-2", 4.0, 7.0))
        self.monologue_end_s = 8.0
        self.seize_s = self.given_seize_s
        return super().record(path, **kw)


class FakeSpeaker:
    def __init__(self):
        self.said: list = []

    def speak(self, prompt) -> None:
        self.said.append(prompt)


def tone_wav(path: Path, seconds: float = 2.0, rate: int = 16000, amplitude: float = 0.3) -> Path:
    """A WAV with a non-silent signal (for the scripted engine, which only needs 'not silence')."""
    t = np.arange(int(seconds * rate)) / rate
    signal = amplitude * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return audio.save(audio.Audio.from_float(signal, rate), path)


def silent_wav(path: Path, seconds: float = 2.0, rate: int = 16000) -> Path:
    return audio.save(audio.Audio(np.zeros(int(seconds * rate), dtype=np.int16), rate), path)


def install_fake_devices(monkeypatch, answer_wav: Path, *, speaker: Optional[FakeSpeaker] = None,
                         interrupt_after_s: Optional[float] = None, seize_s: Optional[float] = 3.5) -> FakeSpeaker:
    """Make `rehearse practice` use FakeSpeaker and a FileRecorder playing ``answer_wav`` (and the
    storyteller's monologue a FakeMonologueRecorder whose floor is taken at ``seize_s``)."""
    import rehearse.audio.devices as devices
    import rehearse.audio.microphone as recorder
    import rehearse.audio.monologue as monologue
    import rehearse.audio.speaker as speaker_mod

    speaker = speaker or FakeSpeaker()
    monkeypatch.setattr(devices, "resolve_input", lambda spec=None: None)
    monkeypatch.setattr(devices, "resolve_output", lambda spec=None: None)
    monkeypatch.setattr(speaker_mod, "PromptSpeaker", lambda device=None, **kw: speaker)
    monkeypatch.setattr(recorder, "MicrophoneRecorder",
                        lambda device=None, **kw: InterruptingFileRecorder(answer_wav, interrupt_after_s=interrupt_after_s))
    monkeypatch.setattr(monologue, "MonologueRecorder",
                        lambda clips, mode="pauses", **kw: FakeMonologueRecorder(
                            answer_wav, seize_s=seize_s, mode=mode, interrupt_after_s=interrupt_after_s))
    return speaker


def script_engine(*texts: str):
    """Queue transcripts on the scripted engine and return it."""
    from rehearse.speech import engines

    engine = engines.get("scripted")
    engine.queue[:] = list(texts)
    return engine


RATE = 16000
BLOCK = 480  # 30 ms, as the microphone delivers them


def vowel(seconds: float, f0: float = 120.0, rate: int = RATE) -> np.ndarray:
    """A loud harmonic 'vowel' with formant-like peaks: the voice-activity detector hears it as speech."""
    t = np.arange(int(seconds * rate)) / rate
    x = np.zeros_like(t)
    for k in range(1, 30):
        f = k * f0
        weight = np.exp(-((f - 700) / 150) ** 2) + 0.6 * np.exp(-((f - 1200) / 200) ** 2) + 0.05
        x += weight * np.sin(2 * np.pi * f * t)
    x *= 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)
    return (x / np.abs(x).max() * 8000).astype(np.int16)


def quiet(seconds: float, rate: int = RATE, seed: int = 1) -> np.ndarray:
    """A quiet room: faint noise the voice-activity detector does not hear as speech."""
    return np.random.default_rng(seed).normal(0, 20, int(seconds * rate)).astype(np.int16)


def blocks_of(*parts: np.ndarray) -> list:
    """The signal cut into the 30 ms blocks a microphone stream delivers."""
    signal = np.concatenate(parts)
    return [signal[i:i + BLOCK] for i in range(0, len(signal) - BLOCK + 1, BLOCK)]


def install_fake_microphone(monkeypatch, takes, *, realtime: bool = False):
    """A fake sounddevice at the device seam: the real MicrophoneRecorder (voice activity, end of
    answer, Enter) records the n-th list of ``takes`` blocks as the n-th answer."""
    import rehearse.audio.devices as devices
    from fake_sounddevice import FakeSoundDevice, device

    sd = FakeSoundDevice([device("Fake Mic", inputs=1)], (0, -1), takes=takes, realtime=realtime)
    monkeypatch.setattr(devices, "sounddevice_module", lambda: sd)
    return sd
