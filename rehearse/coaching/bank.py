"""The accomplishment bank: the user's accomplishments, one of them marked best for this job.

An entry is a short title, the situation, what the user did, the result with its numbers, and key
terms (what the practice check listens for). Entries live in the session database, read and written
by :class:`rehearse.store.bank.Bank`. TOML import and export let users prepare the bank in an editor; an import is validated as a
whole first, so a bad file (reported with its line and the reason) changes nothing.

Everything here is pure: validation, TOML parsing and writing, and nudges take and return
:class:`Accomplishment` values.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, replace
from typing import Any, Iterable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from rehearse.core.errors import RehearseError

FIELDS = ("title", "situation", "action", "result", "terms", "best")
"""The keys of an entry in a TOML file (and the editable fields)."""
TEXT_FIELDS = ("title", "situation", "action", "result")
MAX_TITLE = 120
MAX_TEXT = 2000
MAX_TERMS = 20
MAX_TERM = 60
SOURCES = ("manual", "debrief", "import")
TOML_TABLE = "accomplishment"
"""Each entry of an import/export file is one ``[[accomplishment]]`` table."""


@dataclass(frozen=True)
class Accomplishment:
    """One accomplishment the user can open with."""

    title: str
    """A short name ("Onboarding redesign")."""
    situation: str = ""
    """What the situation was."""
    action: str = ""
    """What the user did."""
    result: str = ""
    """What came of it, ideally with its numbers ("cut ramp-up from 10 weeks to 6")."""
    terms: tuple[str, ...] = ()
    """Key terms the opening should contain ("onboarding", "ramp-up")."""
    best: bool = False
    """Whether this is the one that best represents the user for this job."""
    id: Optional[int] = None
    """Database id (None until saved)."""
    source: str = "manual"
    """manual, debrief or import."""
    created_at: Optional[str] = None
    updated_at: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "situation": self.situation, "action": self.action,
                "result": self.result, "terms": list(self.terms), "best": self.best, "source": self.source,
                "created_at": self.created_at, "updated_at": self.updated_at, "nudges": nudges(self)}

    def phrase(self) -> str:
        """How advice names it: "the onboarding redesign that cut ramp-up by 40%"."""
        return describe(self)


# -- pure helpers -------------------------------------------------------------------------------------

def split_terms(value: Any) -> tuple[str, ...]:
    """Terms from a list or a comma/semicolon separated string, stripped, without repeats."""
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,;\n]", str(value))
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        term = " ".join(str(item).split())
        if term and term.lower() not in seen:
            seen.add(term.lower())
            out.append(term)
    return tuple(out)


def validate(acc: Accomplishment) -> Accomplishment:
    """The entry cleaned (whitespace, terms), or RehearseError saying what is wrong with it."""
    cleaned = {name: " ".join(str(getattr(acc, name) or "").split()) if name == "title"
               else str(getattr(acc, name) or "").strip() for name in TEXT_FIELDS}
    if not cleaned["title"]:
        raise RehearseError("An accomplishment needs a short title (e.g. --title \"Onboarding redesign\").")
    if len(cleaned["title"]) > MAX_TITLE:
        raise RehearseError(f"The title is {len(cleaned['title'])} characters long; keep it under {MAX_TITLE} "
                            "and put the story in --situation, --action and --result.")
    for name in ("situation", "action", "result"):
        if len(cleaned[name]) > MAX_TEXT:
            raise RehearseError(f"The {name} is {len(cleaned[name])} characters long; keep it under {MAX_TEXT}.")
    terms = split_terms(acc.terms)
    if len(terms) > MAX_TERMS:
        raise RehearseError(f"{len(terms)} key terms is too many; keep the {MAX_TERMS} that matter most.")
    for term in terms:
        if len(term) > MAX_TERM:
            raise RehearseError(f"The key term {term[:30]!r}... is too long; a key term is a word or a short phrase.")
    if acc.source not in SOURCES:
        raise RehearseError(f"Unknown source {acc.source!r} for an accomplishment.")
    return replace(acc, terms=terms, best=bool(acc.best), **cleaned)


def has_number(text: str) -> bool:
    """Whether the text carries a quantity (digits or spelled out), read the way the checks read it."""
    from rehearse.coaching.checks import load_rules
    from rehearse.coaching.textnorm import NUM, normalize

    doc = normalize(text.split(), load_rules().norm)
    return any(t == NUM and not weak for t, weak in zip(doc.tokens, doc.weak))


def nudges(acc: Accomplishment) -> list[str]:
    """Gentle suggestions for an entry that is accepted but could be stronger."""
    out = []
    ref = f" (`rehearse accomplishments edit {acc.id} --result ...`)" if acc.id is not None else ""
    if not acc.result.strip():
        out.append(f"\"{acc.title}\" has no result yet: add what came of it, with a number{ref}.")
    elif not has_number(acc.result):
        out.append(f"The result of \"{acc.title}\" has no number: add one (time, money, a percent, a count){ref}.")
    if not acc.terms:
        out.append(f"\"{acc.title}\" has no key terms, so practice listens for the words of its title only "
                   "(add some with --terms).")
    return out


_RESULT_VERB = re.compile(
    r"^(?:\w+ed|cut|grew|won|made|built|brought|took|led|drove|got|saw|sold|ran|set|shrank|rose|fell|"
    r"halved|doubled|tripled|saved|raised|lowered|reduced|increased)\b", re.IGNORECASE)


def describe(acc: Accomplishment) -> str:
    """The entry as advice names it: "the onboarding redesign that cut ramp-up by 40%"."""
    title = acc.title.strip()
    first = title.split()[0] if title else ""
    if first[:1].isupper() and first[1:] == first[1:].lower() and len(first) > 1:
        title = first.lower() + title[len(first):]
    if not re.match(r"^(the|my|our|a|an|how|when)\b", title, re.IGNORECASE):
        title = "the " + title
    result = acc.result.strip().rstrip(".")
    if result:
        first_clause = re.split(r"[.;]\s", result)[0]
        if _RESULT_VERB.match(first_clause) and len(first_clause) <= 90:
            return f"{title} that {first_clause[0].lower() + first_clause[1:]}"
        return f"{title} ({first_clause[:90]})"
    return title


_TITLE_FILLER = frozenset(("the", "a", "an", "my", "our", "at", "of", "for", "project", "work"))
"""Words a mention adds around a title without naming anything ("my work on the X project")."""


def title_words(text: str) -> tuple[str, ...]:
    """The words that name an accomplishment: lowercase, apostrophes and hyphens as anyone types or
    a recogniser writes them ("Acme's ramp-up" -> acme, ramp, up), without filler words."""
    text = re.sub(r"['\u2019]s\b", "", text.lower())
    words = re.findall(r"[a-z0-9]+", text.replace("'", "").replace("\u2019", ""))
    return tuple(w for w in words if w not in _TITLE_FILLER) or tuple(words)


def _same_word(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    return a == b or (min(len(a), len(b)) >= 4 and fuzz.ratio(a, b) >= 85)


def _within(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    return all(any(_same_word(w, other) for other in whole) for w in part)


def title_match(mention: str, title: str) -> float:
    """How surely ``mention`` (an answer) names the entry titled ``title``: 0 (not at all) to 100.

    The same words however written ("the on-boarding re-design." is "Onboarding redesign") score
    100; nearly the same letters 90 or more; a mention that holds every word of the title ("the
    onboarding redesign at Acme") or is most of it ("the redesign" for a two-word title) 80 to 90.
    """
    from rapidfuzz import fuzz

    said, named = title_words(mention), title_words(title)
    if not said or not named:
        return 0.0
    said_letters, named_letters = "".join(said), "".join(named)
    if said_letters == named_letters:
        return 100.0
    close = fuzz.ratio(said_letters, named_letters)
    if close >= 90:
        return float(close)
    overlap = len(set(said) & set(named)) / len(set(said) | set(named))
    if _within(named, said) and (len(named) >= 2 or 2 * len(named) >= len(said)):
        return 80.0 + 10.0 * overlap  # the title, with more around it
    if _within(said, named) and 2 * len(said) >= len(named):
        return 80.0 + 10.0 * overlap  # most of the title
    return 0.0


def similar_entry(mention: str, entries: Iterable[Accomplishment]) -> Optional[Accomplishment]:
    """The entry a spoken or typed mention most likely means, or None (the first of equals wins)."""
    best, best_score = None, 0.0
    for acc in entries:
        score = title_match(mention, acc.title)
        if score > best_score:
            best, best_score = acc, score
    return best


def plain_title(text: str) -> str:
    """A title taken from an answer: without the article it was said with ("the X" -> "X")."""
    text = " ".join(text.split())
    stripped = re.sub(r"^(?:the|my|our|a|an)\s+", "", text, flags=re.IGNORECASE)
    return stripped[:1].upper() + stripped[1:] if stripped else text


# -- TOML -----------------------------------------------------------------------------------------------

def _entry_lines(text: str) -> list[int]:
    """Line number (1-based) of each ``[[accomplishment]]`` header, in order."""
    header = re.compile(r"^\s*\[\[\s*" + TOML_TABLE + r"\s*\]\]")
    return [i for i, line in enumerate(text.splitlines(), start=1) if header.match(line)]


def _key_line(text: str, start: int, end: Optional[int], key: str) -> int:
    """Line of ``key = ...`` inside the entry starting at line ``start`` (the header line if not found)."""
    lines = text.splitlines()
    stop = (end - 1) if end else len(lines)
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for number in range(start + 1, stop + 1):
        if pattern.match(lines[number - 1]):
            return number
    return start


def parse_toml(text: str, name: str = "the file") -> list[Accomplishment]:
    """Entries of a bank file; RehearseError naming the line and the reason for the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)", message)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message).strip().rstrip(".")
        if where:
            raise RehearseError(f"{name} line {where.group(1)}: {reason} (not valid TOML); nothing was imported.")
        raise RehearseError(f"{name}: {reason} (not valid TOML); nothing was imported.")
    unknown = [k for k in data if k != TOML_TABLE]
    if unknown:
        raise RehearseError(f"{name}: unexpected top-level key {unknown[0]!r}; write each entry as an "
                            f"[[{TOML_TABLE}]] table; nothing was imported.")
    entries = data.get(TOML_TABLE)
    if not isinstance(entries, list) or not entries:
        raise RehearseError(f"{name} has no [[{TOML_TABLE}]] entries; nothing was imported.")
    starts = _entry_lines(text)
    out: list[Accomplishment] = []
    titles: dict[str, int] = {}
    best_line: Optional[int] = None
    for index, entry in enumerate(entries):
        start = starts[index] if index < len(starts) else 1
        end = starts[index + 1] if index + 1 < len(starts) else None

        def fail(reason: str, key: Optional[str] = None) -> RehearseError:
            line = _key_line(text, start, end, key) if key else start
            return RehearseError(f"{name} line {line}: {reason}; nothing was imported.")

        if not isinstance(entry, dict):
            raise fail("each accomplishment must be a table")
        for key in entry:
            if key not in FIELDS:
                raise fail(f"unknown key {key!r} (expected {', '.join(FIELDS)})", key)
        for key in TEXT_FIELDS:
            if key in entry and not isinstance(entry[key], str):
                raise fail(f"{key} must be text in quotes", key)
        if "terms" in entry and not (isinstance(entry["terms"], str) or (
                isinstance(entry["terms"], list) and all(isinstance(t, str) for t in entry["terms"]))):
            raise fail("terms must be a list of text, e.g. terms = [\"onboarding\", \"ramp-up\"]", "terms")
        if "best" in entry and not isinstance(entry["best"], bool):
            raise fail("best must be true or false", "best")
        if not str(entry.get("title", "")).strip():
            raise fail("the accomplishment has no title", "title")
        try:
            acc = validate(Accomplishment(
                title=entry.get("title", ""), situation=entry.get("situation", ""),
                action=entry.get("action", ""), result=entry.get("result", ""),
                terms=split_terms(entry.get("terms")), best=entry.get("best", False), source="import"))
        except RehearseError as err:
            raise fail(str(err).rstrip("."), "title") from None
        key = acc.title.lower()
        if key in titles:
            raise fail(f"the title {acc.title!r} is already used by the entry at line {titles[key]}", "title")
        titles[key] = start
        if acc.best:
            if best_line is not None:
                raise fail(f"only one accomplishment can be best (the entry at line {best_line} already is)", "best")
            best_line = start
        out.append(acc)
    return out


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def to_toml(entries: Iterable[Accomplishment]) -> str:
    """The bank as a TOML file that :func:`parse_toml` reads back."""
    lines = ["# Accomplishment bank for `rehearse accomplishments import`.",
             "# One [[accomplishment]] per entry: title, situation, action, result (with its numbers),",
             "# terms (the key words practice listens for) and best = true on the one to open with.", ""]
    for acc in entries:
        lines.append(f"[[{TOML_TABLE}]]")
        lines.append(f"title = {_toml_string(acc.title)}")
        for name in ("situation", "action", "result"):
            lines.append(f"{name} = {_toml_string(getattr(acc, name))}")
        lines.append("terms = [" + ", ".join(_toml_string(t) for t in acc.terms) + "]")
        if acc.best:
            lines.append("best = true")
        lines.append("")
    return "\n".join(lines)
