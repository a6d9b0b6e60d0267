"""Where an opening mentions a debrief topic, and how plainly. Pure: a normalised opening and a topic in,
a :class:`Mention` out.

The debrief's topics answer "Why didn't they ask me about my work at ___?": an employer, a project, a
team, a system ("Kirklees Council", "the CQC inspection", "SD-WAN rollout"). A topic's words are of two
kinds:

- **names**: the words that say which one ("kirklees", "cqc", "sd", "wan"). A speaker who means that
  employer or project says them, perhaps misheard ("wit field" for "Whitfield"), shortened ("Kendrick"
  for "Kendrick Construction") or spelled out letter by letter ("see queue see");
- **kinds**: words that only say what sort of thing it is ("council", "inspection", "rollout"; the list
  is ``[personal.topics] kinds`` in ``debrief.toml``). They are often left out, and heard alone they
  mean nothing ("the migration to Azure" is not "the migration to Kubernetes").

A word is heard at a place in the opening when the token there is the same; or close by rapidfuzz ratio
(the personal checks' cut-offs), alone or joined from two or three tokens ("ken drick"); or, for a word
of five letters or more, when both have the same consonant skeleton ("harber" and "harbour"); or, for a
short code with letters and digits ("cqc", "a14"), when its letters are said one by one ("see queue
see", "a fourteen").

The mention is the place where the most names (then the most words) of the topic are heard close
together. It is **negated** when a negation stands just before it in the same sentence with no verb of
telling in between ("I never did the night audit", "I wasn't part of the refit": but "nobody asked
about my time at the Grand Harbour" is the topic brought up), or when "later" follows it ("I'll talk
about Oakfield later") or stands just before it ("maybe later I can tell you about Oakfield").

The words around the mention, in its sentence, say whether it is the candidate's work there or a name
said in passing ("a friend who works at Whitfield told me about the job", "I know my CV says the
fostering panel, but"): the mentions head weighs them (a bag of words learnt with it, see
:func:`features`).

:func:`features` gives what the mentions head of ``data/personal_model.json`` reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Optional

from rapidfuzz import fuzz

from rehearse.coaching.textnorm import NUM, Doc

FEATURES = ("names", "words", "negated", "context")
"""What the mentions head reads (see :func:`features`)."""

CONTEXT_TOKENS = 12
"""How many tokens on each side of a mention, in its sentence, are its context."""


@dataclass(frozen=True)
class TopicRules:
    """The ``[personal.topics]`` table of ``debrief.toml``, with the personal checks' fuzzy cut-offs."""

    kinds: frozenset[str]
    """Words that say what sort of thing a topic is, not which one."""
    frame: frozenset[str]
    """Words of the debrief's frame that are not the topic ("my time at ...")."""
    stopwords: frozenset[str]
    negations: frozenset[str]
    telling: frozenset[str]
    """Verbs of asking and telling: after them a negation does not deny the topic ("nobody asked about")."""
    letters: dict[str, frozenset[str]]
    """How each letter is written when spelled out ("c": "see", "sea")."""
    before: int
    """How many tokens before a mention a negation is looked for."""
    after: int
    later_before: int
    """How many tokens before a mention "later" defers it ("maybe later I can tell you about ...")."""
    fuzzy_cutoff: float
    fuzzy_join_cutoff: float
    fuzzy_min_length: int
    skeleton_min_length: int

    @classmethod
    def from_data(cls, data: dict) -> "TopicRules":
        p = data["personal"]
        t = p["topics"]
        return cls(kinds=frozenset(t["kinds"]), frame=frozenset(t["frame"]), stopwords=frozenset(p["stopwords"]),
                   negations=frozenset(t["negations"]), telling=frozenset(t["telling"]),
                   letters={k: frozenset(v) for k, v in t["letters"].items()},
                   before=int(t["negation_before"]), after=int(t["later_after"]),
                   later_before=int(t["later_before"]),
                   fuzzy_cutoff=float(p["fuzzy_cutoff"]), fuzzy_join_cutoff=float(p["fuzzy_join_cutoff"]),
                   fuzzy_min_length=int(p["fuzzy_min_length"]),
                   skeleton_min_length=int(t["skeleton_min_length"]))


@dataclass(frozen=True)
class TopicTerms:
    """A topic's words, normalised as answers are."""

    names: tuple[str, ...]
    """Words that say which one (all the words, when every word is a kind)."""
    kinds: tuple[str, ...]
    numbers: dict[str, float]
    """A number's token ("#42") and its value."""

    @property
    def words(self) -> tuple[str, ...]:
        return self.names + self.kinds


@dataclass(frozen=True)
class Mention:
    """The place where the topic is heard best."""

    names: float
    """Share of the topic's names heard there."""
    words: float
    """Share of all its words heard there."""
    negated: bool
    span: Optional[tuple[int, int]]
    """Token range [start, end) of the words heard; None when no name is heard anywhere."""
    context: tuple[str, ...] = ()
    """The tokens around it in its sentence (up to :data:`CONTEXT_TOKENS` on each side)."""


def terms(doc: Doc, rules: TopicRules) -> TopicTerms:
    """The names and kinds of a topic (``doc``: the topic normalised as answers are)."""
    words: list[str] = []
    numbers: dict[str, float] = {}
    for t, v in zip(doc.tokens, doc.values):
        if t == NUM:
            if v is not None:
                key = f"#{v:g}"
                numbers[key] = float(v)
                words.append(key)
        elif (len(t) > 1 or t.isdigit()) and t not in rules.stopwords and t not in rules.frame:
            words.append(t)
    words = list(dict.fromkeys(words))
    names = tuple(w for w in words if w not in rules.kinds)
    kinds = tuple(w for w in words if w in rules.kinds)
    if not names:
        names, kinds = kinds, ()
    return TopicTerms(names, kinds, numbers)


def skeleton(word: str) -> str:
    """A word's consonants as they sound, doubled letters once ("harbour" -> "hrbr", "harber" -> "hrbr")."""
    w = word.lower()
    for a, b in (("ph", "f"), ("ck", "k"), ("wh", "w"), ("gh", ""), ("q", "k"), ("c", "k"), ("z", "s")):
        w = w.replace(a, b)
    if not w:
        return w
    return re.sub(r"(.)\1+", r"\1", w[0] + re.sub(r"[aeiouyh]", "", w[1:]))


def _spelled(word: str, doc: Doc, i: int, rules: TopicRules) -> int:
    """How many tokens from ``i`` spell a short code out ("see queue see" for "cqc"); 0 if they do not."""
    parts = re.findall(r"[a-z]|\d+", word)
    if len(parts) < 2 or len(word) > 6:
        return 0
    j = i
    for part in parts:
        if j >= len(doc.tokens):
            return 0
        tok = doc.tokens[j]
        if part.isdigit():
            if not (tok == part or (tok == NUM and doc.values[j] == float(part))):
                return 0
        elif tok != part and tok not in rules.letters.get(part, ()):
            return 0
        j += 1
    return j - i


def heard_at(word: str, doc: Doc, i: int, rules: TopicRules, value: Optional[float] = None) -> int:
    """How many tokens from ``i`` make up ``word`` (0: it is not heard there)."""
    tok = doc.tokens[i]
    if value is not None:
        return 1 if tok == NUM and doc.values[i] is not None and abs(doc.values[i] - value) < 1e-9 else 0
    if tok == word:
        return 1
    spelled = _spelled(word, doc, i, rules)
    if spelled:
        return spelled
    if tok == NUM or len(word) < rules.fuzzy_min_length:
        return 0
    if len(tok) >= 3 and fuzz.ratio(word, tok) >= rules.fuzzy_cutoff:
        return 1
    long_enough = len(word) >= rules.skeleton_min_length
    if long_enough and len(tok) >= 4 and skeleton(word) == skeleton(tok) and len(skeleton(word)) >= 4:
        return 1
    joined = tok
    for k in (2, 3):
        if i + k > len(doc.tokens) or doc.tokens[i + k - 1] == NUM:
            break
        joined += doc.tokens[i + k - 1]
        if len(joined) > len(word) + 2:
            break
        if fuzz.ratio(word, joined) >= rules.fuzzy_join_cutoff or (long_enough and skeleton(word) == skeleton(joined)):
            return k
    return 0


def find(doc: Doc, topic: TopicTerms, rules: TopicRules) -> Mention:
    """The place where most of the topic's names, then most of its words, are heard close together."""
    places = {w: [(i, i + k) for i in range(len(doc.tokens))
                  for k in [heard_at(w, doc, i, rules, topic.numbers.get(w))] if k]
              for w in topic.words}
    reach = 2 * len(topic.words) + 3
    best: tuple[float, float] = (0.0, 0.0)
    span: Optional[tuple[int, int]] = None
    for anchor in topic.names:
        for a, b in places[anchor]:
            lo, hi = a - reach, b + reach
            near = [min((p for p in places[w] if lo <= p[0] < hi), key=lambda p: abs(p[0] - a), default=None)
                    for w in topic.words]
            got = [p for p in near if p is not None]
            n_names = sum(1 for w, p in zip(topic.words, near) if p is not None and w in topic.names)
            score = (n_names / len(topic.names), len(got) / len(topic.words))
            if score > best:
                best = score
                span = (min(p[0] for p in got), max(p[1] for p in got))
    if span is None:
        return Mention(0.0, 0.0, False, None)
    return Mention(best[0], best[1], negated(doc, span, rules), span, context(doc, span))


def context(doc: Doc, span: tuple[int, int]) -> tuple[str, ...]:
    """The tokens around ``span`` in its sentence, the span itself left out."""
    a, b = span
    sentence = doc.sentence[a]
    return tuple(doc.tokens[j] for j in (*range(max(0, a - CONTEXT_TOKENS), a),
                                         *range(b, min(len(doc.tokens), b + CONTEXT_TOKENS)))
                 if doc.sentence[j] == sentence)


def negated(doc: Doc, span: tuple[int, int], rules: TopicRules) -> bool:
    """A negation just before the mention in its sentence, with no verb of telling after it; or "later"
    just after or just before it."""
    a, b = span
    sentence = doc.sentence[a]
    before = [doc.tokens[j] for j in range(max(0, a - rules.before), a) if doc.sentence[j] == sentence]
    for k, tok in enumerate(before):
        if tok in rules.negations and not rules.telling.intersection(before[k + 1:]):
            return True
    after = [doc.tokens[j] for j in range(b, min(len(doc.tokens), b + rules.after)) if doc.sentence[j] == sentence]
    earlier = [doc.tokens[j] for j in range(max(0, a - rules.later_before), a) if doc.sentence[j] == sentence]
    return "later" in after or "later" in earlier


def context_score(mention: Mention, weights: Mapping[str, float], bias: float = 0.0) -> float:
    """The context's vote, from a weight per word (each distinct word counted once); 0 without a
    mention."""
    if mention.span is None:
        return 0.0
    return bias + sum(weights.get(t, 0.0) for t in set(mention.context))


def features(mention: Mention, context_weights: Optional[Mapping[str, float]] = None,
             context_bias: float = 0.0) -> tuple[float, ...]:
    """One value per name in :data:`FEATURES`; the context's is :func:`context_score` (0 without
    weights)."""
    return (mention.names, mention.words, 1.0 if mention.negated else 0.0,
            context_score(mention, context_weights or {}, context_bias))

