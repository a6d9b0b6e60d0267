"""The five checks of an opening, read from the data in ``rehearse/data/checks.toml``.

Each check takes a :class:`~rehearse.coaching.checks.concepts.Matcher` (a normalised transcript plus the
compiled rules) and returns a :class:`~rehearse.coaching.checks.finding.Finding`; ``rehearse.coaching.scoring``
turns findings into the contract's ``CheckResult``.
"""

from rehearse.coaching.checks.accomplishment import leads_with_accomplishment, quantified_result
from rehearse.coaching.checks.concepts import Matcher
from rehearse.coaching.checks.finding import Finding
from rehearse.coaching.checks.questions import asks_contributor_question, asks_first_year_question
from rehearse.coaching.checks.rules import Rules, load_rules
from rehearse.coaching.checks.thanks import thanks_for_callback

CHECKS = {
    "leads_with_accomplishment": leads_with_accomplishment,
    "asks_first_year_question": asks_first_year_question,
    "asks_contributor_question": asks_contributor_question,
    "thanks_for_callback": thanks_for_callback,
    "quantified_result": quantified_result,
}

__all__ = ["CHECKS", "Finding", "Matcher", "Rules", "load_rules"]
