"""The packaged rules (``rehearse/data/checks.toml``), read once and compiled."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rehearse.core.errors import RehearseError
from rehearse.coaching.textnorm import NUM, NormRules


@dataclass(frozen=True)
class Rules:
    """Everything the checks read from data: concepts, word lists, thresholds, advice."""

    norm: NormRules
    concepts: dict[str, "re.Pattern[str]"]
    """Concept name -> one compiled pattern (the alternatives joined)."""
    achievement: frozenset[str]
    scope: frozenset[str]
    transition: frozenset[str]
    """Verbs that count as achievement when they move a figure ("took X from 40 to 71 percent")."""
    result_verbs: frozenset[str]
    gap: frozenset[str]
    blockers: frozenset[str]
    before_subject: frozenset[str]
    passive: frozenset[str]
    result_needs: dict[str, frozenset[str]]
    particles: frozenset[tuple[str, ...]]
    vague: tuple[tuple[str, ...], ...]
    year_words: frozenset[str]
    """Words before a year-like number that make it a date."""
    not_counted: frozenset[str]
    """Words ending in "s" that are not counted nouns."""
    not_achievement_past: frozenset[str]
    """Past-tense "-ed" words that are biography or talk: never a clause outside the banks."""
    subject_words: frozenset[str]
    """Words that start another subject between two verbs ("i ran the store and we cut costs")."""
    subordinators: frozenset[str]
    """Words that make such a subject's clause subordinate ("so we could ...")."""
    irregular_past: frozenset[str]
    """Irregular past tenses that may continue a list of the speaker's actions."""
    coordinators: frozenset[str]
    """Words that join a later verb to the clause's verb ("... and cut the bill")."""
    irrealis: frozenset[str]
    """Words that set a later figure in a plan, a hope or a condition ("i would aim to cut ... by 15%")."""
    irrealis_nouns: frozenset[str]
    """Irrealis words that are also nouns ("the plan for 40 lifts"): irrealis only after ``irrealis_verb_after``."""
    irrealis_verb_after: frozenset[str]
    """Words after which such a noun is a verb ("we plan", "to aim")."""
    irrealis_noun_before: frozenset[str]
    """Words after such a noun that make it a plan's ("my plan would be to", "the target was")."""
    irrealis_frames: frozenset[str]
    """Words after such a word that make it a frame instead ("i would point to", "i would like to")."""
    bare_verb_before: frozenset[str]
    """Words after which a verb is not past ("aim to cut", "could cut")."""
    params: dict[str, int]
    advice: dict[str, str]
    advice_by_archetype: dict[str, dict[str, str]]
    advice_by_reason: dict[str, dict[str, str]]
    """Reason -> check -> advice with an ``{evidence}`` slot, for a verdict a checker overrode."""

    def advice_for(self, check: str, archetype: str, reason: str = "", evidence: str = "") -> str:
        by_reason = self.advice_by_reason.get(reason, {}).get(check) if reason else None
        if by_reason and evidence:
            return by_reason.format(evidence=evidence)
        return self.advice_by_archetype.get(archetype, {}).get(check) or self.advice[check]


def _compile(name: str, patterns: list[str]) -> "re.Pattern[str]":
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns).replace("#", NUM))
    except re.error as exc:  # a broken data file is a packaging fault, said plainly
        raise RehearseError(f"The check rules for {name!r} in checks.toml do not compile ({exc}); fix the pattern.")


def _with_prefixes(verbs: list[str], prefixes: list[str], never: frozenset[str]) -> frozenset[str]:
    """The verbs and their prefixed forms ("painted" -> "repainted"), minus words that are never verbs."""
    out = set(verbs)
    out.update(p + v for p in prefixes for v in verbs if p + v not in never)
    return frozenset(out)


def _with_fillers(data: dict) -> dict:
    """The normalisation data plus the fillers it drops, from the one filler list (fillers.toml)."""
    from rehearse.coaching import fillers

    normalize = dict(data["normalize"])
    phrases = fillers.phrases()
    keepers = fillers.not_after()
    normalize.setdefault("fillers", list(fillers.hesitations()))
    normalize.setdefault("filler_phrases", list(phrases))
    normalize.setdefault("filler_phrase_keepers", sorted(set().union(*(keepers.get(p, ()) for p in phrases))))
    return {**data, "normalize": normalize}


def rules_from_data(data: dict) -> Rules:
    words = data["words"]
    never = frozenset(words["not_achievement_past"])
    return Rules(
        norm=NormRules.from_data(_with_fillers(data)),
        concepts={name: _compile(name, pats) for name, pats in data["concepts"].items()},
        achievement=_with_prefixes(words["achievement_verbs"], words.get("achievement_prefixes", []), never),
        scope=frozenset(words["scope_verbs"]),
        transition=frozenset(words["transition_verbs"]),
        result_verbs=frozenset(words["result_verbs"]),
        gap=frozenset(words["gap_words"]),
        blockers=frozenset(words["blocker_words"]),
        before_subject=frozenset(words["before_subject_blockers"]),
        passive=frozenset(words["passive_markers"]),
        result_needs={k: frozenset(w.replace("#", NUM) for w in v) for k, v in words["result_verb_needs"].items()},
        particles=frozenset(tuple(p.replace("#", NUM).split()) for p in words["verb_particles_blocked"]),
        vague=tuple(tuple(v.split()) for v in words["vague_objects"]),
        year_words=frozenset(data["numbers"]["year_words"]),
        not_counted=frozenset(data["numbers"]["not_counted_nouns"]),
        not_achievement_past=never,
        subject_words=frozenset(words["subject_words"]),
        subordinators=frozenset(words["subordinators"]),
        irregular_past=frozenset(words["irregular_past"]),
        coordinators=frozenset(words["coordinators"]),
        irrealis=frozenset(words["irrealis_words"]),
        irrealis_nouns=frozenset(words["irrealis_nouns"]),
        irrealis_verb_after=frozenset(words["irrealis_verb_after"]),
        irrealis_noun_before=frozenset(words["irrealis_noun_before"]),
        irrealis_frames=frozenset(words["irrealis_frames"]),
        bare_verb_before=frozenset(words["bare_verb_before"]),
        params={k: int(v) for k, v in data["rules"].items()},
        advice={k: v for k, v in data["advice"].items() if isinstance(v, str)},
        advice_by_archetype={k: dict(v) for k, v in data["advice"].get("by_archetype", {}).items()},
        advice_by_reason={k: dict(v) for k, v in data["advice"].get("by_reason", {}).items()},
    )


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The packaged rules, read and compiled on first use."""
    text = resources.files("rehearse").joinpath("data/checks.toml").read_text(encoding="utf-8")
    return rules_from_data(tomllib.loads(text))
