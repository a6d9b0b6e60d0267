"""The five checks of an opening. Pure: a transcript and an archetype in, a Score out.

Interface (stable for the CLI, storage and later issues):
    score(transcript: Transcript, archetype: Archetype, checker=None) -> Score

The verdicts come from a checker (``rehearse.coaching.checkers``: the rules, the semantic model or
their ensemble; by default :func:`~rehearse.coaching.checkers.default_checker`). This module only
turns their findings into the contract's ``CheckResult``: evidence quoted from the original words
that decided, ``word_index`` into ``transcript.words`` (timed) or the whitespace tokens of the text,
``seconds`` from the timed words, advice for a failed required check.
"""

from __future__ import annotations

from typing import Optional

from rehearse.coaching import metrics
from rehearse.coaching.checker_seam import Checker, CheckFinding
from rehearse.coaching.checkers import default_checker
from rehearse.coaching.checks import Rules, load_rules
from rehearse.coaching.textnorm import original_words
from rehearse.core.model import CHECK_NAMES, Archetype, CheckResult, Score, Transcript


ADVICE_QUOTE_WORDS = 12
"""How many of the deciding words advice quotes back ("You told your accomplishment (...)")."""


def quote(words: tuple[str, ...], start: int, end: int, max_words: int) -> str:
    """The original words [start, end), at most ``max_words`` of them, without edge punctuation."""
    return " ".join(words[start:min(end, start + max_words)]).strip(" ,;:")


def _result(name: str, finding: CheckFinding, words: tuple[str, ...], transcript: Transcript,
            archetype: Archetype, rules: Rules) -> CheckResult:
    required = name in archetype.required_checks
    evidence: Optional[str] = None
    index: Optional[int] = None
    seconds: Optional[float] = None
    if finding.passed and finding.start is not None and finding.end is not None and finding.start < len(words):
        index = finding.start
        evidence = quote(words, finding.start, finding.end, rules.params["evidence_max_words"])
        if transcript.words and index < len(transcript.words):
            seconds = transcript.words[index].start
    advice = None
    if required and not finding.passed:
        told = ""
        if finding.reason and finding.start is not None and finding.end is not None and finding.start < len(words):
            told = quote(words, finding.start, finding.end, ADVICE_QUOTE_WORDS)
        advice = rules.advice_for(name, archetype.name, finding.reason, told)
    return CheckResult(passed=finding.passed, required=required, score=finding.score,
                       evidence=evidence or None, word_index=index if evidence else None,
                       seconds=seconds if evidence else None, advice=advice)


def check_all(transcript: Transcript, archetype: Archetype,
              checker: Optional[Checker] = None) -> dict[str, CheckResult]:
    """Every check for one answer, in the contract's order."""
    words = original_words(transcript)
    findings = (checker or default_checker())(words, archetype)
    rules = load_rules()
    return {name: _result(name, findings[name], words, transcript, archetype, rules) for name in CHECK_NAMES}


def score(transcript: Transcript, archetype: Archetype, checker: Optional[Checker] = None) -> Score:
    return Score(archetype=archetype.name, transcript=transcript.text, engine=transcript.engine,
                 checks=check_all(transcript, archetype, checker), metrics=metrics.compute(transcript))


def checker_name(checker: Optional[Checker] = None) -> str:
    """The name of the checker :func:`score` uses (``ensemble`` or ``rules`` by default), saved with each result."""
    return (checker or default_checker()).name
