"""The five checks of an opening. Pure: a transcript and an archetype in, a Score out.

Interface (stable for the CLI, storage and later issues):
    score(transcript: Transcript, archetype: Archetype) -> Score

The checks themselves live in ``rehearse.coaching.checks`` and read their phrase banks, concepts,
thresholds and advice from ``rehearse/data/checks.toml`` (read once, cached). This module only
turns their findings into the contract's ``CheckResult``: evidence quoted from the original words,
``word_index`` into ``transcript.words`` (timed) or the whitespace tokens of the text, ``seconds``
from the timed words, advice for a failed required check.
"""

from __future__ import annotations

from typing import Optional

from rehearse.coaching import metrics
from rehearse.coaching.checks import CHECKS, Finding, Matcher, Rules, load_rules
from rehearse.coaching.textnorm import original_words
from rehearse.core.model import CHECK_NAMES, Archetype, CheckResult, Score, Transcript


def _result(name: str, finding: Finding, m: Matcher, transcript: Transcript, archetype: Archetype,
            rules: Rules) -> CheckResult:
    required = name in archetype.required_checks
    evidence: Optional[str] = None
    index: Optional[int] = None
    seconds: Optional[float] = None
    if finding.passed and finding.start is not None and finding.end is not None and m.n:
        evidence, index = m.doc.quote(finding.start, min(finding.end, m.n), rules.params["evidence_max_words"])
        if transcript.words and index < len(transcript.words):
            seconds = transcript.words[index].start
    advice = rules.advice_for(name, archetype.name) if required and not finding.passed else None
    return CheckResult(passed=finding.passed, required=required, score=int(finding.score),
                       evidence=evidence or None, word_index=index if evidence else None,
                       seconds=seconds if evidence else None, advice=advice)


def check_all(transcript: Transcript, archetype: Archetype) -> dict[str, CheckResult]:
    """Every check for one answer, in the contract's order."""
    rules = load_rules()
    m = Matcher(original_words(transcript), rules)
    return {name: _result(name, CHECKS[name](m), m, transcript, archetype, rules) for name in CHECK_NAMES}


def score(transcript: Transcript, archetype: Archetype) -> Score:
    return Score(archetype=archetype.name, transcript=transcript.text, engine=transcript.engine,
                 checks=check_all(transcript, archetype), metrics=metrics.compute(transcript))
