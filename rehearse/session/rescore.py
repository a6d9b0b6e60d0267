"""Scoring a saved session again, as a new version: the current checks, optionally a new transcription,
the personal checks.

Every scoring of a session is kept as a numbered version (:meth:`rehearse.store.sessions.Store.versions`).
The new version becomes current unless it is worse than the current one (fewer of the checks the
archetype requires pass: :attr:`rehearse.coaching.versions.Comparison.worse`): a worse transcription
(a weaker engine) or stricter checks never silently replace a better result. It is kept all the same,
and ``rehearse versions SESSION --use N`` makes it current if the user wants it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from rehearse.audio import pcm
from rehearse.coaching import scoring
from rehearse.coaching import versions as compare_versions
from rehearse.coaching.personal import Targets
from rehearse.core import archetypes
from rehearse.core.errors import RehearseError
from rehearse.core.model import Transcript
from rehearse.session.round import personal_results


def rescore_one(store, session, engine=None, *, targets: Optional[Targets] = None) -> dict:
    """Score ``session`` again (re-transcribing with ``engine`` when given) as its next version.

    The personal checks are computed again against ``targets`` (the bank's best entry and the latest
    debrief's topics now), so no stale personal result stays behind. Returns the new score object
    with ``"session_id"``, ``"reason"``, ``"version"``, ``"current"`` (whether it became current),
    ``"current_version"``, ``"previous"`` (the version it was compared with), ``"changed"`` (short
    phrases) and ``"comparison"``.
    """
    archetype = archetypes.get(session.archetype)
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
    checker = scoring.checker_name()
    mine = personal_results(transcript, targets)
    new = result.to_json()
    if mine is not None:
        new["personal"] = mine

    current = next((v for v in store.versions(session.id) if v.current), None)
    previous = comparison = None
    if current is not None:
        previous = {**current.score, "personal": current.personal}
        comparison = compare_versions.compare(previous, new, checkers=(current.checker, checker))
    make_current = comparison is None or not comparison.worse
    extra = {k: v for k, v in (session.extra or {}).items() if k != "personal"}
    if mine is not None:
        extra["personal"] = mine
    number = store.rescore(session.id, score=result, words=transcript.words, transcript=transcript.text,
                           engine=transcript.engine, reason=reason, extra=extra, checker=checker,
                           personal=mine, make_current=make_current)
    return {**new, "session_id": session.id, "reason": reason, "checker": checker, "version": number,
            "current": make_current, "current_version": number if make_current else current.number,
            "previous": None if current is None else {
                "version": current.number, "verdict": current.verdict, "scored_at": current.scored_at,
                "engine": current.engine, "checker": current.checker, "transcript": current.transcript,
                "checks": {n: c.get("passed") for n, c in (current.score.get("checks") or {}).items()}},
            "changed": ["first result"] if comparison is None else comparison.phrases(),
            "comparison": None if comparison is None else comparison.to_json()}
