"""asks_first_year_question and asks_contributor_question: the two questions of the article.

Both are read as concepts that must meet in one question: a question form (a wh-word before its
auxiliary, an explicit ask, or a question mark) followed closely by what is asked about, with the
other ingredients nearby.

- first year: the speaker's own output ("what would i have accomplished", "what did i get done",
  "what results would you expect from me") + a time frame at the start of the role + a success
  notion (or an expectation form such as "want me to have delivered").
- contributor: characteristics (qualities, traits, how one leads or works with others) + the team
  or leadership domain + an effective-contributor notion or a few-months time frame.
"""

from __future__ import annotations

from typing import Optional

from rehearse.coaching.checks.concepts import Matcher, Span
from rehearse.coaching.checks.finding import Finding


def _question_cues(m: Matcher) -> list[Span]:
    cues = m.hits("question_cue")
    if not cues:
        return cues
    blocked = m.covered("question_blockers")
    return [s for s in cues if not any(i in blocked for i in range(*s))]


def _asks_anything(m: Matcher) -> bool:
    return bool(m.doc.asked) or bool(_question_cues(m))


def _asked(m: Matcher, target: Span) -> Optional[Span]:
    """The question cue that asks about ``target``, if it is asked at all."""
    reach = m.param("question_reach")
    for cue in _question_cues(m):
        # the cue comes before the target or inside it ("... hired me. what did i deliver")
        if cue[0] < target[1] and target[0] <= cue[1] + reach and min(m.sentence_gap(cue[0], target[0]), m.sentence_gap(cue[0], target[1] - 1)) <= 1:
            return cue
    if m.doc.sentence[target[0]] in m.doc.asked:
        return target
    return None


def _nearby(m: Matcher, concept: str, target: Span) -> Optional[Span]:
    w = m.param("question_window")
    for s in m.hits(concept):
        if target[0] - w <= s[0] <= target[1] + w and m.sentence_gap(s[0], target[0]) <= 1:
            return s
    return None


def asks_first_year_question(m: Matcher) -> Finding:
    best = Finding.fail(0)
    if not _asks_anything(m):
        return best
    targets = list(m.hits("own_output"))
    for s in m.hits("own_output_weak"):
        if not _nearby(m, "characteristics", s):
            targets.append(s)
    for s in m.hits("success_shape"):
        if _nearby(m, "self_or_role", s):
            targets.append(s)
    for target in sorted(targets):
        cue = _asked(m, target)
        time = _nearby(m, "time_frame", target)
        success = _nearby(m, "success", target) or _nearby(m, "success_shape", target)
        expected = _nearby(m, "expected_output", target)
        parts = [p for p in (cue, time, success or expected) if p]
        score = 25 + 25 * len(parts)
        if cue and time and (success or expected):
            spans = [target, cue, time] + [p for p in (success, expected) if p]
            return Finding.found(True, min(100, score), min(s[0] for s in spans), max(s[1] for s in spans))
        if score > best.score:
            best = Finding.found(False, min(70, score), target[0], target[1])
    return best


def asks_contributor_question(m: Matcher) -> Finding:
    best = Finding.fail(0)
    if not _asks_anything(m):
        return best
    for target in m.hits("characteristics"):
        cue = _asked(m, target)
        domain = _nearby(m, "team_domain", target)
        effective = _nearby(m, "effective", target) or _nearby(m, "time_months", target)
        parts = [p for p in (cue, domain, effective) if p]
        score = 25 + 25 * len(parts)
        if cue and domain and effective:
            spans = [target, cue, domain, effective]
            return Finding.found(True, min(100, score), min(s[0] for s in spans), max(s[1] for s in spans))
        if score > best.score:
            best = Finding.found(False, min(70, score), target[0], target[1])
    return best
