"""A short mock second interview, turn by turn, each turn one round over the ports.

    interviewer's line -> the answer (one :func:`rehearse.session.round.run_round`) -> the next line
    chosen from what the answer did (:mod:`rehearse.coaching.interview`) -> ... -> a closing line

Every turn is saved as a session with mode ``interview``; its ``extra["interview"]`` holds the
interview's id, the turn number, the line that was spoken (``line``), the interviewer's reply to the
answer (``reply``: the next turn's line, or the closing line after the last turn), and whether the
answer took charge and how fast (``took_charge``, ``charge_s``, as judged when it was saved).
:func:`load` puts a saved interview back together from those sessions.

**Seize the moment.** With a ``monologue`` recorder (storyteller, with sound), the first turn opens
with the storyteller's monologue instead of a prompt: the recorder
(:class:`rehearse.audio.monologue.MonologueRecorder`) plays it with its pauses while recording, and
the answer is what the candidate said once they took the floor. That turn's
``extra["interview"]["seize"]`` holds when they took it (seconds after the interview started, which
pause), whether what they said then led with an accomplishment and presented their best one
(:func:`rehearse.coaching.seize.judge`), and how the echo was handled (mode, delay, suppression).
An answer given only once the monologue was over does not take charge.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Optional, Sequence

from rehearse.coaching import interview as coach
from rehearse.coaching import personal
from rehearse.coaching import seize as seizing
from rehearse.core.errors import RehearseError
from rehearse.core.model import Archetype, Prompt, Score
from rehearse.session.round import RoundPorts, RoundResult, personal_results, run_round, speak_or_show

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
    seize: Optional[dict[str, Any]] = None
    """For a turn that opened with the storyteller's monologue: the seize (see the module's docstring)."""

    def to_json(self, archetype: str) -> dict[str, Any]:
        took = coach.took_charge(archetype, self.answer)
        charge = coach.charge_seconds(archetype, self.answer)
        return {"turn": self.number, "session_id": self.session_id, "interviewer": self.line,
                "transcript": self.transcript, "took_charge": took,
                "charge_s": None if charge is None else round(charge, 2),
                "first_word_s": None if self.answer.first_word_s is None else round(self.answer.first_word_s, 2),
                "duration_s": None if self.duration_s is None else round(self.duration_s, 2),
                "reply": self.reply, "seize": self.seize, "score": self.score}


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
        seize = self.turns[0].seize if self.turns else None
        return {"interview_id": self.id, "archetype": self.archetype.name, "turns": self.turns_planned,
                "complete": self.complete, **self.summary.to_json(), "seize": seize,
                "conversation": [t.to_json(self.archetype.name) for t in self.turns],
                "closing": self.closing}


def new_interview_id() -> str:
    from rehearse.store.sessions import new_session_id

    return "iv-" + new_session_id()


def _line_json(prompt: Prompt, move: str) -> dict[str, Any]:
    return {"id": prompt.id, "move": move, "text": prompt.text}


def monologue_prompt(script: coach.Script) -> Prompt:
    """The storyteller's monologue as one prompt (saved as the first turn's line)."""
    lines = script.lines.get(coach.MONOLOGUE) or ()
    if not lines:
        raise RehearseError(f"The {script.archetype} interview has no monologue lines.")
    return Prompt(id=f"interview-{script.archetype}-{coach.MONOLOGUE}", archetype=script.archetype,
                  text=" ".join(line.text for line in lines))


class _LineByLine:
    """Says a reply of two lines (a salesperson asked both key questions) one line at a time, so each
    line plays its own pre-rendered file instead of the pair being rendered on the spot."""

    def __init__(self, speaker, parts: dict[str, list[Prompt]]):
        self.speaker = speaker
        self.parts = parts

    def speak(self, prompt: Prompt) -> None:
        for part in self.parts.get(prompt.id, [prompt]):
            self.speaker.speak(part)


def _by_line(ports: RoundPorts, reply: coach.Reply, archetype: str) -> RoundPorts:
    from rehearse.audio.speaker import TextOnlySpeaker

    if len(reply.lines) < 2 or isinstance(ports.speaker, TextOnlySpeaker):
        return ports
    parts = {reply.id: [Prompt(id=line.id, archetype=archetype, text=line.text) for line in reply.lines]}
    return replace(ports, speaker=_LineByLine(ports.speaker, parts))


class _Silent:
    """The speaker of the monologue's turn: the monologue recorder plays it."""

    def speak(self, prompt: Prompt) -> None:
        return None


def seize_json(recorder, transcript, score: Score, targets: Optional[personal.Targets]) -> dict[str, Any]:
    """The seize of a monologue turn, judged on its answer (see :func:`rehearse.coaching.seize.judge`)."""
    outcome = seizing.outcome_of(recorder.seize_s, recorder.sentences, recorder.monologue_end_s)
    mine = personal_results(transcript, targets)
    title = targets.accomplishment.title if targets is not None and targets.accomplishment is not None else None
    data = seizing.judge(outcome, score.checks, mine, title).to_json()
    delay = getattr(recorder, "delay_s", None)
    suppression = getattr(recorder, "suppression_db", None)
    data.update(mode=getattr(recorder, "mode", None), delay_s=None if delay is None else round(delay, 3),
                delay_measured=bool(getattr(recorder, "delay_measured", False)),
                suppression_db=None if suppression is None else round(suppression, 1))
    return data


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
    monologue: Any = None,
) -> Interview:
    """Run the interview: ``turns`` answers, each a round saved as a session, then the closing line.

    ``monologue``: a recorder that plays the storyteller's monologue while it records (a
    :class:`rehearse.audio.monologue.MonologueRecorder`, or a double with ``record`` and ``outcome``);
    the first turn then opens with it instead of ``opening``.

    Whatever stops a round (Ctrl-C, no speech, a failed engine) stops the interview with that error;
    the turns so far stay saved and :func:`load` shows them.
    """
    coach.check_turns(turns)
    script = script or coach.load_script(archetype.name)
    interview_id = interview_id or new_interview_id()
    prompt, move = opening, "opening"
    if monologue is not None:
        prompt, move = monologue_prompt(script), coach.MONOLOGUE
    said: list[str] = [prompt.id]
    done: list[Turn] = []
    closing: Optional[coach.Reply] = None
    previous: Optional[coach.Reply] = None
    for number in range(1, turns + 1):
        last = number == turns
        decided: dict[str, Any] = {}
        seizes = monologue is not None and number == 1

        def extra(recording, transcript, score: Score, number=number, last=last, prompt=prompt, move=move,
                  decided=decided, seizes=seizes) -> dict:
            first = transcript.words[0].start if transcript.words else None
            seize = seize_json(monologue, transcript, score, targets) if seizes else None
            answer = coach.Answer.from_checks(score.checks, first_word_s=first,
                                              seized=None if seize is None else seize["took_floor"])
            answers = [t.answer for t in done] + [answer]
            reply = coach.closing(script, answers, said) if last else coach.reply_to(script, answer, said)
            decided.update(answer=answer, reply=reply, seize=seize)
            charge = coach.charge_seconds(archetype.name, answer)
            data = {"id": interview_id, "turn": number, "turns": turns, "line": _line_json(prompt, move),
                    "reply": reply.to_json(), "last": last,
                    "took_charge": coach.took_charge(archetype.name, answer),
                    "charge_s": None if charge is None else round(charge, 2),
                    "first_word_s": None if first is None else round(first, 2)}
            if seize is not None:
                data["seize"] = seize
            return {MODE: data}

        if on_turn_start is not None:
            on_turn_start(number, turns, prompt)
        turn_ports = (replace(ports, speaker=_Silent(), recorder=monologue) if seizes
                      else _by_line(ports, previous, archetype.name) if previous is not None else ports)
        result: RoundResult = run_round(archetype=archetype, prompt=prompt, ports=turn_ports, targets=targets,
                                        mode=MODE, max_seconds=max_seconds,
                                        on_recording_start=on_recording_start,
                                        on_recording_end=on_recording_end, extra=extra)
        reply: coach.Reply = decided["reply"]
        turn = Turn(number=number, session_id=result.session_id, line=_line_json(prompt, move),
                    transcript=result.transcript.text, score=result.score.to_json(), answer=decided["answer"],
                    reply=reply.to_json(), duration_s=result.recording.duration_s, seize=decided["seize"])
        done.append(turn)
        said.append(reply.id)
        if on_turn_done is not None:
            on_turn_done(turn)
        if last:
            closing = reply
        else:
            prompt, move = Prompt(id=reply.id, archetype=archetype.name, text=reply.text), reply.move
            previous = reply
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
        seize = data.get("seize") if isinstance(data.get("seize"), dict) else None
        seized = None if seize is None else bool(seize.get("took_floor"))
        turns.append(Turn(number=int(data.get("turn", 0)), session_id=s.id, line=data.get("line") or {},
                          transcript=s.transcript or "", score=s.score,
                          answer=coach.Answer.from_checks(checks, first, seized=seized),
                          reply=data.get("reply") if s.score else None, duration_s=s.duration_s, seize=seize))
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
