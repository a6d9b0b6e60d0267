"""The one place that decodes and encodes audio files.

Everything after :func:`load` works on :class:`Audio`: mono 16-bit samples in a read-only numpy
array with their sample rate. Engines ask for :meth:`Audio.to_rate` (16 kHz for pocketsphinx).
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Union

import numpy as np

from rehearse.core.errors import RehearseError

from rehearse.core.audio import SPEECH_RATE, Audio  # noqa: F401  (the value type, re-exported)


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
