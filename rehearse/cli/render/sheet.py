"""The one-page sheet as Markdown or as a self-contained HTML page (the sheet's JSON shape in)."""

from __future__ import annotations

import html
from typing import Any, Optional

from rehearse.cli.render.text import LABELS

QUESTION_TITLES = {
    "asks_first_year_question": "What a very successful first year would accomplish",
    "asks_contributor_question": "What an effective contributor would be showing",
}


def _when(iso: Optional[str]) -> str:
    if not iso:
        return "?"
    from rehearse.cli.timefilter import local_time

    return local_time(iso)


def _percent(rate: Optional[float]) -> str:
    return "?" if rate is None else f"{rate * 100:.0f}%"


def _value(value: Optional[float], unit: str) -> str:
    if value is None:
        return "none yet"
    unit = "" if unit in ("/min",) else f" {unit}"
    return f"{value:g}{unit}"


def _figure_lines(figures: dict[str, Any]) -> list[str]:
    """Plain sentences for the figures (shared by both formats)."""
    if not figures["sessions"]:
        return ["No scored session yet: `rehearse practice --archetype ARCH` starts one."]
    count = figures["sessions"]
    lines = [f"{count} scored session{'s' if count != 1 else ''}, the latest on {_when(figures['last_at'])}."]
    for a in figures["archetypes"]:
        lines.append(f"{a['archetype'].title()}: passed {_percent(a['recent_pass_rate'])} of the last "
                     f"{a['recent_sessions']} (latest: {a['last_verdict']}).")
    for name, m in figures["metrics"].items():
        if m["latest"] is None:
            lines.append(f"{m['label']}: none yet.")
            continue
        unit = m["unit"]
        lines.append(f"{m['label']}: {_value(m['latest'], unit)} in the latest session"
                     f" ({_value(m['recent_mean'], unit)} on average over the last {m['recent_sessions']}).")
    return lines


def _question_source(q: dict[str, Any]) -> str:
    if q["source"] == "yours":
        return f"your words, session {q['session_id']} on {_when(q['started_at'])}"
    return "the article's wording: you have not asked it in a saved session yet"


def markdown(sheet: dict[str, Any]) -> str:
    out = ["# Before your second interview", "", f"_Prepared {_when(sheet['created_at'])}._", "",
           "## Open with your accomplishment", ""]
    opener = sheet["opener"]
    if opener:
        out += [f"**{opener['title']}**", ""]
        for label, key in (("Situation", "situation"), ("What you did", "action"), ("The number", "result")):
            out.append(f"- {label}: {opener[key] or '(not written yet)'}")
        out += ["", "Say it:", "", f"> {opener['say']}", ""]
    else:
        out += [f"> {sheet['template']}", ""]
    if sheet["opener_note"]:
        out += [f"Note: {sheet['opener_note']}", ""]
    out += ["## Ask the two key questions early", ""]
    for number, q in enumerate(sheet["questions"], start=1):
        out += [f"{number}. **{QUESTION_TITLES.get(q['check'], LABELS.get(q['check'], q['check']))}**: "
                f"\"{q['text']}\" ({_question_source(q)})"]
    out += ["", "## Topics to bring up", ""]
    out += [f"- {t}" for t in sheet["topics"]] or []
    if sheet["topics_note"]:
        out.append(sheet["topics_note"])
    out += ["", "## Your latest figures", ""]
    out += [f"- {line}" for line in _figure_lines(sheet["figures"])]
    return "\n".join(out) + "\n"


STYLE = """body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.45;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.4em;border-bottom:1px solid #ddd}
blockquote{margin:.6em 0;padding:.5em 1em;background:#f5f5f0;border-left:4px solid #8a8}
.note{color:#855}.src{color:#777;font-size:.9em}
@media print{body{margin:0}}"""


def html_page(sheet: dict[str, Any]) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           "<title>Before your second interview</title>", f"<style>{STYLE}</style></head><body>",
           "<h1>Before your second interview</h1>", f"<p class=\"src\">Prepared {e(_when(sheet['created_at']))}.</p>",
           "<h2>Open with your accomplishment</h2>"]
    opener = sheet["opener"]
    if opener:
        out.append(f"<p><strong>{e(opener['title'])}</strong></p><ul>")
        for label, key in (("Situation", "situation"), ("What you did", "action"), ("The number", "result")):
            out.append(f"<li>{label}: {e(opener[key] or '(not written yet)')}</li>")
        out.append(f"</ul><p>Say it:</p><blockquote>{e(opener['say'])}</blockquote>")
    else:
        out.append(f"<blockquote>{e(sheet['template'])}</blockquote>")
    if sheet["opener_note"]:
        out.append(f"<p class=\"note\">{e(sheet['opener_note'])}</p>")
    out.append("<h2>Ask the two key questions early</h2><ol>")
    for q in sheet["questions"]:
        title = QUESTION_TITLES.get(q["check"], LABELS.get(q["check"], q["check"]))
        out.append(f"<li><strong>{e(title)}</strong>: &ldquo;{e(q['text'])}&rdquo; "
                   f"<span class=\"src\">({e(_question_source(q))})</span></li>")
    out.append("</ol><h2>Topics to bring up</h2>")
    if sheet["topics"]:
        out.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in sheet["topics"]) + "</ul>")
    if sheet["topics_note"]:
        out.append(f"<p class=\"note\">{e(sheet['topics_note'])}</p>")
    out.append("<h2>Your latest figures</h2><ul>")
    out += [f"<li>{e(line)}</li>" for line in _figure_lines(sheet["figures"])]
    out.append("</ul></body></html>")
    return "\n".join(out) + "\n"
