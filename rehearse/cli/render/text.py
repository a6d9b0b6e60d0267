"""Human-readable text for scores, transcripts and sessions (what goes to the terminal)."""

from __future__ import annotations

from typing import Any, Optional

from rehearse.core.model import CHECK_NAMES

LABELS = {
    "leads_with_accomplishment": "Leads with your accomplishment",
    "asks_first_year_question": "Asks what a very successful first year would accomplish",
    "asks_contributor_question": "Asks what an effective contributor would be showing",
    "thanks_for_callback": "Thanks them for asking you back",
    "quantified_result": "Gives a measurable result",
}


def format_score(score: dict[str, Any], *, session_id: Optional[str] = None,
                 wpm_band: Optional[tuple[float, float]] = None) -> str:
    """A score object (contract shape) as a short report; the pace is set against ``wpm_band``
    (default the 120-160 words/min a listener follows comfortably)."""
    lines = []
    transcript = score.get("transcript") or ""
    lines.append(f"You said: \"{transcript}\"" if transcript else "You said: (nothing)")
    lines.append("")
    checks = score.get("checks", {})
    for name in CHECK_NAMES:
        check = checks.get(name)
        if not check:
            continue
        tag = "required" if check["required"] else "optional"
        lines += _result_lines(f"{LABELS.get(name, name)} ({tag}, {check['score']})", check)
    lines.append("")
    m = score.get("metrics", {})
    pace = f", {m['wpm']:.0f} words/min ({pace_note(m['wpm'], wpm_band)})" if m.get("wpm") else ""
    fillers = f", {m['fillers']} filler words" if m.get("fillers") is not None else ""
    lines.append(f"  {m.get('words', 0)} words{pace}{fillers}")
    verdict = score.get("verdict", "?").upper()
    lines.append(f"Verdict: {verdict}" + (f"   (session {session_id})" if session_id else ""))
    return "\n".join(lines)


def pace_note(wpm: float, band: Optional[tuple[float, float]] = None) -> str:
    """Where ``wpm`` falls against the target band, e.g. "above the 120-160 band"."""
    from rehearse.coaching.timing import WPM_BAND, pace_band

    low, high = band or WPM_BAND
    where = {"slow": "below", "fast": "above", "in band": "within"}[pace_band(wpm, (low, high))]
    return f"{where} the {low:.0f}-{high:.0f} band"


def format_personal(results: list[dict[str, Any]]) -> str:
    """Personalised checks (rehearse.coaching.personal, JSON shape): your accomplishment and your topics."""
    lines = ["Your own targets (from your bank and debrief; not part of the verdict):"]
    for r in results:
        what = "Presents" if r["name"] == "presents_accomplishment" else "Mentions"
        lines += _result_lines(f"{what} \"{r['target']}\" ({r['score']})", r)
    return "\n".join(lines)


def _result_lines(title: str, result: dict[str, Any]) -> list[str]:
    """A check's verdict line, the words that satisfied it and its advice."""
    mark = "PASS" if result["passed"] else "miss"
    lines = [f"  [{mark}] {title}"]
    if result.get("evidence"):
        where = f" at {result['seconds']:.1f} s" if result.get("seconds") is not None else ""
        lines[0] += f"\n         heard{where}: \"{result['evidence']}\""
    if result.get("advice"):
        lines.append(f"         -> {result['advice']}")
    return lines


def word_lines(words: list[dict[str, Any]], seconds: float = 5.0):
    """Timed words grouped into lines of about ``seconds``: yields (start_s, text)."""
    current, line_start = [], None
    for w in words:
        if line_start is None:
            line_start = w["start"]
        current.append(w["word"])
        if w["end"] - line_start >= seconds:
            yield line_start, " ".join(current)
            current, line_start = [], None
    if current:
        yield line_start, " ".join(current)


def format_words(words: list[dict[str, Any]]) -> str:
    """Timed words, a line every ~5 seconds."""
    if not words:
        return "(no timed words)"
    return "\n".join(f"  {start:6.1f} s  {text}" for start, text in word_lines(words))
