"""Personalised checks: does the opening present the user's chosen accomplishment, and mention the
topics the debrief said were missed? Pure: a transcript and :class:`Targets` in, results out.

Interface (for practice and drills; results never change the contract's five checks or verdict):
    check(transcript: Transcript, targets: Targets) -> list[PersonalCheck]
    results_json(results) -> list[dict]

Matching reuses the checks' normaliser (:mod:`rehearse.coaching.textnorm`): the transcript and every key
term are normalised the same way, so spelled-out numbers ("forty percent") meet digits ("40%"), and
misheard key words are repaired. On top of that a word is heard when it is close to a target word by
rapidfuzz ratio, alone or as two or three adjacent recognised words joined ("on boarding" for
"onboarding"). The thresholds live in ``rehearse/data/debrief.toml`` under ``[personal]``.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rapidfuzz import fuzz

from rehearse.coaching.bank import Accomplishment, describe
from rehearse.core.model import CheckResult, Transcript
from rehearse.coaching.textnorm import NUM, Doc, normalize, original_words

PRESENTS = "presents_accomplishment"
MENTIONS = "mentions_topic"
LABELS = {PRESENTS: "Presents your best accomplishment", MENTIONS: "Mentions a topic they missed"}


@dataclass(frozen=True)
class Targets:
    """What the user's own openings are held to: the best accomplishment and the missed topics."""

    accomplishment: Optional[Accomplishment] = None
    topics: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.accomplishment is None and not self.topics


@dataclass(frozen=True)
class PersonalRules:
    """The ``[personal]`` table of ``debrief.toml``."""

    window_tokens: int
    need_hits: int
    lead_max_words: int
    fuzzy_cutoff: float
    fuzzy_join_cutoff: float
    fuzzy_min_length: int
    phrase_share: float
    topic_share: float
    number_tolerance: float
    stopwords: frozenset[str]
    advice: dict[str, str]

    @classmethod
    def from_data(cls, data: dict) -> "PersonalRules":
        p = data["personal"]
        return cls(window_tokens=int(p["window_tokens"]), need_hits=int(p["need_hits"]),
                   lead_max_words=int(p["lead_max_words"]), fuzzy_cutoff=float(p["fuzzy_cutoff"]),
                   fuzzy_join_cutoff=float(p["fuzzy_join_cutoff"]),
                   fuzzy_min_length=int(p["fuzzy_min_length"]), phrase_share=float(p["phrase_share"]),
                   topic_share=float(p["topic_share"]), number_tolerance=float(p["number_tolerance"]),
                   stopwords=frozenset(p["stopwords"]), advice=dict(p["advice"]))


@lru_cache(maxsize=1)
def load_data() -> dict:
    """The packaged ``debrief.toml`` (questions and personal-check rules), read once."""
    text = resources.files("rehearse").joinpath("data/debrief.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def load_rules() -> PersonalRules:
    return PersonalRules.from_data(load_data())


@dataclass(frozen=True)
class PersonalCheck:
    """One personalised check on one answer (never required: it does not decide the verdict)."""

    name: str
    """``presents_accomplishment`` or ``mentions_topic``."""
    target: str
    """The accomplishment's title, or the topic."""
    result: CheckResult
    heard: tuple[str, ...] = ()
    """Which key terms and numbers were heard."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "target": self.target, **self.result.to_json(), "heard": list(self.heard)}


def results_json(results: Sequence[PersonalCheck]) -> list[dict[str, Any]]:
    return [r.to_json() for r in results]


# -- matching -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    label: str
    """What the user wrote ("ramp-up", "40%")."""
    words: tuple[str, ...] = ()
    """Normalised content words (a phrase target)."""
    value: Optional[float] = None
    """The number (a number target)."""
    unit: Optional[str] = None
    """The word after the number in the bank entry ("weeks", "percent"); the answer must say it too."""


@dataclass(frozen=True)
class _Hit:
    target: int
    start: int
    end: int
    """Token range [start, end) in the answer's Doc."""


@lru_cache(maxsize=256)
def _norm(text: str) -> Doc:
    """A target text (a bank entry's field, a topic) normalised as answers are; cached, as the same
    entry is checked against every answer."""
    from rehearse.coaching.checks import load_rules as check_rules

    return normalize(text.split(), check_rules().norm)


def _content(doc: Doc, rules: PersonalRules) -> tuple[str, ...]:
    return tuple(t for t in doc.tokens if t != NUM and t not in rules.stopwords)


def _numbers(doc: Doc, rules: Optional["PersonalRules"] = None) -> list[tuple[float, str, Optional[str]]]:
    """(value, the original words, its unit) of every real quantity in a Doc (not "one"/"a").

    The unit is the content word right after the number ("10 weeks" -> "weeks"), if any.
    """
    out = []
    stop = rules.stopwords if rules else frozenset()
    for i, t in enumerate(doc.tokens):
        if t == NUM and not doc.weak[i] and doc.values[i] is not None:
            nxt = doc.tokens[i + 1] if i + 1 < len(doc.tokens) else None
            unit = nxt if nxt and nxt != NUM and nxt not in stop else None
            words = doc.words[doc.first[i]:doc.last[i] + 1]
            if unit and i + 1 < len(doc.tokens) and doc.first[i + 1] > doc.last[i]:
                words = doc.words[doc.first[i]:doc.last[i + 1] + 1]
            out.append((float(doc.values[i]), " ".join(words).strip(" ,.;:()"), unit))
    return out


def accomplishment_targets(acc: Accomplishment, rules: PersonalRules) -> list[_Target]:
    """Phrase targets (key terms, then the title) and number targets (from the result and the terms)."""
    out: list[_Target] = []
    seen_words: set[tuple[str, ...]] = set()
    values: list[float] = []
    for label in (*acc.terms, acc.title):
        doc = _norm(label)
        words = _content(doc, rules)
        if words and words not in seen_words:
            seen_words.add(words)
            out.append(_Target(label=label, words=words))
        for value, original, unit in _numbers(doc, rules):
            if value not in values:
                values.append(value)
                out.append(_Target(label=original, value=value, unit=unit))
    # clause by clause: the normaliser would read "to 6, 40% faster" as one number (46)
    for clause in re.split(r"[,;:()\[\]]\s*|\.\s+|\s+-+\s+", acc.result):
        previous_unit = None
        for value, original, unit in _numbers(_norm(clause), rules):
            unit = unit or previous_unit  # "from 10 weeks to 6": 6 weeks
            previous_unit = unit
            if value not in values:
                values.append(value)
                out.append(_Target(label=original, value=value, unit=unit))
    return out


def _word_at(word: str, tokens: tuple[str, ...], i: int, rules: PersonalRules) -> tuple[int, float]:
    """(how many answer tokens from ``i`` make up ``word``, how closely); (0, 0) when it is not there."""
    tok = tokens[i]
    if tok == word:
        return 1, 100.0
    if tok == NUM or len(word) < rules.fuzzy_min_length:
        return 0, 0.0
    best = (0, 0.0)
    if len(tok) >= 3:
        score = fuzz.ratio(word, tok)
        if score >= rules.fuzzy_cutoff:
            best = (1, score)
    joined = tok
    for k in (2, 3):
        if i + k > len(tokens) or tokens[i + k - 1] == NUM:
            break
        joined += tokens[i + k - 1]
        if len(joined) > len(word) + 2:
            break
        score = fuzz.ratio(word, joined)
        if score >= rules.fuzzy_join_cutoff and score > best[1]:
            best = (k, score)
    return best


def _phrase_hits(words: tuple[str, ...], doc: Doc, share: float, rules: PersonalRules) -> list[tuple[int, int, int]]:
    """(start, end, words heard) of every place the phrase is heard well enough, in order."""
    tokens, n, k = doc.tokens, len(doc.tokens), len(words)
    need = max(1, math.ceil(k * share - 1e-9))
    reach = 2 * k + 2
    found = []
    at: dict[tuple[str, int], tuple[int, float]] = {}  # each (word, position) is looked at once
    i = 0
    while i < n:
        spans = []
        for w in words:
            best = None  # (score, -start, start, end): the closest match, then the earliest
            for j in range(i, min(n, i + reach)):
                got = at.get((w, j))
                if got is None:
                    got = at[(w, j)] = _word_at(w, tokens, j, rules)
                size, score = got
                if size and (best is None or score > best[0]):
                    best = (score, j, j + size)
            if best is not None:
                spans.append((best[1], best[2]))
        if any(a == i for a, _ in spans) and len(spans) >= need:
            end = max(b for _, b in spans)
            found.append((i, end, len(spans)))
            i = end
            continue
        i += 1
    return found


def _number_hits(value: float, doc: Doc, rules: PersonalRules, unit: Optional[str] = None) -> list[tuple[int, int]]:
    """Where the answer says the number (with the same unit, when the entry gives one)."""
    out = []
    n = len(doc.tokens)
    for i, t in enumerate(doc.tokens):
        v = doc.values[i]
        if t == NUM and v is not None and not doc.weak[i]:
            if abs(float(v) - value) > rules.number_tolerance * max(abs(value), 1.0):
                continue
            if unit is None:
                out.append((i, i + 1))
            elif i + 1 < n and _word_at(unit, doc.tokens, i + 1, rules)[0]:
                out.append((i, i + 1 + _word_at(unit, doc.tokens, i + 1, rules)[0]))
    return out


def _evidence(doc: Doc, transcript: Transcript, start: int, end: int) -> tuple[str, int, Optional[float]]:
    text, index = doc.quote(start, end, 24)
    seconds = transcript.words[index].start if transcript.words and index < len(transcript.words) else None
    return text, index, seconds


def check_accomplishment(doc: Doc, transcript: Transcript, acc: Accomplishment,
                         rules: PersonalRules) -> PersonalCheck:
    """Whether the answer presents ``acc`` near its start (key terms and numbers, fuzzily)."""
    targets = accomplishment_targets(acc, rules)
    phrase = describe(acc)
    hits: list[_Hit] = []
    for t_index, target in enumerate(targets):
        if target.value is not None:
            hits.extend(_Hit(t_index, a, b) for a, b in _number_hits(target.value, doc, rules, target.unit))
        else:
            hits.extend(_Hit(t_index, a, b) for a, b, _ in _phrase_hits(target.words, doc, rules.phrase_share, rules))
    hits.sort(key=lambda h: (h.start, h.end))
    need = min(rules.need_hits, len(targets))
    best: tuple[int, list[_Hit]] = (0, [])
    found: Optional[list[_Hit]] = None
    for h in hits:
        window = _distinct([x for x in hits if h.start <= x.start < h.start + rules.window_tokens])
        has_term = any(targets[x.target].value is None for x in window)
        count = len(window) if has_term else 0
        if count > best[0]:
            best = (count, window)
        if has_term and count >= need:
            found = window
            break
    numbers = [t.label for t in targets if t.value is not None]
    if found is None:
        heard = tuple(targets[x.target].label for x in best[1])
        score = min(60, 25 * best[0])
        if heard and any(targets[x.target].value is None for x in best[1]):
            advice = rules.advice["accomplishment_partial"].format(phrase=phrase, heard=", ".join(heard))
        else:
            advice = rules.advice["accomplishment_missing"].format(phrase=phrase)
        return PersonalCheck(PRESENTS, acc.title, CheckResult(passed=False, required=False, score=score,
                                                              advice=_sentence(advice)), heard)
    start, end = found[0].start, max(x.end for x in found)
    text, index, seconds = _evidence(doc, transcript, start, end)
    heard = tuple(targets[x.target].label for x in found)
    spoken = doc.spoken_index(start)
    if spoken > rules.lead_max_words:
        advice = rules.advice["accomplishment_late"].format(phrase=phrase, words=spoken)
        return PersonalCheck(PRESENTS, acc.title, CheckResult(
            passed=False, required=False, score=45, evidence=text, word_index=index, seconds=seconds,
            advice=_sentence(advice)), heard)
    advice = None
    if numbers and not any(targets[x.target].value is not None for x in found):
        advice = _sentence(rules.advice["accomplishment_number"].format(numbers=", ".join(numbers)))
    score = min(100, 70 + 10 * (len(found) - need) + (10 if spoken <= rules.lead_max_words // 2 else 0))
    return PersonalCheck(PRESENTS, acc.title, CheckResult(
        passed=True, required=False, score=score, evidence=text, word_index=index, seconds=seconds,
        advice=advice), heard)


def _distinct(window: list[_Hit]) -> list[_Hit]:
    """One hit per target and no two hits on the same words (the first wins)."""
    used: set[int] = set()
    targets: set[int] = set()
    out = []
    for h in window:
        span = set(range(h.start, h.end))
        if h.target in targets or span & used:
            continue
        targets.add(h.target)
        used |= span
        out.append(h)
    return out


def check_topic(doc: Doc, transcript: Transcript, topic: str, rules: PersonalRules) -> PersonalCheck:
    """Whether the answer mentions ``topic`` (its content words, fuzzily, close together)."""
    words = _content(_norm(topic), rules)
    numbers = _numbers(_norm(topic), rules)
    hits = _phrase_hits(words, doc, rules.topic_share, rules) if words else []
    if not hits and numbers:
        spans = _number_hits(numbers[0][0], doc, rules, numbers[0][2])
        hits = [(a, b, 1) for a, b in spans]
    if not hits:
        advice = rules.advice["topic_missing"].format(topic=topic)
        return PersonalCheck(MENTIONS, topic, CheckResult(passed=False, required=False, score=0,
                                                          advice=_sentence(advice)))
    start, end, heard = hits[0]
    text, index, seconds = _evidence(doc, transcript, start, end)
    total = max(len(words), 1)
    return PersonalCheck(MENTIONS, topic, CheckResult(
        passed=True, required=False, score=min(100, int(100 * heard / total)), evidence=text,
        word_index=index, seconds=seconds), (topic,))


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def check(transcript: Transcript, targets: Targets, rules: Optional[PersonalRules] = None) -> list[PersonalCheck]:
    """Every personalised check for one answer: the accomplishment first, then one per topic."""
    if targets.empty:
        return []
    from rehearse.coaching.checks import load_rules as check_rules

    rules = rules or load_rules()
    doc = normalize(original_words(transcript), check_rules().norm)
    out = []
    if targets.accomplishment is not None:
        out.append(check_accomplishment(doc, transcript, targets.accomplishment, rules))
    out.extend(check_topic(doc, transcript, topic, rules) for topic in targets.topics)
    return out
