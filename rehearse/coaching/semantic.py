"""The semantic checker: sentence embeddings plus a small trained head per check.

An answer is read as the rules read it (``textnorm``: fillers dropped, contractions expanded, misheard
words repaired, numbers as one token), then cut into clauses from the words alone, since speech
recognition text has no punctuation: at punctuation when there is some, and before a question word
or a sentence starter ("what", "how", "if", "so", "thank", ...) once a clause has a few words; long
clauses are cut into overlapping chunks. Windows of one to three consecutive clauses are the
candidates ("if I do well by next June | what will I have shipped" is two clauses, one window).

Each window gets a vector: the static embedding of its words and of its first words (the question
frame), plus cheap features (position in spoken words, question words, "I" with a past-tense verb,
negation, numbers, time words), plus the mean of its words' contextual vectors (``contextual``: a
small sentence encoder run once over the answer, so "cut" in "our team cut" and in "I cut" differ);
the number and lead heads also read the contextual vectors at the window's numbers (what the sentence
makes of each: a rate of the speaker's, a level, a count that sets the scene): the lead head their
mean, the number head each number on its own (a row per number, the window scored by its best). A
head per check scores every window (linear, or with one small hidden layer, averaged over a few
networks, where that held better for writers it was not trained on); the answer's probability is
the best window's (Platt-calibrated), and that window is the evidence. The lead check
looks only at windows starting within the first ~60 spoken words, thanks only at windows starting in its first few words (an opening thanks).

Heads (weights, feature scaling, calibration, thresholds, the ensemble's combination per check) are
package data, ``rehearse/data/semantic_heads.npz``, written by ``scripts/train_checks.py``; where the
encoder package is not installed, ``semantic_heads_static.npz`` (trained without its vectors) is used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Optional, Sequence

import numpy as np

from rehearse.coaching import contextual, embed
from rehearse.coaching.checker_seam import CheckFinding, matcher_for
from rehearse.coaching.checks import Matcher
from rehearse.coaching.textnorm import NUM
from rehearse.core.model import CHECK_NAMES, Archetype
from rehearse.core.once import load_once

HEADS_FILE = "data/semantic_heads.npz"
"""The heads trained with the contextual encoder's vectors among the features."""
STATIC_HEADS_FILE = "data/semantic_heads_static.npz"
"""The heads trained on the static embedding alone: used when the encoder package is not installed."""

STARTERS = frozenset("what how which why when where who whats hows if so but and because thank thanks also "
                     "then now okay ok well actually anyway let".split())
QWORDS = frozenset("what how which why when where who whats hows".split())
AUX = frozenset("would will do does did should could can is are was were have has might shall".split())
ASK_PAIRS = frozenset({("would", "you"), ("do", "you"), ("could", "you"), ("can", "you"), ("will", "you"),
                       ("is", "there"), ("are", "there"), ("would", "it"), ("would", "i"), ("will", "i"),
                       ("do", "i"), ("did", "i"), ("should", "i"), ("could", "i"), ("can", "i"),
                       ("would", "they"), ("would", "people"), ("would", "my"), ("would", "the"),
                       ("curious", "what"), ("wondering", "what"), ("know", "what"), ("tell", "me"),
                       ("ask", "you"), ("wonder", "what"), ("curious", "how"), ("wondering", "how")})
NEGATION = frozenset("not never nothing no nobody none hardly barely".split())
TIME = frozenset("year years month months week weeks day days june july january february march april may "
                 "august september october november december quarter quarters review anniversary mark "
                 "summer spring fall autumn winter christmas first start starting onboarding ninety "
                 "sixty thirty twelve six three end".split())
TEAM = frozenset("team teams colleagues peers teammates coworkers co people others leader leadership "
                 "lead manager managers describe qualities traits characteristics habits style "
                 "collaborate collaborator contributor effective".split())
SUCCESS = frozenset("success successful succeed great crushing thriving win best excellent exceptional "
                    "accomplished achieved delivered shipped done built proud results impact".split())
THANKS = frozenset("thank thanks grateful appreciate appreciated".split())
BACK = frozenset("back again second return invite invited invitation callback".split())
ABOUT_ME = frozenset({("describe", "me"), ("describe", "my"), ("about", "me"), ("about", "my"), ("see", "me"),
                      ("think", "of"), ("working", "with"), ("work", "with"), ("say", "about"), ("view", "me"),
                      ("perceive", "me"), ("with", "me"), ("i", "work"), ("i", "lead"), ("i", "handle"),
                      ("way", "i"), ("how", "i"), ("i", "am"), ("i", "was"), ("i", "would")})
"""Word pairs of a question about how the speaker works or comes across ("how would they describe me")."""
FIRST_PERSON = frozenset("i my myself mine".split())
"""The lead is the speaker's own accomplishment: its clause names the speaker ("me" alone, as in
"thanks for having me back", does not)."""
HEAD_WORDS = 5
UNIT_MIN = 4
UNIT_MAX = 22
WINDOW_UNITS = 3
WINDOW_MAX = 45
LEAD_MAX_START = 60
LEAD_MAX_TOKENS = 28
THANKS_MAX_START = 4
CONCEPTS = ("thanks_cue", "callback", "question_cue", "time_frame", "time_months", "success", "own_output",
            "expected_output", "characteristics", "team_domain", "effective", "preamble")
"""Concepts of the rules' data whose presence in a window is a feature (their lexicons, not verdicts)."""
N_CHEAP = 26 + len(CONCEPTS) + 4 + 8


def _spoken(m: Matcher, i: int) -> int:
    return m.doc.spoken_index(i) if i < m.n else (m.doc.spoken_index(m.n - 1) + 1 if m.n else 0)


def units(m: Matcher) -> list[tuple[int, int]]:
    """Clauses as token ranges, cut at punctuation and before starters, long ones chunked."""
    toks, sent = m.doc.tokens, m.doc.sentence
    cuts = [0]
    for i in range(1, len(toks)):
        size = i - cuts[-1]
        if sent[i] != sent[i - 1] and size >= 2:
            cuts.append(i)
        elif toks[i] in STARTERS and size >= UNIT_MIN and toks[i - 1] not in STARTERS:
            cuts.append(i)
    cuts.append(len(toks))
    out: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= a:
            continue
        if b - a <= UNIT_MAX:
            out.append((a, b))
            continue
        step = UNIT_MAX // 2
        s = a
        while True:
            e = min(b, s + UNIT_MAX)
            out.append((s, e))
            if e >= b:
                break
            s += step
    return out


def windows(m: Matcher) -> list[tuple[int, int]]:
    """One to three consecutive clauses, at most ``WINDOW_MAX`` tokens (a single clause always)."""
    us = units(m)
    out = []
    seen = set()
    for i in range(len(us)):
        for k in range(1, WINDOW_UNITS + 1):
            if i + k > len(us):
                break
            a, b = us[i][0], us[i + k - 1][1]
            if k > 1 and b - a > WINDOW_MAX:
                break
            if (a, b) not in seen:
                seen.add((a, b))
                out.append((a, b))
    return out


def _cheap(m: Matcher, a: int, b: int) -> list[float]:
    toks = m.doc.tokens
    w = toks[a:b]
    n = max(1, len(w))
    lead = 0
    while lead < len(w) - 1 and w[lead] in ("so", "and", "but", "okay", "ok", "well", "also", "then", "now", "actually"):
        lead += 1
    first = w[lead] if w else ""
    second = w[lead + 1] if len(w) > lead + 1 else ""
    pairs = set(zip(w, w[1:]))
    i_past = 0.0
    for k, t in enumerate(w):
        if t == "i":
            for t2 in w[k + 1:k + 4]:
                if t2 in m.rules.achievement or (len(t2) > 4 and t2.endswith("ed")) or t2 in m.rules.irregular_past:
                    i_past = 1.0
                    break
    nums = [i for i in range(a, b) if toks[i] == NUM]
    strong = [i for i in nums if not m.doc.weak[i]]
    start = _spoken(m, a)
    base = [
        min(start, 200) / 100.0,
        1.0 if start <= LEAD_MAX_START else 0.0,
        1.0 if start <= THANKS_MAX_START else 0.0,
        1.0 if a == 0 else 0.0,
        len(w) / 40.0,
        1.0 if first in QWORDS else 0.0,
        1.0 if first in QWORDS and second in AUX else 0.0,
        1.0 if any(t in QWORDS for t in w) else 0.0,
        1.0 if pairs & ASK_PAIRS else 0.0,
        1.0 if first == "if" else 0.0,
        1.0 if m.doc.sentence[a] in m.doc.asked or m.doc.sentence[b - 1] in m.doc.asked else 0.0,
        w.count("i") / n,
        i_past,
        1.0 if any(t in NEGATION for t in w) else 0.0,
        w.count("you") / n,
        (w.count("we") + w.count("our")) / n,
        (w.count("me") + w.count("my")) / n,
        1.0 if nums else 0.0,
        1.0 if strong else 0.0,
        1.0 if ("percent" in w or "dollars" in w) else 0.0,
        1.0 if ("would" in w or "will" in w) else 0.0,
        sum(t in TIME for t in w) / n,
        sum(t in TEAM for t in w) / n,
        sum(t in SUCCESS for t in w) / n,
        1.0 if any(t in THANKS for t in w) else 0.0,
        1.0 if any(t in BACK for t in w) else 0.0,
    ]
    concepts = [1.0 if any(a <= s < b for s, _ in m.hits(c)) else 0.0 for c in CONCEPTS]
    return base + concepts + _rule_marks(m, a, b) + _asked_about(w, base, dict(zip(CONCEPTS, concepts)))


def _asked_about(w: Sequence[str], base: list[float], concepts: dict[str, float]) -> list[float]:
    """Question form crossed with what is asked about: the head is linear, and "a question" and "about
    my first-year output" only mean the first-year question together."""
    asked = max(base[6], base[8], base[10], 1.0 if base[5] and base[20] else 0.0)
    about_me = 1.0 if ABOUT_ME.intersection(zip(w, w[1:])) else 0.0
    own = max(concepts["own_output"], concepts["expected_output"])
    return [asked, asked * own, asked * concepts["time_frame"], asked * max(concepts["success"], base[23]),
            asked * concepts["characteristics"], asked * base[22], asked * about_me, about_me]


def _rule_marks(m: Matcher, a: int, b: int) -> list[float]:
    """Whether the window holds the start of one of the rules' accomplishment clauses, a number that
    reads as a result, and both; and how many words before it are neither greeting, thanks nor framing."""
    from rehearse.coaching.checks.accomplishment import _preamble_words, clauses, result_quantities

    clause = any(a <= c.start < b for c in clauses(m))
    result = any(a <= q < b for q in result_quantities(m))
    ramble = min(_preamble_words(m, a), 120) / 60.0 if a else 0.0
    return [1.0 if clause else 0.0, 1.0 if result else 0.0, 1.0 if clause and result else 0.0, ramble]


def _embed_text(m: Matcher) -> list[str]:
    """The tokens the embedding reads: numbers as a word, everything else as normalised."""
    return ["number" if t == NUM else t for t in m.doc.tokens]


def features(m: Matcher, embedder: embed.Embedder, encoder: Optional[contextual.Encoder] = None,
             numbers: bool = False) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The windows of an answer and their feature rows (window vector, head vector, cheap features,
    and with an encoder the mean of the window's contextual word vectors; with ``numbers`` too, last,
    :func:`number_vectors`' block)."""
    wins, x, _ = features_and_numbers(m, embedder, encoder, numbers)
    return wins, x


def features_and_numbers(m: Matcher, embedder: embed.Embedder, encoder: Optional[contextual.Encoder] = None,
                         numbers: bool = False, unit_numbers: bool = False
                         ) -> tuple[list[tuple[int, int]], np.ndarray, Optional["NumberInstances"]]:
    """:func:`features`, and with ``numbers`` and an encoder the window's numbers one by one
    (:func:`number_instances`; else None), each number's vector as the whole answer reads it, or with
    ``unit_numbers`` as its own clause reads it (:func:`unit_number_vectors`)."""
    wins = windows(m)
    extra = encoder.dim * (2 if numbers else 1) if encoder is not None else 0
    if not wins:
        return wins, np.zeros((0, 2 * embedder.dim + N_CHEAP + extra), np.float32), None
    words = _embed_text(m)
    tv = embedder.words(words)
    body = tv.means(wins)
    heads = tv.means([(a, min(b, a + HEAD_WORDS)) for a, b in wins])
    cheap = np.asarray([_cheap(m, a, b) for a, b in wins], np.float32)
    parts = [body, heads, cheap]
    inst = None
    if encoder is not None:
        wv = encoder.word_vectors(words)
        parts.append(np.stack([wv[a:b].mean(axis=0) for a, b in wins]))
        if numbers:
            parts.append(number_vectors(m, wins, wv))
            inst = number_instances(m, wins, unit_number_vectors(m, encoder, words) if unit_numbers else wv)
    return wins, np.hstack(parts).astype(np.float32), inst


def number_vectors(m: Matcher, wins: Sequence[tuple[int, int]], word_vectors: np.ndarray) -> np.ndarray:
    """Per window, the mean of the contextual vectors at its numbers (zeros where it has none): what
    the sentence makes of each number ("a comeback rate of under one percent", "levels four and five",
    "forty-odd dives"), which the window's mean vector blurs. Read by the heads that were trained with
    it (``Head.numbers``)."""
    toks = m.doc.tokens
    out = np.zeros((len(wins), word_vectors.shape[1]), np.float32)
    for k, (a, b) in enumerate(wins):
        at = [i for i in range(a, b) if toks[i] == NUM]
        if at:
            out[k] = word_vectors[at].mean(axis=0)
    return out


@dataclass(frozen=True)
class NumberInstances:
    """A window's numbers one by one, for the heads that score each number on its own
    (``Head.each_number``): a window with three numbers is three rows, the window's features with one
    number's contextual vector each, and its logit is the best of the three. The mean of the vectors
    (:func:`number_vectors`) blurs a rate of the speaker's with a count beside it ("my first-time fix
    rate was 98 percent across 400 jobs")."""

    window: np.ndarray
    """Per row, the index of its window."""
    token: np.ndarray
    """Per row, the token index of its number (-1: a window without numbers, one row of zeros)."""
    block: np.ndarray
    """Per row, the contextual vector at its number (zeros where the window has none)."""


def number_instances(m: Matcher, wins: Sequence[tuple[int, int]], word_vectors: np.ndarray) -> NumberInstances:
    """Every window's numbers as rows (:class:`NumberInstances`), in window order."""
    toks = m.doc.tokens
    window, token = [], []
    for k, (a, b) in enumerate(wins):
        at = [i for i in range(a, b) if toks[i] == NUM] or [-1]
        window += [k] * len(at)
        token += at
    token_a = np.asarray(token, np.int64)
    block = np.zeros((len(token), word_vectors.shape[1]), np.float32)
    has = token_a >= 0
    block[has] = word_vectors[token_a[has]]
    return NumberInstances(np.asarray(window, np.int64), token_a, block)


def unit_number_vectors(m: Matcher, encoder: contextual.Encoder, words: Sequence[str]) -> np.ndarray:
    """Per token, the contextual vector of each number as the clause it stands in (:func:`units`, the
    first that holds it) reads it alone; zeros at the other tokens. Encoded with the whole answer, a
    number's vector takes in what is far from it: an opening thanks before "I grew regional sales by
    40% last year" moved the number head's logit from 0.43 to -1.26, and swapping in the vector of the
    number as the sentence alone reads it brought it back to 0.09 (S35's head, tuning probe)."""
    toks = m.doc.tokens
    out = np.zeros((len(words), encoder.dim), np.float32)
    done: set[int] = set()
    for a, b in units(m):
        at = [i for i in range(a, b) if toks[i] == NUM and i not in done]
        if not at:
            continue
        vectors = encoder.word_vectors(list(words[a:b]))
        for i in at:
            out[i] = vectors[i - a]
            done.add(i)
    return out


def instance_rows(x: np.ndarray, block: int, inst: NumberInstances) -> np.ndarray:
    """The feature rows of the number instances: each window's columns before the number block, then
    its instance's number vector."""
    return np.hstack([x[inst.window, :-block], inst.block])


def head_columns(x: np.ndarray, block: int, reads_numbers: bool) -> np.ndarray:
    """The feature columns a head reads: all of them when it reads :func:`number_vectors`' block (the
    last ``block`` columns, 0 when there is none), else the columns before it."""
    return x if reads_numbers or not block else x[:, :-block]


def eligible(check: str, m: Matcher, wins: Sequence[tuple[int, int]]) -> np.ndarray:
    """Which windows a check may take its evidence from: for the lead, short ones that start within the
    first ~60 spoken words, after at most the rules' allowance of preamble, and name the speaker; for
    a measurable result, ones holding a number (digits, number words, "doubled", "half"); for thanks,
    windows starting within the first few spoken words (the guide: it *opens* by thanking)."""
    if check == "leads_with_accomplishment":
        from rehearse.coaching.checks.accomplishment import _preamble_words

        limit = m.param("lead_max_preamble_words")
        toks = m.doc.tokens
        return np.asarray([_spoken(m, a) <= LEAD_MAX_START and b - a <= LEAD_MAX_TOKENS
                           and _preamble_words(m, a) <= limit and not FIRST_PERSON.isdisjoint(toks[a:b])
                           for a, b in wins], bool)
    if check == "quantified_result":
        toks = m.doc.tokens
        return np.asarray([NUM in toks[a:b] for a, b in wins], bool)
    if check == "thanks_for_callback":
        return np.asarray([_spoken(m, a) <= THANKS_MAX_START for a, _ in wins], bool)
    return np.ones(len(wins), bool)


def head_logits(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, weights: np.ndarray, bias: float,
                hidden: Optional[tuple[np.ndarray, np.ndarray]] = None) -> np.ndarray:
    """A head's logit for each row of window features: scaled, through the hidden layer if there is
    one (rectified), then the output weights."""
    z = (x - mean) / scale
    if hidden is not None:
        z = np.maximum(z @ hidden[0] + hidden[1], 0.0)
    return z @ weights + bias


@dataclass(frozen=True)
class Head:
    weights: np.ndarray
    """Output weights: over the scaled features (linear head) or over the hidden units."""
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    platt: tuple[float, float, float]
    """Calibration of the best window's logit: probability = sigmoid(a * logit + c * log(1 + n) + b),
    n the number of windows looked at (the best of many scores runs higher than the best of few)."""
    threshold: float
    """Probability at or above which the check passes."""
    hidden: Optional[tuple[np.ndarray, np.ndarray]] = None
    """A hidden layer (weights features x units, biases), rectified, before ``weights``; None: linear."""
    numbers: bool = False
    """Whether the head also reads :func:`number_vectors`' block (the last columns of the features)."""
    each_number: bool = False
    """Whether it reads the window's numbers one by one (:class:`NumberInstances`) instead of their
    mean; only with ``numbers``."""
    number_unit: bool = False
    """With ``each_number``: whether each number's vector is its clause's reading of it alone
    (:func:`unit_number_vectors`) rather than the whole answer's. One reading for all such heads."""

    def logits(self, x: np.ndarray) -> np.ndarray:
        return head_logits(x, self.mean, self.scale, self.weights, self.bias, self.hidden)

    def probability(self, logit: float, n: int) -> float:
        a, c, b = self.platt
        return float(1.0 / (1.0 + np.exp(-(a * logit + c * np.log1p(n) + b))))


@dataclass(frozen=True)
class Heads:
    heads: dict[str, Head]
    combine: dict[str, str]
    """For the ensemble: per check "rules", "model", "or", "and" or "stack"."""
    stack: dict[str, tuple[float, ...]]
    """For "stack": weights of (model log-odds, rules passed, rules confidence, their product) and a bias."""
    meta: dict


def heads_from_npz(data) -> Heads:
    meta = json.loads(str(data["meta"]))
    heads = {}
    for name in CHECK_NAMES:
        if f"{name}.w" not in data:
            continue
        p = data[f"{name}.platt"]
        hidden = None
        if f"{name}.w1" in data:
            hidden = (data[f"{name}.w1"].astype(np.float32), data[f"{name}.b1"].astype(np.float32))
        heads[name] = Head(data[f"{name}.w"].astype(np.float32), float(data[f"{name}.b"]),
                           data[f"{name}.mean"].astype(np.float32), data[f"{name}.scale"].astype(np.float32),
                           (float(p[0]), float(p[1]), float(p[2])), float(data[f"{name}.threshold"]), hidden,
                           f"{name}.numbers" in data and bool(data[f"{name}.numbers"]),
                           f"{name}.each_number" in data and bool(data[f"{name}.each_number"]),
                           f"{name}.number_unit" in data and bool(data[f"{name}.number_unit"]))
    stack = {name: tuple(float(v) for v in data[f"{name}.stack"]) for name in CHECK_NAMES if f"{name}.stack" in data}
    return Heads(heads, dict(meta.get("combine", {})), stack, meta)


@load_once(maxsize=2)
def load_heads(name: str = HEADS_FILE) -> Optional[Heads]:
    """Packaged heads (``HEADS_FILE`` or ``STATIC_HEADS_FILE``), or None when the file is missing."""
    ref = resources.files("rehearse").joinpath(name)
    if not ref.is_file():
        return None
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as data:
        return heads_from_npz(data)


class ModelChecker:
    """Every check by its trained head (a check without a head fails with probability 0)."""

    name = "model"

    def __init__(self, embedder: embed.Embedder, heads: Heads, encoder: Optional[contextual.Encoder] = None):
        self.embedder = embedder
        self.heads = heads
        self.encoder = encoder
        self.numbers = encoder is not None and any(h.numbers for h in heads.heads.values())
        """Whether a head reads :func:`number_vectors`' block (then it is computed, last)."""
        self.unit_numbers = self.numbers and any(h.each_number and h.number_unit for h in heads.heads.values())
        """Whether the numbers one by one are read in their clauses (:attr:`Head.number_unit`)."""

    def findings(self, m: Matcher) -> dict[str, CheckFinding]:
        wins, x, inst = features_and_numbers(m, self.embedder, self.encoder, self.numbers, self.unit_numbers)
        block = self.encoder.dim if self.numbers else 0
        out = {}
        for name in CHECK_NAMES:
            head = self.heads.heads.get(name)
            ok = eligible(name, m, wins) if wins else np.zeros(0, bool)
            if head is None or not ok.any():
                out[name] = CheckFinding(False, 0.0, None, None, "model")
                continue
            if head.each_number and head.numbers and inst is not None:
                rows_ok = ok[inst.window]
                logits = head.logits(instance_rows(x, block, inst)[rows_ok])
                at = inst.window[rows_ok]
            else:
                logits = head.logits(head_columns(x, block, head.numbers)[ok])
                at = np.flatnonzero(ok)
            k = int(np.argmax(logits))
            a, b = wins[int(at[k])]
            p = head.probability(float(logits[k]), int(ok.sum()))
            out[name] = CheckFinding(p >= head.threshold, p, m.doc.first[a], m.doc.last[b - 1] + 1, "model")
        return out

    def __call__(self, words: Sequence[str], archetype: Archetype) -> dict[str, CheckFinding]:
        return self.findings(matcher_for(words))


def checker_for(heads: Heads) -> ModelChecker:
    """A semantic checker with these heads and the models their features need (the static embedding,
    and the contextual encoder, with the fine-tuned layers they name, when the heads were trained with
    it); raises ``embed.EmbeddingUnavailable`` when one is not installed."""
    encoder = (contextual.load(_runtime(heads), heads.meta.get("contextual_tuned") or None)
               if heads.meta.get("contextual") else None)
    return ModelChecker(embed.load(), heads, encoder)


def _runtime(heads: Heads) -> Optional[str]:
    """The encoder runtime the heads were trained on: numpy for heads that name none (trained before
    there was a choice); None (the default, CTranslate2 where installed) for the others."""
    runtime = heads.meta.get("contextual_runtime")
    return contextual.NUMPY if not runtime or runtime == contextual.NUMPY else None


@load_once()
def load_model_checker() -> Optional[ModelChecker]:
    """The semantic checker: the heads that use the contextual encoder, or without the encoder package
    the heads of the static embedding alone; None when the embedding package or the heads are missing."""
    for name in (HEADS_FILE, STATIC_HEADS_FILE):
        heads = load_heads(name)
        if heads is None:
            continue
        try:
            return checker_for(heads)
        except embed.EmbeddingUnavailable:
            continue
    return None
