"""thanks_for_callback: the opening thanks them for asking the speaker back.

A thanks word ("thank", "thanks", "grateful", "appreciate") near the start, whose object is the
callback: being asked, invited or brought back, the second interview or round, seeing them again.
"Thank you again" and thanks for the time, the coffee or the first interview do not count, nor
does a callback thanks that only comes after small talk or at the end.
"""

from __future__ import annotations

from typing import Optional

from rehearse.coaching.checks.concepts import Matcher, Span
from rehearse.coaching.checks.finding import Finding


def _callback_for(m: Matcher, cue: Span) -> Optional[Span]:
    """The callback phrase this thanks is about, if any."""
    a, b = cue
    lo, hi = a - m.param("thanks_reach_before"), b - 1 + m.param("thanks_reach_after")
    min_gap = m.param("thanks_again_min_gap")
    toks = m.doc.tokens
    for s in m.hits("callback"):
        if not (lo <= s[0] <= hi) or not m.same_sentence(a, s[0]):
            continue
        if toks[s[1] - 1] == "again" and s[1] - 1 - a < min_gap:
            continue  # "thank you again", "thanks again for your time"
        return s
    return None


def thanks_spans(m: Matcher) -> list[Span]:
    """Every thanks phrase near the start (thanks word through its object), callback or not."""
    cached = m._hits.get("_thanks_spans")
    if cached is not None:
        return cached  # type: ignore[return-value]
    out = []
    limit = m.param("thanks_max_start_words")
    for cue in m.hits("thanks_cue"):
        if m.doc.spoken_index(cue[0]) > limit:
            continue
        cb = _callback_for(m, cue)
        end = max(cue[1] + 6, cb[1] if cb else 0)
        out.append((min(cue[0], cb[0]) if cb else cue[0], min(m.n, end)))
    m._hits["_thanks_spans"] = out  # type: ignore[assignment]
    return out


def thanks_for_callback(m: Matcher) -> Finding:
    limit = m.param("thanks_max_start_words")
    best: Optional[Finding] = None
    for cue in m.hits("thanks_cue"):
        cb = _callback_for(m, cue)
        early = m.doc.spoken_index(cue[0]) <= limit
        if cb and early:
            a, b = min(cue[0], cb[0]), max(cue[1], cb[1])
            return Finding.found(True, 95 if m.doc.spoken_index(cue[0]) <= limit // 2 else 80, a, b)
        if cb and best is None:
            best = Finding.found(False, 40, min(cue[0], cb[0]), max(cue[1], cb[1]))
        elif early and best is None:
            best = Finding.found(False, 20, cue[0], cue[1])
    return best or Finding.fail(0)
