"""The mock second interview's interviewer: what they say next, chosen by what the last answer did.

Pure: the checks of an answer (the five checks of :mod:`rehearse.coaching.scoring`) and the lines
already said in, the interviewer's next move and line out. The lines live in
``rehearse/data/interview.toml`` plus the user's ``REHEARSE_HOME/prompts/*.toml``, whose lines are
said first (read by :func:`load_script`, the only function here that touches a file).

Each archetype stays in character:

- **challenger** (doubted your qualifications): an accomplishment *with* a measurable result answers
  the doubt, so they move on to the next doubt (``next_doubt``); an accomplishment without a number,
  or a number without what you did, draws a push-back (``push_back``: "That sounds like a team effort.
  What did you change, and by how much?"); neither, ``evasion``.
- **salesperson** (pitched and asked nothing): a key question asked (first year, effective
  contributor) is answered briefly (``answer_first_year``, ``answer_contributor``, both when both were
  asked); none asked, they go back to pitching (``pitch``), so the candidate must take the floor again.
  The closing line says so when the candidate never asked either (``close_never_asked``).
- **storyteller** (talked the whole time): an answer that leads with an accomplishment seized the
  moment, and they ask about it (``follow_up``); otherwise they resume the monologue (``resume``).
  With sound, the interview opens with the ``monologue`` lines, each followed by a pause in which the
  candidate may take the floor (timed by :mod:`rehearse.coaching.seize`); an answer given only after
  the whole monologue did not seize the moment, so it does not take charge.

An answer *took charge* when it did what that interviewer leaves room for (the same tests as the
moves above); :func:`summarize` gives, over a whole interview, which turns took charge, how fast,
and whether the interview's goals (every required check of the archetype, met in some turn) and
its first minute (the first answer took charge) were met.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rehearse.core.errors import RehearseError
from rehearse.core.model import Prompt

LEADS = "leads_with_accomplishment"
FIRST_YEAR = "asks_first_year_question"
CONTRIBUTOR = "asks_contributor_question"
THANKS = "thanks_for_callback"
NUMBER = "quantified_result"

MOVES: dict[str, tuple[str, ...]] = {
    "challenger": ("next_doubt", "push_back", "evasion", "close_convinced", "close_unconvinced"),
    "salesperson": ("answer_first_year", "answer_contributor", "pitch", "close_asked", "close_never_asked"),
    "storyteller": ("follow_up", "resume", "close_seized", "close_never_seized", "monologue"),
}
"""The moves of each interviewer; every move needs at least one line."""

MONOLOGUE = "monologue"
"""The storyteller's opening monologue: sentences with pauses (``pause_after``); a user's replace these."""
PAUSE_RANGE = (0.3, 5.0)
"""Seconds a ``pause_after`` may be."""
DEFAULT_PAUSE_S = 1.2
"""The pause after a monologue line that gives none."""

CHARGE_CHECKS: dict[str, tuple[str, ...]] = {
    "challenger": (LEADS, NUMBER),
    "salesperson": (FIRST_YEAR, CONTRIBUTOR),
    "storyteller": (LEADS,),
}
"""The checks whose evidence shows an answer taking charge (how fast: the earliest of them)."""

MIN_TURNS = 3
MAX_TURNS = 5
DEFAULT_TURNS = 4
DATA_FILE = "interview.toml"


# -- the lines ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One thing the interviewer can say."""

    id: str
    move: str
    text: str
    pause_after: Optional[float] = None
    """Seconds of silence after the line (monologue lines); None for the default."""


@dataclass(frozen=True)
class Script:
    """An interviewer's lines by move, and why each move is made."""

    archetype: str
    lines: Mapping[str, tuple[Line, ...]]
    why: Mapping[str, str] = field(default_factory=dict)


def archetypes_with_interviews() -> tuple[str, ...]:
    return tuple(sorted(MOVES))


def parse_scripts(sources: Iterable[tuple[str, dict]]) -> dict[str, Script]:
    """The scripts from TOML data, packaged first then the user's files, each ``(name, data)``.

    A user's lines come *before* the packaged ones of the same move, so the interviewer says them
    first (the words of the real interviewer, say); a ``why`` sentence replaces the earlier one.
    A RehearseError names the file and what is wrong.
    """
    lines: dict[str, dict[str, list[Line]]] = {a: {m: [] for m in moves} for a, moves in MOVES.items()}
    mine: dict[str, dict[str, list[Line]]] = {a: {m: [] for m in moves} for a, moves in MOVES.items()}
    why: dict[str, dict[str, str]] = {a: {} for a in MOVES}
    for index, (source, data) in enumerate(sources):
        user = index > 0
        section = data.get("interview") or {}
        if not isinstance(section, dict):
            raise RehearseError(f"{source}: [interview] must be a table of archetypes; see the packaged {DATA_FILE}.")
        for name, spec in section.items():
            if name not in MOVES:
                raise RehearseError(f"{source}: there is no mock interview for {name!r}; interview lines can be "
                                    f"added for {', '.join(archetypes_with_interviews())}.")
            if not isinstance(spec, dict):
                raise RehearseError(f"{source}: [interview.{name}] must be a table; see the packaged {DATA_FILE}.")
            for move, items in spec.items():
                if move == "why":
                    if not isinstance(items, dict):
                        raise RehearseError(f"{source}: [interview.{name}.why] must be a table of sentences.")
                    for key, sentence in items.items():
                        _known_move(source, name, key)
                        why[name][key] = " ".join(str(sentence).split())
                    continue
                _known_move(source, name, move)
                if not isinstance(items, list):
                    raise RehearseError(f"{source}: write each {name} {move} line as [[interview.{name}.{move}]] "
                                        f"with text = \"...\".")
                for number, item in enumerate(items, start=1):
                    text = " ".join(str(item.get("text", "")).split()) if isinstance(item, dict) else ""
                    if not text:
                        raise RehearseError(f"{source}: {name} {move} line {number} needs a text; "
                                            f"add text = \"...\".")
                    pause = item.get("pause_after")
                    low, high = PAUSE_RANGE
                    if pause is not None and (isinstance(pause, bool) or not isinstance(pause, (int, float))
                                              or not low <= pause <= high):
                        raise RehearseError(f"{source}: {name} {move} line {number}: pause_after must be a "
                                            f"number of seconds from {low:g} to {high:g}.")
                    existing = (mine if user else lines)[name][move]
                    default = f"interview-{name}-{move}-{'user-' if user else ''}{len(existing) + 1}"
                    line_id = str(item.get("id") or default)
                    if any(line.id == line_id for line in existing):
                        line_id = f"{line_id}-{len(existing) + 1}"
                    existing.append(Line(id=line_id, move=move, text=text,
                                         pause_after=None if pause is None else float(pause)))
    scripts = {}
    for name in MOVES:
        # A user's lines are said first; a user's monologue replaces the packaged one (it is a story).
        moves = {m: (mine[name][m] or lines[name][m]) if m == MONOLOGUE else mine[name][m] + lines[name][m]
                 for m in MOVES[name]}
        missing = [m for m, found in moves.items() if not found]
        if missing:
            raise RehearseError(f"The {name} interview has no lines for {', '.join(missing)}; "
                                f"add some to {DATA_FILE} or a prompt file.")
        scripts[name] = Script(archetype=name, lines={m: tuple(v) for m, v in moves.items()}, why=why[name])
    return scripts


def _known_move(source: str, archetype: str, move: str) -> None:
    if move not in MOVES[archetype]:
        raise RehearseError(f"{source}: unknown {archetype} move {move!r}; use one of: "
                            f"{', '.join(MOVES[archetype])}.")


def load_script(archetype: str, extra_dirs: Optional[list[Path]] = None) -> Script:
    """The lines of ``archetype``'s interviewer: the packaged ones, then the user's prompt files."""
    if archetype not in MOVES:
        raise RehearseError(f"There is no mock interview for {archetype!r}; choose one of: "
                            f"{', '.join(archetypes_with_interviews())}.")
    from rehearse.core.home import user_prompts_dir

    packaged = resources.files("rehearse").joinpath(f"data/{DATA_FILE}").read_text(encoding="utf-8")
    sources: list[tuple[str, dict]] = [(f"the packaged {DATA_FILE}", tomllib.loads(packaged))]
    for folder in (extra_dirs if extra_dirs is not None else [user_prompts_dir()]):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                sources.append((str(path), tomllib.loads(path.read_text(encoding="utf-8"))))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise RehearseError(f"The prompt file {path} cannot be read ({exc}); fix or remove it.")
    return parse_scripts(sources)[archetype]


def line_prompts(script: Script) -> list[Prompt]:
    """Every line of a script as a :class:`Prompt` (id, archetype, text), to be spoken like prompts."""
    return [Prompt(id=line.id, archetype=script.archetype, text=line.text)
            for move in MOVES[script.archetype] for line in script.lines.get(move, ())]


def packaged_line_prompts() -> list[Prompt]:
    """The packaged interviewer lines of every archetype: pre-rendered into ``audio_prompts/`` with the
    prompts (``scripts/render_prompts.py``), so a turn never waits on the synthesiser."""
    return [p for name in archetypes_with_interviews() for p in line_prompts(load_script(name, extra_dirs=[]))]


def all_line_prompts() -> list[Prompt]:
    """The packaged lines and the user's own (``REHEARSE_HOME/prompts``), each once."""
    seen: dict[str, Prompt] = {}
    for name in archetypes_with_interviews():
        for prompt in line_prompts(load_script(name)):
            seen.setdefault(prompt.id, prompt)
    return list(seen.values())


# -- what an answer did ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """What one answer did: the checks it passed, and where their evidence starts."""

    passed: frozenset[str]
    seconds: Mapping[str, Optional[float]] = field(default_factory=dict)
    """Seconds into the answer where each passed check's evidence starts (None for typed text)."""
    first_word_s: Optional[float] = None
    """When the first word was heard."""
    seized: Optional[bool] = None
    """For an answer to the storyteller's monologue: whether the candidate took the floor in it
    (False: only after it ended); None when there was no monologue."""

    @classmethod
    def from_checks(cls, checks: Mapping[str, Any], first_word_s: Optional[float] = None,
                    seized: Optional[bool] = None) -> "Answer":
        """From the checks of a score, as :class:`~rehearse.core.model.CheckResult` or contract JSON."""
        passed, seconds = set(), {}
        for name, check in checks.items():
            ok = check.get("passed") if isinstance(check, Mapping) else getattr(check, "passed", False)
            at = check.get("seconds") if isinstance(check, Mapping) else getattr(check, "seconds", None)
            if ok:
                passed.add(name)
                seconds[name] = at
        return cls(passed=frozenset(passed), seconds=seconds, first_word_s=first_word_s, seized=seized)

    def did(self, check: str) -> bool:
        return check in self.passed


def took_charge(archetype: str, answer: Answer) -> bool:
    """Whether the answer did what this interviewer leaves room for."""
    if archetype == "challenger":
        return answer.did(LEADS) and answer.did(NUMBER)
    if archetype == "salesperson":
        return answer.did(FIRST_YEAR) or answer.did(CONTRIBUTOR)
    if archetype == "storyteller":
        return answer.did(LEADS) and answer.seized is not False
    raise RehearseError(f"There is no mock interview for {archetype!r}.")


def charge_seconds(archetype: str, answer: Answer) -> Optional[float]:
    """How fast the answer took charge: the earliest evidence of it, in seconds (None: it did not, or text)."""
    if not took_charge(archetype, answer):
        return None
    times = [answer.seconds.get(c) for c in CHARGE_CHECKS[archetype] if answer.did(c)]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def moves_after(archetype: str, answer: Answer) -> tuple[str, ...]:
    """The interviewer's move(s) in reply to ``answer`` (two when a salesperson is asked both questions)."""
    if archetype == "challenger":
        if took_charge(archetype, answer):
            return ("next_doubt",)
        return ("push_back",) if answer.did(LEADS) or answer.did(NUMBER) else ("evasion",)
    if archetype == "salesperson":
        asked = tuple(m for c, m in ((FIRST_YEAR, "answer_first_year"), (CONTRIBUTOR, "answer_contributor"))
                      if answer.did(c))
        return asked or ("pitch",)
    if archetype == "storyteller":
        return ("follow_up",) if took_charge(archetype, answer) else ("resume",)
    raise RehearseError(f"There is no mock interview for {archetype!r}.")


def closing_move(archetype: str, answers: Sequence[Answer]) -> str:
    """The closing line's move, from the whole interview."""
    if archetype == "challenger":
        return "close_convinced" if answers and took_charge(archetype, answers[-1]) else "close_unconvinced"
    if archetype == "salesperson":
        return "close_asked" if any(took_charge(archetype, a) for a in answers) else "close_never_asked"
    if archetype == "storyteller":
        return "close_seized" if any(took_charge(archetype, a) for a in answers) else "close_never_seized"
    raise RehearseError(f"There is no mock interview for {archetype!r}.")


# -- the next line ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    """What the interviewer says next: one line, or two joined (both key questions answered)."""

    moves: tuple[str, ...]
    lines: tuple[Line, ...]
    why: str
    """Why they said it, for the person."""

    @property
    def id(self) -> str:
        return "+".join(line.id for line in self.lines)

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def move(self) -> str:
        return "+".join(self.moves)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "move": self.move, "text": self.text, "why": self.why}


def pick(script: Script, move: str, said: Iterable[str] = ()) -> Line:
    """The first line of ``move`` not said yet; once all were said, they come round again in order."""
    options = script.lines.get(move) or ()
    if not options:
        raise RehearseError(f"The {script.archetype} interview has no lines for {move}.")
    said = list(said)
    fresh = [line for line in options if line.id not in said]
    if fresh:
        return fresh[0]
    uses = sum(1 for s in said if any(s == line.id for line in options))
    return options[uses % len(options)]


def _said_ids(said: Iterable[str]) -> list[str]:
    """Line ids from reply ids (a reply of two lines is ``a+b``)."""
    return [part for s in said for part in str(s).split("+") if part]


def _reply(script: Script, moves: Sequence[str], said: Iterable[str]) -> Reply:
    ids = _said_ids(said)
    lines = []
    for move in moves:
        line = pick(script, move, ids)
        ids.append(line.id)
        lines.append(line)
    why = " ".join(dict.fromkeys(script.why.get(m, "") for m in moves if script.why.get(m)))
    return Reply(moves=tuple(moves), lines=tuple(lines), why=why)


def reply_to(script: Script, answer: Answer, said: Iterable[str] = ()) -> Reply:
    """The interviewer's next line after ``answer``; ``said`` are the ids of the lines said so far."""
    return _reply(script, moves_after(script.archetype, answer), said)


def closing(script: Script, answers: Sequence[Answer], said: Iterable[str] = ()) -> Reply:
    """The interviewer's last line, once every answer is in."""
    return _reply(script, (closing_move(script.archetype, answers),), said)


# -- the whole interview -------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    """Which turns took charge and how fast, and whether the interview did what it had to."""

    archetype: str
    took_charge: tuple[bool, ...]
    charge_s: tuple[Optional[float], ...]
    goals: Mapping[str, bool]
    """Each required check of the archetype: met in at least one turn."""

    @property
    def turns_in_charge(self) -> tuple[int, ...]:
        return tuple(i for i, ok in enumerate(self.took_charge, start=1) if ok)

    @property
    def first_minute(self) -> bool:
        """The first answer took charge (the article: take charge from the start)."""
        return bool(self.took_charge) and self.took_charge[0]

    @property
    def fastest_s(self) -> Optional[float]:
        times = [t for t in self.charge_s if t is not None]
        return min(times) if times else None

    @property
    def verdict(self) -> str:
        """pass when the first answer took charge and every goal was met in some turn."""
        return "pass" if self.first_minute and all(self.goals.values()) else "fail"

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(name for name, met in self.goals.items() if not met)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "took_charge": list(self.turns_in_charge),
                "first_answer_took_charge": self.first_minute,
                "fastest_charge_s": None if self.fastest_s is None else round(self.fastest_s, 2),
                "goals": dict(self.goals)}


def summarize(archetype: str, required: Sequence[str], answers: Sequence[Answer]) -> Summary:
    """The interview's summary; ``required`` are the archetype's required checks (its goals)."""
    return Summary(archetype=archetype,
                   took_charge=tuple(took_charge(archetype, a) for a in answers),
                   charge_s=tuple(charge_seconds(archetype, a) for a in answers),
                   goals={name: any(a.did(name) for a in answers) for name in required})


def check_turns(turns: int) -> int:
    if not MIN_TURNS <= turns <= MAX_TURNS:
        raise RehearseError(f"--turns must be {MIN_TURNS} to {MAX_TURNS} (a short mock interview); got {turns}.")
    return turns
