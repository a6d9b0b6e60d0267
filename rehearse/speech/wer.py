"""Word error rate, for benchmarks and accuracy tests. Pure.

Normalisation follows the speech-samples convention: lowercase, hyphens to spaces, "mr." to
"mister", punctuation (apostrophes included) removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PUNCT = re.compile(r"[^a-z0-9 ]+")


def normalise(text: str) -> list[str]:
    text = text.lower().replace("-", " ")
    text = re.sub(r"\bmr\.?(?=\s|$)", "mister", text)
    text = re.sub(r"\bmrs\.?(?=\s|$)", "missus", text)
    text = _PUNCT.sub(" ", text.replace("'", "").replace("\u2019", ""))
    return text.split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(ref, hyp)


@dataclass
class WerTally:
    """Errors and reference words summed over many utterances."""

    errors: int = 0
    words: int = 0

    def add(self, reference: str, hypothesis: str) -> float:
        ref, hyp = normalise(reference), normalise(hypothesis)
        errors = edit_distance(ref, hyp)
        self.errors += errors
        self.words += len(ref)
        return errors / max(len(ref), 1)

    @property
    def wer(self) -> float:
        return self.errors / max(self.words, 1)


def wer(reference: str, hypothesis: str) -> float:
    tally = WerTally()
    return tally.add(reference, hypothesis)


def read_manifest(folder) -> list[tuple[str, float, str]]:
    """(file, duration_s, reference) rows of a speech-samples manifest.tsv."""
    from pathlib import Path

    rows = []
    lines = (Path(folder) / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    fi, di, ri = header.index("file"), header.index("duration_s"), header.index("reference_transcript")
    for line in lines[1:]:
        if line.strip():
            cols = line.split("\t")
            rows.append((cols[fi], float(cols[di]), cols[ri]))
    return rows
