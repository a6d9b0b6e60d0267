"""The audio value type: mono 16-bit samples and their rate. Pure: numpy only, no files, no devices.

Decoding and writing files is :mod:`rehearse.audio.pcm`'s job; everything after it works on
:class:`Audio`. Engines ask for :meth:`Audio.to_rate` (16 kHz for pocketsphinx).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPEECH_RATE = 16000


@dataclass(frozen=True, eq=False)
class Audio:
    """Immutable mono audio: int16 samples and their rate."""

    samples: np.ndarray
    sample_rate: int

    def __post_init__(self) -> None:
        samples = np.asarray(self.samples)
        if samples.ndim != 1 or samples.dtype != np.int16:
            raise ValueError("Audio needs a 1-D int16 array")
        if samples.flags.writeable:
            samples = samples.copy()
            samples.flags.writeable = False
        object.__setattr__(self, "samples", samples)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate)

    def to_rate(self, rate: int = SPEECH_RATE) -> "Audio":
        """This audio resampled to ``rate`` (band-limited linear interpolation)."""
        if rate == self.sample_rate or len(self.samples) == 0:
            return self if rate == self.sample_rate else Audio(self.samples, rate)
        return Audio(_resample(self.samples, self.sample_rate, rate), rate)

    def to_bytes(self) -> bytes:
        """Little-endian 16-bit PCM."""
        return self.samples.astype("<i2").tobytes()

    def slice(self, start_s: float, end_s: float) -> "Audio":
        a = max(0, int(start_s * self.sample_rate))
        b = max(a, int(end_s * self.sample_rate))
        return Audio(self.samples[a:b], self.sample_rate)

    def rms(self) -> float:
        if len(self.samples) == 0:
            return 0.0
        return float(np.sqrt(np.mean(self.samples.astype(np.float64) ** 2)))

    @classmethod
    def from_float(cls, samples: np.ndarray, sample_rate: int) -> "Audio":
        """From floats in [-1, 1], one channel or several (averaged)."""
        data = np.asarray(samples, dtype=np.float64)
        if data.ndim == 2:
            data = data.mean(axis=1)
        data = np.clip(np.round(data * 32767.0), -32768, 32767).astype(np.int16)
        return cls(data, int(sample_rate))

    @classmethod
    def from_bytes(cls, data: bytes, sample_rate: int) -> "Audio":
        return cls(np.frombuffer(data, dtype="<i2").astype(np.int16), sample_rate)


def _resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    x = samples.astype(np.float64)
    if dst < src:
        # A short moving-average low-pass keeps most aliasing out when downsampling.
        width = max(1, int(round(src / dst)))
        if width > 1:
            kernel = np.ones(width) / width
            x = np.convolve(x, kernel, mode="same")
    n_out = int(round(len(x) * dst / src))
    positions = np.arange(n_out) * (src / dst)
    y = np.interp(positions, np.arange(len(x)), x)
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)
