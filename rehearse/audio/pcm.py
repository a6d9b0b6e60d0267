"""The audio value type and the one place that decodes and encodes audio files.

Everything after :func:`load` works on :class:`Audio`: mono 16-bit samples in a read-only numpy
array with their sample rate. Engines ask for :meth:`Audio.to_rate` (16 kHz for pocketsphinx).
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

from rehearse.core.errors import RehearseError

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


def load(path: Union[str, Path]) -> Audio:
    """Decode an audio file (WAV, FLAC, OGG, ...) into mono :class:`Audio`.

    Raises :class:`RehearseError` with a plain sentence for a missing, unreadable, empty, corrupt or
    non-audio file.
    """
    path = Path(path)
    if not path.exists():
        raise RehearseError(f"The audio file {path} does not exist; check the path.")
    if path.is_dir():
        raise RehearseError(f"{path} is a folder, not an audio file; give the path of a WAV file.")
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        raise RehearseError(f"The audio file {path} cannot be read ({exc.strerror}); check its permissions.")
    if not head:
        raise RehearseError(f"The audio file {path} is empty; record the answer again.")
    try:
        import soundfile

        data, rate = soundfile.read(str(path), dtype="int16", always_2d=True)
    except Exception:
        recovered = _recover_truncated_wav(path)
        if recovered is not None:
            return recovered
        raise RehearseError(
            f"{path} is not an audio file rehearse can read (corrupt or an unknown format); "
            "use a WAV, FLAC or OGG file."
        )
    if data.shape[1] > 1:
        mono = data.astype(np.int32).mean(axis=1)
        data = np.round(mono).astype(np.int16)
    else:
        data = data[:, 0]
    return Audio(np.ascontiguousarray(data), int(rate))


def _recover_truncated_wav(path: Path) -> Audio | None:
    """A WAV whose writer was killed mid-block: keep every whole sample after the header."""
    try:
        with path.open("rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    if blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        return None
    pos, rate, channels, width = 12, None, 1, 2
    while pos + 8 <= len(blob):
        chunk, size = blob[pos:pos + 4], int.from_bytes(blob[pos + 4:pos + 8], "little")
        if chunk == b"fmt ":
            channels = int.from_bytes(blob[pos + 10:pos + 12], "little")
            rate = int.from_bytes(blob[pos + 12:pos + 16], "little")
            width = int.from_bytes(blob[pos + 22:pos + 24], "little") // 8
        elif chunk == b"data":
            if rate is None or width != 2 or channels < 1:
                return None
            body = blob[pos + 8:]
            frame = 2 * channels
            body = body[: len(body) // frame * frame]
            samples = np.frombuffer(body, dtype="<i2").reshape(-1, channels).mean(axis=1)
            return Audio(np.round(samples).astype(np.int16), rate)
        pos += 8 + size + (size & 1)
    return None


def save(audio: Audio, path: Union[str, Path]) -> Path:
    """Write 16-bit mono WAV."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.sample_rate)
        out.writeframes(audio.to_bytes())
    return path


class WavAppender:
    """Writes a 16-bit mono WAV block by block, keeping the header valid after every block.

    Used by the recorder so that whatever reached us is on disk if the process is interrupted
    or killed: :mod:`wave` patches the header sizes on each ``writeframes`` and we flush to the OS.
    """

    def __init__(self, path: Union[str, Path], sample_rate: int):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("wb")
        self._wav = wave.open(self._file, "wb")
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(sample_rate)
        self._wav.writeframes(b"")
        self._file.flush()
        self.sample_rate = sample_rate
        self.frames = 0

    def write(self, block: np.ndarray) -> None:
        data = np.asarray(block)
        if data.dtype != np.int16:
            data = np.clip(np.round(np.asarray(data, dtype=np.float64) * 32767.0), -32768, 32767).astype(np.int16)
        if data.ndim == 2:
            data = data[:, 0]
        self._wav.writeframes(data.astype("<i2").tobytes())
        self._file.flush()
        self.frames += len(data)

    @property
    def duration_s(self) -> float:
        return self.frames / float(self.sample_rate)

    def close(self) -> None:
        if self._wav is not None:
            self._wav.close()
            self._file.close()
            self._wav = None

    def __enter__(self) -> "WavAppender":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
