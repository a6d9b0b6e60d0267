"""The five checks of an opening. Pure: a transcript and an archetype in, a Score out.

Interface (stable for the CLI, storage and later issues):
    score(transcript: Transcript, archetype: Archetype) -> Score
"""

from __future__ import annotations

from rapidfuzz import fuzz

from rehearse import metrics
from rehearse.model import CHECK_NAMES, Archetype, CheckResult, Score, Transcript

# Interim phrase lists; the coach-grade checks (concept matching from data) replace these.
_PHRASES = {
    "leads_with_accomplishment": ["i was charged with", "i led", "i built", "i delivered", "accomplishment"],
    "asks_first_year_question": ["what would i have accomplished in the first year"],
    "asks_contributor_question": ["what leadership or team characteristics would i be showing"],
    "thanks_for_callback": ["thank you for asking me back", "thanks for having me back"],
    "quantified_result": ["percent"],
}


def _check(name: str, text: str, required: bool) -> CheckResult:
    best = max(fuzz.partial_ratio(p, text) for p in _PHRASES[name])
    passed = best >= 80
    return CheckResult(passed=passed, required=required, score=int(round(best)),
                       evidence=None, word_index=None, seconds=None, advice=None)


def score(transcript: Transcript, archetype: Archetype) -> Score:
    text = transcript.text.lower()
    checks = {n: _check(n, text, n in archetype.required_checks) for n in CHECK_NAMES}
    return Score(archetype=archetype.name, transcript=transcript.text, engine=transcript.engine,
                 checks=checks, metrics=metrics.compute(transcript))
