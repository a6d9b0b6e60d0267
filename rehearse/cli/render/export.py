"""A shareable report of one session (for a coach or a friend), as a JSON object or Markdown. Pure.

:func:`build` gathers what is shown from a saved session and its results; :func:`to_markdown` lays the
same object out as Markdown, so both formats always carry the same facts.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from rehearse.core.model import CHECK_NAMES

FORMAT_VERSION = 1


def build(session, results: Sequence[Any] = (), coaching: Optional[str] = None,
          audio_present: Optional[bool] = None) -> dict[str, Any]:
    """The report object for ``session`` (:class:`~rehearse.store.sessions.SessionRecord`).

    ``results`` are its :class:`~rehearse.store.sessions.ScoreRecord` s, oldest first (earlier ones are
    listed for comparison); ``coaching`` is the archetype's advice, if known.
    """
    score = session.score or {}
    checks = score.get("checks") or {}
    advice = [c["advice"] for n in CHECK_NAMES if (c := checks.get(n)) and c.get("advice")]
    earlier = [
        {"result": r.number, "scored_at": r.scored_at, "reason": r.reason, "engine": r.engine,
         "verdict": r.verdict,
         "passed": sorted(n for n, c in (r.score.get("checks") or {}).items() if c.get("passed"))}
        for r in list(results)[:-1]
    ]
    report: dict[str, Any] = {
        "format": "rehearse-session-report",
        "format_version": FORMAT_VERSION,
        "session_id": session.id,
        "started_at": session.started_at,
        "mode": session.mode,
        "archetype": session.archetype,
        "status": session.status,
        "prompt": {"id": session.prompt_id, "text": session.prompt_text} if session.prompt_text else None,
        "engine": score.get("engine", session.engine),
        "transcript": score.get("transcript", session.transcript),
        "words": [w.to_json() for w in session.words],
        "checks": checks,
        "verdict": score.get("verdict", session.verdict),
        "advice": advice,
        "coaching": coaching,
        "metrics": score.get("metrics"),
        "scored_at": session.scored_at,
        "earlier_results": earlier,
        "audio": session.audio_path,
    }
    if audio_present is not None:
        report["audio_present"] = audio_present
    if "timing" in session.extra:
        report["timing"] = session.extra["timing"]
    return report


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`").replace("|", "\\|")


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: prompt, timed transcript, checks with evidence, advice, metrics."""
    from rehearse.cli.render.text import LABELS

    lines = [f"# Interview opening rehearsal: {report['archetype']}", ""]
    lines.append(f"- Session: `{report['session_id']}` ({report['mode']}, {report['status']})")
    lines.append(f"- Recorded: {report['started_at']}")
    if report.get("verdict"):
        lines.append(f"- Verdict: **{report['verdict'].upper()}**")
    if report.get("engine"):
        lines.append(f"- Transcribed by: {report['engine']}")
    lines.append("")
    if report.get("prompt"):
        lines += ["## Interviewer's prompt", "", f"> {_md_escape(report['prompt']['text'])}", ""]
    lines += ["## Transcript", ""]
    if report["words"]:
        lines += ["| time (s) | words |", "|---:|---|"]
        from rehearse.cli.render.text import word_lines

        lines += [f"| {start:.1f} | {_md_escape(text)} |" for start, text in word_lines(report["words"])]
    else:
        lines.append(f"> {_md_escape(report.get('transcript') or '(nothing)')}")
    lines.append("")
    if report["checks"]:
        lines += ["## Checks", "", "| | check | required | score | evidence |", "|---|---|---|---:|---|"]
        for name in CHECK_NAMES:
            c = report["checks"].get(name)
            if not c:
                continue
            evidence = ""
            if c.get("evidence"):
                at = f" (at {c['seconds']:.1f} s)" if c.get("seconds") is not None else ""
                evidence = f"\"{_md_escape(c['evidence'])}\"{at}"
            lines.append(f"| {'pass' if c['passed'] else 'miss'} | {LABELS.get(name, name)} | "
                         f"{'yes' if c['required'] else 'no'} | {c['score']} | {evidence} |")
        lines.append("")
    if report["advice"] or report.get("coaching"):
        lines += ["## Advice", ""]
        lines += [f"- {_md_escape(a)}" for a in report["advice"]]
        if report.get("coaching"):
            lines.append(f"- For this interviewer: {_md_escape(report['coaching'])}")
        lines.append("")
    m = report.get("metrics")
    if m:
        lines += ["## Delivery", "", "| measure | value |", "|---|---:|",
                  f"| words | {m.get('words')} |"]
        for key, label, fmt in (("duration_s", "length (s)", "{:.1f}"), ("wpm", "words per minute", "{:.0f}"),
                                ("fillers", "filler words", "{}"),
                                ("fillers_per_min", "fillers per minute", "{:.1f}")):
            if m.get(key) is not None:
                lines.append(f"| {label} | {fmt.format(m[key])} |")
        lines.append("")
    timing = report.get("timing")
    if timing:
        lines += ["## Drill timing", ""]
        lines += [f"- {k.replace('_', ' ')}: {v}" for k, v in timing.items()]
        lines.append("")
    if report["earlier_results"]:
        lines += ["## Earlier results", "", "| # | scored | why | verdict | checks passed |", "|---:|---|---|---|---|"]
        for r in report["earlier_results"]:
            lines.append(f"| {r['result']} | {r['scored_at']} | {r['reason']} | {r['verdict']} | "
                         f"{', '.join(r['passed']) or '-'} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
