"""What one check found, in token terms, before it becomes a contract ``CheckResult``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Finding:
    """A check's verdict on a normalised transcript."""

    passed: bool
    score: int
    """Confidence 0..100 that the answer does what the check looks for."""
    start: Optional[int] = None
    """First token of the evidence (an index into ``Doc.tokens``), or None."""
    end: Optional[int] = None
    """One past the last token of the evidence."""

    @classmethod
    def fail(cls, score: int = 0) -> "Finding":
        return cls(False, max(0, min(100, score)))

    @classmethod
    def found(cls, passed: bool, score: int, start: int, end: int) -> "Finding":
        return cls(passed, max(0, min(100, score)), start, max(end, start + 1))
