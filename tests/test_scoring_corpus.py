"""Accuracy of the rule checker on the labelled corpora it was written against stays at the targets
(F1 >= 0.90, thanks >= 0.95). The default ensemble is measured by scripts/bench_checkers.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse.core.model import CHECK_NAMES, Archetype, Transcript
from rehearse.coaching import scoring
from rehearse.coaching.checkers import RulesChecker


def score(transcript, archetype):
    """Scored by the rule checker, whatever the default is."""
    return scoring.score(transcript, archetype, checker=RulesChecker())

DATA = Path(__file__).resolve().parent / "data"
TARGETS = {name: 0.90 for name in CHECK_NAMES} | {"thanks_for_callback": 0.95}


def _items(name: str) -> list[dict]:
    path = DATA / name  # committed with the tests: a missing corpus is a failure, never a skip
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dev_corpus_is_well_formed():
    items = _items("openings.jsonl")
    assert len(items) >= 150
    assert {i["archetype"] for i in items} == {"storyteller", "salesperson", "challenger"}
    asr = [i for i in items if i["style"] == "asr"]
    assert 0.4 <= len(asr) / len(items) <= 0.6
    for i in items:
        assert set(i["labels"]) == set(CHECK_NAMES) and i.get("reason")
    for i in asr:
        assert i["text"] == i["text"].lower() and not any(c in i["text"] for c in ".,?!")


@pytest.mark.parametrize("corpus", ["openings.jsonl", "openings_holdout.jsonl", "openings_holdout2.jsonl",
                                    "openings_holdout3.jsonl", "openings_holdout4.jsonl",
                                    "openings_holdout5.jsonl"])
def test_f1_meets_targets(corpus):
    counts = {n: [0, 0, 0] for n in CHECK_NAMES}  # tp, fp, fn
    for item in _items(corpus):
        arch = Archetype(item["archetype"], "", "", "", ())
        result = score(Transcript(item["text"]), arch)
        for n in CHECK_NAMES:
            got, want = result.checks[n].passed, item["labels"][n]
            counts[n][0] += got and want
            counts[n][1] += got and not want
            counts[n][2] += want and not got
    for n, (tp, fp, fn) in counts.items():
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        assert f1 >= TARGETS[n], f"{corpus}: {n} F1 {f1:.2f} below {TARGETS[n]}"
