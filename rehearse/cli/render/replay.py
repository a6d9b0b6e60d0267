"""A saved answer shown back: the transcript with each check's evidence marked, printed all at once or
word by word in step with the audio.

The layout is pure (:func:`fragments` and :func:`format_checks`); :func:`play_in_sync` is the only part
with a clock, and it takes the clock and the player as arguments so tests can run it instantly.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from rehearse.core.model import CHECK_NAMES, Word

LINE_SECONDS = 5.0
"""A new transcript line starts once a line spans this many seconds..."""
LINE_CHARS = 64
"""...or holds this many characters of words."""
_TOKEN = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Style:
    """How evidence is marked: plain brackets for files and pipes, colour for a terminal."""

    open: str
    close: str
    """Format string taking ``{tags}``: the numbers of the checks the evidence belongs to."""
    dim: str = ""
    reset: str = ""

    @classmethod
    def plain(cls) -> "Style":
        return cls(open="[", close="]({tags})")

    @classmethod
    def ansi(cls) -> "Style":
        return cls(open="\x1b[1;33m", close="\x1b[0m\x1b[2m({tags})\x1b[0m", dim="\x1b[2m", reset="\x1b[0m")

    @classmethod
    def for_stream(cls, stream=None) -> "Style":
        import os

        stream = stream or sys.stdout
        tty = hasattr(stream, "isatty") and stream.isatty()
        return cls.ansi() if tty and not os.environ.get("NO_COLOR") else cls.plain()


@dataclass(frozen=True)
class Fragment:
    """A piece of output and the time into the answer at which it is printed."""

    at: float
    text: str


def check_number(name: str) -> int:
    """Checks are numbered 1..5 in the contract's order, in the transcript marks and the check list."""
    return CHECK_NAMES.index(name) + 1 if name in CHECK_NAMES else len(CHECK_NAMES) + 1


def _norm(token: str) -> str:
    return "".join(_TOKEN.findall(token.lower()))


def evidence_spans(words: Sequence[str], checks: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """For each check with evidence, the word range ``[start, end)`` it covers in ``words``.

    Uses the check's ``word_index`` and the evidence's length; without a usable index, finds the
    evidence's words in the transcript.
    """
    normed = [_norm(w) for w in words]
    spans: dict[str, tuple[int, int]] = {}
    for name, check in checks.items():
        evidence = (check or {}).get("evidence")
        if not evidence:
            continue
        wanted = [t for t in (_norm(t) for t in evidence.split()) if t]
        if not wanted:
            continue
        index = check.get("word_index")
        if isinstance(index, int) and 0 <= index < len(words):
            spans[name] = (index, min(len(words), index + len(wanted)))
            continue
        for i in range(len(normed) - len(wanted) + 1):
            if normed[i:i + len(wanted)] == wanted:
                spans[name] = (i, i + len(wanted))
                break
    return spans


def _marked_words(words: Sequence[str], checks: dict[str, Any], style: Style) -> list[str]:
    spans = evidence_spans(words, checks)
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    for name, (a, b) in spans.items():
        starts.setdefault(a, []).append(name)
        ends.setdefault(b - 1, []).append(name)
    out = []
    for i, word in enumerate(words):
        text = word
        if i in starts:
            text = style.open * len(starts[i]) + text
        # the span opened last closes first, so nested evidence reads as nested brackets
        for name in sorted(ends.get(i, []), key=lambda n: (-spans[n][0], check_number(n))):
            text += style.close.format(tags=check_number(name))
        out.append(text)
    return out


def fragments(words: Sequence[Word], checks: dict[str, Any], style: Style) -> list[Fragment]:
    """Timed words as lines of about :data:`LINE_SECONDS` each, one fragment per word, evidence marked.

    Printing every fragment's text in order gives the whole timed transcript.
    """
    if not words:
        return [Fragment(0.0, "  (no timed words)\n")]
    marked = _marked_words([w.word for w in words], checks, style)
    out: list[Fragment] = []
    line_start: Optional[float] = None
    chars = 0
    for i, (word, text) in enumerate(zip(words, marked)):
        if line_start is None:
            line_start, chars = word.start, 0
            text = f"  {style.dim}{word.start:6.1f} s{style.reset}  {text}"
        chars += len(word.word) + 1
        next_len = len(words[i + 1].word) if i + 1 < len(words) else 0
        if (word.end - line_start >= LINE_SECONDS or chars + next_len > LINE_CHARS or i == len(words) - 1):
            text += "\n"
            line_start = None
        else:
            text += " "
        out.append(Fragment(word.start, text))
    return out


def untimed_text(transcript: str, checks: dict[str, Any], style: Style, width: int = 78) -> str:
    """A transcript without timings (scored from text), wrapped, evidence marked."""
    import textwrap

    words = transcript.split()
    if not words:
        return "  (nothing)"
    return textwrap.fill(" ".join(_marked_words(words, checks, style)), width=width,
                         initial_indent="  ", subsequent_indent="  ")


def format_checks(score: dict[str, Any], style: Style) -> str:
    """The checks (numbered as in the transcript marks) with evidence, advice, metrics and verdict."""
    from rehearse.cli.render.text import LABELS

    lines = []
    checks = score.get("checks") or {}
    for name in CHECK_NAMES:
        check = checks.get(name)
        if not check:
            continue
        mark = "PASS" if check.get("passed") else "miss"
        tag = "required" if check.get("required") else "optional"
        lines.append(f"  {check_number(name)}. [{mark}] {LABELS.get(name, name)} ({tag}, {check.get('score')})")
        if check.get("evidence"):
            where = f" at {check['seconds']:.1f} s" if check.get("seconds") is not None else ""
            evidence = style.open + check["evidence"] + style.close.format(tags=check_number(name))
            lines.append(f"       heard{where}: {evidence}")
        if check.get("advice"):
            lines.append(f"       -> {check['advice']}")
    m = score.get("metrics") or {}
    parts = [f"{m.get('words', 0)} words"]
    if m.get("duration_s") is not None:
        parts.append(f"{m['duration_s']:.1f} s")
    if m.get("wpm") is not None:
        parts.append(f"{m['wpm']:.0f} words/min")
    if m.get("fillers") is not None:
        per_min = f" ({m['fillers_per_min']:.1f}/min)" if m.get("fillers_per_min") is not None else ""
        parts.append(f"{m['fillers']} filler words{per_min}")
    lines.append("")
    lines.append("  " + ", ".join(parts))
    lines.append(f"Verdict: {str(score.get('verdict', '?')).upper()}")
    return "\n".join(lines)


class SystemClock:
    """The real clock: monotonic seconds and sleeping."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def play_in_sync(parts: Sequence[Fragment], play: Callable[[], None], *, clock=None,
                 write: Optional[Callable[[str], None]] = None) -> Optional[BaseException]:
    """Run ``play()`` (blocking playback) in a thread and write each fragment at its time against ``clock``.

    Returns the exception ``play`` raised, if any (the remaining words are then written at once).
    """
    clock = clock or SystemClock()
    if write is None:
        def write(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()
    failure: list[BaseException] = []

    def target() -> None:
        try:
            play()
        except BaseException as exc:  # reported to the caller, never lost in the thread
            failure.append(exc)

    player = threading.Thread(target=target, name="rehearse-replay", daemon=True)
    start = clock.now()
    player.start()
    for part in parts:
        delay = start + part.at - clock.now()
        if delay > 0 and not failure:
            clock.sleep(delay)
        write(part.text)
    player.join()
    return failure[0] if failure else None
