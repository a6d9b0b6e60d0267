"""Copies of training openings with their nouns swapped (for the training scripts only).

The checks must read the shape of an opening (who did what, and what came of it), not its subject
matter: "I cut our overtime by half" leads as "I cut our delivery costs by half" does. ``swap_copy``
writes a copy in which some of the words that follow a possessive ("our overtime", "my line",
"their billing system") are replaced by such words from other openings, keeping the labels (and the
opening's id as ``source_id``, so cross-validation keeps the two in one fold). Words that decide
labels are never swapped or drawn: who did the deed (team, manager, company...), and the words of
the thanks and of the questions (callback, first year, role, review...).
"""

from __future__ import annotations

import random
import re

POSSESSIVES = frozenset("our my their his her".split())
KEPT = frozenset("""
team teams company companies manager managers boss bosses department predecessor predecessors colleague
colleagues supervisor director directors crew crews staff firm business organisation organization group
owner owners partner partners lead leads people everyone i we you they he she it me us them
callback call interview time chance opportunity invitation meeting question questions first year years
month months week weeks day days quarter review role position job start end anniversary contribution
""".split())
_TOKEN = re.compile(r"\w+(?:'\w+)?|[^\w\s]+|\s+")


def _slots(tokens: list[str]) -> list[int]:
    """Indexes of alphabetic words that follow a possessive (through spaces only)."""
    out, prev = [], None
    for i, tok in enumerate(tokens):
        if tok.isspace():
            continue
        word = tok.lower()
        if prev in POSSESSIVES and tok.isalpha() and word not in POSSESSIVES and word not in KEPT and len(word) > 2:
            out.append(i)
        prev = word
    return out


def pool_of(items: list[dict]) -> list[str]:
    """The swappable words of ``items``, lowercase, each once."""
    words = set()
    for it in items:
        tokens = _TOKEN.findall(it["text"])
        words.update(tokens[i].lower() for i in _slots(tokens))
    return sorted(words)


def swap_copy(item: dict, pool: list[str], rng: random.Random, share: float = 0.5) -> dict:
    """``item`` with about ``share`` of its swappable words replaced from ``pool`` (case kept)."""
    tokens = _TOKEN.findall(item["text"])
    for i in _slots(tokens):
        if pool and rng.random() < share:
            new = rng.choice(pool)
            tokens[i] = new.capitalize() if tokens[i][:1].isupper() else new
    copy = dict(item, text="".join(tokens), source_id=item.get("source_id", item.get("id")))
    copy["id"] = f"{item.get('id', '')}~swap"
    return copy


def with_swapped_copies(items: list[dict], seed: int = 0) -> list[dict]:
    """The items, then a noun-swapped copy of each."""
    rng = random.Random(seed)
    pool = pool_of(items)
    return items + [swap_copy(it, pool, rng) for it in items]
