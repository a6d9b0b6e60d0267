"""Voice activity detection: one speech/no-speech decision per short frame of 16-bit audio.

:class:`FrameClassifier` takes blocks of any length, cuts them into frames and classifies each with
the WebRTC VAD shipped in pocketsphinx (imported lazily); a frame quieter than an energy floor is
never speech, so digital silence and a near-silent line are not mistaken for a voice. Without
pocketsphinx it falls back to an energy threshold alone.
"""

from __future__ import annotations

import math
from typing import Callable, List, Optional

import numpy as np

DEFAULT_ENERGY_FLOOR = 160.0
"""RMS (int16 units, about -46 dBFS) below which a frame is silence whatever the VAD says."""

FALLBACK_THRESHOLD = 600.0
"""RMS above which a frame counts as speech when no VAD is available (about -35 dBFS)."""


class FrameClassifier:
    """Classifies consecutive frames of a mono int16 stream as speech or not."""

    def __init__(
        self,
        sample_rate: int = 16000,
        frame_s: float = 0.03,
        mode: int = 2,
        energy_floor: float = DEFAULT_ENERGY_FLOOR,
        use_webrtc: bool = True,
    ):
        self.sample_rate = int(sample_rate)
        self.energy_floor = float(energy_floor)
        self._vad_decide: Optional[Callable[[bytes], bool]] = None
        frame_samples = max(1, int(round(frame_s * self.sample_rate)))
        if use_webrtc:
            vad = _webrtc_vad(mode, self.sample_rate, frame_s)
            if vad is not None:
                frame_samples = vad.frame_bytes // 2
                self._vad_decide = vad.is_speech
        self.frame_samples = frame_samples
        self.frame_s = frame_samples / float(self.sample_rate)
        self._pending = np.zeros(0, dtype=np.int16)

    @property
    def engine(self) -> str:
        """Which classifier decides: "webrtc" or "energy"."""
        return "webrtc" if self._vad_decide is not None else "energy"

    def feed(self, block: np.ndarray) -> List[bool]:
        """Decisions for every whole frame completed by ``block`` (leftover samples are kept)."""
        data = np.asarray(block)
        if data.ndim == 2:
            data = data[:, 0]
        if data.dtype != np.int16:
            data = data.astype(np.int16)
        if len(self._pending):
            data = np.concatenate([self._pending, data])
        n = len(data) // self.frame_samples
        decisions = [self.classify(data[i * self.frame_samples:(i + 1) * self.frame_samples]) for i in range(n)]
        self._pending = data[n * self.frame_samples:].copy()
        return decisions

    def classify(self, frame: np.ndarray) -> bool:
        """Is this one frame (exactly ``frame_samples`` long) speech?"""
        level = rms(frame)
        if level < self.energy_floor:
            return False
        if self._vad_decide is None:
            return level >= max(FALLBACK_THRESHOLD, self.energy_floor)
        return bool(self._vad_decide(np.ascontiguousarray(frame, dtype="<i2").tobytes()))


def rms(frame: np.ndarray) -> float:
    if len(frame) == 0:
        return 0.0
    x = np.asarray(frame, dtype=np.float64)
    return math.sqrt(float(np.mean(x * x)))


def _webrtc_vad(mode: int, sample_rate: int, frame_s: float):
    try:
        from pocketsphinx import Vad
    except ImportError:
        return None
    try:
        return Vad(mode, sample_rate, frame_s)
    except ValueError:
        return None
