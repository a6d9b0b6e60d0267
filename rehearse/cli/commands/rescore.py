"""`rehearse rescore`: run the current checks again on saved sessions, keeping earlier results."""

from __future__ import annotations

from rehearse.cli.commands._common import add_engine_flag, add_json_flag, emit_json, say

HELP = "Re-run the current checks on saved transcripts (or re-transcribe the audio first); earlier results are kept."


def add_arguments(parser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("session", nargs="?", metavar="SESSION_ID",
                       help="a session id, a unique prefix of one, or `last`")
    which.add_argument("--all", action="store_true", help="every saved session")
    parser.add_argument("--retranscribe", action="store_true",
                        help="transcribe the saved audio again before scoring")
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    if args.engine and not args.retranscribe:
        raise RehearseError("--engine only applies with --retranscribe; add --retranscribe to use it.")
    store = Store()
    if args.all:
        sessions = store.list()
        sessions.reverse()  # oldest first, as they were made
        if not sessions:
            say("There are no saved sessions to rescore yet.")
            return 0
    else:
        sessions = [store.resolve(args.session)]
    engine = None
    if args.retranscribe:
        from rehearse.speech import engines

        engine = engines.get(args.engine)
    done = skipped = 0
    for session in sessions:
        try:
            outcome = rescore_one(store, session, engine)
        except RehearseError as err:
            if not args.all:
                raise
            skipped += 1
            if args.json:
                emit_json({"session_id": session.id, "error": str(err)})
            else:
                say(f"Skipped: {err}")
            continue
        done += 1
        if args.json:
            emit_json(outcome)
        else:
            print(describe(outcome))
    if args.all and not args.json:
        say(f"Rescored {done} session{'s' if done != 1 else ''}" + (f"; skipped {skipped}." if skipped else "."))
    return 0


def rescore_one(store, session, engine=None) -> dict:
    """Score ``session`` again (re-transcribing with ``engine`` when given); the new result is current."""
    from pathlib import Path

    from rehearse.core import archetypes

    from rehearse.coaching import scoring
    from rehearse.core.errors import RehearseError
    from rehearse.core.model import Transcript

    archetype = archetypes.get(session.archetype)
    previous = session.score
    if engine is not None:
        if not session.audio_path:
            raise RehearseError(f"Session {session.id} has no recording to re-transcribe (it was scored from text).")
        if not Path(session.audio_path).is_file():
            raise RehearseError(f"The recording of session {session.id} ({session.audio_path}) is missing, so it "
                                "cannot be re-transcribed; rescore it without --retranscribe.")
        from rehearse.audio import pcm as audio

        transcript = engine.transcribe(audio.load(session.audio_path))
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
    store.rescore(session.id, score=result, words=transcript.words, transcript=transcript.text,
                  engine=transcript.engine, reason=reason)
    current = result.to_json()
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


def describe(outcome: dict) -> str:
    previous = outcome["previous"]
    was = f"{previous['verdict']} -> " if previous else ""
    change = "; ".join(outcome["changed"]) if outcome["changed"] else "no change"
    return f"{outcome['session_id']}  {outcome['archetype']:11} {was}{outcome['verdict']}  ({change})"
