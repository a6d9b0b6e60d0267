"""scripts/noun_swap.py: copies of training openings with some nouns swapped."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import noun_swap  # noqa: E402

LABELS = {"leads_with_accomplishment": True, "quantified_result": True}
ITEMS = [
    {"id": "a", "text": "Thanks for the callback. I cut our overtime by half.", "labels": LABELS},
    {"id": "b", "text": "My manager rebuilt our billing system and our team grew my region's sales.", "labels": {}},
    {"id": "c", "text": "In my first year, what would our crew have seen from me? My question is simple.", "labels": {}},
]


def test_only_words_after_a_possessive_are_swapped_and_labels_stay():
    pool = ["warehouse", "payroll"]
    copy = noun_swap.swap_copy(ITEMS[0], pool, random.Random(0), share=1.0)
    assert copy["text"].startswith("Thanks for the callback. I cut our ")
    assert copy["text"].split()[-3] in pool and copy["text"].endswith(" by half.")
    assert copy["labels"] == LABELS and copy["source_id"] == "a" and copy["id"] == "a~swap"
    assert ITEMS[0]["text"] == "Thanks for the callback. I cut our overtime by half."  # the original is untouched


def test_words_that_decide_labels_are_never_swapped_or_drawn():
    pool = noun_swap.pool_of(ITEMS)
    assert set(pool) == {"overtime", "billing"}  # not manager, team, crew, first, question, nor "region's"
    for item in ITEMS[1:]:
        copy = noun_swap.swap_copy(item, ["payroll"], random.Random(0), share=1.0)
        for kept in ("My manager", "our team", "my first year", "our crew", "My question"):
            if kept in item["text"]:
                assert kept in copy["text"]


def test_copies_follow_the_items_and_are_the_same_for_a_seed():
    once = noun_swap.with_swapped_copies(ITEMS, seed=3)
    assert once[:3] == ITEMS and len(once) == 6
    assert [c["text"] for c in once[3:]] == [c["text"] for c in noun_swap.with_swapped_copies(ITEMS, seed=3)[3:]]
