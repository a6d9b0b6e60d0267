"""Recognition-style copies of typed training openings (for the training scripts only).

A typed opening says the same thing, to the coach, as the same words heard by a speech engine:
lowercase, no punctuation, numbers spelled out ("cut costs by 30%." -> "cut costs by thirty
percent"). ``asr_copy`` writes that copy, with the typed opening's labels and its id as
``source_id`` (so cross-validation keeps the two in one fold). Nothing else changes: no fillers, no
misheard words; those the writers' own recognition-style openings and the engine text carry.

``subject_dropped`` writes another kind of copy (``train_checks.py --drop-i-copies``; measured and not
used, see the README): the first sentence that starts "I <word>" without its "I", as Whisper writes a
speaker's swallowed subject.
"""

from __future__ import annotations

import re

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_CURRENCY = {"$": "dollars", "£": "pounds", "€": "euros"}
_UNITS = {"%": "percent", "k": "thousand", "m": "million", "bn": "billion", "x": "times"}
_NUMBER = re.compile(r"([$£€])?(\d[\d,]*(?:\.\d+)?)\s?(%|bn|k|m|x)?(?![\w])", re.IGNORECASE)


def say_int(n: int) -> str:
    """0 <= n < 10**12 in words, as an engine writes them ("one hundred twenty", no "and")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        return _ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + say_int(n % 100))
    for size, name in _SCALES:
        if n >= size:
            return say_int(n // size) + " " + name + ("" if n % size == 0 else " " + say_int(n % size))
    raise ValueError(n)


def say_number(digits: str) -> str:
    """"1,200" -> "one thousand two hundred", "2.5" -> "two point five", "2024" -> "twenty twenty four"."""
    whole, _, frac = digits.replace(",", "").partition(".")
    n = int(whole)
    if 1900 <= n <= 2099 and len(whole) == 4 and "," not in digits and not frac:
        high, low = divmod(n, 100)
        return say_int(high) + (" hundred" if low == 0 else " " + ("oh " if low < 10 else "") + say_int(low))
    words = say_int(n) if n < 10**12 else " ".join(_ONES[int(d)] for d in whole)
    if frac:
        words += " point " + " ".join(_ONES[int(d)] for d in frac)
    return words


def spell_numbers(text: str) -> str:
    def one(m: re.Match) -> str:
        currency, digits, unit = m.group(1), m.group(2), (m.group(3) or "").lower()
        words = [say_number(digits)]
        if unit:
            words.append(_UNITS[unit])
        if currency:
            words.append(_CURRENCY[currency])
        return " ".join(words)

    return _NUMBER.sub(one, text)


def asr_text(text: str) -> str:
    """Lowercase, numbers spelled out, no punctuation but apostrophes inside words."""
    text = spell_numbers(text.replace("–", " to ").replace("—", " ")).lower()
    text = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text.replace("’", "'"))
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


def asr_copy(item: dict) -> dict:
    """The recognition-style copy of a typed item (same labels; ``source_id`` names the typed one)."""
    return {**item, "id": item["id"] + "~asr", "source_id": item.get("source_id") or item["id"],
            "style": "asr_copy", "text": asr_text(item["text"])}


def with_asr_copies(items: list[dict]) -> list[dict]:
    """The items, then a recognition-style copy of each typed one."""
    return items + [asr_copy(it) for it in items if it.get("style") == "typed"]


_SENTENCE_I = re.compile(r"(^|[.!?:;]\s+)I\s+([a-z])")


def subject_dropped(text: str) -> str | None:
    """The text with the "I" of its first sentence that starts "I <word>" left out, as a speech engine
    writes it when the speaker's "I" is swallowed ("Quick bit about me first. Ran the wreck removal
    ..."); None when no sentence starts so."""
    m = _SENTENCE_I.search(text)
    if m is None:
        return None
    return text[: m.start()] + m.group(1) + m.group(2).upper() + text[m.end():]


def with_subject_dropped_copies(items: list[dict]) -> list[dict]:
    """The items, then a copy of each one with a sentence that starts "I <word>" without its "I"
    (same labels: a coach hears the speaker's own deed either way; ``source_id`` names the original)."""
    copies = []
    for it in items:
        text = subject_dropped(it["text"])
        if text is not None:
            copies.append({**it, "id": it["id"] + "~noi", "source_id": it.get("source_id") or it["id"],
                           "style": "drop_copy", "text": text})
    return items + copies
