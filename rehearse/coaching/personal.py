"""Personalised checks: does the opening present the user's chosen accomplishment, and mention the
topics the debrief said were missed? Pure: a transcript and :class:`Targets` in, results out.

Interface (for practice and drills; results never change the contract's five checks or verdict):
    check(transcript: Transcript, targets: Targets) -> list[PersonalCheck]
    results_json(results) -> list[dict]

"Does it present my accomplishment?" is a similarity question, decided by a small model when the
embedding package is installed (:class:`SimilarityModel`): the opening and the bank entry's title,
terms, situation, action and result are read by the checks' normaliser
(:mod:`rehearse.coaching.textnorm`: fillers dropped, misheard words repaired, spelled-out numbers as
numbers), and four features go into a logistic regression: how closely the entry's content words are
met by the opening's words (WordLlama word-piece embeddings, :mod:`rehearse.coaching.embed`), the share
of them heard by the word matching below, the best embedding cosine between the entry and a window of
the opening (the window is the evidence), and how many words the entry has.

"Does it mention this topic?" reads words only (:mod:`rehearse.coaching.topic_match`): a debrief topic
is an employer, a project or a system, and what tells it is its names heard (misheard, shortened or
spelled out), not denied; a logistic regression over those three features decides. Word-piece
embeddings did not help there (README, `train_personal.py`). Weights of both heads:
``rehearse/data/personal_model.json`` (``scripts/train_personal.py``).

The word matching is the accomplishment's fallback when the model is absent, and still names what was
heard: the transcript and every key term are normalised the same way, so "forty percent" meets "40%";
a word is heard when it is close to a target word by rapidfuzz ratio, alone or as two or three adjacent
recognised words joined ("on boarding" for "onboarding"). The thresholds live in
``rehearse/data/debrief.toml`` under ``[personal]``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping, Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rapidfuzz import fuzz, process

from rehearse.coaching import topic_match
from rehearse.coaching.bank import Accomplishment, describe
from rehearse.core.model import CheckResult, Transcript
from rehearse.core.once import load_once
from rehearse.coaching.textnorm import NUM, Doc, normalize, original_words

PRESENTS = "presents_accomplishment"
MENTIONS = "mentions_topic"
LABELS = {PRESENTS: "Presents your best accomplishment", MENTIONS: "Mentions a topic they missed"}


@dataclass(frozen=True)
class Targets:
    """What the user's own openings are held to: the best accomplishment and the missed topics."""

    accomplishment: Optional[Accomplishment] = None
    topics: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.accomplishment is None and not self.topics


@dataclass(frozen=True)
class PersonalRules:
    """The ``[personal]`` table of ``debrief.toml``."""

    window_tokens: int
    need_hits: int
    lead_max_words: int
    fuzzy_cutoff: float
    fuzzy_join_cutoff: float
    fuzzy_min_length: int
    phrase_share: float
    number_tolerance: float
    stopwords: frozenset[str]
    advice: dict[str, str]

    @classmethod
    def from_data(cls, data: dict) -> "PersonalRules":
        p = data["personal"]
        return cls(window_tokens=int(p["window_tokens"]), need_hits=int(p["need_hits"]),
                   lead_max_words=int(p["lead_max_words"]), fuzzy_cutoff=float(p["fuzzy_cutoff"]),
                   fuzzy_join_cutoff=float(p["fuzzy_join_cutoff"]),
                   fuzzy_min_length=int(p["fuzzy_min_length"]), phrase_share=float(p["phrase_share"]),
                   number_tolerance=float(p["number_tolerance"]),
                   stopwords=frozenset(p["stopwords"]), advice=dict(p["advice"]))


@lru_cache(maxsize=1)
def load_data() -> dict:
    """The packaged ``debrief.toml`` (questions and personal-check rules), read once."""
    text = resources.files("rehearse").joinpath("data/debrief.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def load_rules() -> PersonalRules:
    return PersonalRules.from_data(load_data())


@dataclass(frozen=True)
class PersonalCheck:
    """One personalised check on one answer (never required: it does not decide the verdict)."""

    name: str
    """``presents_accomplishment`` or ``mentions_topic``."""
    target: str
    """The accomplishment's title, or the topic."""
    result: CheckResult
    heard: tuple[str, ...] = ()
    """Which key terms and numbers were heard."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "target": self.target, **self.result.to_json(), "heard": list(self.heard)}


def results_json(results: Sequence[PersonalCheck]) -> list[dict[str, Any]]:
    return [r.to_json() for r in results]


# -- the similarity model -------------------------------------------------------------------------------

MODEL_FILE = "data/personal_model.json"
FEATURES = ("soft", "heard", "window", "size")
"""The model's features, in order (see :func:`similarity_features`)."""


@dataclass(frozen=True)
class SimilarityRules:
    """The ``[personal.similarity]`` table of ``debrief.toml``."""

    window: int
    step: int
    stopwords: frozenset[str]

    @classmethod
    def from_data(cls, data: dict) -> "SimilarityRules":
        p = data["personal"]["similarity"]
        return cls(window=int(p["window"]), step=int(p["step"]), stopwords=frozenset(p["stopwords"]))


@dataclass(frozen=True)
class Head:
    """A logistic regression (raw feature scale) and the probability that passes."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    features: tuple[str, ...] = FEATURES
    """What it reads: :data:`FEATURES` for the accomplishment, :data:`topic_match.FEATURES` for topics."""
    context: Mapping[str, float] = field(default_factory=dict)
    """The topic head's weight per word around a mention (:func:`topic_match.context_score`)."""
    context_bias: float = 0.0

    def probability(self, x: Sequence[float]) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, x))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Features:
    values: tuple[float, ...]
    """One value per name in :data:`FEATURES`."""
    window: Optional[tuple[int, int]]
    """Token range [start, end) of the window closest to the target (None for an empty opening)."""


class SimilarityModel:
    """Word-piece embeddings, the similarity rules and one :class:`Head` per check."""

    def __init__(self, embedder, rules: SimilarityRules, heads: dict[str, Head]):
        self.embedder = embedder
        self.rules = rules
        self.heads = heads

    def vectors(self, words: Sequence[str]):
        """Each word's summed piece vector (rows)."""
        import numpy as np

        if not words:
            return np.zeros((0, self.embedder.dim), np.float32)
        return np.stack([self.embedder.word(w)[0] for w in words])


def _unit_rows(m):
    import numpy as np

    norm = np.linalg.norm(m, axis=1, keepdims=True)
    norm[norm == 0] = 1.0
    return m / norm


def _model_words(tokens: Sequence[str], stop: frozenset[str]) -> list[int]:
    """Positions of the content words the model reads (no numbers, stopwords or single letters)."""
    return [i for i, t in enumerate(tokens) if t != NUM and len(t) > 1 and t not in stop]


def _spans(n: int, size: int, step: int) -> list[tuple[int, int]]:
    if n <= size:
        return [(0, n)]
    out = [(a, a + size) for a in range(0, n - size + 1, step)]
    if out[-1][1] < n:
        out.append((n - size, n))
    return out


def _heard_share(words: Sequence[str], doc: Doc, rules: PersonalRules) -> float:
    """Share of ``words`` the word matching hears in ``doc``: the same word, or one close by rapidfuzz
    ratio, alone or joined from two or three recognised words (the cut-offs of ``[personal]``)."""
    toks = [t for t in doc.tokens]
    present = set(toks)
    singles = [t for t in present if t != NUM and len(t) >= 3]
    joins = set()
    for k in (2, 3):
        for i in range(len(toks) - k + 1):
            piece = toks[i:i + k]
            if NUM not in piece:
                joins.add("".join(piece))
    joins = list(joins)
    heard = 0
    for w in words:
        if w in present:
            heard += 1
        elif len(w) >= rules.fuzzy_min_length and (
                process.extractOne(w, singles, scorer=fuzz.ratio, score_cutoff=rules.fuzzy_cutoff)
                or process.extractOne(w, joins, scorer=fuzz.ratio, score_cutoff=rules.fuzzy_join_cutoff)):
            heard += 1
    return heard / len(words) if words else 0.0


def similarity_features(doc: Doc, target: str, model: SimilarityModel, rules: PersonalRules) -> Features:
    """The model's features for one opening (already normalised) and one target text.

    - ``soft``: for each distinct content word of the target, the best cosine to a content word of the
      opening; their mean (paraphrase: "longevity" meets "mortality" part of the way);
    - ``heard``: the share of those words the word matching hears (misheard-word repair included);
    - ``window``: the best cosine between the target's mean vector and a run of ``window`` content
      words of the opening (that run is the evidence);
    - ``size``: 1 / sqrt(the number of those words): a title alone is met by chance more easily than a
      whole story, so the same cosines mean less for a sparse bank entry.
    """
    cfg = model.rules
    tdoc = _norm(target)
    twords = list(dict.fromkeys(tdoc.tokens[i] for i in _model_words(tdoc.tokens, cfg.stopwords)))
    pos = _model_words(doc.tokens, cfg.stopwords)
    if not twords or not pos:
        return Features((0.0, 0.0, 0.0, 1.0 / math.sqrt(max(len(twords), 1))), None)
    owords = [doc.tokens[i] for i in pos]
    o_raw = model.vectors(owords)
    t_raw = model.vectors(twords)
    soft = float((_unit_rows(t_raw) @ _unit_rows(o_raw).T).max(axis=1).mean())
    heard = _heard_share(twords, doc, rules)
    t_vec = _unit_rows(t_raw.sum(axis=0, keepdims=True))[0]
    import numpy as np

    sums = np.vstack([np.zeros((1, o_raw.shape[1]), o_raw.dtype), np.cumsum(o_raw, axis=0)])
    spans = _spans(len(pos), cfg.window, cfg.step)
    idx = np.asarray(spans)
    cos = _unit_rows(sums[idx[:, 1]] - sums[idx[:, 0]]) @ t_vec
    k = int(np.argmax(cos))
    a, b = spans[k]
    size = 1.0 / math.sqrt(len(twords))
    return Features((soft, heard, float(cos[k]), size), (pos[a], pos[b - 1] + 1))


HEAD_FEATURES = {PRESENTS: FEATURES, MENTIONS: topic_match.FEATURES}


def heads_from_json(data: dict) -> dict[str, Head]:
    """The heads of ``data/personal_model.json``; each must read the features its check computes."""
    if list(data.get("features", [])) != list(FEATURES):
        raise ValueError(f"the personal model's features are {data.get('features')}, not {list(FEATURES)}")
    out = {}
    for name, h in data["heads"].items():
        features = tuple(h.get("features", data["features"]))
        if features != HEAD_FEATURES.get(name, FEATURES) or len(h["weights"]) != len(features):
            raise ValueError(f"the {name} head reads {list(features)}, not {list(HEAD_FEATURES.get(name, FEATURES))}")
        ctx = h.get("context", {})
        out[name] = Head(tuple(float(w) for w in h["weights"]), float(h["bias"]), float(h["threshold"]), features,
                         {str(k): float(v) for k, v in ctx.get("weights", {}).items()}, float(ctx.get("bias", 0.0)))
    return out


@lru_cache(maxsize=1)
def load_heads() -> dict[str, Head]:
    """The packaged heads (``data/personal_model.json``), read once; empty when the file is missing."""
    ref = resources.files("rehearse").joinpath(MODEL_FILE)
    if not ref.is_file():
        return {}
    return heads_from_json(json.loads(ref.read_text(encoding="utf-8")))


@load_once()
def load_model() -> Optional[SimilarityModel]:
    """The similarity model, or None when the embedding package or the weights file is missing."""
    from rehearse.coaching import embed

    heads = load_heads()
    if not heads:
        return None
    try:
        embedder = embed.load()
    except embed.EmbeddingUnavailable:
        return None
    return SimilarityModel(embedder, SimilarityRules.from_data(load_data()), heads)


def entry_text(acc: Accomplishment) -> str:
    """What the model compares the opening with: every field of the bank entry."""
    return " ".join(x for x in (acc.title, *acc.terms, acc.situation, acc.action, acc.result) if x)


# -- matching -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    label: str
    """What the user wrote ("ramp-up", "40%")."""
    words: tuple[str, ...] = ()
    """Normalised content words (a phrase target)."""
    value: Optional[float] = None
    """The number (a number target)."""
    unit: Optional[str] = None
    """The word after the number in the bank entry ("weeks", "percent"); the answer must say it too."""


@dataclass(frozen=True)
class _Hit:
    target: int
    start: int
    end: int
    """Token range [start, end) in the answer's Doc."""


@lru_cache(maxsize=256)
def _norm(text: str) -> Doc:
    """A target text (a bank entry's field, a topic) normalised as answers are; cached, as the same
    entry is checked against every answer."""
    from rehearse.coaching.checks import load_rules as check_rules

    return normalize(text.split(), check_rules().norm)


def _content(doc: Doc, rules: PersonalRules) -> tuple[str, ...]:
    return tuple(t for t in doc.tokens if t != NUM and t not in rules.stopwords)


def _numbers(doc: Doc, rules: Optional["PersonalRules"] = None) -> list[tuple[float, str, Optional[str]]]:
    """(value, the original words, its unit) of every real quantity in a Doc (not "one"/"a").

    The unit is the content word right after the number ("10 weeks" -> "weeks"), if any.
    """
    out = []
    stop = rules.stopwords if rules else frozenset()
    for i, t in enumerate(doc.tokens):
        if t == NUM and not doc.weak[i] and doc.values[i] is not None:
            nxt = doc.tokens[i + 1] if i + 1 < len(doc.tokens) else None
            unit = nxt if nxt and nxt != NUM and nxt not in stop else None
            words = doc.words[doc.first[i]:doc.last[i] + 1]
            if unit and i + 1 < len(doc.tokens) and doc.first[i + 1] > doc.last[i]:
                words = doc.words[doc.first[i]:doc.last[i + 1] + 1]
            out.append((float(doc.values[i]), " ".join(words).strip(" ,.;:()"), unit))
    return out


def accomplishment_targets(acc: Accomplishment, rules: PersonalRules) -> list[_Target]:
    """Phrase targets (key terms, then the title) and number targets (from the result and the terms)."""
    out: list[_Target] = []
    seen_words: set[tuple[str, ...]] = set()
    values: list[float] = []
    for label in (*acc.terms, acc.title):
        doc = _norm(label)
        words = _content(doc, rules)
        if words and words not in seen_words:
            seen_words.add(words)
            out.append(_Target(label=label, words=words))
        for value, original, unit in _numbers(doc, rules):
            if value not in values:
                values.append(value)
                out.append(_Target(label=original, value=value, unit=unit))
    # clause by clause: the normaliser would read "to 6, 40% faster" as one number (46)
    for clause in re.split(r"[,;:()\[\]]\s*|\.\s+|\s+-+\s+", acc.result):
        previous_unit = None
        for value, original, unit in _numbers(_norm(clause), rules):
            unit = unit or previous_unit  # "from 10 weeks to 6": 6 weeks
            previous_unit = unit
            if value not in values:
                values.append(value)
                out.append(_Target(label=original, value=value, unit=unit))
    return out


def _word_at(word: str, tokens: tuple[str, ...], i: int, rules: PersonalRules) -> tuple[int, float]:
    """(how many answer tokens from ``i`` make up ``word``, how closely); (0, 0) when it is not there."""
    tok = tokens[i]
    if tok == word:
        return 1, 100.0
    if tok == NUM or len(word) < rules.fuzzy_min_length:
        return 0, 0.0
    best = (0, 0.0)
    if len(tok) >= 3:
        score = fuzz.ratio(word, tok)
        if score >= rules.fuzzy_cutoff:
            best = (1, score)
    joined = tok
    for k in (2, 3):
        if i + k > len(tokens) or tokens[i + k - 1] == NUM:
            break
        joined += tokens[i + k - 1]
        if len(joined) > len(word) + 2:
            break
        score = fuzz.ratio(word, joined)
        if score >= rules.fuzzy_join_cutoff and score > best[1]:
            best = (k, score)
    return best


def _phrase_hits(words: tuple[str, ...], doc: Doc, share: float, rules: PersonalRules) -> list[tuple[int, int, int]]:
    """(start, end, words heard) of every place the phrase is heard well enough, in order."""
    tokens, n, k = doc.tokens, len(doc.tokens), len(words)
    need = max(1, math.ceil(k * share - 1e-9))
    reach = 2 * k + 2
    found = []
    at: dict[tuple[str, int], tuple[int, float]] = {}  # each (word, position) is looked at once
    i = 0
    while i < n:
        spans = []
        for w in words:
            best = None  # (score, -start, start, end): the closest match, then the earliest
            for j in range(i, min(n, i + reach)):
                got = at.get((w, j))
                if got is None:
                    got = at[(w, j)] = _word_at(w, tokens, j, rules)
                size, score = got
                if size and (best is None or score > best[0]):
                    best = (score, j, j + size)
            if best is not None:
                spans.append((best[1], best[2]))
        if any(a == i for a, _ in spans) and len(spans) >= need:
            end = max(b for _, b in spans)
            found.append((i, end, len(spans)))
            i = end
            continue
        i += 1
    return found


def _number_hits(value: float, doc: Doc, rules: PersonalRules, unit: Optional[str] = None) -> list[tuple[int, int]]:
    """Where the answer says the number (with the same unit, when the entry gives one)."""
    out = []
    n = len(doc.tokens)
    for i, t in enumerate(doc.tokens):
        v = doc.values[i]
        if t == NUM and v is not None and not doc.weak[i]:
            if abs(float(v) - value) > rules.number_tolerance * max(abs(value), 1.0):
                continue
            if unit is None:
                out.append((i, i + 1))
            elif i + 1 < n and _word_at(unit, doc.tokens, i + 1, rules)[0]:
                out.append((i, i + 1 + _word_at(unit, doc.tokens, i + 1, rules)[0]))
    return out


def _evidence(doc: Doc, transcript: Transcript, start: int, end: int) -> tuple[str, int, Optional[float]]:
    text, index = doc.quote(start, end, 24)
    seconds = transcript.words[index].start if transcript.words and index < len(transcript.words) else None
    return text, index, seconds


def _accomplishment_hits(doc: Doc, acc: Accomplishment, rules: PersonalRules) -> tuple[list[_Target], list[_Hit]]:
    """The entry's key-term and number targets and every place the word matching hears one, in order."""
    targets = accomplishment_targets(acc, rules)
    hits: list[_Hit] = []
    for t_index, target in enumerate(targets):
        if target.value is not None:
            hits.extend(_Hit(t_index, a, b) for a, b in _number_hits(target.value, doc, rules, target.unit))
        else:
            hits.extend(_Hit(t_index, a, b) for a, b, _ in _phrase_hits(target.words, doc, rules.phrase_share, rules))
    hits.sort(key=lambda h: (h.start, h.end))
    return targets, hits


def check_accomplishment(doc: Doc, transcript: Transcript, acc: Accomplishment,
                         rules: PersonalRules, model: Optional[SimilarityModel] = None) -> PersonalCheck:
    """Whether the answer presents ``acc`` near its start.

    The word matching (its key terms and numbers, fuzzily) is precise but misses paraphrases; with the
    similarity model, the answer passes when either says so (the model for a retold story, the words
    for a short mention by name and number).
    """
    targets, hits = _accomplishment_hits(doc, acc, rules)
    ruled = _rules_accomplishment(doc, transcript, acc, rules, targets, hits)
    if model is None or PRESENTS not in model.heads:
        return ruled
    return _model_accomplishment(doc, transcript, acc, rules, model, targets, hits, ruled)


def _rules_accomplishment(doc: Doc, transcript: Transcript, acc: Accomplishment, rules: PersonalRules,
                          targets: list[_Target], hits: list[_Hit]) -> PersonalCheck:
    """The word matching's verdict: a key term (or the title) and enough targets within a window."""
    phrase = describe(acc)
    need = min(rules.need_hits, len(targets))
    best: tuple[int, list[_Hit]] = (0, [])
    found: Optional[list[_Hit]] = None
    for h in hits:
        window = _distinct([x for x in hits if h.start <= x.start < h.start + rules.window_tokens])
        has_term = any(targets[x.target].value is None for x in window)
        count = len(window) if has_term else 0
        if count > best[0]:
            best = (count, window)
        if has_term and count >= need:
            found = window
            break
    numbers = [t.label for t in targets if t.value is not None]
    if found is None:
        heard = tuple(targets[x.target].label for x in best[1])
        score = min(60, 25 * best[0])
        if heard and any(targets[x.target].value is None for x in best[1]):
            advice = rules.advice["accomplishment_partial"].format(phrase=phrase, heard=", ".join(heard))
        else:
            advice = rules.advice["accomplishment_missing"].format(phrase=phrase)
        return PersonalCheck(PRESENTS, acc.title, CheckResult(passed=False, required=False, score=score,
                                                              advice=_sentence(advice)), heard)
    start, end = found[0].start, max(x.end for x in found)
    text, index, seconds = _evidence(doc, transcript, start, end)
    heard = tuple(targets[x.target].label for x in found)
    spoken = doc.spoken_index(start)
    if spoken > rules.lead_max_words:
        advice = rules.advice["accomplishment_late"].format(phrase=phrase, words=spoken)
        return PersonalCheck(PRESENTS, acc.title, CheckResult(
            passed=False, required=False, score=45, evidence=text, word_index=index, seconds=seconds,
            advice=_sentence(advice)), heard)
    advice = None
    if numbers and not any(targets[x.target].value is not None for x in found):
        advice = _sentence(rules.advice["accomplishment_number"].format(numbers=", ".join(numbers)))
    score = min(100, 70 + 10 * (len(found) - need) + (10 if spoken <= rules.lead_max_words // 2 else 0))
    return PersonalCheck(PRESENTS, acc.title, CheckResult(
        passed=True, required=False, score=score, evidence=text, word_index=index, seconds=seconds,
        advice=advice), heard)


def _model_accomplishment(doc: Doc, transcript: Transcript, acc: Accomplishment, rules: PersonalRules,
                          model: SimilarityModel, targets: list[_Target], hits: list[_Hit],
                          ruled: PersonalCheck) -> PersonalCheck:
    """The model's verdict, or the word matching's when only it found the entry (``ruled``: passed, or
    found too late); the word matching's hits name what was heard and where the evidence starts."""
    head = model.heads[PRESENTS]
    feats = similarity_features(doc, entry_text(acc), model, rules)
    p = head.probability(feats.values)
    if p < head.threshold and ruled.result.evidence is not None:
        return ruled
    score = int(round(100 * p))
    phrase = describe(acc)
    numbers = [t.label for t in targets if t.value is not None]
    if feats.window is None:
        advice = rules.advice["accomplishment_missing"].format(phrase=phrase)
        return PersonalCheck(PRESENTS, acc.title, CheckResult(passed=False, required=False, score=score,
                                                              advice=_sentence(advice)))
    w_start, w_end = feats.window
    inside = _distinct([h for h in hits if w_start <= h.start < w_end])
    heard = tuple(targets[h.target].label for h in inside)
    if p < head.threshold:
        if heard and any(targets[h.target].value is None for h in inside):
            advice = rules.advice["accomplishment_partial"].format(phrase=phrase, heard=", ".join(heard))
        else:
            advice = rules.advice["accomplishment_missing"].format(phrase=phrase)
        return PersonalCheck(PRESENTS, acc.title, CheckResult(passed=False, required=False, score=score,
                                                              advice=_sentence(advice)), heard)
    start = min((h.start for h in inside), default=w_start)
    end = max([w_end] + [h.end for h in inside])
    text, index, seconds = _evidence(doc, transcript, start, end)
    spoken = doc.spoken_index(start)
    if spoken > rules.lead_max_words:
        advice = rules.advice["accomplishment_late"].format(phrase=phrase, words=spoken)
        return PersonalCheck(PRESENTS, acc.title, CheckResult(
            passed=False, required=False, score=min(score, 45), evidence=text, word_index=index,
            seconds=seconds, advice=_sentence(advice)), heard)
    advice = None
    if numbers and not any(targets[h.target].value is not None for h in hits):
        advice = _sentence(rules.advice["accomplishment_number"].format(numbers=", ".join(numbers)))
    return PersonalCheck(PRESENTS, acc.title, CheckResult(
        passed=True, required=False, score=score, evidence=text, word_index=index, seconds=seconds,
        advice=advice), heard)


def _distinct(window: list[_Hit]) -> list[_Hit]:
    """One hit per target and no two hits on the same words (the first wins)."""
    used: set[int] = set()
    targets: set[int] = set()
    out = []
    for h in window:
        span = set(range(h.start, h.end))
        if h.target in targets or span & used:
            continue
        targets.add(h.target)
        used |= span
        out.append(h)
    return out


@lru_cache(maxsize=1)
def load_topic_rules() -> topic_match.TopicRules:
    return topic_match.TopicRules.from_data(load_data())


def load_topic_head() -> Optional[Head]:
    """The mentions head of the packaged weights (it reads words only, so it needs no embedding
    package); None when the file or the head is missing."""
    return load_heads().get(MENTIONS)


def check_topic(doc: Doc, transcript: Transcript, topic: str, rules: PersonalRules,
                head: Optional[Head] = None) -> PersonalCheck:
    """Whether the answer mentions ``topic``: where its names are heard best (:mod:`topic_match`), and
    how likely that is the topic brought up (``head``: a logistic regression over
    :data:`topic_match.FEATURES`, the words around the mention among them; without one, every name
    must be heard and not denied)."""
    trules = load_topic_rules()
    mention = topic_match.find(doc, topic_match.terms(_norm(topic), trules), trules)
    if head is not None:
        p = head.probability(topic_match.features(mention, head.context, head.context_bias))
        passed = p >= head.threshold
    else:
        passed = mention.names >= 1.0 and not mention.negated
        p = mention.words if passed else min(mention.words, 0.49)
    score = int(round(100 * p))
    if not passed or mention.span is None:
        missing = _sentence(rules.advice["topic_missing"].format(topic=topic))
        return PersonalCheck(MENTIONS, topic, CheckResult(passed=False, required=False, score=min(score, 49),
                                                          advice=missing))
    text, index, seconds = _evidence(doc, transcript, *mention.span)
    return PersonalCheck(MENTIONS, topic, CheckResult(
        passed=True, required=False, score=max(score, 50), evidence=text, word_index=index, seconds=seconds),
        (topic,))


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


_DEFAULT = object()


def check(transcript: Transcript, targets: Targets, rules: Optional[PersonalRules] = None,
          model: Any = _DEFAULT) -> list[PersonalCheck]:
    """Every personalised check for one answer: the accomplishment first, then one per topic.

    ``model`` is the similarity model (by default the packaged one, :func:`load_model`); None, or no
    model installed, leaves the decision to the word matching.
    """
    if targets.empty:
        return []
    from rehearse.coaching.checks import load_rules as check_rules

    rules = rules or load_rules()
    if model is _DEFAULT:
        model = load_model()
    doc = normalize(original_words(transcript), check_rules().norm)
    out = []
    if targets.accomplishment is not None:
        out.append(check_accomplishment(doc, transcript, targets.accomplishment, rules, model))
    if targets.topics:
        head = load_topic_head()
        out.extend(check_topic(doc, transcript, topic, rules, head) for topic in targets.topics)
    return out
