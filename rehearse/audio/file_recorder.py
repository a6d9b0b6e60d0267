"""A recorder that "hears" an audio file instead of the microphone.

Used by ``rehearse demo`` (the bundled sample answer stands in for the user) and, through the
tests' own subclass, as the fake at the device seam. It behaves like the microphone recorder: writes the session WAV block by
block, calls ``on_start``/``on_block``, honours ``max_seconds`` and ``stop_when``. It plays the whole
file (the file's end is the end of the answer), so it takes the live-word and pause hooks of the
port and does not use them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from rehearse.audio import pcm as audio_mod
from rehearse.core.ports import BlockCallback, Recording

BLOCK_S = 0.03


class FileRecorder:
    def __init__(self, source: Path):
        self.source = Path(source)

    def record(self, path: Path, *, max_seconds: float, on_start: Optional[Callable[[], None]] = None,
               on_block: Optional[BlockCallback] = None,
               stop_when: Optional[Callable[[float], bool]] = None,
               live_text: Optional[Callable[[], str]] = None,
               on_pause: Optional[Callable[[float], None]] = None,
               on_resume: Optional[Callable[[], None]] = None) -> Recording:
        clip = audio_mod.load(self.source).to_rate(audio_mod.SPEECH_RATE)
        block = int(BLOCK_S * clip.sample_rate)
        stopped_by = "silence"
        with audio_mod.WavAppender(path, clip.sample_rate) as out:
            if on_start:
                on_start()
            for start in range(0, len(clip.samples), block):
                chunk = clip.samples[start:start + block]
                out.write(chunk)
                elapsed = out.duration_s
                if on_block:
                    on_block(chunk, elapsed)
                if elapsed >= max_seconds:
                    stopped_by = "max_seconds"
                    break
                if stop_when and stop_when(elapsed):
                    stopped_by = "stopped"
                    break
            duration = out.duration_s
        return Recording(path=Path(path), duration_s=duration, stopped_by=stopped_by,
                         heard_speech=clip.rms() > 1.0)
