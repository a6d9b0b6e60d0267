"""Scoring a saved session again: the current checks, optionally a new transcription, the personal checks.

Every earlier result stays in the session's list of results (``Store.scores``); the new one becomes
current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from rehearse.audio import pcm
from rehearse.coaching import scoring
from rehearse.coaching.personal import Targets
from rehearse.core import archetypes
from rehearse.core.errors import RehearseError
from rehearse.core.model import Transcript
from rehearse.session.round import personal_results


def rescore_one(store, session, engine=None, *, targets: Optional[Targets] = None) -> dict:
    """Score ``session`` again (re-transcribing with ``engine`` when given); the new result is current.

    The personal checks are computed again against ``targets`` (the bank's best entry and the latest
    debrief's topics now), so no stale personal result stays behind.
    """
    archetype = archetypes.get(session.archetype)
    previous = session.score
    if engine is not None:
        if not session.audio_path:
            raise RehearseError(f"Session {session.id} has no recording to re-transcribe (it was scored from text).")
        if not Path(session.audio_path).is_file():
            raise RehearseError(f"The recording of session {session.id} ({session.audio_path}) is missing, so it "
                                "cannot be re-transcribed; rescore it without --retranscribe.")
        transcript = engine.transcribe(pcm.load(session.audio_path))
        if transcript.is_empty:
            raise RehearseError(f"No speech was heard in the recording of session {session.id}; nothing was changed.")
        reason = "retranscribe"
    else:
        if not session.transcript:
            hint = (" (try --retranscribe)" if session.audio_path and Path(session.audio_path).is_file() else "")
            raise RehearseError(f"Session {session.id} has no saved transcript "
                                f"({session.status.replace('_', ' ')}){hint}.")
        transcript = Transcript(text=session.transcript, words=session.words, engine=session.engine,
                                duration_s=session.duration_s)
        reason = "rescore"
    result = scoring.score(transcript, archetype)
    extra = {k: v for k, v in (session.extra or {}).items() if k != "personal"}
    mine = personal_results(transcript, targets)
    if mine is not None:
        extra["personal"] = mine
    store.rescore(session.id, score=result, words=transcript.words, transcript=transcript.text,
                  engine=transcript.engine, reason=reason, extra=extra)
    current = result.to_json()
    if mine is not None:
        current["personal"] = mine
    return {**current, "session_id": session.id, "reason": reason,
            "previous": None if previous is None else {
                "verdict": previous.get("verdict"), "scored_at": session.scored_at,
                "transcript": previous.get("transcript"),
                "checks": {n: c.get("passed") for n, c in (previous.get("checks") or {}).items()}},
            "changed": changes(previous, current)}


def changes(previous, current) -> list[str]:
    """What differs between two score objects, as short phrases (verdict, checks, transcript)."""
    if previous is None:
        return ["first result"]
    out = []
    if previous.get("verdict") != current.get("verdict"):
        out.append(f"verdict {previous.get('verdict')} -> {current.get('verdict')}")
    before = previous.get("checks") or {}
    for name, check in (current.get("checks") or {}).items():
        was = (before.get(name) or {}).get("passed")
        if was is not None and was != check.get("passed"):
            out.append(f"{name} {'pass' if was else 'miss'} -> {'pass' if check.get('passed') else 'miss'}")
    if previous.get("transcript") != current.get("transcript"):
        out.append("transcript changed")
    return out
