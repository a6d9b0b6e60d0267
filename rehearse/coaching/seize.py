"""Seize the moment: when, in the storyteller's monologue, the candidate took the floor. Pure.

The storyteller opens with a monologue, one sentence at a time, with a pause after each
(``rehearse/data/interview.toml``, move ``monologue``). The candidate may start speaking in any pause;
the interviewer, hearing them start, waits instead of going on. This module holds the timing:

- :class:`FloorWatch`, fed one decision per frame of microphone audio (is it speech? is the
  interviewer audible in it?), says when a run of speech starts that may become the candidate's
  (:attr:`FloorWatch.pending`: the player holds the next sentence) and when it has become the floor
  (:attr:`FloorWatch.taken_at_s`).
- :func:`locate` puts that moment in the monologue: which pause (or sentence), how many seconds after
  the interview started, how many pauses went by first.
- :func:`judge` adds whether what the candidate said then led with an accomplishment and presented
  their best one (the personal check), and says it in one sentence.

How the interviewer's own voice is kept from counting depends on how the candidate listens
(:data:`MODES`): with headphones the microphone does not hear it; with speakers either only speech
that starts in the interviewer's pauses counts (:data:`PAUSES`: from ``guard_s`` after each sentence,
and once the microphone has been quiet ``quiet_s``, so an echo that comes late is not taken for the
candidate), or the speech decisions are made on the microphone with the played signal subtracted
(:data:`SUBTRACT`, see :mod:`rehearse.audio.echo`), so speech counts over the interviewer too (if it
lasts ``overlap_speech_s``: a moment of misaligned subtraction is shorter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

PAUSES = "pauses"
SUBTRACT = "subtract"
HEADPHONES = "headphones"
MODES = (PAUSES, SUBTRACT, HEADPHONES)
DEFAULT_MODE = PAUSES
"""Speakers, pause-only: it needs nothing from the room (see the README for why it is the default)."""

GUARD_S = 0.25
"""After the interviewer's voice stops, speech is not counted for this long (the echo's tail)."""
MIN_SPEECH_S = 0.3
"""Speech needed before the floor counts as taken (a cough or a click is not taking the floor)."""
GAP_S = 0.12
"""Silence a run of speech may hold and still be one run."""
QUIET_S = 0.15
"""With speakers, after the interviewer's voice stops the microphone must be quiet this long (the
echo has died away, however late it came) before speech counts."""
LATE_ECHO_S = 0.4
"""Past ``guard_s`` plus this, speech counts even if the microphone was never quiet (an echo is not
that late; someone who began to speak as the interviewer stopped is still talking)."""
OVERLAP_SPEECH_S = 0.6
"""Subtraction: speech that starts over the interviewer must last this long to take the floor (what a
moment of misaligned subtraction leaves is shorter)."""


@dataclass
class FloorWatch:
    """Decides, frame by frame of microphone audio, when the candidate took the floor."""

    frame_s: float
    mode: str = DEFAULT_MODE
    guard_s: float = GUARD_S
    min_speech_s: float = MIN_SPEECH_S
    gap_s: float = GAP_S
    quiet_s: float = QUIET_S
    late_echo_s: float = LATE_ECHO_S
    overlap_speech_s: float = OVERLAP_SPEECH_S

    _frames: int = field(default=0, init=False)
    _quiet_frames: int = field(default=10**9, init=False)
    _silent_run: int = field(default=10**9, init=False)
    _open: bool = field(default=True, init=False)
    _heard: bool = field(default=False, init=False)
    _run_over: bool = field(default=False, init=False)
    _run_start: Optional[int] = field(default=None, init=False)
    _run_speech: int = field(default=0, init=False)
    _run_gap: int = field(default=0, init=False)
    _taken: Optional[int] = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.frame_s <= 0:
            raise ValueError("frame_s must be positive")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._guard = int(round(self.guard_s / self.frame_s))
        self._need = max(1, int(round(self.min_speech_s / self.frame_s)))
        self._gap = int(round(self.gap_s / self.frame_s))
        self._quiet = max(1, int(round(self.quiet_s / self.frame_s)))
        self._late = int(round(self.late_echo_s / self.frame_s))
        self._need_over = max(self._need, int(round(self.overlap_speech_s / self.frame_s)))

    def feed(self, speech: bool, interviewer: bool = False) -> bool:
        """Take the next frame: whether it is speech (on the microphone, or on what is left of it
        once the played signal is subtracted), and whether the interviewer is audible in it. True
        once the floor is taken (and from then on)."""
        frame = self._frames
        self._frames += 1
        if self._taken is not None:
            return True
        self._quiet_frames = 0 if interviewer else self._quiet_frames + 1
        self._silent_run = 0 if speech else self._silent_run + 1
        if interviewer:
            self._open = False
        elif not self._open and self._quiet_frames > self._guard and (
                self._silent_run >= self._quiet or self._quiet_frames > self._guard + self._late):
            self._open = True  # the interviewer stopped and their echo has died away: a pause
        # someone is talking in the pause (counted or not yet): the interviewer should wait
        if interviewer or self._silent_run > self._gap:
            self._heard = False
        elif speech and self._quiet_frames > self._guard:
            self._heard = True
        if self.mode == PAUSES and interviewer:
            self._reset()  # the microphone hears the interviewer: nothing said now can be told apart
            return False
        if self.mode == HEADPHONES:
            counts = speech
        elif self.mode == SUBTRACT:
            counts = speech and (interviewer or self._open)
        else:
            counts = speech and self._open
        if counts:
            if self._run_start is None:
                self._run_start = frame
                self._run_over = interviewer and self.mode == SUBTRACT
            self._run_speech += 1
            self._run_gap = 0
            if self._run_speech >= (self._need_over if self._run_over else self._need):
                self._taken = self._run_start
        elif self._run_start is not None:
            self._run_gap += 1
            if self._run_gap > self._gap:
                self._reset()
        return self._taken is not None

    def _reset(self) -> None:
        self._run_start, self._run_speech, self._run_gap, self._run_over = None, 0, 0, False

    @property
    def pending(self) -> bool:
        """Speech that may be the candidate's has started (hold the next sentence until it is decided)."""
        return self._taken is None and (self._run_start is not None or self._heard)

    @property
    def taken(self) -> bool:
        return self._taken is not None

    @property
    def taken_at_s(self) -> Optional[float]:
        """When the run of speech that took the floor began, in seconds from the first frame fed."""
        return None if self._taken is None else self._taken * self.frame_s

    @property
    def elapsed_s(self) -> float:
        return self._frames * self.frame_s


@dataclass(frozen=True)
class Spoken:
    """One monologue sentence as it was played, in seconds after the interview started."""

    index: int
    """1-based; pause k is the one after sentence k."""
    line_id: str
    start_s: float
    end_s: float

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.line_id, "start_s": round(self.start_s, 2),
                "end_s": round(self.end_s, 2)}


@dataclass(frozen=True)
class Outcome:
    """Where in the monologue the candidate took the floor."""

    seize_s: Optional[float]
    """Seconds after the interview started (its first word) when the candidate began to speak; None
    when they never did."""
    where: str
    """``pause`` (in pause ``index``), ``sentence`` (over sentence ``index``: barge-in, heard only
    with headphones or subtraction), ``after`` (only once the monologue had ended) or ``never``."""
    index: Optional[int]
    pauses_offered: int
    """Pauses that had fully gone by before the candidate spoke (all of them when they did not)."""
    sentences: tuple[Spoken, ...] = ()
    monologue_s: Optional[float] = None
    """When the monologue ended (its last pause included), in seconds after the interview started."""

    @property
    def took_floor(self) -> bool:
        """Whether the candidate took the floor during the monologue (before it ended)."""
        return self.where in ("pause", "sentence")

    def to_json(self) -> dict[str, Any]:
        return {"took_floor": self.took_floor,
                "seize_s": None if self.seize_s is None else round(self.seize_s, 2),
                "where": self.where, "index": self.index, "pauses_offered": self.pauses_offered,
                "monologue_s": None if self.monologue_s is None else round(self.monologue_s, 2),
                "sentences": [s.to_json() for s in self.sentences]}


def locate(seize_s: Optional[float], sentences: Sequence[Spoken], monologue_end_s: float) -> Outcome:
    """Place the moment the candidate began in the monologue that was played.

    ``sentences`` as they were played (a held pause makes them later than planned), and
    ``monologue_end_s`` when the last pause ended (the monologue ends early when the floor is taken:
    pass the end it would have had, or anything past the seize).
    """
    sentences = tuple(sentences)
    if seize_s is None:
        return Outcome(None, "never", None, len(sentences), sentences, monologue_end_s)
    if seize_s >= monologue_end_s:
        return Outcome(seize_s, "after", None, len(sentences), sentences, monologue_end_s)
    for k, sentence in enumerate(sentences, start=1):
        following = sentences[k].start_s if k < len(sentences) else monologue_end_s
        if seize_s < sentence.start_s:
            break
        if seize_s < sentence.end_s:
            return Outcome(seize_s, "sentence", k, k - 1, sentences, monologue_end_s)
        if seize_s < following:
            return Outcome(seize_s, "pause", k, k - 1, sentences, monologue_end_s)
    # Before the first sentence began (the candidate spoke first): the first moment counts as pause 0.
    return Outcome(seize_s, "pause", 0, 0, sentences, monologue_end_s)


def outcome_of(seize_s: Optional[float], sentences: Sequence[tuple[int, str, float, float]],
               monologue_end_s: Optional[float]) -> Outcome:
    """:func:`locate` from what a monologue recorder reports: ``(index, line id, start_s, end_s)``."""
    spoken = [Spoken(int(i), str(line), float(a), float(b)) for i, line, a, b in sentences]
    return locate(seize_s, spoken, float("inf") if monologue_end_s is None else monologue_end_s)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Judgement:
    """The seize, and whether what was said then was the best accomplishment."""

    outcome: Outcome
    leads: bool
    """The answer led with an accomplishment (the ``leads_with_accomplishment`` check)."""
    best: Optional[bool]
    """It presented the bank's best accomplishment (the personal check); None without a best entry."""
    best_title: Optional[str] = None

    @property
    def verdict(self) -> str:
        """``seized`` (took the floor in the monologue with an accomplishment up front, the best one
        when there is a best one), ``seized_weakly`` (took the floor with something else), ``late``
        (spoke only after the monologue) or ``never``."""
        if self.outcome.where == "never":
            return "never"
        if not self.outcome.took_floor:
            return "late"
        return "seized" if self.leads and self.best is not False else "seized_weakly"

    @property
    def message(self) -> str:
        o = self.outcome
        if o.where == "never":
            return (f"You never took the floor: the monologue went by, {o.pauses_offered} pauses in all, "
                    "and you said nothing.")
        if o.where == "after":
            return (f"The monologue ended and you never took the floor: {o.pauses_offered} pauses went by. "
                    "Next time start speaking in the first pause.")
        place = (f"in the {ordinal(o.index)} pause" if o.where == "pause" and o.index
                 else "before the interviewer began" if o.where == "pause"
                 else f"over the {ordinal(o.index)} sentence")
        head = f"You took the floor {o.seize_s:.1f} s into the interview, {place}"
        what = self.best_title or "your best accomplishment"
        if self.leads and self.best:
            return f"{head}, with your best accomplishment ({what})."
        if self.leads and self.best is None:
            return f"{head}, leading with an accomplishment (mark your best with `rehearse accomplishments best`)."
        if self.leads:
            return f"{head} with an accomplishment, but not your best one ({what})."
        if self.best:
            return f"{head}; you named {what}, but not up front: lead with it."
        return f"{head}, but did not lead with an accomplishment: open with {what}."

    def to_json(self) -> dict[str, Any]:
        return {**self.outcome.to_json(), "leads_with_accomplishment": self.leads, "presents_best": self.best,
                "best_title": self.best_title, "verdict": self.verdict, "message": self.message}


def judge(outcome: Outcome, checks: dict[str, Any], personal: Optional[Sequence[dict]] = None,
          best_title: Optional[str] = None) -> Judgement:
    """Judge a seize from the answer's checks (contract JSON or CheckResults) and its personal checks
    (``personal.results_json``; the ``presents_accomplishment`` one, when there is a best entry)."""
    lead = checks.get("leads_with_accomplishment")
    leads = bool(lead.get("passed") if isinstance(lead, dict) else getattr(lead, "passed", False))
    best = None
    for item in personal or ():
        if item.get("name") == "presents_accomplishment":
            best = bool(item.get("passed"))
            best_title = best_title or item.get("target")
    return Judgement(outcome=outcome, leads=leads, best=best, best_title=best_title)
