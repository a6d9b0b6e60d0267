"""The one page to read before the interview. Pure: the bank's best entry, the user's best wordings of
the two key questions, the debrief's topics and the session figures in; a :class:`Sheet` out.

- **The opener**, built from the best accomplishment: its situation, what you did, and the result with
  its number, as the few sentences to say after thanking them.
- **The two key questions** in the user's own best wording so far: the evidence of the passing
  ``asks_first_year_question`` / ``asks_contributor_question`` check with the highest score in the
  saved sessions (the latest on a tie); without one, the article's wording, and the sheet says so.
- **The topics to bring up**: the latest debrief's plan.
- **The latest figures**: pass rate by archetype over the last sessions, time to the first
  accomplishment, pace and fillers, the latest value and the mean of the last few.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from rehearse.coaching import trends
from rehearse.coaching.bank import Accomplishment, has_number

FIRST_YEAR = "asks_first_year_question"
CONTRIBUTOR = "asks_contributor_question"
QUESTIONS = (FIRST_YEAR, CONTRIBUTOR)
ARTICLE_WORDING = {
    FIRST_YEAR: "If I were offered this position and was very successful in the first year, what would I have "
                "accomplished?",
    CONTRIBUTOR: "If after a few months I was seen as a very effective contributor, what leadership or team "
                 "characteristics would I be showing?",
}
"""The article's wording of the two key questions."""
OPENING_THANKS = "Thank you for asking me back."
OPENING_LEAD = "I was thinking about an accomplishment that shows what I would bring here."
TEMPLATE = ("Thank you for asking me back. I was thinking about an accomplishment from the last six months. "
            "I was charged with ... I ... and as a result ... (a number: time, money, a percent, a count).")
"""The article's shape of an opener, for a sheet with no best accomplishment yet."""


@dataclass(frozen=True)
class Opener:
    """What to open with, from the bank's best accomplishment."""

    title: str
    situation: str
    action: str
    result: str
    say: str
    """The opening to say, thanks first."""
    has_number: bool
    """Whether the result carries a number (the challenger's evidence)."""

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "situation": self.situation, "action": self.action, "result": self.result,
                "say": self.say, "has_number": self.has_number}


@dataclass(frozen=True)
class Wording:
    """One key question as the sheet gives it."""

    check: str
    text: str
    yours: bool
    """True: the user's own words from a saved session; False: the article's wording."""
    session_id: Optional[str] = None
    started_at: Optional[str] = None
    score: Optional[int] = None

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "text": self.text, "source": "yours" if self.yours else "article",
                "session_id": self.session_id, "started_at": self.started_at, "score": self.score}


@dataclass(frozen=True)
class Figures:
    """The latest figures over the scored sessions."""

    sessions: int
    last_at: Optional[str]
    archetypes: tuple[dict[str, Any], ...] = ()
    """``{"archetype", "sessions", "recent_pass_rate", "last_verdict"}`` each."""
    metrics: tuple[dict[str, Any], ...] = ()
    """``{"name", "label", "unit", "latest", "recent_mean"}`` each (None when no session has it)."""

    def to_json(self) -> dict[str, Any]:
        return {"sessions": self.sessions, "last_at": self.last_at, "archetypes": list(self.archetypes),
                "metrics": {m["name"]: {k: v for k, v in m.items() if k != "name"} for m in self.metrics}}


@dataclass(frozen=True)
class Sheet:
    created_at: str
    opener: Optional[Opener]
    opener_note: Optional[str]
    """Why there is no opener (or what it lacks), with the command to fix it."""
    questions: tuple[Wording, ...]
    topics: tuple[str, ...]
    topics_note: Optional[str]
    figures: Figures
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"created_at": self.created_at,
                "opener": None if self.opener is None else self.opener.to_json(), "opener_note": self.opener_note,
                "template": TEMPLATE if self.opener is None else None,
                "questions": [q.to_json() for q in self.questions],
                "topics": list(self.topics), "topics_note": self.topics_note, "figures": self.figures.to_json()}


def _sentence(text: str) -> str:
    """A field as a sentence: trimmed, a capital first, a full stop last."""
    text = " ".join(str(text).split()).strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def as_question(text: str) -> str:
    """Heard words as a written question: a capital first, a question mark last."""
    text = " ".join(str(text).split()).strip(" ,;:.")
    if not text:
        return text
    text = re.sub(r"\bi\b", "I", text)
    text = text[0].upper() + text[1:]
    return text if text.endswith("?") else text + "?"


QUESTION_OPENERS = frozenset({"if", "what", "how", "when", "could", "can", "may", "would", "suppose", "say"})
"""Words a spoken question starts with; the user's wording is taken from the first of them before the
evidence when the transcript has no punctuation to show where the sentence starts."""
LOOK_BACK = 12
LOOK_AHEAD = 8


def _bare(word: str) -> str:
    return re.sub(r"[^a-z']", "", word.lower())


def question_in_context(tokens: Sequence[str], word_index: Optional[int], evidence: str) -> str:
    """The whole question the evidence was found in, from the answer's words.

    A check's evidence quotes only the words that satisfied it ("very successful in the first year
    what would i have accomplished"); the question starts earlier ("if i were ..."). Looking back at
    most LOOK_BACK words: the start of the sentence when a word before ends one (.?!), else the
    first question word (``if``, ``what``...), else the evidence itself. Forward, up to the word that
    ends the sentence within LOOK_AHEAD words. Without a usable index, the evidence as it is.
    """
    size = len(evidence.split())
    if word_index is None or not size or word_index < 0 or word_index + size > len(tokens):
        return evidence
    start, end = word_index, word_index + size
    first = max(0, start - LOOK_BACK)
    boundary = None
    for j in range(start - 1, first - 1, -1):
        if tokens[j].rstrip("\"')").endswith((".", "?", "!")):
            boundary = j + 1
            break
    if boundary is not None:
        start = boundary
    else:
        openers = [j for j in range(first, start) if _bare(tokens[j]) in QUESTION_OPENERS]
        start = openers[0] if openers else start
    if not tokens[end - 1].rstrip("\"')").endswith((".", "?", "!")):
        for j in range(end, min(len(tokens), end + LOOK_AHEAD)):
            if tokens[j].rstrip("\"')").endswith((".", "?", "!")):
                end = j + 1
                break
    return " ".join(tokens[start:end])


def opener(acc: Accomplishment) -> Opener:
    result = _sentence(acc.result)
    parts = [_sentence(p) for p in (acc.situation, acc.action) if str(p).strip()]
    if result:
        parts.append(f"The result: {result[0].lower() + result[1:] if result[1:2].islower() else result}")
    say = " ".join([OPENING_THANKS, OPENING_LEAD, *parts])
    return Opener(title=acc.title, situation=acc.situation, action=acc.action, result=acc.result, say=say,
                  has_number=bool(acc.result.strip()) and has_number(acc.result))


def wording(check: str, found: Optional[Mapping[str, Any]]) -> Wording:
    """``found``: ``{"evidence", "word_index", "words", "session_id", "started_at", "score"}`` of the
    user's best (``words``: the answer's words the index counts in), or None."""
    if found and str(found.get("evidence") or "").strip():
        words = found.get("words")
        text = (question_in_context(words, found.get("word_index"), found["evidence"]) if words
                else found["evidence"])
        return Wording(check=check, text=as_question(text), yours=True,
                       session_id=found.get("session_id"), started_at=found.get("started_at"),
                       score=found.get("score"))
    return Wording(check=check, text=ARTICLE_WORDING[check], yours=False)


def figures(rows: Sequence[Any]) -> Figures:
    """From session rows, oldest first (``rehearse.store.sessions.HistoryRow`` or alike)."""
    t = trends.compute(rows)
    scored = [r for r in rows if r.verdict in ("pass", "fail")]
    archetypes = []
    for a in t.archetypes:
        last = next(r.verdict for r in reversed(scored) if r.archetype == a.archetype)
        archetypes.append({"archetype": a.archetype, "sessions": a.sessions,
                           "recent_pass_rate": round(a.recent_rate, 3), "recent_sessions": min(a.sessions, trends.WINDOW),
                           "last_verdict": last})
    metrics = []
    for m in t.metrics:
        recent = m.values[-trends.WINDOW:]
        metrics.append({"name": m.name, "label": m.label, "unit": m.unit,
                        "latest": round(m.values[-1], 2) if m.values else None,
                        "recent_mean": round(sum(recent) / len(recent), 2) if recent else None,
                        "recent_sessions": len(recent)})
    return Figures(sessions=t.sessions, last_at=t.last_at, archetypes=tuple(archetypes), metrics=tuple(metrics))


def build(*, created_at: str, best: Optional[Accomplishment], bank_size: int,
          found: Mapping[str, Optional[Mapping[str, Any]]], topics: Optional[Sequence[str]],
          rows: Sequence[Any]) -> Sheet:
    """The sheet. ``found`` maps each key question's check to the user's best evidence (or None);
    ``topics`` is None when there is no debrief yet; ``rows`` are the sessions, oldest first."""
    the_opener = opener(best) if best is not None else None
    if best is None:
        note = ("Your accomplishment bank is empty: add the one that best shows you fit "
                "(`rehearse accomplishments add --title ... --best`), then run `rehearse sheet` again."
                if bank_size == 0 else
                f"None of the {bank_size} accomplishments in your bank is marked best: mark the one to open with "
                "(`rehearse accomplishments best ID`).")
    elif not the_opener.has_number:
        ref = f" {best.id}" if best.id is not None else ""
        note = (f"The result of \"{best.title}\" has no number yet: add one "
                f"(`rehearse accomplishments edit{ref} --result ...`).")
    else:
        note = None
    if topics is None:
        topics_note = "No debrief yet: `rehearse debrief` reviews the first interview and lists what to bring up."
    elif not topics:
        topics_note = "Your latest debrief named no topic to bring up."
    else:
        topics_note = None
    return Sheet(created_at=created_at, opener=the_opener, opener_note=note,
                 questions=tuple(wording(c, found.get(c)) for c in QUESTIONS),
                 topics=tuple(topics or ()), topics_note=topics_note, figures=figures(rows))
