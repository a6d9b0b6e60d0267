"""Delivery figures (word count, pace, fillers) from a transcript. Pure: no I/O beyond packaged data."""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rehearse.model import Metrics, Transcript

_TOKEN = re.compile(r"[a-z0-9']+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@lru_cache(maxsize=1)
def default_fillers() -> tuple[str, ...]:
    text = resources.files("rehearse").joinpath("data/fillers.toml").read_text(encoding="utf-8")
    return tuple(tomllib.loads(text)["fillers"])


def count_fillers(words: list[str], fillers: Optional[Iterable[str]] = None) -> int:
    """Count filler words and phrases in lowercase tokens, longest phrase first, no overlaps."""
    phrases = sorted({tuple(f.split()) for f in (fillers or default_fillers())}, key=len, reverse=True)
    count, i = 0, 0
    while i < len(words):
        for phrase in phrases:
            if tuple(words[i:i + len(phrase)]) == phrase:
                count += 1
                i += len(phrase)
                break
        else:
            i += 1
    return count


def speaking_time(transcript: Transcript) -> Optional[float]:
    """Seconds from the first word's start to the last word's end, or None without timings."""
    if not transcript.words:
        return None
    return max(0.0, transcript.words[-1].end - transcript.words[0].start)


def compute(transcript: Transcript, fillers: Optional[Iterable[str]] = None) -> Metrics:
    words = tokens(transcript.text)
    n_fillers = count_fillers(words, fillers)
    spoken = speaking_time(transcript)
    duration = transcript.duration_s
    if spoken and spoken > 0:
        wpm = len(words) / spoken * 60.0
        per_min = n_fillers / spoken * 60.0
    else:
        wpm = per_min = None
    return Metrics(words=len(words), duration_s=duration, wpm=wpm, fillers=n_fillers, fillers_per_min=per_min)
