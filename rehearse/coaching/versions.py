"""Comparing two versions of a session's result: what changed, and whether the new one is worse.

Pure: two score objects (the contract's shape, optionally with ``"personal"``) in, a :class:`Comparison`
out. A version is *worse* when fewer of the checks the archetype requires pass in it (a pass that
became a fail always is). The transcripts are compared word by word (lower case, punctuation
stripped), without a word error rate: neither version is the truth, so the summary only counts the
words both share, the ones that differ and the ones only one has, with a few examples.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Optional

EXAMPLES = 3
"""How many differing stretches of words the summary quotes."""

_TOKEN = re.compile(r"[\w']+")


@dataclass(frozen=True)
class WordDiff:
    """How two transcripts differ, word by word."""

    before: int
    """Words in the earlier transcript."""
    after: int
    same: int
    """Words both share, in the same order."""
    changed: int
    """Words of the new transcript that stand where the earlier one had other words."""
    added: int
    """Words only the new transcript has."""
    removed: int
    """Words only the earlier transcript had."""
    examples: tuple[str, ...] = ()
    """A few differing stretches: ``"billing" -> "building"``, ``+ "really"``, ``- "our"``."""

    @property
    def identical(self) -> bool:
        return self.changed == self.added == self.removed == 0 and self.before == self.after

    def to_json(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "same": self.same, "changed": self.changed,
                "added": self.added, "removed": self.removed, "examples": list(self.examples)}

    def summary(self) -> str:
        if self.identical:
            return f"same {self.after} words"
        parts = [f"{self.same} same"]
        for count, label in ((self.changed, "changed"), (self.added, "added"), (self.removed, "left out")):
            if count:
                parts.append(f"{count} {label}")
        text = f"words {self.before} -> {self.after} ({', '.join(parts)})"
        if self.examples:
            text += ": " + ", ".join(self.examples)
        return text


@dataclass(frozen=True)
class Flip:
    """One check that passed in one version and not in the other."""

    check: str
    required: bool
    before: bool
    after: bool

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "required": self.required, "before": self.before, "after": self.after}

    def text(self) -> str:
        return f"{self.check} {'pass' if self.before else 'miss'} -> {'pass' if self.after else 'miss'}"


@dataclass(frozen=True)
class Comparison:
    """What differs from one version (``before``) to another (``after``)."""

    verdict: tuple[Optional[str], Optional[str]]
    flips: tuple[Flip, ...]
    personal_flips: tuple[Flip, ...]
    required: tuple[int, int]
    """Required checks passed in each version."""
    required_total: int
    engine: tuple[Optional[str], Optional[str]]
    checker: tuple[Optional[str], Optional[str]] = (None, None)
    words: WordDiff = field(default_factory=lambda: WordDiff(0, 0, 0, 0, 0, 0))

    @property
    def worse(self) -> bool:
        """Fewer required checks pass after than before."""
        return self.required[1] < self.required[0]

    @property
    def better(self) -> bool:
        return self.required[1] > self.required[0]

    def phrases(self) -> list[str]:
        """What changed, as short phrases (empty when nothing did)."""
        out = []
        if self.verdict[0] != self.verdict[1]:
            out.append(f"verdict {self.verdict[0]} -> {self.verdict[1]}")
        out += [f.text() for f in self.flips]
        out += [f"your {f.check} {'met' if f.before else 'missed'} -> {'met' if f.after else 'missed'}"
                for f in self.personal_flips]
        if self.engine[0] != self.engine[1]:
            out.append(f"engine {self.engine[0] or 'none'} -> {self.engine[1] or 'none'}")
        if self.checker[0] != self.checker[1] and None not in self.checker:
            out.append(f"checker {self.checker[0]} -> {self.checker[1]}")
        if not self.words.identical:
            out.append(self.words.summary())
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": {"before": self.verdict[0], "after": self.verdict[1]},
            "flipped": [f.to_json() for f in self.flips],
            "personal_flipped": [f.to_json() for f in self.personal_flips],
            "required_passed": {"before": self.required[0], "after": self.required[1], "of": self.required_total},
            "engine": {"before": self.engine[0], "after": self.engine[1]},
            "checker": {"before": self.checker[0], "after": self.checker[1]},
            "words": self.words.to_json(),
            "worse": self.worse,
        }


def tokens(text: Optional[str]) -> list[str]:
    """The words of a transcript as compared: lower case, punctuation stripped."""
    return _TOKEN.findall((text or "").lower())


def word_diff(before: Optional[str], after: Optional[str], examples: int = EXAMPLES) -> WordDiff:
    a, b = tokens(before), tokens(after)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    same = changed = added = removed = 0
    quoted: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            same += i2 - i1
            continue
        if op == "replace":
            changed += j2 - j1
            removed += max(0, (i2 - i1) - (j2 - j1))
            added += max(0, (j2 - j1) - (i2 - i1))
            example = f'"{" ".join(a[i1:i2])}" -> "{" ".join(b[j1:j2])}"'
        elif op == "insert":
            added += j2 - j1
            example = f'+ "{" ".join(b[j1:j2])}"'
        else:
            removed += i2 - i1
            example = f'- "{" ".join(a[i1:i2])}"'
        if len(quoted) < examples:
            quoted.append(example if len(example) <= 60 else example[:57] + "...")
    return WordDiff(before=len(a), after=len(b), same=same, changed=changed, added=added, removed=removed,
                    examples=tuple(quoted))


def _passed(checks: dict, name: str) -> bool:
    check = checks.get(name)
    return bool(isinstance(check, dict) and check.get("passed"))


def _personal(score: dict) -> dict[str, bool]:
    out = {}
    for p in score.get("personal") or []:
        if isinstance(p, dict) and p.get("name"):
            out[str(p["name"])] = bool(p.get("passed"))
    return out


def compare(before: dict[str, Any], after: dict[str, Any], *, checkers: tuple[Optional[str], Optional[str]] =
            (None, None)) -> Comparison:
    """What changed from the score object ``before`` to ``after`` (either may carry ``"personal"``)."""
    old, new = before.get("checks") or {}, after.get("checks") or {}
    required = [n for n, c in new.items() if isinstance(c, dict) and c.get("required")]
    flips = tuple(Flip(n, n in required, _passed(old, n), _passed(new, n)) for n in new
                  if n in old and _passed(old, n) != _passed(new, n))
    mine_before, mine_after = _personal(before), _personal(after)
    personal_flips = tuple(Flip(n, False, mine_before[n], v) for n, v in mine_after.items()
                           if n in mine_before and mine_before[n] != v)
    return Comparison(
        verdict=(before.get("verdict"), after.get("verdict")),
        flips=flips, personal_flips=personal_flips,
        required=(sum(_passed(old, n) for n in required), sum(_passed(new, n) for n in required)),
        required_total=len(required),
        engine=(before.get("engine"), after.get("engine")),
        checker=checkers,
        words=word_diff(before.get("transcript"), after.get("transcript")),
    )
