"""leads_with_accomplishment and quantified_result: the speaker's own accomplishment, and its numbers.

An accomplishment clause is the speaker as the one who acts ("i" + at most a few auxiliaries or
adverbs + a past-tense verb of achievement), or the speaker naming their own part of a team effort,
or a task they were handed ("i was charged with ...") or their role on it ("i was lead on ...")
followed by its result. Scope verbs ("i ran a team of twelve"), scope objects ("i led a team of
twelve") and past-tense verbs outside the banks ("i weatherproofed the docks") count only when a
result follows, or when the speaker did it alone ("by myself") or went on to an achievement verb
with the same subject ("i ran the kitchen and cut waste"). Verbs coordinated with the clause's verb
("i redesigned X, negotiated Y and coordinated Z") extend it: its result is looked for after the
last of them. "We", "the company" or "my manager" as the one who acts never start a clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from rehearse.coaching.checks.concepts import Matcher, Span
from rehearse.coaching.checks.finding import Finding
from rehearse.coaching.checks.thanks import thanks_spans
from rehearse.coaching.textnorm import NUM


@dataclass(frozen=True)
class Clause:
    """One place where the speaker presents something they did."""

    start: int
    """First token of the clause (the "i", "my" or the assignment)."""
    verb: int
    """Token of the verb (or of the clause start when there is none)."""
    kind: str
    """"achievement", "scope", "assignment" or "own_part"."""
    last: int = -1
    """Token of the last verb coordinated with ``verb`` (results are looked for after it)."""

    @property
    def end_verb(self) -> int:
        return self.last if self.last >= 0 else self.verb


def _starts_with(tokens: tuple[str, ...], at: int, phrases) -> bool:
    return any(tuple(tokens[at:at + len(p)]) == p for p in phrases)


def _particle_blocked(m: Matcher, j: int) -> bool:
    t = m.doc.tokens
    return any(p[0] == t[j] and tuple(t[j:j + len(p)]) == p for p in m.rules.particles)


def _as_word(m: Matcher, j: int) -> str:
    """Token ``j``, or for a number said as a verb ("doubled", "halved") the word itself."""
    t = m.doc.tokens[j]
    if t != NUM:
        return t
    doc = m.doc
    if doc.first[j] != doc.last[j]:
        return t
    return doc.words[doc.first[j]].lower().strip(",.;:!?\"')(")


def _moves_a_figure(m: Matcher, j: int) -> bool:
    """Whether the verb at ``j`` moves something from one figure to another in its clause."""
    reach = m.param("change_reach")
    return any(j < a <= j + reach and m.same_sentence(j, a) for a, _ in m.hits("change_range"))


def _plain_past(m: Matcher, w: str) -> bool:
    """A past-tense verb outside the banks that may be an action ("weatherproofed", "scraped")."""
    r = m.rules
    return (len(w) >= 5 and w.endswith("ed") and w not in r.not_achievement_past and w not in r.gap
            and w not in r.blockers and w not in r.transition and w not in r.scope and w not in r.achievement)


def _joined(m: Matcher, j: int, verb: int) -> bool:
    """Whether the token ``j`` follows a coordinator or a comma: a verb sharing the clause's subject."""
    r, toks, doc = m.rules, m.doc.tokens, m.doc
    k = j - 1
    while k > verb and toks[k] in r.gap and toks[k] not in r.passive and toks[k] not in r.coordinators:
        k -= 1
    if k <= verb:
        return False
    if toks[k] in r.coordinators:
        return True
    w = doc.first[k + 1] - 1
    return w >= 0 and doc.words[w].endswith((",", ";")) and doc.last[k] == w


def _coordinated(m: Matcher, verb: int) -> tuple[int, bool]:
    """The last verb coordinated with ``verb`` (same subject), and whether any is an achievement verb."""
    r, toks = m.rules, m.doc.tokens
    reach = m.param("coordination_reach")
    last, achieved = verb, False
    j = verb + 1
    while j < m.n and j - last <= reach and m.same_sentence(verb, j):
        w = _as_word(m, j)
        if w in r.subject_words and toks[j - 1] not in r.subordinators:
            break  # "... and we cut costs": someone else's verb from here on
        past = w in r.achievement or w in r.scope or w in r.irregular_past or (len(w) >= 5 and w.endswith("ed"))
        if past and _joined(m, j, verb):
            last = j
            if w in r.achievement and not _particle_blocked(m, j) and not _starts_with(toks, j + 1, r.vague):
                achieved = True
        j += 1
    return last, achieved


def _solo(m: Matcher, verb: int) -> bool:
    """Whether the speaker says they did it alone ("by myself", "on my own") right after the verb."""
    reach = m.param("solo_reach")
    return any(verb < a <= verb + reach and m.same_sentence(verb, a) for a, _ in m.hits("solo"))


def _clause(m: Matcher, start: int, verb: int, kind: str) -> Clause:
    """A clause with its coordinated verbs; a scope clause done alone or going on to an achievement
    verb is an achievement."""
    last, achieved = _coordinated(m, verb)
    if kind == "scope" and (achieved or _solo(m, verb)):
        kind = "achievement"
    return Clause(start, verb, kind, last)


def _i_clauses(m: Matcher) -> list[Clause]:
    r, toks, n = m.rules, m.doc.tokens, m.n
    max_gap = m.param("max_gap")
    out: list[Clause] = []
    scope_obj = m.covered("scope_objects")
    credential = {a for a, _ in m.hits("credential")}
    asked = m.doc.asked
    for i, t in enumerate(toks):
        if t != "i" or (i and toks[i - 1] in r.before_subject) or m.doc.sentence[i] in asked:
            continue
        j, gap = i + 1, 0
        while j < n and gap <= max_gap:
            w = _as_word(m, j)
            nxt = _as_word(m, j + 1) if j + 1 < n else ""
            if w in r.blockers:
                break
            if w in r.gap and (nxt in r.achievement or nxt in r.gap or nxt == "to"):
                j, gap = j + 1, gap + 1
                continue
            if w in r.achievement and toks[j - 1] in r.passive:
                break  # "i was promoted", "i got hired": done to the speaker, not by them
            if w in r.transition and _moves_a_figure(m, j):
                out.append(_clause(m, i, j, "achievement"))  # "i took the pass rate from 40 to 71 percent"
                break
            if w in r.achievement and not _particle_blocked(m, j):
                if _starts_with(toks, j + 1, r.vague) or j in credential:
                    break
                kind = "scope" if (j + 1) in scope_obj else "achievement"
                out.append(_clause(m, i, j, kind))
                break
            if w in r.scope and not _particle_blocked(m, j):
                if w != "took" or nxt in ("over", "on", "charge"):
                    out.append(_clause(m, i, j, "scope"))
                break
            if w in r.gap:
                j, gap = j + 1, gap + 1
                continue
            if _plain_past(m, w) and not any(t in r.passive for t in toks[i + 1:j]):
                out.append(_clause(m, i, j, "scope"))  # "i weatherproofed the docks": needs its result
            break
    return out


_NOT_MODIFIERS = frozenset("i we you they he she it and or but so to was were is are had have has".split())
"""Words after a year ("2019 we grew", "2019 was ...") that never modify a counted noun."""


def _counted_noun(m: Matcher, word: str) -> bool:
    """A plural-looking word ("calls", "visits") that says what a number counts."""
    return (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))
            and word not in m.rules.not_counted)


def _is_year(m: Matcher, i: int) -> bool:
    """Whether the number token ``i`` reads as a year: 1950..2100, not "2,000 calls"."""
    doc = m.doc
    v = doc.values[i] or 0.0
    if not (1950 <= v <= 2100 and v == int(v)):
        return False
    if "," in doc.words[doc.first[i]].strip(",.;:!?\"')("):
        return False  # "2,000": written as a count
    prev = doc.tokens[i - 1] if i else ""
    if prev in m.rules.year_words:
        return True
    ahead = doc.tokens[i + 1:i + 3]  # "2000 calls", "two thousand support tickets"
    if ahead and _counted_noun(m, ahead[0]):
        return False
    modifier = len(ahead) == 2 and ahead[0] not in _NOT_MODIFIERS and ahead[0] not in m.rules.year_words
    return not (modifier and ahead[0] != NUM and _counted_noun(m, ahead[1]))


def _routine_volume(m: Matcher) -> set[int]:
    """Numbers of a rate said in the present tense ("we fill about 400 prescriptions a day"): volume."""
    r, toks = m.rules, m.doc.tokens
    out: set[int] = set()
    for a, b in m.hits("routine_rate"):
        q = next((k for k in range(a, b) if toks[k] == NUM), None)
        if q is None or q < 1:
            continue
        verb = toks[q - 1]
        past = (verb.endswith("ed") or verb in r.irregular_past or verb in r.achievement
                or verb in r.transition or verb in r.result_verbs)
        if not past and "now" not in toks[a:q]:
            out.add(q)
    return out


def _effort_time(m: Matcher) -> set[int]:
    """Numbers of how long the speaker's work took ("it took me eight months", concept ``time_taken``):
    effort, not a result, unless the sentence or the one before sets that time before a change ("before,
    we did a full wet clean every time, which took about four hours")."""
    doc = m.doc
    before = [a for a, _ in m.hits("before_change")]
    out: set[int] = set()
    for a, b in m.hits("time_taken"):
        if any(k < a and doc.sentence[a] - doc.sentence[k] <= 1 for k in before):
            continue
        out.update(k for k in range(a, b) if doc.tokens[k] == NUM)
    return out


def result_quantities(m: Matcher) -> list[int]:
    """Tokens ``#`` that read as a result: not tenure, age, team size, a date or an idiom."""
    cached = m._hits.get("_result_quantities")
    if cached is not None:
        return cached  # type: ignore[return-value]
    doc = m.doc
    if not m.has_number():
        out = [a for a, _ in m.hits("result_phrases")]
        m._hits["_result_quantities"] = out  # type: ignore[assignment]
        return out
    excluded = m.covered("not_a_result") | _routine_volume(m) | _effort_time(m)
    dates = m.covered("date_number")
    units = m.covered("result_units")
    out = [a for a, _ in m.hits("result_phrases")]
    for i, t in enumerate(doc.tokens):
        if t != NUM or i in excluded:
            continue
        if i in dates and (doc.values[i] or 0.0) >= 1 and doc.values[i] == int(doc.values[i] or 0):
            continue  # "in 2019 we", not "in half the time"
        if (doc.weak[i] or _is_year(m, i)) and i not in units:
            continue
        out.append(i)
    out = sorted(set(out))
    m._hits["_result_quantities"] = out  # type: ignore[assignment]
    return out


def _has_result(m: Matcher, after: int) -> bool:
    """Whether a result (result verb, result quantity or achievement) follows within reach."""
    toks, reach = m.doc.tokens, m.param("result_reach")
    hi = min(m.n, after + 1 + reach)
    for j in range(after + 1, hi):
        if m.sentence_gap(after, j) > 1:
            break
        w = toks[j]
        if w in m.rules.result_verbs and not _starts_with(toks, j + 1, m.rules.vague):
            need = m.rules.result_needs.get(w)
            if need is None or (j + 1 < m.n and toks[j + 1] in need):
                return True
    return any(after < q < hi and m.sentence_gap(after, q) <= 1 for q in result_quantities(m))


def _has_result_before(m: Matcher, before: int) -> bool:
    """Whether a result (result verb or result quantity) comes just before, in this sentence or the last."""
    lo = max(0, before - m.param("result_reach"))
    toks = m.doc.tokens
    if any(toks[j] in m.rules.result_verbs and m.sentence_gap(j, before) <= 1 for j in range(lo, before)):
        return True
    return any(lo <= q < before and m.sentence_gap(q, before) <= 1 for q in result_quantities(m))


def _who_did(m: Matcher, b: int) -> bool:
    """Whether an own part that ends in "who" or "that" ("i am the one who", "i was the tech that") goes on
    with a past-tense verb of the speaker's ("... who got our licence renewed", "... who talked a prisoner
    down"): the speaker names a deed as theirs, whatever the verb."""
    toks = m.doc.tokens
    if b >= m.n or toks[b - 1] not in ("who", "that"):
        return False
    w, r = _as_word(m, b), m.rules
    if w == "got":  # "who got the line running", not "who got hired"
        nxt = toks[b + 1] if b + 1 < m.n else ""
        return bool(nxt) and nxt not in r.irregular_past and not nxt.endswith("ed")
    if w in _NOT_DEEDS or w in r.passive or w in r.blockers or w in r.not_achievement_past:
        return False
    return w in r.irregular_past or w in r.scope or w in r.transition or _plain_past(m, w)


_NOT_DEEDS = frozenset("""
had was were did said told asked thought knew saw felt heard went came left became wanted needed tried
used liked loved seemed looked sat stood met worked
""".split())
"""Past verbs after "i am the one who" that name no deed ("... who had to tell them", "... who asked")."""


def clauses(m: Matcher) -> list[Clause]:
    """Every accomplishment clause of the speaker, in order (scope and tasks only with a result)."""
    cached = m._hits.get("_clauses")
    if cached is not None:
        return cached  # type: ignore[return-value]
    found: list[Clause] = []
    asked = m.doc.asked
    for c in _i_clauses(m):
        if c.kind == "achievement" or _has_result(m, c.end_verb):
            found.append(c)
    for a, b in m.hits("own_work"):
        if m.doc.sentence[a] not in asked:
            found.append(_clause(m, a, b - 1, "achievement"))  # "i did all the trim work"
    for a, b in m.hits("assignment"):
        c = _clause(m, a, b - 1, "assignment")
        if _has_result(m, c.end_verb):
            found.append(c)
    for a, b in m.hits("role_back"):
        if _has_result_before(m, a):
            found.append(Clause(a, b - 1, "assignment", b - 1))  # "... a month early; i was the lead on it"
    toks = m.doc.tokens
    for a, b in m.hits("own_part"):
        ahead = toks[b:b + 12]
        if (any(w in m.rules.achievement for w in ahead) or any(w.endswith("ing") for w in toks[b:b + 3])
                or _has_result(m, b - 1) or _who_did(m, b)):
            found.append(_clause(m, a, b - 1, "own_part"))
    found.sort(key=lambda c: c.start)
    m._hits["_clauses"] = found  # type: ignore[assignment]
    return found


def _preamble_words(m: Matcher, before: int) -> int:
    """Spoken words before token ``before`` that are not greeting, thanks or framing."""
    covered: set[int] = set()
    for a, b in m.hits_before("preamble", before):
        covered.update(range(a, b))
    for a, b in thanks_spans(m):
        covered.update(range(a, b))
    doc = m.doc
    words: set[int] = set()
    for i in range(before):
        if i not in covered:
            words.update(range(doc.first[i], doc.last[i] + 1))
    return len(words)


def small_talk_turns(m: Matcher) -> list[int]:
    """Tokens where the speaker turns back to the point after small talk: a ``topic_return`` ("anyway")
    with a ``small_talk`` word before it ("the car park was solid ice. anyway.") and at least
    ``small_talk_min_words`` spoken words before it that are not greeting, thanks or framing. An
    accomplishment told after one does not lead (the guide: "Not: small talk first")."""
    talk = m.hits("small_talk")
    least = m.param("small_talk_min_words")
    return [a for a, _ in m.hits("topic_return")
            if any(b <= a for _, b in talk) and _preamble_words(m, a) >= least]


_TIME_FRAME_BEFORE = frozenset("in within over after".split())
"""Words before a quantity that make it the time a result took ("fell by a third in two months"), which
is the evidence only when the clause has no other quantity."""


def _quantity_for(m: Matcher, c: Clause) -> Optional[int]:
    """The result quantity that belongs to this clause, if any: the first one with a result's unit or
    phrase around it ("saved 180,000 dollars"), else the first ("our three largest contracts"); a
    quantity that says how long the result took ("in two months") only when there is no other. Which
    one is chosen changes the evidence shown, not the verdict."""
    lo = c.start - m.param("quantity_reach_before")
    last = c.end_verb
    hi = last + m.param("quantity_reach_after")
    mine = [q for q in result_quantities(m)
            if lo <= q <= hi and (q >= c.start or m.same_sentence(q, c.start))
            and not (q > c.verb and m.sentence_gap(last, q) > 1)]
    if not mine:
        return None
    units = m.hits("result_units") + m.hits("result_phrases")
    not_frames = [q for q in mine if not (q > 0 and m.doc.tokens[q - 1] in _TIME_FRAME_BEFORE)]
    with_unit = [q for q in not_frames if any(a <= q < b for a, b in units)]
    return (with_unit or not_frames or mine)[0]


def _clause_end(m: Matcher, c: Clause) -> int:
    end = min(m.n, c.verb + 10)
    for j in range(c.verb + 1, end):
        if not m.same_sentence(c.verb, j):
            return j
    return end


def leads_with_accomplishment(m: Matcher) -> Finding:
    found = clauses(m)
    if not found:
        return Finding.fail(5 if m.n else 0)
    c = found[0]
    spoken = m.doc.spoken_index(c.start)
    preamble = _preamble_words(m, c.start)
    end = _clause_end(m, c)
    max_start, max_pre = m.param("lead_max_start_words"), m.param("lead_max_preamble_words")
    if spoken > max_start or preamble > max_pre:
        late = max(spoken - max_start, preamble - max_pre)
        return Finding.found(False, max(10, 45 - late), c.start, end)
    score = 70 + (15 if _quantity_for(m, c) is not None else 0) + (15 if spoken <= max_start // 2 else 5)
    return Finding.found(True, score, c.start, end)


def _quantity_span(m: Matcher, q: int) -> Span:
    """The quantity with its unit and comparison ("by forty percent", "from nine days to four")."""
    covering = [(a, b) for a, b in m.hits("result_units") + m.hits("result_phrases") if a <= q < b]
    if covering:
        return min(a for a, _ in covering), _before_time_frame(m, q, max(b for _, b in covering))
    if _as_word(m, q) != NUM:
        return q, min(m.n, q + 3)  # "doubled our subscribers"
    return max(0, q - 2), _before_time_frame(m, q, min(m.n, q + 3))


def _before_time_frame(m: Matcher, q: int, end: int) -> int:
    """``end``, or sooner: where the time the result took begins after the quantity ("by a third | in
    two months", "from 40 a week to 3 | in the first month")."""
    return next((j for j in range(q + 1, end) if m.doc.tokens[j] in _TIME_FRAME_BEFORE), end)


def quantified_result(m: Matcher) -> Finding:
    found = clauses(m)
    for c in found:
        q = _quantity_for(m, c)
        if q is not None:
            a, b = _quantity_span(m, q)
            return Finding.found(True, 90 if c.kind in ("achievement", "own_part") else 80, a, b)
    if result_quantities(m):
        q = result_quantities(m)[0]
        a, b = _quantity_span(m, q)
        return Finding.found(False, 30, a, b)
    return Finding.fail(10 if found else 0)


def planned_figure(m: Matcher, start: int, end: int) -> Optional[Span]:
    """Where the first figure among tokens [start, end) that could be a result (:func:`result_quantities`:
    not a bare "one" or "a", a date, a tenure or a time frame such as "the last six months") is set in a
    plan, a hope or a condition, the tokens from the word that sets it to just past the figure and its
    unit; else None. Such a word is
    "would", "aim", "hoped", "if", ... before the figure in its sentence, within reach, with no past
    achievement verb and no new clause ("when i", "and we") between ("i would aim to cut idle time by 15
    percent", "we hoped for fifty bookings"; not "i set a target and got the time down from five days
    to one", "not sure i would bring clients when i moved: 40 of my regulars followed me")."""
    toks, sentence, rules = m.doc.tokens, m.doc.sentence, m.rules
    joiners = rules.subordinators | rules.coordinators
    results = set(result_quantities(m))
    q = next((i for i in range(start, min(end, len(toks))) if toks[i] == NUM and i in results), None)
    if q is None:
        return None
    for j in range(q - 1, max(0, q - m.param("irrealis_reach")) - 1, -1):
        if sentence[j] != sentence[q] or toks[j] not in rules.irrealis or toks[j + 1] in rules.irrealis_frames:
            continue
        if (toks[j] in rules.irrealis_nouns and (j == 0 or toks[j - 1] not in rules.irrealis_verb_after)
                and toks[j + 1] not in rules.irrealis_noun_before):
            continue
        done = any((t in rules.achievement or t in rules.irregular_past) and toks[k - 1] not in rules.bare_verb_before
                   for k, t in enumerate(toks[j + 1:q], start=j + 1))
        restarted = any(toks[k] in joiners and toks[k + 1] in rules.subject_words
                        for k in range(j + 1, q - 1))
        if not done and not restarted:
            return j, min(len(toks), q + 2)
    return None
