"""End of turn: does the answer heard so far stop at a finished sentence? Pure: words in, a verdict out.

The recorder asks this while the speaker is silent, with the words the live transcriber has heard
so far (recognition output: no reliable punctuation, any case). Three answers:

- ``COMPLETE``: the last words close a clause (a result stated, a question asked: "... two days
  earlier", "... what would I have accomplished"): a short silence ends the answer;
- ``INCOMPLETE``: the last word cannot end an English sentence ("and", "because", "so the", "what I
  did was", "to", "my") or the speaker is thinking aloud (a trailing "um", "you know"): wait long;
- ``UNKNOWN``: no words yet, or a last word that ends sentences as often as not ("over", "up",
  "on" in "took over", "signed up", "moved on"): a middle wait.

A full stop or question mark is ignored on purpose: Whisper closes every segment with one, even one cut
in the middle of a sentence. Its absence is not: engine words that punctuate (a comma or a full stop
earlier on) and stop on a word with no end mark cannot tell (:data:`END_MARKS`). Nor are marks of
trailing off ("I think that...", "I was seen as,"): Whisper writes them only where the speaker stopped
mid-clause. Nor is a last word the engine is unsure of (its probability, when the words carry one,
under ``UNSURE_P``; a symbol written apart, the "%" of "by 20 %", does not count as the last word): at
a pause, that is most often a hesitation heard as a word ("to um" written "to arm.", "shipped in um"
written "shipped in home."), so the clause counts as unfinished; one it doubts (under ``DOUBT_P``)
cannot tell. The costs are lopsided: calling a finished answer unfinished only makes the speaker wait
(or press Enter); calling an unfinished one finished cuts them off. So every rule here errs towards
waiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence, Union

from rehearse.coaching import fillers
from rehearse.core.model import Word

Heard = Union[str, Sequence[Union[str, Word]]]
"""The words heard so far: a text, or words (engine words may say how sure the engine is)."""

COMPLETE = "complete"
INCOMPLETE = "incomplete"
UNKNOWN = "unknown"

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Words after which an English clause cannot stop.
_CONJUNCTIONS = frozenset("""
and but or nor so because cause cuz since although though while whereas unless until if when whenever
whether that which who whom whose where than as then plus yet whereby once
""".split())
_DETERMINERS = frozenset("""
the a an this these those my our your their his its every each some any no another such both either
neither several many much few more most less least all half
""".split())
_PREPOSITIONS = frozenset("""
of to in at for with from by into onto about under through between after before during without within
across toward towards per via among against upon despite including like beyond versus
""".split())
_AUXILIARIES = frozenset("""
was were is are am be been being has have had will would can could should shall may might
must i'm we're they're you're he's she's it's that's there's i've we've they've i'd we'd they'd i'll
we'll they'll won't can't don't didn't doesn't isn't wasn't weren't aren't haven't hasn't hadn't
wouldn't couldn't shouldn't
""".split())
_SUBJECTS = frozenset("i we they he she there".split())
_OBJECTS = frozenset("me us them him her it everyone everything".split())
_INTENSIFIERS = frozenset("very really quite rather so too pretty extremely just also not even".split())
_OTHER_OPEN = frozenset("""
what how why who let's lets going gonna wanna trying tried try able wanted want decided started
began managed helped made make makes get got getting kind sort lot bit number couple
""".split())
"""Heads that announce more to come: "what I did was", "we were able", "a lot", "a couple"."""

INCOMPLETE_LAST = _CONJUNCTIONS | _DETERMINERS | _PREPOSITIONS | _AUXILIARIES | _SUBJECTS | _INTENSIFIERS | _OTHER_OPEN
"""A clause ending in one of these words is unfinished."""

# Words that end sentences as often as they lead on: particles of phrasal verbs and pronouns that are
# objects as often as subjects, and "do" as a verb of its own ("I took over", "signed up", "thank you",
# "we shipped it", "what I can do").
UNSURE_P = 0.6
"""A last word the engine gives a lower probability than this is not trusted to close a clause.
Measured on the latency benchmark's first set (seed 1; ``scripts/bench_turn.py --engine-words``):
Whisper's last word before a mid-sentence thinking pause had a median probability of 0.56, the last
word of a finished sentence 0.99 (lower quartile 0.88). There, the rule cut the thinking pauses the
engine's words call finished from 7 of 36 to 2, and made 6 of 104 long pauses between sentences
and 1 of 24 ends of answer wait the long window."""

DOUBT_P = 0.8
"""A last word with a probability from :data:`UNSURE_P` up to this, after words that read finished,
cannot tell (``UNKNOWN``: the middle wait, and the pause counts towards the speaker's longest). In
the first run of the latency benchmark's seed 89, "I started a weekly review of, um, failed
deployments" was heard as "I started a day." with the last word at 0.63 before a 3.5 s thinking
pause, and the answer was cut. Replayed over the first-run traces of the seeds 17-89 (tuning data),
0.8 keeps 9 more of the 54 cut answers whole (5 thinking pauses, 4 pauses between sentences), and
27 of 306 ends of whole answers wait 4.5 s instead of 0.7-2.5 s (the fluent voice's median end window
stays 0.97 s, its mean goes from 1.54 to 1.64 s); 0.7 keeps 3 more whole, 0.85 makes the fluent
voice's median 1.11 s. Reading these words as a hesitation (``INCOMPLETE``, as under ``UNSURE_P``)
instead would drop such a pause from the speaker's rhythm: a finished "... they were down by 60%."
at 0.64, followed by 1.7 s of silence, would no longer show a speaker who takes their time, and seed
67's answer 17 would be cut at a later 1.35 s pause."""

PRONOUN_SURE_P = 0.9
"""The probability an object pronoun written as the last word (:data:`HESITATION_PRONOUNS`) needs to
close a clause; any other last word needs :data:`UNSURE_P` (and :data:`DOUBT_P` to be trusted)."""

HESITATION_PRONOUNS = frozenset({"them", "her"})
"""Object pronouns Whisper makes of a short word and the hesitation after it before a thinking
pause: "on, um," written "on them." (p 0.87), "It let the, um," as "It let them." (0.65), "roll to,
um," as "roll to her." (0.76). In the first-run traces of the latency seeds 19-53 (tuning data) one
of these ended the words at 12 mid-sentence thinking pauses, with probabilities 0.20-1.00 (four
read finished: 0.65, 0.76, 0.87 and 1.00), and at 12 pauses after finished sentences and ends, all
"... happy to share them." at 0.91-1.00. Trusted only from :data:`PRONOUN_SURE_P`, three of the
four wait; a real "them." ending that Whisper is less sure of waits the long window too."""

AMBIGUOUS_LAST = frozenset("over up out off down back on in around away through you it do does did".split())

# Endings that close a clause even though their last word is on a list above. A "too" at the end
# closes one only after a pronoun ("me too", "you too"); any other is an intensifier left hanging or
# a misheard "to": Whisper wrote "It was good to, um," before a thinking pause as "It was good, too."
# (p 1.00), which ended the answer in the first run of the latency benchmark's seed 71. In the
# first-run traces of the seeds 17-71 (tuning data) no other pause or end of answer came after a
# "too", so the cost (a long window after a sentence that really ends in "too") is rare. "A few
# months in" and "for you" end the questions this tool asks for ("... describe how we lead a few
# months in?", "what would I have got done for you?"), which waited 4.5 s in the first runs of the
# latency seeds 119-133 (tuning data); there no pause the speaker went on from ended so. "With you"
# ("... at the end of my first season with you?") waited 4.5 s in seed 143's first run; in the traces
# of seeds 119-143 no pause the speaker went on from ended so either.
_CLOSED_ENDINGS = (
    ("thank", "you"), ("thanks", "to", "you"), ("and", "so", "on"), ("and", "so", "forth"),
    ("as", "well"), ("at", "all"), ("for", "now"), ("and", "more"), ("or", "so"), ("or", "more"),
    ("or", "less"), ("more", "or", "less"), ("on", "time"), ("at", "once"), ("you", "too"), ("us", "too"),
    ("with", "us"), ("with", "them"), ("with", "me"), ("to", "me"), ("to", "us"), ("to", "them"),
    ("the", "most"), ("the", "least"), ("the", "more"), ("by", "half"), ("in", "half"),
    ("that", "is", "it"), ("that's", "it"), ("so", "much"), ("very", "much"), ("as", "much"),
    ("that", "much"), ("all", "of", "it"), ("all", "of", "them"), ("at", "least"), ("in", "time"),
    ("so", "far"), ("think", "so"), ("hope", "so"), ("believe", "so"), ("that's", "all"), ("is", "all"),
    ("that's", "why"), ("that", "is", "why"), ("that's", "how"), ("that", "is", "how"), ("me", "too"),
    ("months", "in"), ("weeks", "in"), ("for", "you"), ("with", "you"),
)


@dataclass(frozen=True)
class TurnPolicy:
    """How long a silence ends the answer, by what the words so far say."""

    complete_s: float = 0.9
    """Silence that ends an answer whose last sentence is finished, for a fluent speaker. It was 0.7 s:
    in the first run of the latency benchmark's seed 131 the fluent voice was cut off between two
    sentences, a 0.43 s pause after a question that the voice detector read as more than 0.72 s (it
    marked the end of speech 0.2 s before the question's last sound did). Over the traces of the
    seeds 119-131 (tuning data) the fluent voice's pauses of at most 0.45 s between sentences read up
    to 0.72 s; at 0.9 the replay keeps that answer whole, cuts no other, and moves the fluent voice's
    median end window from 0.97 s to 1.14 s."""
    incomplete_s: float = 4.5
    """Silence that ends an answer stopped in the middle of a clause (a thinking pause). Over 4 s:
    a thinking pause of up to 4 s must not end the answer, and the voice detector hears a pause
    a tenth of a second or two longer than it is (the next word's onset is quiet)."""
    unknown_s: float = 4.5
    """Silence that ends an answer when the words cannot tell (or none have been heard). It was 2 s;
    in the latency benchmark's traces (seeds 17, 19, 23: 60 answers, tuning data) an ending that
    cannot tell came before 3 mid-sentence thinking pauses, which 2 s cut off (Whisper writing "most
    of, um" as "Most over.", "we cut that, um" as "we cut that out."), and before 1 end of answer
    ("... what I can do."), which now waits 2.5 s longer."""
    stale_s: float = 4.5
    """Silence that ends an answer when the live words do not reach the pause yet (the live
    transcriber is behind): waiting is the only safe choice."""
    slow_s: float = 2.5
    """The window after a finished sentence for a speaker who takes their time (one who paused
    ``slow_pause_s`` or more after a finished sentence and went on), and for any speaker until
    their rhythm is known: before they have gone on after two finished sentences, and in the first
    ``settle_s`` of the answer (some speakers breathe 1-2 s between sentences)."""
    fluent_pause_s: float = 0.6
    """A speaker whose pauses after finished sentences all stay under this is fluent: a finished
    sentence ends their answer after ``complete_s``. Between this and ``slow_pause_s`` the window
    goes from ``complete_s`` to ``slow_s`` in proportion. A pause is measured from the voice
    detector's end of speech to its next start, so it reads longer than the silence itself: in the
    latency benchmark's seed-19 traces the fluent voice's pauses after sentences (0.12-0.45 s of
    silence between its sentences) read 0.30-0.63 s, the other voices' longest 0.84-2.1 s. At 0.45
    the fluent voice got windows of 1.1-1.4 s; now 0.7-1.0 s."""
    slow_pause_s: float = 0.8
    """See ``fluent_pause_s``. A speaker who has paused this long after a sentence gets the whole
    ``slow_s``. It was 0.95: with the fluent bound raised and the top left there, a speaker whose
    longest pause read 0.84 s would wait 1.9 s (2.1 s before); now 2.5 s."""
    trust_pauses: int = 5
    """Pauses after finished sentences before a fast rhythm is trusted fully. From two such pauses
    the window follows the rhythm, but never falls below a floor that steps down evenly from
    ``slow_s`` (two pauses) to ``complete_s`` (this many). It was 2 (trusted at once): mixed speakers
    were cut off at a pause of 0.8-2 s after a sentence, their rhythm read from two to four short
    pauses before it. ``scripts/bench_turn_replay.py`` over the first-run traces of the latency seeds
    17-31 (tuning data): of the 6 such cuts the rule with 2 still makes there, 5 keeps 2 whole and
    brings 2 more to windows within 0.1 s of their pause, cuts no other answer, and makes 4 of the
    fluent voice's 29 whole answers wait 1.3-1.9 s instead of 0.7-1.0 s."""
    settle_s: float = 15.0
    """Seconds of answer (from the first word) before a finished sentence may end it sooner than
    ``slow_s``. An answer to an interviewer seldom ends in its first sentences."""
    brief_s: float = 5.0
    """Seconds of answer (from the first word) before any pause may end it sooner than
    ``incomplete_s``, whatever the words: an opening is not over after one short sentence, and the
    words of its first seconds are the least sure. In the first run of the latency benchmark's seed 73,
    "They renewed for three more years and, um," was heard as "They were nude for three more years"
    (p 1.00; the second decode dropped the "and" too) and the answer was cut 2.3 s in. The cost: an
    answer of under five seconds waits 4.5 s (or Enter)."""

    def __post_init__(self) -> None:
        values = (self.complete_s, self.incomplete_s, self.unknown_s, self.stale_s, self.slow_s)
        if min(values) <= 0:
            raise ValueError("every silence window must be positive")
        if not self.complete_s <= self.unknown_s <= self.incomplete_s:
            raise ValueError("need complete_s <= unknown_s <= incomplete_s")
        if not self.complete_s <= self.slow_s <= self.incomplete_s:
            raise ValueError("need complete_s <= slow_s <= incomplete_s")

    def window_s(self, heard: Optional[Heard], pauses: Sequence[PauseSeen] = (),
                 spoken_s: Optional[float] = None) -> float:
        """The silence that ends the answer after ``heard`` (None: the words do not reach the pause).

        ``pauses`` are the silences the speaker already left and went on after, in this answer,
        each with the words heard before it (a bare number: a pause after words unknown). After a
        finished sentence the window follows the speaker's rhythm, from their pauses after
        finished sentences (pauses in the middle of a clause are thinking, not rhythm, and do not
        count; a pause after words that cannot tell counts towards the longest, never towards the two
        needed, so it can only lengthen the window: in seed 29's first run a mixed speaker paused
        1.44 s after "... what I can do." and was then cut off at a 0.9 s pause, his rhythm read
        from pauses of 0.3-0.45 s alone): ``slow_s`` before there are two, then ``complete_s`` if
        the longest stayed under ``fluent_pause_s``, ``slow_s`` if it reached ``slow_pause_s``, in
        proportion between, and not below a floor until there are ``trust_pauses``. ``spoken_s``:
        seconds from the first word to this pause (see ``settle_s`` and ``brief_s``)."""
        if heard is None:
            return self.stale_s
        if spoken_s is not None and spoken_s < self.brief_s:
            return self.incomplete_s
        verdict = completeness(heard)
        if verdict == COMPLETE:
            return self.complete_window_s(pauses, spoken_s)
        if verdict == INCOMPLETE:
            return self.incomplete_s
        return self.unknown_s

    def complete_window_s(self, pauses: Sequence[PauseSeen] = (), spoken_s: Optional[float] = None) -> float:
        """The window after a finished sentence, for a speaker who left ``pauses`` so far."""
        seen = [(p, None if before is None else rhythm_verdict(before)) for p, before in map(_pause, pauses)]
        after_sentences = [p for p, verdict in seen if verdict in (None, COMPLETE)]
        undecided = [p for p, verdict in seen if verdict == UNKNOWN]
        if len(after_sentences) < 2:
            window = self.slow_s
        else:
            longest = max(after_sentences + undecided)
            share = (longest - self.fluent_pause_s) / max(1e-9, self.slow_pause_s - self.fluent_pause_s)
            share = min(1.0, max(0.0, share))
            window = self.complete_s + share * max(0.0, self.slow_s - self.complete_s)
            if len(after_sentences) < self.trust_pauses:
                trust = (len(after_sentences) - 2) / max(1, self.trust_pauses - 2)
                window = max(window, self.slow_s - trust * (self.slow_s - self.complete_s))
        if spoken_s is not None and spoken_s < self.settle_s:
            window = max(window, self.slow_s)
        return window


def rhythm_verdict(heard: Heard) -> str:
    """:func:`completeness` of the words before a pause the speaker went on after, as the speaker's
    rhythm reads them: words unfinished only by a mark of trailing off (:data:`TRAILING_OFF`) whose
    words alone close a clause cannot tell (``UNKNOWN``), so the pause counts towards the longest.
    In seed 73's first run a mixed speaker paused 1.98 s after "Every rate fell below 1%," (a finished
    sentence the engine ended with a comma); read as thinking, that pause did not count, the rhythm
    was read from three pauses of 0.33-0.36 s, and a 1.74 s pause after a sentence later cut the answer
    off. Replayed over the first-run traces of the seeds 17-73 (tuning data), that answer is kept whole
    and one end of a fluent answer waits 2.5 s instead of 1.9 s; counting the engine's unsure last words
    the same way as well kept one more answer whole and made twelve fluent ends wait 2.5 s."""
    verdict = completeness(heard)
    if verdict != INCOMPLETE:
        return verdict
    text = _text_of(heard)
    if not text.rstrip().endswith(TRAILING_OFF):
        return verdict
    return UNKNOWN if _completeness(tuple(words_of(text)[-TAIL_WORDS:])) == COMPLETE else verdict


PauseSeen = Union[float, "tuple[float, Optional[Heard]]"]
"""A pause the speaker went on after: its length in seconds, alone or with the words heard before it."""


def _pause(pause: PauseSeen) -> tuple[float, Optional[Heard]]:
    if isinstance(pause, (int, float)):
        return float(pause), None
    return float(pause[0]), pause[1]


def _text_of(heard: Heard) -> str:
    """The words heard as one text (a text as it is; engine words joined by spaces)."""
    return heard if isinstance(heard, str) else " ".join(t.word if isinstance(t, Word) else t for t in heard)


def words_of(text: str) -> list[str]:
    """Lowercase words, punctuation dropped (curly apostrophes as straight ones)."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def _strip_trailing_fillers(words: list[str]) -> tuple[list[str], bool]:
    """The words without the hesitations and filler phrases they end with; True when any were cut."""
    sounds = set(fillers.hesitations())
    phrases = [tuple(p.split()) for p in fillers.phrases()] + [("like",), ("basically",), ("sort", "of"),
                                                                ("kind", "of"), ("i", "guess")]
    cut = False
    changed = True
    while words and changed:
        changed = False
        if words[-1] in sounds:
            words, cut, changed = words[:-1], True, True
            continue
        for phrase in phrases:
            n = len(phrase)
            if len(words) >= n and tuple(words[-n:]) == phrase:
                words, cut, changed = words[:-n], True, True
                break
    return words, cut


NOT_YET = None
"""What :func:`with_second_opinion` returns while the second opinion it needs is not done."""


def with_second_opinion(first: Heard, second: Optional[Heard]) -> Optional[Heard]:
    """The words to judge the end of the answer by, when a second decode of the last seconds before
    the pause (from another start) is made: the first decode's, unless they end a finished sentence;
    then the second's verdict decides too, and the first's words stand only if the second ends a
    finished sentence as well (else the second's words, which make the answer wait). ``NOT_YET``
    (None) while a needed ``second`` is not done: the caller waits for it.

    Why: Whisper's last words before a pause change with where its window starts. In the latency
    benchmark (seed 31's first run) a speaker's "my background in, um" (a thinking pause) was written
    "my background" (p 1.00) and the answer was cut; the same audio decoded from 0.45 s later, or
    from 5 s before the pause, kept the "in um". A second decode that heard no words (Whisper now
    and then writes nothing for a few seconds cut mid-sentence: 4 of about 350 in the first-run traces
    of the latency seeds 47-61; at three the first decode ended a finished sentence, and the answer
    waited 4.5 s) gives no opinion.

    A first decode whose words close a clause but whose last word the engine is unsure or in doubt
    of (:data:`UNSURE_P`, :data:`DOUBT_P`) waits for the second too: when the second ends a finished
    sentence it is sure of, on a word the first heard among its last two, the second's words are
    judged (the doubt is settled; :func:`_settles_doubt`). Else the first's stand and the answer waits."""
    if completeness(first) != COMPLETE:
        if not _doubted_ending(first):
            return first
        if second is None:
            return NOT_YET
        return second if _settles_doubt(first, second) else first
    if second is None:
        return NOT_YET
    if _no_opinion(second):
        return first
    return first if completeness(second) == COMPLETE else second


def _no_opinion(second: Heard) -> bool:
    """A second decode that heard no words, or looped, gives no opinion."""
    return not words_of(_text_of(second)) or repeats_itself(second)


def _doubted_ending(heard: Heard) -> bool:
    """Engine words that close a clause, read unfinished or undecided only because the engine is
    unsure or in doubt of the last word (its probability)."""
    if isinstance(heard, str) or not heard or completeness(heard) == COMPLETE:
        return False
    bare = [Word(t.word, t.start, t.end) if isinstance(t, Word) else t for t in heard]
    return completeness(bare) == COMPLETE


def _settles_doubt(first: Heard, second: Heard) -> bool:
    """Whether a second decode settles the doubt on the first's last word: it ends a finished
    sentence whose last word it is sure of (:func:`completeness`, with its probabilities), and that
    word is one of the first's last two (both decodes heard the clause end there; the first may have
    heard one word more, or a word less sure).

    Why: in the slower machine's latency runs (seeds 147 and 149, tuning data) the wait of 4.5 s
    after a doubted last word was most of what was left of the time from the last word to the
    result: "... bringing me in was the right call?" at p 0.55, whose second decode wrote "... the
    right call." at 0.88; "... if I'm one of your good hires?" at 0.70 against 0.87. Replayed over
    those traces (80 answers, 81 mid-sentence thinking pauses, 12 of them after a doubted ending), 5
    of the 16 ends of answer after a doubted ending end in the finished-sentence window instead, and no
    thinking pause is read as finished: at those the second decode was as unsure (a hesitation heard
    as "rum", "love", "room", at p 0.08-0.62) or unfinished ("... rolled it up so"). On the first
    runs of two fresh seeds after it (151 and 153) it settled none of the doubted endings: there the
    second decode was as unsure, heard nothing, or ended elsewhere. It stays because it can only
    shorten a wait, never lengthen one."""
    if _no_opinion(second) or completeness(second) != COMPLETE:
        return False
    said, heard = words_of(_text_of(second)), words_of(_text_of(first))
    return bool(said) and said[-1] in heard[-2:]


def repeats_itself(heard: Heard) -> bool:
    """Whether the words end in one phrase of one to four words said three times or more in a row, a
    phrase that is not only hesitations ("I'm sorry, I'm sorry, I'm sorry, I'm sorry,"; "um, um, um"
    is a speaker thinking). Whisper loops so on a short window cut in the middle of speech when it
    decodes once, greedily (the second opinion does): in the first run of the latency benchmark's
    seed 107 the second opinion of an answer's end, whose first decode read "... took three days.",
    wrote the loop above, ended in a comma (unfinished), and the answer waited 4.5 s instead of its
    speaker's 2.5 s. In the traces of the five latency runs of seeds 101-107 (tuning data; each
    decode's last words are logged) it is the only loop at the end of a decode that decided anything;
    one other, after a first decode that read unfinished anyway, changed nothing."""
    words = words_of(_text_of(heard))[-TAIL_WORDS:]
    sounds = set(fillers.hesitations())
    for n in range(1, 5):
        phrase = words[-n:]
        if (len(words) >= 3 * n and words[-2 * n:-n] == phrase and words[-3 * n:-2 * n] == phrase
                and not set(phrase) <= sounds):
            return True
    return False


TAIL_WORDS = 12
"""Only the last words decide (and a long answer is not read again at every block)."""


TRAILING_OFF = ("...", "\u2026", ",", ";", "-", "\u2014")
"""Marks with which an engine ends words that trail off ("I think that...", "I was seen as,"):
Whisper writes them before a thinking pause, not after a finished sentence (the seed-17 latency set,
the last 8 s decoded at each point: 10 of 31 thinking pauses, 0 of 109 pauses after finished
sentences and ends)."""


MISHEARD_HESITATIONS = frozenset({"arm"})
"""Words Whisper writes for a hesitation before a pause: "um" as "arm" ("at my, um," written "at my
arm.", p 0.88; "the, um," as "the arm."). As the last word they count as the hesitation. In the
first-run traces of the latency seeds 17-41 (tuning data) "arm" ended the words at 4 of 158
mid-sentence thinking pauses, all read finished, and at none of 417 pauses after finished
sentences and ends of answer."""

WANTS_AN_OBJECT = frozenset("""
rewrote replaced built created designed introduced launched automated negotiated implemented hired
redesigned rebuilt migrated wrote streamlined
""".split())
"""Verbs of an accomplishment that need what was done ("I rewrote the ...", "It replaced a ...").
Whisper drops the short word after them before a thinking pause ("I rewrote the, um" written "I
rewrote"), and both decodes at the pause may drop it. A new clause of just a subject and one of
these (:func:`_bare_transitive`) counts as unfinished; "... the tool I built." does not: the object
came first. Verbs as often without an object ("it improved", "we delivered", "when I started") are
not here."""

WANTS_A_CLAUSE = frozenset("""
think thought guess mean believe feel felt suppose reckon realised realized noticed remember figured
""".split())
"""Verbs that lead into what was thought or seen ("I think the team...", "we realised that..."). A new
sentence of just a subject and one of these is a thought still to come: seed 79's first run of the
latency benchmark cut a speaker after "... most of a day to update. I think" (p 1.00), a thinking
pause of 3.6 s. As a tag after a comma ("it went well, I think.") or with the object first ("that's
what I think.") it is not a new clause and still closes the sentence."""

_CLAUSE_SUBJECTS = frozenset("i we it they he she".split())
_CLAUSE_LINKS = frozenset("and so then but".split())


def _bare_transitive(texts: Sequence[str]) -> bool:
    """True when the words (as written, punctuation kept) end in a new clause of a subject and a
    verb that wants an object or a clause: "... every morning. It replaced", "and I rewrote", "I
    built", "... to update. I think"."""
    written = [t for t in texts if words_of(t)]
    if len(written) < 2:
        return False
    verb, subject = words_of(written[-1]), words_of(written[-2])
    if len(verb) != 1 or (verb[0] not in WANTS_AN_OBJECT and verb[0] not in WANTS_A_CLAUSE):
        return False
    if len(subject) != 1 or subject[0] not in _CLAUSE_SUBJECTS:
        return False
    if len(written) == 2:
        return True
    # a new clause: after a sentence, a linking word or a hesitation ("Um, I wrote")
    before = written[-3].rstrip()
    link = words_of(before)[-1]
    return before.endswith((".", "?", "!")) or link in _CLAUSE_LINKS or link in fillers.hesitations()


def completeness(heard: Heard) -> str:
    """``COMPLETE``, ``INCOMPLETE`` or ``UNKNOWN`` for the words heard so far (a text or words)."""
    if isinstance(heard, str):
        if heard.rstrip().endswith(TRAILING_OFF) and words_of(heard[-80:]):
            return INCOMPLETE
        if _bare_transitive(heard[-200:].split()):
            return INCOMPLETE
        verdict = _completeness(tuple(words_of(heard[-40 * TAIL_WORDS:])[-TAIL_WORDS:]))
        return COMPLETE if verdict == INCOMPLETE and _closed_by_then(heard[-200:].split()) else verdict
    tail = list(heard[-TAIL_WORDS:])
    texts = [t.word if isinstance(t, Word) else t for t in tail]
    if texts and texts[-1].rstrip().endswith(TRAILING_OFF) and any(map(words_of, texts)):
        return INCOMPLETE
    if _bare_transitive(texts):
        return INCOMPLETE
    # the engine's last word, not a symbol it wrote apart ("by 20 %": the "%" is often unsure)
    last = next((t for t, text in zip(reversed(tail), reversed(texts)) if words_of(text)), None)
    doubtful = False
    if isinstance(last, Word) and last.probability is not None:
        said = words_of(last.word)
        if last.probability < (PRONOUN_SURE_P if said[-1:] and said[-1] in HESITATION_PRONOUNS else UNSURE_P):
            return INCOMPLETE
        doubtful = last.probability < DOUBT_P
    verdict = _completeness(tuple(w for text in texts for w in words_of(text)))
    if verdict == INCOMPLETE and _closed_by_then(texts):
        verdict = COMPLETE
    if verdict == COMPLETE and (doubtful or _unmarked_end(texts)):
        return UNKNOWN
    return verdict


def _closed_by_then(texts: Sequence[str]) -> bool:
    """True when the words (as written, punctuation kept) end a clause in "by then" ("... what would
    I have delivered by then?"): "then" is a connective after "and" or at a clause's start ("and then
    we", "then I"), and a time after "by". Not when "by then" starts a new sentence, as written ("...
    two days earlier. By then, um, we had"), or follows a linking word or a hesitation ("and by then").

    Found on the first run of the latency benchmark's seed 123 over written openings (``--texts``
    blind44: text the rule had never met, tuning data since): two of twenty answers ended in "... the
    way I work by then?" and waited 4.5 s, "then" being read as a connective left hanging."""
    written = [t.strip() for t in texts if words_of(t)]
    if len(written) < 3 or words_of(written[-1]) != ["then"] or words_of(written[-2]) != ["by"]:
        return False
    before = written[-3]
    if written[-2][0].isupper() or before.endswith((",", ";", ":") + END_MARKS):
        return False
    link = words_of(before)[-1]
    return link not in _CONJUNCTIONS and link not in fillers.hesitations()


END_MARKS = (".", "?", "!", "\u2026")
"""How an engine that punctuates ends a sentence. Whisper writes one at a finished sentence before a
pause; where the words stop with none, though the engine punctuated them before (a comma, a full
stop), it heard the sentence going on: "... failed every month end, and, Um, I rewrote the
reconciliation jobs" came before a 2.5 s thinking pause ("... jobs | and we closed the books") in the
first run of the latency benchmark's seed 83, and the answer was cut. Such words read finished
cannot tell (``UNKNOWN``). Replayed over the first-run traces of the seeds 17-83 (tuning data), 5
more of the 53 cut answers are kept whole, and 1 of 286 ends of whole answers waits 4.5 s instead of
1.3 s. Text given as one string (typed, or an engine that does not punctuate) is read without this."""


def _unmarked_end(texts: Sequence[str]) -> bool:
    """Words written with punctuation before the last, and none ending the last."""
    written = [t.strip() for t in texts if t.strip()]
    if len(written) < 2 or not any(t.endswith((",", ";", ":") + END_MARKS) for t in written[:-1]):
        return False
    return not written[-1].rstrip("\"'\u201d\u2019)]").endswith(END_MARKS)


CHANGE_VERBS = frozenset("""
went go goes gone rose risen fell fallen dropped grew grown increased decreased reduced cut improved
climbed jumped shrank slashed raised lowered brought took moved came got
""".split())
"""Verbs of a figure that changed: "went from ... to ...", "cut it from ... to ...", "brought it down
from ..."."""

_NUMBER_WORDS = frozenset("""
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand
million billion half
""".split())
_UNIT_WORDS = frozenset("""
point percent per cent minutes minute seconds second hours hour days day weeks week months month years
year pounds pound dollars dollar euros k grand
""".split())


def _open_range(words: Sequence[str]) -> bool:
    """True when the words end in "from" and an amount after a verb of change, the "to ..." still to
    come: "average pick time went from 2 minutes 40 to, um" was written "... went from 2 minutes 42."
    (p 0.84) before a 3.7 s thinking pause in the first run of the latency benchmark's seed 131, and
    the answer was cut. "I moved from London." and "... built it from zero." are not: no amount after a
    verb of change."""
    tail = list(words[-8:])
    if "from" not in tail:
        return False
    at = len(tail) - 1 - tail[::-1].index("from")
    amount = tail[at + 1:]
    if not 1 <= len(amount) <= 4 or not all(w.isdigit() or w in _NUMBER_WORDS | _UNIT_WORDS for w in amount):
        return False
    if not any(w.isdigit() or w in _NUMBER_WORDS for w in amount):
        return False
    return any(w in CHANGE_VERBS for w in tail[max(0, at - 4):at])


_QUESTION_WORDS = frozenset("what which who whom where".split())
_INVERTED = frozenset("would do does did will can could should are is was were have has had might".split())
_STRANDED = frozenset("at for in on of with about from into".split())
_CLAUSE_BREAKS = _CONJUNCTIONS - _QUESTION_WORDS


def _stranded_question(words: Sequence[str]) -> bool:
    """True when the words end in a question whose preposition's object is its question word: "what
    would you point at", "what booking software are you on". English leaves the preposition at the
    end there, so it closes the question. In the first runs of the latency benchmark's seeds 119-133
    (tuning data) such questions, sure words all, ended answers that then waited 4.5 s."""
    if not words or words[-1] not in _STRANDED:
        return False
    tail = list(words[-10:-1])
    i = _asked_from(tail, _QUESTION_WORDS, len(tail) - 2)
    if i is None:
        return False
    rest = tail[i + 1:]
    at = next((k for k, w in enumerate(rest[:3]) if w in _INVERTED), None)
    # the question word, up to two words of what it asks about, the verb inverted, its subject
    return at is not None and len(rest) - at >= 2


def _asked_from(tail: Sequence[str], heads: frozenset, last: int) -> Optional[int]:
    """Where a question ending in ``tail[last]`` starts: the nearest of ``heads`` at or before ``last``,
    or None when a clause break ("and", "because", ...) comes first."""
    for i in range(last, -1, -1):
        if tail[i] in _CLAUSE_BREAKS:
            return None
        if tail[i] in heads:
            return i
    return None


_WHAT_IS = frozenset("what's what're".split())


def _asks_what_like(words: Sequence[str]) -> bool:
    """True when the words end in a question "what [verb] ... like" ("what's your own management
    style like", "what would the first year be like"): its "like" closes the question, it is not a
    filler. The verb must come right after "what" ("what I did was, like" is a filler). In the first
    run of the latency benchmark's seed 141 "... and what's your own management style like?" (p 0.96)
    ended an answer that then waited 4.5 s, its "like" stripped as a filler."""
    if not words or words[-1] != "like":
        return False
    tail = list(words[-10:-1])
    i = _asked_from(tail, _WHAT_IS | {"what"}, len(tail) - 1)
    if i is None:
        return False
    if tail[i] in _WHAT_IS:
        return len(tail) - i >= 2
    return len(tail) - i >= 3 and tail[i + 1] in _INVERTED


_WANTED = frozenset("want wants wanted need needs needed".split())


def _wanted_by_you(words: Sequence[str]) -> bool:
    """True when the words end in a noun and "you want" ("if I'm the kind of lead you want"): the
    noun is what is wanted, so the clause is closed; "I want", "and you want", "what you want" stay
    open (a verb or an object may follow). In the first runs of the latency benchmark's seeds 131
    and 137 (tuning data) two answers ended so ("... the sort of engineer you want?", p 0.98) and
    waited 4.5 s; in the traces of seeds 119-141 no pause the speaker went on from ended so."""
    return (len(words) >= 3 and words[-1] in _WANTED and words[-2] == "you"
            and words[-3] not in INCOMPLETE_LAST and words[-3] not in AMBIGUOUS_LAST)


@lru_cache(maxsize=256)
def _completeness(words: tuple[str, ...]) -> str:
    if not words:
        return UNKNOWN
    if _asks_what_like(words):
        return COMPLETE
    words, trailing_filler = _strip_trailing_fillers(list(words))
    if trailing_filler:
        # "... and then we, um": thinking, whatever came before
        return INCOMPLETE
    if words[-1] in MISHEARD_HESITATIONS:
        return INCOMPLETE
    if _open_range(words):
        return INCOMPLETE
    if _stranded_question(words) or _wanted_by_you(words):
        return COMPLETE
    for ending in _CLOSED_ENDINGS:
        if tuple(words[-len(ending):]) == ending:
            return COMPLETE
    last = words[-1]
    if last in INCOMPLETE_LAST:
        return INCOMPLETE
    if last in AMBIGUOUS_LAST:
        # a particle after its object closes the verb: "asking me back", "picked them up"
        if last not in ("you", "it") and len(words) >= 2 and words[-2] in _OBJECTS:
            return COMPLETE
        return UNKNOWN
    if len(words) < 2:
        # a lone content word ("Yes", "Billing") is an answer only sometimes
        return UNKNOWN
    return COMPLETE
