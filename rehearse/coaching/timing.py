"""Timing of a drill: the lights, the cut-off, overtime, pace and pauses. Pure: no clock, no device.

Every time here is in seconds **from the moment recording started** (the clock the user sees on the
live display, and the clock word timings are measured on). The answer's *end* is the end of its last
recognised word; the light reached and the overtime are judged at that end, so a slow start counts
against the limit, as it does in a real interview. ``spoken_s`` (first word to last word) is the
speaking time that pace and fillers per minute are measured over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from rehearse.core.errors import RehearseError
from rehearse.core.model import Score, Word

LIGHTS = ("none", "green", "yellow", "red")
"""The lights in the order they come on."""

DEFAULT_GREEN_FRACTION = 0.5
DEFAULT_YELLOW_FRACTION = 0.75
DEFAULT_RED_FRACTION = 1.0
DEFAULT_GRACE_FRACTION = 0.1
WPM_BAND = (120.0, 160.0)
"""Words per minute a listener follows comfortably (the target band shown to the user)."""


@dataclass(frozen=True)
class Lights:
    """When each light comes on for one drill, and how long recording goes on after red."""

    limit_s: float
    """The time the drill allows."""
    green_at_s: float
    yellow_at_s: float
    red_at_s: float
    grace_s: float
    """Seconds recording continues after red before it is cut."""

    @property
    def cutoff_s(self) -> float:
        """When recording is cut: red plus the grace period."""
        return self.red_at_s + self.grace_s

    @classmethod
    def for_limit(
        cls,
        limit_s: float,
        *,
        green_fraction: float = DEFAULT_GREEN_FRACTION,
        yellow_fraction: float = DEFAULT_YELLOW_FRACTION,
        red_fraction: float = DEFAULT_RED_FRACTION,
        grace_fraction: float = DEFAULT_GRACE_FRACTION,
        green_at_s: Optional[float] = None,
        yellow_at_s: Optional[float] = None,
        red_at_s: Optional[float] = None,
        grace_s: Optional[float] = None,
    ) -> "Lights":
        """Lights at fractions of ``limit_s``; an explicit ``*_at_s`` / ``grace_s`` wins over its fraction.

        Raises RehearseError unless 0 < green <= yellow <= red and the grace is not negative.
        """
        try:
            limit = float(limit_s)
            lights = cls(
                limit_s=limit,
                green_at_s=float(green_at_s if green_at_s is not None else limit * float(green_fraction)),
                yellow_at_s=float(yellow_at_s if yellow_at_s is not None else limit * float(yellow_fraction)),
                red_at_s=float(red_at_s if red_at_s is not None else limit * float(red_fraction)),
                grace_s=float(grace_s if grace_s is not None else limit * float(grace_fraction)),
            )
        except (TypeError, ValueError):
            raise RehearseError("The drill's time limit and light times must be numbers of seconds.") from None
        lights.validate()
        return lights

    def validate(self) -> None:
        if not self.limit_s > 0:
            raise RehearseError(f"The drill's time limit must be more than 0 seconds (got {self.limit_s:g}).")
        if not 0 < self.green_at_s <= self.yellow_at_s <= self.red_at_s:
            raise RehearseError(
                f"The lights must come on in order green <= yellow <= red, all after 0 s (got green "
                f"{self.green_at_s:g} s, yellow {self.yellow_at_s:g} s, red {self.red_at_s:g} s); fix the "
                "drill's settings."
            )
        if self.grace_s < 0:
            raise RehearseError(f"The grace period after red cannot be negative (got {self.grace_s:g} s).")

    def light_at(self, t: float) -> str:
        """The light showing at ``t`` seconds: none, green, yellow or red."""
        if t >= self.red_at_s:
            return "red"
        if t >= self.yellow_at_s:
            return "yellow"
        if t >= self.green_at_s:
            return "green"
        return "none"

    def next_change(self, t: float) -> Optional[tuple[str, float]]:
        """The next light to come on after ``t`` and when, or None once red shows."""
        for light, at in (("green", self.green_at_s), ("yellow", self.yellow_at_s), ("red", self.red_at_s)):
            if t < at:
                return light, at
        return None

    def should_stop(self, t: float) -> bool:
        """Whether recording must be cut at ``t`` (red plus grace reached)."""
        return t >= self.cutoff_s

    def to_json(self) -> dict[str, Any]:
        return {"limit_s": _r(self.limit_s), "green_at_s": _r(self.green_at_s), "yellow_at_s": _r(self.yellow_at_s),
                "red_at_s": _r(self.red_at_s), "grace_s": _r(self.grace_s)}


class LightTracker:
    """Follows the clock during recording and says when a new light comes on (each light once)."""

    def __init__(self, lights: Lights):
        self.lights = lights
        self.current = "none"

    def advance(self, t: float) -> list[str]:
        """The lights that came on since the last call, in order (several if the clock jumped)."""
        now = self.lights.light_at(t)
        start, end = LIGHTS.index(self.current), LIGHTS.index(now)
        if end <= start:
            return []
        self.current = now
        return list(LIGHTS[start + 1:end + 1])


def spoken_span(words: Sequence[Word]) -> Optional[tuple[float, float]]:
    """(start of the first word, end of the last word), or None without timed words."""
    if not words:
        return None
    return words[0].start, max(w.end for w in words)


def longest_pause(words: Sequence[Word]) -> tuple[float, Optional[float]]:
    """The longest silence between two consecutive words and when it began: (seconds, at_s).

    Silence before the first word is the start delay, not a pause; (0.0, None) with fewer than two words.
    """
    best, at = 0.0, None
    for before, after in zip(words, words[1:]):
        gap = after.start - before.end
        if gap > best:
            best, at = gap, before.end
    return best, at


def words_per_minute(n_words: int, spoken_s: Optional[float]) -> Optional[float]:
    """Pace over speaking time, or None when there is no speaking time."""
    if not spoken_s or spoken_s <= 0:
        return None
    return n_words / spoken_s * 60.0


def pace_band(wpm: Optional[float], band: tuple[float, float] = WPM_BAND) -> Optional[str]:
    """"slow", "in band" or "fast" against the target band; None without a pace."""
    if wpm is None:
        return None
    low, high = band
    if wpm < low:
        return "slow"
    if wpm > high:
        return "fast"
    return "in band"


def per_minute(count: int, spoken_s: Optional[float]) -> Optional[float]:
    if not spoken_s or spoken_s <= 0:
        return None
    return count / spoken_s * 60.0


def first_accomplishment_s(score: Score, words: Sequence[Word] = ()) -> Optional[float]:
    """When the accomplishment began: the check's ``seconds`` if it passed (else from its word index)."""
    check = score.checks.get("leads_with_accomplishment")
    if check is None or not check.passed:
        return None
    if check.seconds is not None:
        return float(check.seconds)
    if check.word_index is not None and 0 <= check.word_index < len(words):
        return words[check.word_index].start
    return None


@dataclass(frozen=True)
class RoundTiming:
    """The timing of one drill round, in the shape of the contract's ``"timing"`` object."""

    lights: Lights
    spoken_s: float
    """Speaking time: first word start to last word end (0 without words)."""
    started_at_s: Optional[float]
    """When the first word began (how long the speaker took to start)."""
    ended_at_s: Optional[float]
    """When the last word ended: where the light and overtime are judged."""
    recorded_s: float
    """Seconds of audio recorded (includes the silence that ended it, or the grace period)."""
    light: str
    """The light showing when the answer ended: none, green, yellow or red."""
    overtime_s: float
    """Seconds past the limit at the answer's end (0 when within it)."""
    cut: bool
    """Whether recording was cut at red plus grace (the speaker was still going)."""
    first_accomplishment_s: Optional[float]
    wpm: Optional[float]
    wpm_band: tuple[float, float]
    pace: Optional[str]
    """slow, in band or fast."""
    longest_pause_s: float
    longest_pause_at_s: Optional[float]
    fillers: int
    fillers_per_min: Optional[float]
    filler_words: dict[str, int]
    """How often each filler was heard."""

    def to_json(self) -> dict[str, Any]:
        return {
            "limit_s": _r(self.lights.limit_s),
            "spoken_s": _r(self.spoken_s),
            "green_at_s": _r(self.lights.green_at_s),
            "yellow_at_s": _r(self.lights.yellow_at_s),
            "red_at_s": _r(self.lights.red_at_s),
            "light": self.light,
            "overtime_s": _r(self.overtime_s),
            "first_accomplishment_s": _r(self.first_accomplishment_s),
            "grace_s": _r(self.lights.grace_s),
            "started_at_s": _r(self.started_at_s),
            "ended_at_s": _r(self.ended_at_s),
            "recorded_s": _r(self.recorded_s),
            "cut": self.cut,
            "wpm": _r(self.wpm, 1),
            "wpm_band": [self.wpm_band[0], self.wpm_band[1]],
            "pace": self.pace,
            "longest_pause_s": _r(self.longest_pause_s),
            "longest_pause_at_s": _r(self.longest_pause_at_s),
            "fillers": self.fillers,
            "fillers_per_min": _r(self.fillers_per_min),
            "filler_words": dict(self.filler_words),
        }


def measure(
    lights: Lights,
    words: Sequence[Word],
    *,
    recorded_s: float,
    cut: bool,
    score: Optional[Score] = None,
    filler_words: Optional[dict[str, int]] = None,
    n_words: Optional[int] = None,
    wpm_band: tuple[float, float] = WPM_BAND,
) -> RoundTiming:
    """The timing of one round from its timed words.

    ``n_words`` is the word count pace is measured with (default: the timed words); ``filler_words``
    the fillers heard, by filler.
    """
    span = spoken_span(words)
    if span is None:
        started = ended = None
        spoken = 0.0
    else:
        started, ended = span
        spoken = max(0.0, ended - started)
    end_for_light = ended if ended is not None else 0.0
    light = lights.light_at(end_for_light) if ended is not None else "none"
    overtime = max(0.0, end_for_light - lights.limit_s)
    count = len(words) if n_words is None else n_words
    wpm = words_per_minute(count, spoken)
    pause, pause_at = longest_pause(words)
    heard = dict(filler_words or {})
    n_fillers = sum(heard.values())
    return RoundTiming(
        lights=lights, spoken_s=spoken, started_at_s=started, ended_at_s=ended, recorded_s=float(recorded_s),
        light=light, overtime_s=overtime, cut=bool(cut),
        first_accomplishment_s=first_accomplishment_s(score, words) if score is not None else None,
        wpm=wpm, wpm_band=(float(wpm_band[0]), float(wpm_band[1])), pace=pace_band(wpm, wpm_band),
        longest_pause_s=pause, longest_pause_at_s=pause_at,
        fillers=n_fillers, fillers_per_min=per_minute(n_fillers, spoken), filler_words=heard,
    )


def filler_counts(tokens: Iterable[str], fillers: Iterable[str]) -> dict[str, int]:
    """How often each filler occurs; the same rule as :func:`rehearse.coaching.metrics.count_fillers`."""
    from rehearse.coaching.metrics import filler_counts as count

    return count(list(tokens), list(fillers))


def _r(value: Optional[float], digits: int = 2) -> Optional[float]:
    return None if value is None else round(float(value), digits)
