"""The checker seam's types: what every checker takes and returns.

    Checker: (words: Sequence[str], archetype: Archetype) -> dict[str, CheckFinding]

Kept apart from ``checkers`` (the rule checker, the ensemble and the choice of the default) so that
the model checker in ``semantic`` can implement the seam without importing the module that chooses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol, Sequence

from rehearse.coaching.checks import Matcher, load_rules
from rehearse.core.model import Archetype


@dataclass(frozen=True)
class CheckFinding:
    """One check's verdict on one answer, in terms of the original words."""

    passed: bool
    probability: float
    """How likely the answer does it, 0..1 (the rules' confidence / 100 for the rule checker)."""
    start: Optional[int] = None
    """First original word of the evidence, or None."""
    end: Optional[int] = None
    """One past the last original word of the evidence."""
    source: str = "rules"
    """Which checker decided: "rules" or "model"."""
    reason: str = ""
    """Why a verdict overrides what was heard, as a key of the advice by reason ("after_key_question":
    an accomplishment told after the key questions does not lead; "figure_in_a_plan": a plan's figure
    is no result); empty for a plain verdict."""

    @property
    def score(self) -> int:
        return max(0, min(100, int(round(self.probability * 100))))


class Checker(Protocol):
    name: str

    def __call__(self, words: Sequence[str], archetype: Archetype) -> dict[str, CheckFinding]: ...


def matcher_for(words: Sequence[str]) -> Matcher:
    """The rules' normalised view of an answer (shared by every checker that reads tokens)."""
    return Matcher(tuple(words), load_rules())
