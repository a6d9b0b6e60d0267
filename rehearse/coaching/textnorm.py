"""Normalising a transcript into the tokens the checks read. Pure: text in, a ``Doc`` out.

Typed text and speech-recognition output are brought to one shape: lowercase words without
punctuation, contractions expanded, fillers and stutters dropped, commonly misheard key words
repaired (a sound-alike table plus rapidfuzz closeness to a small lexicon), and every number,
in digits or in words, collapsed into one token ``#`` whose value is kept aside. Each token
remembers which original words it came from, so evidence can be quoted and timed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional, Sequence

from rapidfuzz import fuzz

NUM = "qqnum"
"""The token every number becomes (patterns in the data write it as ``#``)."""
_FUNCTION = frozenset("a an the in on at of to for and or it is i we my our you me".split())
_WORD = re.compile(r"[a-z0-9]+(?:['.,][a-z0-9]+)*")
_ENGINE_MARK = re.compile(r"^[<\[].*[>\]]$")
_ALT = re.compile(r"\(\d+\)$")
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")
_INFLECTIONS = frozenset(("ed", "ing", "er", "ers"))


_PLAIN = re.compile(r"[a-z0-9']+")


def plain_words(text: str) -> list[str]:
    """Lowercase words and numbers as written, apostrophes kept: what word counts and fillers read."""
    return _PLAIN.findall(text.lower())


def original_words(transcript) -> tuple[str, ...]:
    """The words of a transcript as heard: its timed words, else the whitespace tokens of its text.

    Evidence and word indexes refer to these; :func:`normalize` reads them."""
    if transcript.words:
        return tuple(w.word for w in transcript.words)
    return tuple(transcript.text.split())


@dataclass(frozen=True)
class NormRules:
    """The normalisation part of ``checks.toml``, prepared for fast lookups."""

    fillers: frozenset[str]
    filler_phrases: tuple[tuple[str, ...], ...]
    filler_phrase_keepers: frozenset[str]
    number_hedges: frozenset[str]
    contractions: dict[str, tuple[str, ...]]
    confusions: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    fuzzy_lexicon: tuple[str, ...]
    fuzzy_single_cutoff: float
    fuzzy_join_cutoff: float
    fuzzy_min_length: int
    units: dict[str, float]
    scales: dict[str, float]
    fractions: dict[str, float]
    weak: frozenset[str]
    quantity_words: frozenset[str]
    quantity_idioms: frozenset[tuple[str, str]]
    """Word pairs where a quantity word is a figure of speech ("double check", "think twice")."""
    split_cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Original word -> its pieces (words repeat across answers; splitting is the slow part)."""

    @property
    def confusions_by_first(self) -> dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]:
        cached = self.split_cache.get(("confusions",))
        if cached is None:
            by_first: dict[str, list] = {}
            for src, dst in self.confusions:
                by_first.setdefault(src[0], []).append((src, dst))
            cached = {k: tuple(v) for k, v in by_first.items()}
            self.split_cache[("confusions",)] = cached
        return cached

    @property
    def join_shapes(self) -> tuple[frozenset[str], int, int]:
        """First letters and length range of the fuzzy lexicon, to skip hopeless joins fast."""
        cached = self.split_cache.get(("shapes",))
        if cached is None:
            lens = [len(w) for w in self.fuzzy_lexicon]
            cached = (frozenset(w[0] for w in self.fuzzy_lexicon), min(lens) - 1, max(lens) + 1)
            self.split_cache[("shapes",)] = cached
        return cached

    @classmethod
    def from_data(cls, data: dict) -> "NormRules":
        n, num = data["normalize"], data["numbers"]
        return cls(
            fillers=frozenset(n["fillers"]),
            filler_phrases=tuple(tuple(p.split()) for p in n["filler_phrases"]),
            filler_phrase_keepers=frozenset(n["filler_phrase_keepers"]),
            number_hedges=frozenset(n["number_hedges"]),
            contractions={k: tuple(v.split()) for k, v in n["contractions"].items()},
            confusions=tuple(sorted(((tuple(a.split()), tuple(b.split())) for a, b in n["confusions"]),
                                    key=lambda p: -len(p[0]))),
            fuzzy_lexicon=tuple(n["fuzzy_lexicon"]),
            fuzzy_single_cutoff=float(n["fuzzy_single_cutoff"]),
            fuzzy_join_cutoff=float(n["fuzzy_join_cutoff"]),
            fuzzy_min_length=int(n["fuzzy_min_length"]),
            units={k: float(v) for k, v in num["units"].items()},
            scales={k: float(v) for k, v in num["scales"].items()},
            fractions={k: float(v) for k, v in num["fractions"].items()},
            weak=frozenset(num["weak"]),
            quantity_words=frozenset(num["quantity_words"]),
            quantity_idioms=frozenset(tuple(p.split()) for p in num.get("quantity_idioms", ())),
        )


@dataclass(frozen=True)
class Doc:
    """A transcript as the checks see it."""

    tokens: tuple[str, ...]
    """Normalised tokens; numbers are ``#``."""
    values: tuple[Optional[float], ...]
    """The number each ``#`` token stands for (None for other tokens)."""
    weak: tuple[bool, ...]
    """True for a ``#`` that is only "one" or "a" (often not a quantity at all)."""
    first: tuple[int, ...]
    """Index of the first original word each token came from."""
    last: tuple[int, ...]
    """Index of the last original word each token came from."""
    sentence: tuple[int, ...]
    """Sentence number of each token (typed punctuation; speech is one sentence)."""
    asked: frozenset[int]
    """Sentence numbers that end in a question mark."""
    words: tuple[str, ...]
    """The original words (transcript words, or whitespace tokens of the text)."""
    spoken_before: tuple[int, ...]
    """For each original word, how many non-filler words come before it."""
    text: str
    """``" ".join(tokens)``: what the concept patterns search."""
    char_token: tuple[int, ...]
    """Token index of every character of ``text`` (spaces belong to the next token)."""

    def token_at(self, char: int) -> int:
        return self.char_token[min(char, len(self.char_token) - 1)] if self.char_token else 0

    def char_start(self, token: int) -> int:
        """Offset in ``text`` where a token starts."""
        return sum(len(t) + 1 for t in self.tokens[:token])

    def span(self, start_char: int, end_char: int) -> tuple[int, int]:
        """Token range [start, end) covered by a character range of ``text``."""
        return self.token_at(start_char), self.token_at(max(start_char, end_char - 1)) + 1

    def spoken_index(self, token: int) -> int:
        """How many spoken words (fillers not counted) come before this token."""
        return self.spoken_before[self.first[token]] if self.tokens else 0

    def quote(self, start: int, end: int, max_words: int) -> tuple[str, int]:
        """The original words behind tokens [start, end), at most ``max_words`` of them."""
        a = self.first[start]
        b = min(self.last[end - 1], a + max_words - 1)
        text = " ".join(self.words[a:b + 1])
        return text.strip(" ,;:"), a


def _split_word(raw: str, rules: NormRules) -> tuple[str, ...]:
    """Lowercase pieces of one original word: "$240,000" -> ("240000", "dollars")."""
    cached = rules.split_cache.get(raw)
    if cached is None:
        cached = tuple(_split_uncached(raw, rules))
        if len(rules.split_cache) < 50000:
            rules.split_cache[raw] = cached
    return cached


def _split_uncached(raw: str, rules: NormRules) -> list[str]:
    w = raw.lower().replace("\u2019", "'").replace("\u2018", "'")
    w = _ALT.sub("", w)
    if not w or _ENGINE_MARK.match(w):
        return []
    out: list[str] = []
    dollars = "$" in w or "\u20ac" in w or "\u00a3" in w
    percent = "%" in w
    w = w.replace("%", " ").replace("$", " ").replace("\u20ac", " ").replace("\u00a3", " ")
    w = re.sub(r"(\d)(k|m)\b", r"\1 \2", w)
    for piece in re.split(r"[\s\-/&+]+", w):
        for tok in _WORD.findall(piece):
            if _DIGITS.match(tok):
                out.append(tok.replace(",", ""))
                continue
            tok = tok.replace(",", "").replace(".", "")
            if tok in rules.contractions:
                out.extend(rules.contractions[tok])
            elif tok.endswith("'s"):
                out.append(tok[:-2])
            elif tok.endswith("s'"):
                out.append(tok[:-1])
            else:
                out.append(tok.replace("'", ""))
    if percent:
        out.append("percent")
    if dollars:
        out.append("dollars")
    return out


@lru_cache(maxsize=8192)
def _fuzzy_word(word: str, lexicon: tuple[str, ...], cutoff: float, min_len: int) -> Optional[str]:
    """The lexicon word ``word`` is a misspelling or mis-hearing of, if any."""
    if len(word) < min_len or word in lexicon:
        return None
    if any(word.startswith(lex) and word[len(lex):] in _INFLECTIONS for lex in lexicon):
        return None  # "interviewed", "contributing": a form of the word, not a mishearing of it
    best, best_score = None, cutoff
    for lex in lexicon:
        if lex[0] != word[0] or abs(len(lex) - len(word)) > 3:
            continue
        s = fuzz.ratio(word, lex)
        if s >= best_score:
            best, best_score = lex, s
    return best


def _repair(toks: list[tuple[str, int, int]], rules: NormRules) -> list[tuple[str, int, int]]:
    """Apply the sound-alike table, then fuzzy closeness of single or joined tokens."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(toks)
    lex = rules.fuzzy_lexicon
    by_first = rules.confusions_by_first
    firsts, min_len, max_len = rules.join_shapes
    single_cut, join_cut, min_word = rules.fuzzy_single_cutoff, rules.fuzzy_join_cutoff, rules.fuzzy_min_length
    while i < n:
        tok = toks[i][0]
        swap = None
        for src, dst in by_first.get(tok, ()):
            k = len(src)
            if i + k <= n and all(toks[i + j][0] == src[j] for j in range(1, k)):
                swap = (src, dst)
                break
        if swap:
            k = len(swap[0])
            out.extend((d, toks[i][1], toks[i + k - 1][2]) for d in swap[1])
            i += k
            continue
        hit = None
        if tok[0] in firsts and tok not in _FUNCTION or tok == "a":
            # two or three pieces of one split word ("a complishment", "character istics")
            joined = tok
            for k in (2, 3):
                if i + k > n:
                    break
                last = toks[i + k - 1][0]
                joined += last
                if len(joined) > max_len:
                    break
                if len(joined) < max(min_len, min_word + 2) or last in _FUNCTION:
                    continue
                pieces = [t[0] for t in toks[i:i + k]]
                if any(p in lex or _fuzzy_word(p, lex, single_cut, min_word) for p in pieces):
                    break
                w = _fuzzy_word(joined, lex, join_cut, min_word)
                if w and abs(len(w) - len(joined)) <= 1:
                    hit = (w, k)
                    break
        if hit:
            out.append((hit[0], toks[i][1], toks[i + hit[1] - 1][2]))
            i += hit[1]
            continue
        w = _fuzzy_word(tok, lex, single_cut, min_word) if len(tok) >= min_word else None
        out.append((w or tok, toks[i][1], toks[i][2]))
        i += 1
    return out


def _numbers(toks: list[tuple[str, int, int]], rules: NormRules):
    """Collapse number phrases into ``#`` tokens; returns (token, value, weak, first, last) rows."""
    units, scales, fractions = rules.units, rules.scales, rules.fractions
    rows = []
    i, n = 0, len(toks)

    def is_num_word(t: str) -> bool:
        return t in units or t in scales or bool(_DIGITS.match(t))

    while i < n:
        tok = toks[i][0]
        start = i
        # "a hundred", "a third", "a dozen", "a half"
        if tok == "a" and i + 1 < n and (toks[i + 1][0] in scales or toks[i + 1][0] in fractions
                                         or toks[i + 1][0] == "dozen") and toks[i + 1][0] not in ("k", "m", "grand"):
            i += 1
            tok = toks[i][0]
            if tok in fractions:
                rows.append((NUM, fractions[tok], False, toks[start][1], toks[i][2]))
                i += 1
                continue
            total, current = 0.0, 1.0
        elif is_num_word(tok) and tok not in ("k", "m", "grand"):
            total, current = 0.0, 0.0
        elif tok in fractions and tok in ("half",):
            rows.append((NUM, 0.5, False, toks[i][1], toks[i][2]))
            i += 1
            continue
        else:
            rows.append((tok, None, False, toks[i][1], toks[i][2]))
            i += 1
            continue
        words_used = []
        while i < n:
            t = toks[i][0]
            if _DIGITS.match(t):
                # Two digit groups in a row ("6, 40%") are two numbers; "2 million" is one.
                if words_used and words_used[-1] not in scales:
                    break
                try:
                    current += float(t.replace(",", ""))
                except ValueError:
                    break
            elif t in units:
                if words_used and (words_used[-1] in units and units[words_used[-1]] < 20 and t != "dozen"):
                    break
                if words_used and _DIGITS.match(words_used[-1]):
                    break
                current += units[t] if t != "dozen" else (units[t] if current == 0 else current * 11)
            elif t in scales and words_used or (t in scales and current):
                scale = scales[t]
                if scale >= 1000:
                    total += (current or 1.0) * scale
                    current = 0.0
                else:
                    current = (current or 1.0) * scale
            elif t == "and" and words_used and i + 1 < n and (toks[i + 1][0] in units or
                                                             (toks[i + 1][0] == "a" and i + 2 < n and toks[i + 2][0] in fractions)):
                # "a hundred and twenty", "one and a half"
                if toks[i + 1][0] == "a":
                    current += fractions[toks[i + 2][0]]
                    words_used.extend(["and", "a", toks[i + 2][0]])
                    i += 3
                    continue
                if words_used[-1] not in scales and toks[i + 1][0] in units and units[toks[i + 1][0]] < 100:
                    break
            elif t in fractions and t.endswith("s") and words_used:
                current = (current or 1.0) * fractions[t]
                words_used.append(t)
                i += 1
                break
            elif t == "point" and words_used and i + 1 < n and toks[i + 1][0] in units:
                current += units[toks[i + 1][0]] / 10.0
                words_used.extend([t, toks[i + 1][0]])
                i += 2
                continue
            else:
                break
            words_used.append(t)
            i += 1
        if not words_used:
            rows.append((toks[start][0], None, False, toks[start][1], toks[start][2]))
            i = start + 1
            continue
        value = total + current
        # "two thousand twenty two" said as a year reads as 2022 already; "nineteen ninety" too
        weak = len(words_used) == 1 and (toks[start][0] in rules.weak)
        rows.append((NUM, value, weak, toks[start][1], toks[i - 1][2]))
        if words_used[-1] == "grand":  # "twelve grand" is twelve thousand dollars
            rows.append(("dollars", None, False, toks[i - 1][1], toks[i - 1][2]))
    return rows


def _idiom(rows, j: int, idioms: frozenset[tuple[str, str]]) -> bool:
    """Whether the quantity word at ``rows[j]`` is part of a figure of speech with a neighbour."""
    tok = rows[j][0]
    before = rows[j - 1][0] if j else ""
    after = rows[j + 1][0] if j + 1 < len(rows) else ""
    return (tok, after) in idioms or (before, tok) in idioms


def normalize(raw_words: Sequence[str], rules: NormRules) -> Doc:
    """Build the ``Doc`` for a sequence of original words."""
    words = tuple(raw_words)
    toks: list[tuple[str, int, int]] = []
    sent_of_word: list[int] = []
    asked: set[int] = set()
    sentence = 0
    for i, raw in enumerate(words):
        sent_of_word.append(sentence)
        for piece in _split_word(raw, rules):
            toks.append((piece, i, i))
        stripped = raw.rstrip("\"')]")
        if stripped.endswith("?"):
            asked.add(sentence)
        if stripped[-1:] in (".", "!", "?", ";", ":"):
            sentence += 1

    # fillers: single words, then phrases unless part of a sentence ("do you know")
    filler_words: set[int] = set()
    kept: list[tuple[str, int, int]] = []
    phrase_firsts = {p[0] for p in rules.filler_phrases}
    i = 0
    while i < len(toks):
        t = toks[i][0]
        if t in rules.fillers:
            filler_words.add(toks[i][1])
            i += 1
            continue
        if t in phrase_firsts:
            matched = False
            for phrase in rules.filler_phrases:
                k = len(phrase)
                if tuple(x[0] for x in toks[i:i + k]) == phrase:
                    prev = kept[-1][0] if kept else ""
                    if prev not in rules.filler_phrase_keepers:
                        filler_words.update(x[1] for x in toks[i:i + k])
                        i += k
                        matched = True
                    break
            if matched:
                continue
        # stutter: "i i changed", "the the kitchen"
        if kept and kept[-1][0] == t and not t.isdigit():
            i += 1
            continue
        kept.append(toks[i])
        i += 1

    kept = _repair(kept, rules)
    # "$3.8 million": the currency sign of one word comes after the scale said in the next
    for k in range(1, len(kept) - 1):
        if kept[k][0] == "dollars" and kept[k + 1][0] in rules.scales and _DIGITS.match(kept[k - 1][0]):
            kept[k], kept[k + 1] = kept[k + 1], kept[k]
    rows = _numbers(kept, rules)
    # number hedges ("like twenty percent") and bare quantity words
    final = []
    for j, row in enumerate(rows):
        tok = row[0]
        if tok in rules.number_hedges and j + 1 < len(rows) and rows[j + 1][0] == NUM:
            continue
        if tok in rules.quantity_words and not _idiom(rows, j, rules.quantity_idioms):
            row = (NUM, 2.0 if tok in ("doubled", "twice", "double") else 0.0, False, row[3], row[4])
        final.append(row)

    tokens = tuple(r[0] for r in final)
    spoken_before, count = [], 0
    for i in range(len(words)):
        spoken_before.append(count)
        if i not in filler_words:
            count += 1
    char_token: list[int] = []
    for ti, tok in enumerate(tokens):
        if ti:
            char_token.append(ti)
        char_token.extend([ti] * len(tok))
    return Doc(
        tokens=tokens,
        values=tuple(r[1] for r in final),
        weak=tuple(r[2] for r in final),
        first=tuple(r[3] for r in final),
        last=tuple(r[4] for r in final),
        sentence=tuple(sent_of_word[r[3]] for r in final),
        asked=frozenset(asked),
        words=words,
        spoken_before=tuple(spoken_before),
        text=" ".join(tokens),
        char_token=tuple(char_token),
    )
