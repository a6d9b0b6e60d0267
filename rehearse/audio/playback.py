"""Playing audio out loud through the output device (blocking until it has been heard)."""

from __future__ import annotations

import time

import numpy as np

from rehearse.audio.pcm import Audio
from rehearse.audio import devices
from rehearse.audio.devices import DeviceSpec, device_errors, resolve_output
from rehearse.core.errors import RehearseError


PLAY_GRACE_S = 5.0
"""Seconds past the audio's own length that playing it may take before it is stopped. An output
device that stops taking audio would otherwise hold the screen for good: once, in the test suite, a
PulseAudio sink took nothing more and the spoken prompt waited until the test's 15-minute limit."""

POLL_S = 0.02


def play(audio: Audio, device: DeviceSpec = None, *, grace_s: float = PLAY_GRACE_S) -> None:
    """Play ``audio`` on the output device ``device`` names (None: the default) and wait until done.

    Raises RehearseError when there is no usable output device, or when the device has not played
    the audio ``grace_s`` seconds after its length (it is stopped then).
    """
    if len(audio.samples) == 0:
        return
    sd = devices.sounddevice_module()
    index = resolve_output(device)
    with device_errors("output"):
        sd.play(np.asarray(audio.samples), samplerate=audio.sample_rate, device=index, blocking=False)
        stream = sd.get_stream()
        deadline = time.monotonic() + audio.duration_s + grace_s
        while stream.active and time.monotonic() < deadline:
            time.sleep(POLL_S)
        stalled = stream.active
        if stalled:
            sd.stop()
    if stalled:
        raise RehearseError(f"the output device (speaker) stopped taking audio: {audio.duration_s:.1f} s of "
                            f"sound had not played after {audio.duration_s + grace_s:.1f} s")


def beep(freq_hz: float = 880.0, seconds: float = 0.2, sample_rate: int = 16000) -> Audio:
    """A short sine beep with 10 ms fades (no clicks), at half scale."""
    n = max(0, int(round(seconds * sample_rate)))
    t = np.arange(n) / float(sample_rate)
    wave = 0.5 * np.sin(2.0 * np.pi * freq_hz * t)
    fade = min(n // 2, int(0.01 * sample_rate))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        wave[:fade] *= ramp
        wave[n - fade:] *= ramp[::-1]
    return Audio.from_float(wave, sample_rate)


def tone(freq_hz: float = 880.0, seconds: float = 0.2, device: DeviceSpec = None) -> None:
    """Play a short beep (used to mark the start and end of a timed drill)."""
    play(beep(freq_hz, seconds), device)
