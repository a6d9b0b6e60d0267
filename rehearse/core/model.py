"""Plain data passed between the parts: words, transcripts, checks, scores.

Nothing here touches a device, an engine or the disk. ``to_json`` methods give the shapes of the
interface contract (``docs/contract.md``): what outside scripts read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional

CHECK_NAMES = (
    "leads_with_accomplishment",
    "asks_first_year_question",
    "asks_contributor_question",
    "thanks_for_callback",
    "quantified_result",
)


@dataclass(frozen=True)
class Word:
    """One recognised word with its place in the answer."""

    word: str
    """The word as the engine wrote it."""
    start: float
    """Seconds from the start of the audio."""
    end: float
    """Seconds from the start of the audio."""
    probability: Optional[float] = field(default=None, compare=False)
    """How sure the engine is of the word, 0..1; None when it does not say. Not saved: it serves
    decisions made while the answer is spoken (an unsure last word at a pause)."""

    def to_json(self) -> dict[str, Any]:
        return {"word": self.word, "start": round(self.start, 3), "end": round(self.end, 3)}

    def shifted(self, offset: float) -> "Word":
        """The same word ``offset`` seconds later (a window's words on the answer's clock)."""
        return replace(self, start=self.start + offset, end=self.end + offset)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Word":
        return cls(str(data["word"]), float(data["start"]), float(data["end"]))


@dataclass(frozen=True)
class Transcript:
    """What was said: the text, and for audio the timed words."""

    text: str
    """The full transcript."""
    words: tuple[Word, ...] = ()
    """Timed words; empty when the answer came as text."""
    engine: Optional[str] = None
    """Name of the speech engine, or None for typed text."""
    duration_s: Optional[float] = None
    """Length of the audio in seconds, or None for text."""
    processing_s: Optional[float] = None
    """Seconds the engine spent transcribing."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", in_time_order(self.words))

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


def in_time_order(words) -> tuple[Word, ...]:
    """Words whose starts never go backwards and whose ends never precede their starts.

    Engines now and then time a word a few milliseconds before the one it follows (Whisper at a
    window edge); everything downstream (pauses, replay, evidence seconds) relies on the order.
    """
    ordered: list[Word] = []
    floor = 0.0
    for w in words:
        start = max(w.start, floor)
        end = max(w.end, start)
        ordered.append(w if (start, end) == (w.start, w.end) else replace(w, start=start, end=end))
        floor = start
    return tuple(ordered)


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check on one answer."""

    passed: bool
    """Whether the answer did what the check looks for."""
    required: bool
    """Whether the archetype demands it (only required checks decide the verdict)."""
    score: int
    """Confidence 0..100 that the answer does it."""
    evidence: Optional[str] = None
    """The words that satisfied the check, or None."""
    word_index: Optional[int] = None
    """Index of the first evidence word in the transcript's words."""
    seconds: Optional[float] = None
    """Seconds into the answer where the evidence starts (audio only)."""
    advice: Optional[str] = None
    """One sentence of advice when a required check failed."""

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "required": self.required,
            "score": self.score,
            "evidence": self.evidence,
            "word_index": self.word_index,
            "seconds": None if self.seconds is None else round(self.seconds, 2),
            "advice": self.advice,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CheckResult":
        return cls(**{k: data.get(k) for k in
                      ("passed", "required", "score", "evidence", "word_index", "seconds", "advice")})


@dataclass(frozen=True)
class Metrics:
    """Delivery figures for one answer."""

    words: int
    duration_s: Optional[float] = None
    wpm: Optional[float] = None
    fillers: int = 0
    fillers_per_min: Optional[float] = None

    def to_json(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 2),
            "wpm": None if self.wpm is None else round(self.wpm, 1),
            "fillers": self.fillers,
            "fillers_per_min": None if self.fillers_per_min is None else round(self.fillers_per_min, 2),
        }


@dataclass(frozen=True)
class Score:
    """The full verdict on one opening, in the contract's shape."""

    archetype: str
    transcript: str
    engine: Optional[str]
    checks: dict[str, CheckResult]
    metrics: Metrics

    @property
    def verdict(self) -> str:
        required = [c for c in self.checks.values() if c.required]
        return "pass" if all(c.passed for c in required) else "fail"

    def to_json(self) -> dict[str, Any]:
        return {
            "archetype": self.archetype,
            "transcript": self.transcript,
            "engine": self.engine,
            "checks": {name: self.checks[name].to_json() for name in CHECK_NAMES if name in self.checks},
            "verdict": self.verdict,
            "metrics": self.metrics.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Score":
        m = data.get("metrics") or {}
        return cls(
            archetype=data["archetype"],
            transcript=data.get("transcript", ""),
            engine=data.get("engine"),
            checks={k: CheckResult.from_json(v) for k, v in (data.get("checks") or {}).items()},
            metrics=Metrics(words=m.get("words", 0), duration_s=m.get("duration_s"), wpm=m.get("wpm"),
                            fillers=m.get("fillers", 0), fillers_per_min=m.get("fillers_per_min")),
        )


@dataclass(frozen=True)
class Prompt:
    """One thing an interviewer says, ending where the candidate must take charge."""

    id: str
    """Stable id, e.g. ``storyteller-1``; names the rendered audio file."""
    archetype: str
    text: str


@dataclass(frozen=True)
class Archetype:
    """An interviewer type from the first interview, and what the opening must do about it."""

    name: str
    title: str
    description: str
    advice: str
    """The article's coaching for this interviewer, shown before practice."""
    required_checks: tuple[str, ...]
    prompts: tuple[Prompt, ...] = field(default_factory=tuple)
