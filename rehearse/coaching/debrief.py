"""The guided review of the first interview: questions, reading the answers, and the plan they make.

The questions live in ``rehearse/data/debrief.toml``. A review runs over an ``ask`` function (typed
from stdin, or spoken through the speaker and answered into the microphone: see :class:`TypedAsker`
and :class:`SpokenAsker`), so the same flow runs in the terminal, by voice and in tests.

    answers -> build_plan(answers) -> Plan: the archetypes to drill and why, advice, the questions
    to re-answer, the topics to bring up, the accomplishment to open with (a bank entry)

Pure: the review receives the bank and where to save each answer as it is given, so that an
interrupted review can be resumed (see :mod:`rehearse.store.debriefs`, whose
``load_targets`` gives practice and drills what to hold the opening to); the spoken asker lives in
:mod:`rehearse.session.debrief`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional, Protocol, Sequence, TextIO

from rehearse.coaching.bank import MAX_TITLE, Accomplishment, plain_title, split_terms
from rehearse.core.errors import RehearseError
from rehearse.coaching.personal import load_data

KINDS = ("yes_no", "fill", "follow_up", "make_best")
FEEDS = ("reanswer", "accomplishment", "topics")


@dataclass(frozen=True)
class Question:
    """One question of the review."""

    key: str
    kind: str
    """yes_no, fill, follow_up (fills a field of the new bank entry) or make_best."""
    text: str
    """As shown on screen."""
    spoken: str
    """As said through the speaker."""
    archetypes: tuple[str, ...] = ()
    """yes_no: the archetypes a "yes" adds to the drills."""
    why: str = ""
    """yes_no: why those archetypes."""
    why_for: tuple[tuple[str, str], ...] = ()
    """yes_no: (archetype, why) for an archetype with a reason of its own, so that two archetypes
    flagged by one answer do not show the same paragraph twice."""
    advice: str = ""
    """yes_no: what to do about it."""
    feeds: str = ""
    """fill: reanswer, accomplishment or topics."""
    field: str = ""
    """follow_up: the bank entry's field it fills."""
    drop_prefixes: tuple[str, ...] = ()
    drop_suffixes: tuple[str, ...] = ()

    def reason_for(self, archetype: str) -> str:
        """Why a "yes" makes ``archetype`` one to drill."""
        return dict(self.why_for).get(archetype, self.why)


@dataclass(frozen=True)
class AnswerRules:
    """How answers are read (the ``[answers]`` table)."""

    yes: tuple[tuple[str, ...], ...]
    no: tuple[tuple[str, ...], ...]
    lead_words: int
    instead: tuple[str, ...]
    separators: tuple[str, ...]


@dataclass(frozen=True)
class Script:
    """Everything the review asks and how it reads the answers, from ``debrief.toml``."""

    questions: tuple[Question, ...]
    follow_ups: tuple[Question, ...]
    make_best: Question
    answers: AnswerRules
    plan: dict[str, Any]
    labels: dict[str, str]

    def question(self, key: str) -> Question:
        for q in (*self.questions, *self.follow_ups, self.make_best):
            if q.key == key:
                return q
        raise KeyError(key)


def _question(data: dict, kind: Optional[str] = None) -> Question:
    kind = kind or data.get("kind", "")
    if kind not in KINDS:
        raise RehearseError(f"debrief.toml: question {data.get('key')!r} has an unknown kind {kind!r}.")
    if kind == "fill" and data.get("feeds") not in FEEDS:
        raise RehearseError(f"debrief.toml: question {data.get('key')!r} must feed one of {', '.join(FEEDS)}.")
    archetypes = tuple(data.get("archetypes", ()))
    why = data.get("why", "")  # one reason, or a table of reasons by archetype
    if len(archetypes) > 1 and not (isinstance(why, dict) and set(why) == set(archetypes)):
        raise RehearseError(f"debrief.toml: question {data.get('key')!r} flags {len(archetypes)} archetypes, so "
                            "its `why` must be a table with a reason for each (one paragraph is shown once).")
    return Question(
        key=str(data["key"]), kind=kind, text=str(data["text"]), spoken=str(data.get("spoken") or data["text"]),
        archetypes=archetypes, why="" if isinstance(why, dict) else str(why),
        why_for=tuple((str(k), str(v)) for k, v in why.items()) if isinstance(why, dict) else (),
        advice=str(data.get("advice", "")), feeds=str(data.get("feeds", "")), field=str(data.get("field", "")),
        drop_prefixes=tuple(sorted((p.lower() for p in data.get("drop_prefixes", ())), key=len, reverse=True)),
        drop_suffixes=tuple(sorted((p.lower() for p in data.get("drop_suffixes", ())), key=len, reverse=True)),
    )


def script_from_data(data: dict) -> Script:
    a = data["answers"]
    return Script(
        questions=tuple(_question(q) for q in data["questions"]),
        follow_ups=tuple(_question(q, "follow_up") for q in data.get("follow_up", ())),
        make_best=_question(data["make_best"], "make_best"),
        answers=AnswerRules(
            yes=tuple(tuple(p.split()) for p in a["yes"]), no=tuple(tuple(p.split()) for p in a["no"]),
            lead_words=int(a["lead_words"]), instead=tuple(a["instead"]), separators=tuple(a["separators"])),
        plan=dict(data["plan"]),
        labels=dict(data.get("labels", {})),
    )


def load_script() -> Script:
    return script_from_data(load_data())


# -- answers --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """What the user said (or typed) to one question."""

    key: str
    text: str
    """The answer as given ("" when skipped)."""
    source: str = "typed"
    """typed or spoken."""
    audio: Optional[str] = None
    """The recording of a spoken answer."""

    @property
    def skipped(self) -> bool:
        return not self.text.strip()

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "text": self.text, "source": self.source, "audio": self.audio}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Answer":
        return cls(key=data["key"], text=data.get("text", ""), source=data.get("source", "typed"),
                   audio=data.get("audio"))


_WORDS = re.compile(r"[a-z]+(?:'[a-z]+)?")
_EXPAND = {"didn't": ("did", "not"), "wasn't": ("was", "not"), "don't": ("do", "not"),
           "weren't": ("were", "not"), "isn't": ("is", "not"), "it's": ("it", "is"),
           "doesn't": ("does", "not"), "i'd": ("i", "would")}
_NEGATIONS = frozenset(("not", "no", "never"))
"""A yes word right after one of these is not a yes ("not sure", "not right now")."""


def _words(text: str) -> tuple[list[str], list[int]]:
    """Lowercase words (contractions expanded) and the end offset in ``text`` of each one's source."""
    words, ends = [], []
    for m in _WORDS.finditer(text.lower().replace("\u2019", "'")):
        for w in _EXPAND.get(m.group(), (m.group(),)):
            words.append(w)
            ends.append(m.end())
    return words, ends


def read_yes_no(text: str, rules: AnswerRules) -> tuple[Optional[bool], str]:
    """(True, False or None when unclear; the rest of the answer after the yes or no)."""
    words, ends = _words(text)
    best: Optional[tuple[int, int, bool]] = None  # (position, -length, value)
    for value, phrases in ((False, rules.no), (True, rules.yes)):
        for phrase in phrases:
            k = len(phrase)
            for pos in range(0, min(rules.lead_words, len(words) - k + 1)):
                if tuple(words[pos:pos + k]) == phrase:
                    if value and pos > 0 and words[pos - 1] in _NEGATIONS:
                        continue  # "not sure", "not right now", "no, not really": not a yes
                    cand = (pos, -k, value)
                    if best is None or cand[:2] < best[:2]:
                        best = cand
                    break
    if best is None:
        return None, text.strip()
    pos, neg_k, value = best
    rest = text[ends[pos - neg_k - 1]:]
    return value, rest.strip(" ,.;:-!").strip()


def _drop(text: str, q: Question) -> str:
    out = " ".join(text.split()).strip(" .!")
    lowered = out.lower()
    for prefix in q.drop_prefixes:
        if lowered.startswith(prefix + " ") or lowered == prefix:
            out = out[len(prefix):].strip(" ,:")
            break
    lowered = out.lower()
    for suffix in q.drop_suffixes:
        if lowered.endswith(" " + suffix) or lowered == suffix:
            out = out[:len(out) - len(suffix)].strip(" ,")
            break
    return out.strip(" ?.!,\"'")


def read_fill(text: str, q: Question, rules: AnswerRules) -> list[str]:
    """The items of a fill-in answer: separated, without the sentence's own words."""
    parts = [text]
    for sep in rules.separators:
        parts = [piece for part in parts for piece in re.split(re.escape(sep), part, flags=re.IGNORECASE)]
    out = []
    for part in parts:
        item = _drop(part, q)
        if item and item.lower() not in (o.lower() for o in out):
            out.append(item)
    return out


def read_instead(text: str, q: Question, rules: AnswerRules) -> tuple[str, Optional[str]]:
    """"X instead of Y" -> (X, Y); just "X" -> (X, None)."""
    for sep in rules.instead:
        m = re.search(r"[\s,]+" + re.escape(sep) + r"\s+", text, flags=re.IGNORECASE)
        if m:
            use, other = text[:m.start()], text[m.end():]
            if sep.endswith(" the"):
                other = "the " + other
            return _drop(use, q), (_drop(other, q) or None)
    return _drop(text, q), None


# -- the plan -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Drill:
    """One archetype to drill and the reasons the review gave for it."""

    archetype: str
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"archetype": self.archetype, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Plan:
    """What the review concluded."""

    drills: tuple[Drill, ...]
    advice: tuple[str, ...] = ()
    reanswer: tuple[str, ...] = ()
    """Questions to re-answer in the second interview."""
    topics: tuple[str, ...] = ()
    """Topics to bring up (checked in every practice opening)."""
    accomplishment: Optional[str] = None
    """Title of the accomplishment to open with (the bank entry)."""
    instead_of: Optional[str] = None
    """The accomplishment used last time instead."""
    accomplishment_id: Optional[int] = None
    named: Optional[str] = None
    """Title of the bank entry the answer "I wish I had used my accomplishment at ___" named, when
    it is not the one to open with (asked whether to open with it, the user said no)."""
    named_id: Optional[int] = None
    flagged: tuple[str, ...] = ()
    """yes_no questions answered yes."""
    details: dict[str, str] = field(default_factory=dict)
    """What the user added after a yes or no ("yes, he doubted my budget experience")."""
    skipped: tuple[str, ...] = ()
    unclear: tuple[str, ...] = ()
    """yes_no questions answered with neither a yes nor a no."""
    default: bool = False
    """True when no answer pointed at an interviewer type and the default drill was chosen."""

    def to_json(self) -> dict[str, Any]:
        return {"drills": [d.to_json() for d in self.drills], "advice": list(self.advice),
                "reanswer": list(self.reanswer), "topics": list(self.topics),
                "accomplishment": self.accomplishment, "instead_of": self.instead_of,
                "accomplishment_id": self.accomplishment_id, "named": self.named, "named_id": self.named_id,
                "flagged": list(self.flagged),
                "details": dict(self.details), "skipped": list(self.skipped), "unclear": list(self.unclear),
                "default": self.default}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Plan":
        return cls(drills=tuple(Drill(x["archetype"], tuple(x.get("reasons", ()))) for x in d.get("drills", ())),
                   advice=tuple(d.get("advice", ())), reanswer=tuple(d.get("reanswer", ())),
                   topics=tuple(d.get("topics", ())), accomplishment=d.get("accomplishment"),
                   instead_of=d.get("instead_of"), accomplishment_id=d.get("accomplishment_id"),
                   named=d.get("named"), named_id=d.get("named_id"),
                   flagged=tuple(d.get("flagged", ())), details=dict(d.get("details", {})),
                   skipped=tuple(d.get("skipped", ())), unclear=tuple(d.get("unclear", ())),
                   default=bool(d.get("default", False)))


def build_plan(answers: Sequence[Answer], script: Script) -> Plan:
    """The plan the answers make. Pure."""
    by_key = {a.key: a for a in answers}
    drills: dict[str, list[str]] = {}
    advice: list[str] = []
    flagged, skipped, unclear = [], [], []
    details: dict[str, str] = {}
    reanswer: list[str] = []
    topics: list[str] = []
    use = instead = None
    for q in script.questions:
        a = by_key.get(q.key)
        if a is None or a.skipped:
            skipped.append(q.key)
            continue
        if q.kind == "yes_no":
            value, rest = read_yes_no(a.text, script.answers)
            if rest:
                details[q.key] = rest
            if value is None:
                unclear.append(q.key)
            elif value:
                flagged.append(q.key)
                for arch in q.archetypes:
                    drills.setdefault(arch, [])
                    why = q.reason_for(arch)
                    if why and why not in drills[arch]:
                        drills[arch].append(why)
                if q.advice and q.advice not in advice:
                    advice.append(q.advice)
        elif q.feeds == "reanswer":
            reanswer.extend(i for i in read_fill(a.text, q, script.answers) if i not in reanswer)
        elif q.feeds == "topics":
            topics.extend(i for i in read_fill(a.text, q, script.answers) if i not in topics)
        elif q.feeds == "accomplishment":
            use, instead = read_instead(a.text, q, script.answers)
            use = use or None
    default = not drills
    if default:
        for arch in script.plan.get("default_archetypes", ()):
            drills[arch] = [script.plan.get("default_why", "")]
    if reanswer and script.plan.get("reanswer_advice"):
        advice.append(script.plan["reanswer_advice"])
    if topics and script.plan.get("topics_advice"):
        advice.append(script.plan["topics_advice"])
    return Plan(drills=tuple(Drill(k, tuple(r for r in v if r)) for k, v in drills.items()), advice=tuple(advice),
                reanswer=tuple(reanswer), topics=tuple(topics), accomplishment=use, instead_of=instead,
                flagged=tuple(flagged), details=details, skipped=tuple(skipped), unclear=tuple(unclear),
                default=default)


def short_title(text: str) -> str:
    """An answer cut to a bank title (at a word boundary)."""
    text = plain_title(text)
    if len(text) <= MAX_TITLE:
        return text
    cut = text[:MAX_TITLE - 3].rsplit(" ", 1)[0]
    return cut + "..."


# -- running a review -------------------------------------------------------------------------------

AskFn = Callable[[Question, int, int], Answer]
"""``ask(question, number, total)`` -> the answer (``text=""`` when skipped)."""


@dataclass(frozen=True)
class Debrief:
    """One review, saved as it goes: unfinished until the last question is answered or skipped."""

    id: Optional[int]
    created_at: str
    mode: str
    """text or spoken (the mode it was started in; each answer says how it was given)."""
    answers: tuple[Answer, ...]
    plan: Plan
    """The plan the answers make (so far, while unfinished)."""
    finished: bool = True
    progress: dict[str, Any] = field(default_factory=dict)
    """What an unfinished review did to the bank: ``named_id`` (the entry its accomplishment answer
    named or added) and ``created`` (whether it added it), so a resumed review does not add it twice."""

    def to_json(self) -> dict[str, Any]:
        return {"debrief_id": self.id, "created_at": self.created_at, "mode": self.mode,
                "finished": self.finished, "answers": [a.to_json() for a in self.answers],
                "plan": self.plan.to_json()}

    def next_question(self, script: "Script") -> Optional[int]:
        """The number (1-based) of the first main question not answered yet; None when all were."""
        given = {a.key for a in self.answers}
        for number, q in enumerate(script.questions, start=1):
            if q.key not in given:
                return number
        return None


class DebriefStorage(Protocol):
    """Where a review is kept (:class:`rehearse.store.debriefs.DebriefStore`): each answer as it is
    given, then the finished review. Both return the debrief with its id."""

    def save_progress(self, debrief: Debrief) -> Debrief: ...

    def save(self, debrief: Debrief) -> Debrief: ...


@dataclass(frozen=True)
class Outcome:
    """A finished review: the debrief (saved) and what happened to the bank."""

    debrief: Debrief
    accomplishment: Optional[Accomplishment]
    """The accomplishment to open with: the one the answer named, or, when the user chose not to
    open with it, the best one."""
    created: bool
    """True when the review added the named accomplishment to the bank."""
    made_best: bool
    named: Optional[Accomplishment] = None
    """The bank entry the answer named (the same as ``accomplishment`` unless the user said no)."""


class _Review:
    """One run of the questions: recalls what a resumed review already has, asks the rest, and
    hands the review to the storage after every answer."""

    def __init__(self, ask: AskFn, script: Script, storage: Optional[DebriefStorage], debrief: Debrief):
        self.ask, self.script, self.storage, self.debrief = ask, script, storage, debrief
        self.given = {a.key: a for a in debrief.answers}
        self.answers: list[Answer] = []
        self.progress: dict[str, Any] = dict(debrief.progress)

    def take(self, q: Question, number: int, total: int) -> Answer:
        """The answer to ``q``: the one a resumed review has, or asked now (and stored)."""
        if q.key in self.given:
            a = self.given[q.key]
            self.answers.append(a)
            return a
        a = replace(self.ask(q, number, total), key=q.key)
        self.answers.append(a)
        self.checkpoint()
        return a

    def recall(self, key: str) -> None:
        """Keep for the record an answer a resumed review has but no longer needs to ask."""
        if key in self.given and all(a.key != key for a in self.answers):
            self.answers.append(self.given[key])

    def checkpoint(self) -> None:
        """Store the review so far (from its first real answer on: skips alone leave nothing)."""
        self.debrief = replace(self.debrief, answers=tuple(self.answers), progress=dict(self.progress),
                               plan=build_plan(self.answers, self.script), finished=False)
        if self.storage is not None and (self.debrief.id is not None or not all(a.skipped for a in self.answers)):
            self.debrief = self.storage.save_progress(self.debrief)


def review(ask: AskFn, bank, *, mode: str, created_at: str, script: Optional[Script] = None,
           storage: Optional[DebriefStorage] = None, resume: Optional[Debrief] = None) -> Outcome:
    """Ask every question, add the accomplishment to the bank, build the plan and save it.

    ``bank`` is the accomplishment bank (:class:`rehearse.store.bank.Bank` or a double). With a
    ``storage``, every answer is stored as it is given (so Ctrl-C loses nothing) and the finished
    review replaces it; without one nothing is saved. ``resume``, an unfinished review, is continued
    at its first unanswered question: what it already has is not asked again.
    """
    script = script or load_script()
    start = resume or Debrief(id=None, created_at=created_at, mode=mode, answers=(), plan=Plan(drills=()),
                              finished=False)
    run = _Review(ask, script, storage, start)
    total = len(script.questions)
    acc: Optional[Accomplishment] = None
    created = made_best = False
    for number, q in enumerate(script.questions, start=1):
        a = run.take(q, number, total)
        if q.feeds == "accomplishment" and not a.skipped:
            use, _ = read_instead(a.text, q, script.answers)
            if use:
                acc, created, made_best = _accomplishment(use, run, bank, script)
    for a in start.answers:
        run.recall(a.key)
    answers = run.answers
    if all(a.skipped for a in answers):
        raise RehearseError("Every question was skipped, so there is nothing to save; run `rehearse debrief` "
                            "again when you have a few minutes (an empty line skips one question).")
    plan = build_plan(answers, script)
    named = acc
    opener = acc if made_best or acc is None else bank.best()
    if opener is not None:
        plan = replace(plan, accomplishment=opener.title, accomplishment_id=opener.id)
    elif named is not None:
        plan = replace(plan, accomplishment=None)
    if named is not None and (opener is None or named.id != opener.id):
        plan = replace(plan, named=named.title, named_id=named.id)
    debrief = replace(run.debrief, answers=tuple(answers), plan=plan, finished=True, progress={})
    if storage is not None:
        debrief = storage.save(debrief)
    return Outcome(debrief=debrief, accomplishment=opener, created=created, made_best=made_best, named=named)


def _accomplishment(use: str, run: _Review, bank, script: Script):
    """The bank entry for "my accomplishment at ___": an existing one, or a new one from follow-ups."""
    acc, created = None, False
    if run.progress.get("named_id") is not None:  # a resumed review found or added it already
        try:
            acc, created = bank.get(run.progress["named_id"]), bool(run.progress.get("created"))
        except RehearseError:  # removed from the bank since
            acc = None
    if acc is None:
        acc = bank.find_similar(use)
        created = False
    if acc is None:
        fields: dict[str, Any] = {}
        total = len(script.follow_ups)
        for number, q in enumerate(script.follow_ups, start=1):
            a = run.take(q, number, total)
            if not a.skipped:
                value = a.text.strip()
                if q.field == "terms":  # typed: commas; spoken: "and"
                    fields["terms"] = split_terms(re.split(r"[,;]" if re.search(r"[,;]", value) else r"\band\b",
                                                           value))
                else:
                    fields[q.field] = value
        if len(" ".join(use.split())) > MAX_TITLE and not fields.get("situation"):
            fields["situation"] = use
        acc = bank.add(Accomplishment(title=short_title(use), source="debrief", **fields))
        created = True
    else:
        for q in script.follow_ups:
            run.recall(q.key)
    run.progress.update(named_id=acc.id, created=created)
    run.checkpoint()
    made_best = False
    current = bank.best()
    if current is None:
        acc, made_best = bank.set_best(acc.id), True
    elif current.id != acc.id:
        q = script.make_best
        shown = replace(q, text=q.text.format(title=acc.title, best=current.title))
        a = run.take(shown, 1, 1)
        value, _ = read_yes_no(a.text, script.answers)
        if value:
            acc, made_best = bank.set_best(acc.id), True
    else:
        made_best = True
    return acc, created, made_best


class TypedAsker:
    """Questions on stderr, answers read line by line from stdin (an empty line skips one)."""

    def __init__(self, stdin: Optional[TextIO] = None, out: Optional[TextIO] = None):
        self.stdin = stdin if stdin is not None else sys.stdin
        self.out = out if out is not None else sys.stderr
        self.ended = False

    def __call__(self, q: Question, number: int, total: int) -> Answer:
        prefix = f"[{number}/{total}] " if q.kind in ("yes_no", "fill") else "    "
        self.out.write(f"{prefix}{q.text}\n> ")
        self.out.flush()
        line = "" if self.ended else self.stdin.readline()
        if not line:
            self.ended = True
        text = line.strip()
        if not _isatty(self.stdin):  # a terminal shows what was typed; a piped script does not
            self.out.write((text or "(skipped)") + "\n")
        elif not text:
            self.out.write("(skipped)\n")
        self.out.flush()
        return Answer(key=q.key, text=text, source="typed")


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
