"""The one place that decodes and encodes audio files.

Everything after :func:`load` works on :class:`Audio`: mono 16-bit samples in a read-only numpy
array with their sample rate. Engines ask for :meth:`Audio.to_rate` (16 kHz for pocketsphinx).
"""

from __future__ import annotations

import errno
import os
import struct
import wave
from pathlib import Path
from typing import Optional, Union

import numpy as np

from rehearse.core.errors import DiskFullError, RehearseError

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

    Used by the recorder so that whatever reached us is on disk if the process is interrupted or
    killed: each block goes straight to the operating system (no buffer in this process), then the
    header's sizes are rewritten. When the disk fills, the block that did not fit is cut off, the
    header is left describing every whole block before it, and :class:`DiskFullError` says so: a
    full disk loses at most that last block.
    """

    def __init__(self, path: Union[str, Path], sample_rate: int):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.sample_rate = int(sample_rate)
        self.frames = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        self._fd: Optional[int] = os.open(self.path, flags, 0o644)
        try:
            _write_all(self._fd, 0, self._header(0))
        except OSError as exc:
            self.close()
            raise self._fault(exc) from None

    def _header(self, data_bytes: int) -> bytes:
        rate = self.sample_rate
        return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, 1,
                           rate, rate * 2, 2, 16, b"data", data_bytes)

    def write(self, block: np.ndarray) -> None:
        data = np.asarray(block)
        if data.dtype != np.int16:
            data = np.clip(np.round(np.asarray(data, dtype=np.float64) * 32767.0), -32768, 32767).astype(np.int16)
        if data.ndim == 2:
            data = data[:, 0]
        payload = data.astype("<i2").tobytes()
        if not payload:
            return
        end = WAV_HEADER_BYTES + 2 * self.frames
        try:
            _write_all(self._fd, end, payload)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, end)  # drop the part of the block that did fit
            except OSError:
                pass  # the header still stops readers at the last whole block
            raise self._fault(exc) from None
        self.frames += len(data)
        try:
            _write_all(self._fd, 0, self._header(2 * self.frames))  # rewrites bytes already on disk
        except OSError as exc:
            raise self._fault(exc) from None

    def _fault(self, exc: OSError) -> RehearseError:
        kept = f"the {self.duration_s:.1f} s recorded so far are kept in {self.path}"
        if exc.errno == errno.ENOSPC:
            err = DiskFullError(f"The disk is full, so recording stopped; {kept} (free some space, then "
                                "record again).")
        else:
            err = RehearseError(f"The recording cannot be written to {self.path} ({exc.strerror or exc}); {kept}.")
        err.kept_s = self.duration_s
        return err

    @property
    def duration_s(self) -> float:
        return self.frames / float(self.sample_rate)

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def __enter__(self) -> "WavAppender":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


WAV_HEADER_BYTES = 44


def _write_all(fd: int, offset: int, data: bytes) -> None:
    """Write all of ``data`` at ``offset`` (a short write is retried; a full disk raises ENOSPC)."""
    view = memoryview(data)
    os.lseek(fd, offset, os.SEEK_SET)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]
