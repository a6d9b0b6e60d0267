"""Finding concepts (patterns from the data) in a normalised transcript, with a per-answer cache."""

from __future__ import annotations

from typing import Sequence

from rehearse.coaching.checks.rules import Rules
from rehearse.coaching.textnorm import NUM, Doc, normalize

Span = tuple[int, int]
"""A token range [start, end)."""


class Matcher:
    """One answer's normalised text and the rules, answering "where is concept X?" once each."""

    def __init__(self, words: Sequence[str], rules: Rules):
        self.rules = rules
        self.doc: Doc = normalize(words, rules.norm)
        self._hits: dict[str, list[Span]] = {}

    @property
    def n(self) -> int:
        return len(self.doc.tokens)

    def param(self, name: str) -> int:
        return self.rules.params[name]

    def hits(self, concept: str) -> list[Span]:
        """Token spans where the concept's patterns match, in order."""
        found = self._hits.get(concept)
        if found is None:
            doc = self.doc
            found = [doc.span(m.start(), m.end())
                     for m in self.rules.concepts[concept].finditer(doc.text) if m.end() > m.start()]
            self._hits[concept] = found
        return found

    def hits_before(self, concept: str, token: int) -> list[Span]:
        """Matches of the concept that end before ``token`` (searches only that prefix)."""
        doc = self.doc
        if token <= 0:
            return []
        endpos = len(doc.text) if token >= self.n else doc.char_start(token)
        return [doc.span(m.start(), m.end())
                for m in self.rules.concepts[concept].finditer(doc.text, 0, endpos) if m.end() > m.start()]

    def has_number(self) -> bool:
        return NUM in self.doc.tokens

    def covered(self, concept: str) -> set[int]:
        """Token indices covered by any match of the concept."""
        out: set[int] = set()
        for a, b in self.hits(concept):
            out.update(range(a, b))
        return out

    def near(self, concept: str, lo: int, hi: int) -> list[Span]:
        """Matches of the concept that start within tokens [lo, hi]."""
        return [s for s in self.hits(concept) if lo <= s[0] <= hi]

    def same_sentence(self, a: int, b: int) -> bool:
        return self.doc.sentence[a] == self.doc.sentence[b]

    def sentence_gap(self, a: int, b: int) -> int:
        return abs(self.doc.sentence[a] - self.doc.sentence[b])

    def is_number(self, i: int) -> bool:
        return self.doc.tokens[i] == NUM
