"""A mock interview as text: each turn as it ends, and the whole conversation with a summary."""

from __future__ import annotations

import textwrap
from typing import Any, Optional

from rehearse.cli.render.text import LABELS

WIDTH = 78


def _wrap(label: str, text: str) -> str:
    return textwrap.fill(text or "(nothing)", width=WIDTH, initial_indent=f"{label}: ",
                         subsequent_indent=" " * (len(label) + 2))


def _secs(value: Optional[float]) -> str:
    return f"{value:.1f} s"


def charge_note(turn: dict[str, Any]) -> str:
    """'took charge at 1.2 s' or 'did not take charge'."""
    if turn["took_charge"]:
        at = f" at {_secs(turn['charge_s'])}" if turn.get("charge_s") is not None else ""
        return f"took charge{at}"
    return "did not take charge"


def seize_note(seize: dict[str, Any]) -> str:
    """The seize of the monologue's turn, in one sentence (with how the echo was handled)."""
    text = seize.get("message") or ""
    if seize.get("suppression_db") is not None and seize.get("mode") == "subtract":
        text += f" (echo subtracted: {seize['suppression_db']:.0f} dB)"
    return textwrap.fill(text, width=WIDTH)


def format_turn(turn: dict[str, Any]) -> str:
    """One turn right after the answer: what was heard, whether it took charge, why the reply."""
    lines = []
    if turn.get("seize"):
        lines.append(seize_note(turn["seize"]))
    lines += [_wrap("You", f"\"{turn['transcript']}\""), f"  -> {charge_note(turn).capitalize()}."]
    reply = turn.get("reply") or {}
    if reply.get("why"):
        lines.append(textwrap.fill(reply["why"], width=WIDTH, initial_indent="     ", subsequent_indent="     "))
    return "\n".join(lines)


def format_interview(data: dict[str, Any]) -> str:
    """The whole conversation (the interview's JSON shape), which turns took charge, how fast, the verdict."""
    lines = [f"Mock second interview with the {data['archetype']} (interview {data['interview_id']}, "
             f"{len(data['conversation'])} of {data['turns']} turns)", ""]
    for turn in data["conversation"]:
        lines.append(_wrap("Interviewer", turn["interviewer"].get("text", "")))
        if turn.get("seize"):
            lines.append(seize_note(turn["seize"]))
        lines.append(_wrap(f"You (turn {turn['turn']})", f"\"{turn['transcript']}\""))
        first = f", first word at {_secs(turn['first_word_s'])}" if turn.get("first_word_s") is not None else ""
        lines.append(f"  -> {charge_note(turn)}{first}   (session {turn['session_id']})")
        lines.append("")
    if data.get("closing"):
        lines.append(_wrap("Interviewer", data["closing"].get("text", "")))
        lines.append("")
    total = len(data["conversation"])
    taken = data["took_charge"]
    if taken:
        which = ", ".join(str(n) for n in taken)
        fastest = f"; fastest at {_secs(data['fastest_charge_s'])}" if data.get("fastest_charge_s") is not None else ""
        lines.append(f"Took charge in {len(taken)} of {total} turns (turn{'s' if len(taken) > 1 else ''} {which}){fastest}.")
    else:
        lines.append(f"Took charge in none of the {total} turns.")
    if not data["first_answer_took_charge"] and total:
        lines.append("Your first answer did not take charge: the first minute is where it counts.")
    missed = [name for name, met in data["goals"].items() if not met]
    for name in missed:
        lines.append(f"Never done in any turn: {LABELS.get(name, name).lower()}.")
    verdict = data["verdict"].upper()
    lines.append(f"Verdict: {verdict}" + ("" if data.get("complete", True) else " (the interview did not finish)"))
    return "\n".join(lines)
