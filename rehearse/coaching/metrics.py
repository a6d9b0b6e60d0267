"""Delivery figures (word count, pace, fillers) from a transcript. Pure: no I/O beyond packaged data."""

from __future__ import annotations

from typing import Iterable, Optional

from rehearse.coaching import fillers as filler_data
from rehearse.coaching.textnorm import plain_words
from rehearse.core.model import Metrics, Transcript

def tokens(text: str) -> list[str]:
    """Lowercase words as written (see :func:`rehearse.coaching.textnorm.plain_words`)."""
    return plain_words(text)


def default_fillers() -> tuple[str, ...]:
    """Every filler the delivery figures count (rehearse/data/fillers.toml, the one list)."""
    return filler_data.all_fillers()


def filler_counts(words: list[str], fillers: Optional[Iterable[str]] = None) -> dict[str, int]:
    """How often each filler word or phrase occurs in lowercase tokens: longest phrase first, no overlaps.

    A filler right after a word listed under ``not_after`` in fillers.toml carries meaning
    ("I'd like to", "what kind of") and is not counted.
    """
    phrases = sorted({tuple(f.lower().split()) for f in (fillers or default_fillers()) if f.strip()},
                     key=len, reverse=True)
    not_after = {tuple(k.split()): v for k, v in filler_data.not_after().items()}
    found: dict[str, int] = {}
    i = 0
    while i < len(words):
        for phrase in phrases:
            if tuple(words[i:i + len(phrase)]) == phrase:
                previous = words[i - 1] if i > 0 else None
                if previous not in not_after.get(phrase, ()):
                    key = " ".join(phrase)
                    found[key] = found.get(key, 0) + 1
                i += len(phrase)
                break
        else:
            i += 1
    return found


def count_fillers(words: list[str], fillers: Optional[Iterable[str]] = None) -> int:
    """The number of fillers in lowercase tokens (see :func:`filler_counts`)."""
    return sum(filler_counts(words, fillers).values())


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
