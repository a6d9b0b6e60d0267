"""`rehearse replay`: a saved session's prompt, recorded answer, timed transcript and checks."""

from __future__ import annotations

from rehearse.commands._common import add_json_flag, emit_json, say

HELP = "Replay a saved session: the prompt, your answer and its checks."


def add_arguments(parser) -> None:
    parser.add_argument("session", metavar="SESSION_ID", help="a session id, a unique prefix of one, or `last`")
    parser.add_argument("--no-audio", action="store_true", help="print only; do not play anything")
    parser.add_argument("--output-device", metavar="D", help="speaker name or index (see `rehearse devices`)")
    add_json_flag(parser)


def run(args) -> int:
    from pathlib import Path

    from rehearse import report
    from rehearse.storage import Store

    session = Store().resolve(args.session)
    audio_path = session.audio_path if session.audio_path and Path(session.audio_path).exists() else None
    if args.json:
        emit_json({**(session.score or {}), "session_id": session.id,
                   "words": [w.to_json() for w in session.words], "audio": audio_path})
        return 0
    print(f"Session {session.id}: {session.mode}, {session.archetype}, {session.started_at} ({session.status})")
    if session.prompt_text:
        print(f"Interviewer: {session.prompt_text}\n")
    if not args.no_audio:
        _play(session, audio_path, args.output_device)
    print("Timed transcript:")
    print(report.format_words([w.to_json() for w in session.words]))
    print()
    if session.score:
        print(report.format_score(session.score, session_id=session.id))
    else:
        print(f"Not scored ({session.status}).")
    return 0


def _play(session, audio_path, output_device) -> None:
    from rehearse import audio, devices
    from rehearse.errors import RehearseError

    if session.audio_path and audio_path is None:
        say(f"The recording {session.audio_path} is missing; showing the transcript only.")
        return
    if audio_path is None:
        return
    try:
        device = devices.resolve_output(output_device)
        from rehearse.playback import play

        say("Playing your answer...")
        play(audio.load(audio_path), device=device)
    except RehearseError as err:
        say(f"Not playing the audio: {err}")
