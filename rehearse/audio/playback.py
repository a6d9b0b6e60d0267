"""Playing audio out loud through the output device (blocking until it has been heard)."""

from __future__ import annotations

import numpy as np

from rehearse.audio.pcm import Audio
from rehearse.audio import devices
from rehearse.audio.devices import DeviceSpec, device_errors, resolve_output


def play(audio: Audio, device: DeviceSpec = None) -> None:
    """Play ``audio`` on the output device ``device`` names (None: the default) and wait until done.

    Raises RehearseError when there is no usable output device.
    """
    if len(audio.samples) == 0:
        return
    sd = devices.sounddevice_module()
    index = resolve_output(device)
    with device_errors("output"):
        sd.play(np.asarray(audio.samples), samplerate=audio.sample_rate, device=index, blocking=True)


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
