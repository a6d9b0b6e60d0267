"""The checker seam: every checker gives every check a finding with a probability and a word span."""

from __future__ import annotations

from rehearse.coaching import scoring
from rehearse.coaching.checker_seam import CheckFinding
from rehearse.coaching.checkers import RulesChecker
from rehearse.core.model import CHECK_NAMES, Archetype, Transcript, Word

STORYTELLER = Archetype("storyteller", "The storyteller", "", "", ("leads_with_accomplishment", "thanks_for_callback"))


def test_rules_checker_gives_every_check_a_finding_in_original_words():
    words = "Thanks for having me back. Last spring I rebuilt our intake form and cut wait times by 30%.".split()
    found = RulesChecker()(words, STORYTELLER)
    assert set(found) == set(CHECK_NAMES)
    for f in found.values():
        assert isinstance(f, CheckFinding) and 0.0 <= f.probability <= 1.0
    lead = found["leads_with_accomplishment"]
    assert lead.passed and words[lead.start] == "I"
    assert found["quantified_result"].passed


def test_score_takes_any_checker_and_times_the_evidence_from_the_words():
    class Always:
        name = "always"

        def __call__(self, words, archetype):
            return {n: CheckFinding(True, 0.8, 1, 3, "model") for n in CHECK_NAMES}

    words = tuple(Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate("so i doubled our sales".split()))
    result = scoring.score(Transcript("so i doubled our sales", words), STORYTELLER, checker=Always())
    check = result.checks["leads_with_accomplishment"]
    assert (check.passed, check.score, check.evidence, check.word_index, check.seconds) == (True, 80, "i doubled", 1, 0.5)
