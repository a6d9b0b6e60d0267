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


MAX_AUDIO_BYTES = 1 << 30
"""Audio files larger than this are refused before anything is read (an answer is a few MB)."""
MAX_AUDIO_S = 30 * 60.0
"""Audio longer than this is refused: an opening is a few minutes, and decoding stays within memory."""
MAX_RATE = 384_000
"""The highest sample rate a real file has; a header saying more (or 0) is damaged."""
_BLOCK_FRAMES = 1 << 16


def load(path: Union[str, Path]) -> Audio:
    """Decode an audio file (WAV 16/24/32-bit integer or 32/64-bit float, FLAC, OGG, ...) into mono
    :class:`Audio`.

    Raises :class:`RehearseError` with a plain sentence for a missing, unreadable, empty, corrupt,
    non-audio, endless (a device or a pipe) or too large file, or one with an impossible sample rate.
    Decoding goes block by block, so memory stays near the size of the mono 16-bit result.
    """
    from rehearse.core.inputs import check_file

    path = Path(path)
    if check_file(path, "audio file", MAX_AUDIO_BYTES) == 0:
        raise RehearseError(f"The audio file {path} is empty; record the answer again.")
    try:
        with path.open("rb") as handle:
            handle.read(12)
    except OSError as exc:
        raise RehearseError(f"The audio file {path} cannot be read ({exc.strerror}); check its permissions.")
    try:
        import soundfile

        source = soundfile.SoundFile(str(path))
    except Exception:
        recovered = _recover_truncated_wav(path)
        if recovered is not None:
            return recovered
        raise RehearseError(
            f"{path} is not an audio file rehearse can read (corrupt or an unknown format); "
            "use a WAV, FLAC or OGG file."
        )
    with source:
        rate = _check_rate(path, source.samplerate)
        _check_length(path, source.frames, rate)
        # the header's length sizes the result (no second copy); a file longer than it says grows it
        data = np.empty(max(0, source.frames), dtype=np.int16)
        total = 0
        try:
            # read as floats: libsndfile scales integer samples to [-1, 1), and float files (which an
            # int16 read would truncate to silence) are scaled back here
            for block in source.blocks(blocksize=_BLOCK_FRAMES, dtype="float32", always_2d=True):
                mono = _float_to_int16(block.mean(axis=1) if block.shape[1] > 1 else block[:, 0])
                _check_length(path, total + len(mono), rate)
                if total + len(mono) > len(data):
                    data = np.concatenate([data[:total], np.empty(max(len(mono), len(data) // 2), np.int16)])
                data[total:total + len(mono)] = mono
                total += len(mono)
        except RehearseError:
            raise
        except Exception:
            recovered = _recover_truncated_wav(path)
            if recovered is not None:
                return recovered
            raise RehearseError(f"{path} is damaged part way through (it could not be decoded); record or "
                                "export it again.") from None
    data = data[:total]
    data.flags.writeable = False  # ours alone: Audio need not copy it
    return Audio(data, rate)


def _float_to_int16(samples: np.ndarray) -> np.ndarray:
    """Floats in [-1, 1] as 16-bit samples (NaN as silence, anything beyond full scale clipped)."""
    x = np.nan_to_num(np.asarray(samples, dtype=np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(np.round(x * np.float32(32768.0)), -32768, 32767).astype(np.int16)


def _check_rate(path: Path, rate) -> int:
    rate = int(rate or 0)
    if not 0 < rate <= MAX_RATE:
        raise RehearseError(f"{path} says its sample rate is {rate} Hz, which no recording has, so it is "
                            "damaged; record or export it again.")
    return rate


def _check_length(path: Path, frames: int, rate: int) -> None:
    if frames > MAX_AUDIO_S * rate:
        raise RehearseError(f"{path} is more than {MAX_AUDIO_S / 60:.0f} minutes long, longer than rehearse "
                            "takes; cut out the answer and give that.")


def _recover_truncated_wav(path: Path) -> Audio | None:
    """A WAV whose writer was killed mid-block: keep every whole sample after the header.

    Reads 16-bit integer and 32/64-bit float WAVs (plain or extensible); None for anything else."""
    try:
        with path.open("rb") as handle:
            blob = handle.read(MAX_AUDIO_BYTES + 1)
    except OSError:
        return None
    if blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        return None
    pos, rate, channels, width, tag = 12, None, 1, 2, 1
    while pos + 8 <= len(blob):
        chunk, size = blob[pos:pos + 4], int.from_bytes(blob[pos + 4:pos + 8], "little")
        if chunk == b"fmt ":
            tag = int.from_bytes(blob[pos + 8:pos + 10], "little")
            channels = int.from_bytes(blob[pos + 10:pos + 12], "little")
            rate = int.from_bytes(blob[pos + 12:pos + 16], "little")
            width = int.from_bytes(blob[pos + 22:pos + 24], "little") // 8
            if tag == 0xFFFE and size >= 40:  # WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format
                tag = int.from_bytes(blob[pos + 32:pos + 34], "little")
        elif chunk == b"data":
            dtype = {(1, 2): "<i2", (3, 4): "<f4", (3, 8): "<f8"}.get((tag, width))
            if rate is None or dtype is None or channels < 1:
                return None
            rate = _check_rate(path, rate)
            frame = width * channels
            frames = len(blob[pos + 8:]) // frame
            _check_length(path, frames, rate)
            samples = np.frombuffer(blob, dtype=dtype, count=frames * channels, offset=pos + 8)
            out = np.empty(frames, dtype=np.int16)
            for a in range(0, frames, _BLOCK_FRAMES):  # block by block: memory stays near the result's
                part = samples[a * channels:(a + _BLOCK_FRAMES) * channels].reshape(-1, channels)
                mono = part.astype(np.float64).mean(axis=1)
                out[a:a + len(mono)] = (_float_to_int16(mono) if dtype != "<i2"
                                        else np.round(mono).astype(np.int16))
            return Audio(out, rate)
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
