"""A short mock second interview, turn by turn, each turn one round over the ports.

    interviewer's line -> the answer (one :func:`rehearse.session.round.run_round`) -> the next line
    chosen from what the answer did (:mod:`rehearse.coaching.interview`) -> ... -> a closing line

Every turn is saved as a session with mode ``interview``; its ``extra["interview"]`` holds the
interview's id, the turn number, the line that was spoken (``line``), the interviewer's reply to the
answer (``reply``: the next turn's line, or the closing line after the last turn), and whether the
answer took charge and how fast (``took_charge``, ``charge_s``, as judged when it was saved).
:func:`load` puts a saved interview back together from those sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from rehearse.coaching import interview as coach
from rehearse.coaching import personal
from rehearse.core.errors import RehearseError
from rehearse.core.model import Archetype, Prompt, Score
from rehearse.session.round import RoundPorts, RoundResult, run_round, speak_or_show

MODE = "interview"


@dataclass(frozen=True)
class Turn:
    """One turn: what the interviewer said, the answer, and the interviewer's reply to it."""

    number: int
    session_id: str
    line: dict[str, Any]
    """``{"id", "move", "text"}`` of the line spoken (move ``opening`` for the first)."""
    transcript: str
    score: Optional[dict[str, Any]]
    """The contract's score object, or None when the turn was not scored."""
    answer: coach.Answer
    reply: Optional[dict[str, Any]]
    """``{"id", "move", "text", "why"}`` of the reply (the closing line after the last turn)."""
    duration_s: Optional[float] = None

    def to_json(self, archetype: str) -> dict[str, Any]:
        took = coach.took_charge(archetype, self.answer)
        charge = coach.charge_seconds(archetype, self.answer)
        return {"turn": self.number, "session_id": self.session_id, "interviewer": self.line,
                "transcript": self.transcript, "took_charge": took,
                "charge_s": None if charge is None else round(charge, 2),
                "first_word_s": None if self.answer.first_word_s is None else round(self.answer.first_word_s, 2),
                "duration_s": None if self.duration_s is None else round(self.duration_s, 2),
                "reply": self.reply, "score": self.score}


@dataclass(frozen=True)
class Interview:
    """A whole interview (finished, or as far as it went)."""

    id: str
    archetype: Archetype
    turns_planned: int
    turns: tuple[Turn, ...]
    closing: Optional[dict[str, Any]]
    """The closing line, once the last turn is in."""

    @property
    def summary(self) -> coach.Summary:
        return coach.summarize(self.archetype.name, self.archetype.required_checks, [t.answer for t in self.turns])

    @property
    def complete(self) -> bool:
        return len(self.turns) == self.turns_planned and self.closing is not None

    def to_json(self) -> dict[str, Any]:
        return {"interview_id": self.id, "archetype": self.archetype.name, "turns": self.turns_planned,
                "complete": self.complete, **self.summary.to_json(),
                "conversation": [t.to_json(self.archetype.name) for t in self.turns],
                "closing": self.closing}


def new_interview_id() -> str:
    from rehearse.store.sessions import new_session_id

    return "iv-" + new_session_id()


def _line_json(prompt: Prompt, move: str) -> dict[str, Any]:
    return {"id": prompt.id, "move": move, "text": prompt.text}


def run_interview(
    *,
    archetype: Archetype,
    opening: Prompt,
    ports: RoundPorts,
    turns: int = coach.DEFAULT_TURNS,
    script: Optional[coach.Script] = None,
    targets: Optional[personal.Targets] = None,
    max_seconds: float = 120.0,
    interview_id: Optional[str] = None,
    on_turn_start: Optional[Callable[[int, int, Prompt], None]] = None,
    on_recording_start: Optional[Callable[[], None]] = None,
    on_recording_end: Optional[Callable[[Any], None]] = None,
    on_turn_done: Optional[Callable[[Turn], None]] = None,
) -> Interview:
    """Run the interview: ``turns`` answers, each a round saved as a session, then the closing line.

    Whatever stops a round (Ctrl-C, no speech, a failed engine) stops the interview with that error;
    the turns so far stay saved and :func:`load` shows them.
    """
    coach.check_turns(turns)
    script = script or coach.load_script(archetype.name)
    interview_id = interview_id or new_interview_id()
    prompt, move = opening, "opening"
    said: list[str] = [opening.id]
    done: list[Turn] = []
    closing: Optional[coach.Reply] = None
    for number in range(1, turns + 1):
        last = number == turns
        decided: dict[str, Any] = {}

        def extra(recording, transcript, score: Score, number=number, last=last, prompt=prompt, move=move,
                  decided=decided) -> dict:
            first = transcript.words[0].start if transcript.words else None
            answer = coach.Answer.from_checks(score.checks, first_word_s=first)
            answers = [t.answer for t in done] + [answer]
            reply = coach.closing(script, answers, said) if last else coach.reply_to(script, answer, said)
            decided.update(answer=answer, reply=reply)
            charge = coach.charge_seconds(archetype.name, answer)
            return {MODE: {"id": interview_id, "turn": number, "turns": turns, "line": _line_json(prompt, move),
                           "reply": reply.to_json(), "last": last,
                           "took_charge": coach.took_charge(archetype.name, answer),
                           "charge_s": None if charge is None else round(charge, 2),
                           "first_word_s": None if first is None else round(first, 2)}}

        if on_turn_start is not None:
            on_turn_start(number, turns, prompt)
        result: RoundResult = run_round(archetype=archetype, prompt=prompt, ports=ports, targets=targets,
                                        mode=MODE, max_seconds=max_seconds,
                                        on_recording_start=on_recording_start,
                                        on_recording_end=on_recording_end, extra=extra)
        reply: coach.Reply = decided["reply"]
        turn = Turn(number=number, session_id=result.session_id, line=_line_json(prompt, move),
                    transcript=result.transcript.text, score=result.score.to_json(), answer=decided["answer"],
                    reply=reply.to_json(), duration_s=result.recording.duration_s)
        done.append(turn)
        said.append(reply.id)
        if on_turn_done is not None:
            on_turn_done(turn)
        if last:
            closing = reply
        else:
            prompt, move = Prompt(id=reply.id, archetype=archetype.name, text=reply.text), reply.move
    assert closing is not None
    speak_or_show(ports.speaker, Prompt(id=closing.id, archetype=archetype.name, text=closing.text), ports.notify)
    return Interview(id=interview_id, archetype=archetype, turns_planned=turns, turns=tuple(done),
                     closing=closing.to_json())


def load(store, ref: str, archetypes: Callable[[str], Archetype]) -> Interview:
    """A saved interview by id, a unique prefix of one, or ``last``; judged on each turn's current score.

    ``archetypes`` maps an archetype name to the :class:`Archetype` (``rehearse.core.archetypes.get``).
    """
    sessions = [s for s in store.list(mode=MODE) if isinstance(s.extra.get(MODE), dict)]
    ids = list(dict.fromkeys(s.extra[MODE].get("id") for s in sessions if s.extra[MODE].get("id")))
    if not ids:
        raise RehearseError("There are no saved mock interviews yet; run `rehearse interview --archetype ARCH`.")
    ref = (ref or "last").strip()
    if ref == "last":
        chosen = ids[0]
    else:
        matches = [i for i in ids if i == ref] or [i for i in ids if i.startswith(ref)]
        if not matches:
            raise RehearseError(f"No mock interview matches {ref!r}; recent ones: {', '.join(ids[:5])}.")
        if len(matches) > 1:
            raise RehearseError(f"{ref!r} matches several interviews ({', '.join(matches[:5])}); give more of the id.")
        chosen = matches[0]
    rows = sorted((s for s in sessions if s.extra[MODE].get("id") == chosen), key=lambda s: s.extra[MODE].get("turn", 0))
    archetype = archetypes(rows[0].archetype)
    turns = []
    for s in rows:
        data = s.extra[MODE]
        checks = (s.score or {}).get("checks") or {}
        first = s.words[0].start if s.words else None
        turns.append(Turn(number=int(data.get("turn", 0)), session_id=s.id, line=data.get("line") or {},
                          transcript=s.transcript or "", score=s.score, answer=coach.Answer.from_checks(checks, first),
                          reply=data.get("reply") if s.score else None, duration_s=s.duration_s))
    planned = int(rows[-1].extra[MODE].get("turns", len(rows)))
    last = rows[-1].extra[MODE]
    closing = last.get("reply") if last.get("last") and rows[-1].score else None
    return Interview(id=chosen, archetype=archetype, turns_planned=planned, turns=tuple(turns), closing=closing)


def conversation(interview: Interview) -> Sequence[tuple[str, str]]:
    """The conversation as (speaker, words) pairs: ``interviewer`` or ``you``."""
    out = []
    for t in interview.turns:
        out.append(("interviewer", t.line.get("text", "")))
        out.append(("you", t.transcript))
    if interview.closing:
        out.append(("interviewer", interview.closing.get("text", "")))
    return out
