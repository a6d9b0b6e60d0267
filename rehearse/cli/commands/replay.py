"""`rehearse replay`: a saved session's prompt, recorded answer, timed transcript and checks."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json, say

HELP = "Replay a saved session: the prompt, your answer (words shown as they are heard) and its checks."

CLOCK = None
"""The clock words are timed against (None: the system's monotonic clock); tests put a fake here."""


def add_arguments(parser) -> None:
    parser.add_argument("session", metavar="SESSION_ID", help="a session id, a unique prefix of one, or `last`")
    parser.add_argument("then", nargs="?", metavar="SESSION_ID2",
                        help="a second attempt (e.g. from `rehearse retry`) played right after the first")
    parser.add_argument("--no-audio", action="store_true",
                        help="play nothing: print the timed transcript and the checks")
    parser.add_argument("--output-device", metavar="D", help="speaker name or index (see `rehearse devices`)")
    add_json_flag(parser)


def run(args) -> int:
    from pathlib import Path

    from rehearse.store.sessions import Store

    store = Store()
    sessions = [store.resolve(ref) for ref in (args.session, getattr(args, "then", None)) if ref]
    for session in sessions:
        session.require_intact()
    for number, session in enumerate(sessions, start=1):
        results = store.versions(session.id)
        audio_path = session.audio_path if session.audio_path and Path(session.audio_path).is_file() else None
        if args.json:
            emit_json(replay_json(session, audio_path, results))
            continue
        if len(sessions) > 1:
            if number > 1:
                print()
            print(f"=== Attempt {number} of {len(sessions)} ===")
        _replay(session, audio_path, results, args)
    return 0


def replay_json(session, audio_path, results) -> dict:
    """The saved (current version's) score object plus the contract's session_id, words and audio, and context."""
    payload = {**(session.score or {}), "session_id": session.id,
               "words": [w.to_json() for w in session.words], "audio": audio_path}
    payload.setdefault("archetype", session.archetype)
    payload.update({
        "mode": session.mode, "started_at": session.started_at, "status": session.status,
        "prompt": {"id": session.prompt_id, "text": session.prompt_text} if session.prompt_text else None,
        "audio_missing": bool(session.audio_path) and audio_path is None,
        "scored_at": session.scored_at, "results": len(results), "version": session.version,
    })
    if "timing" in session.extra:
        payload["timing"] = session.extra["timing"]
    return payload


def _replay(session, audio_path, results, args) -> int:
    from rehearse.cli.render import replay as timed_replay
    from rehearse.core.errors import RehearseError
    from rehearse.cli.timefilter import local_time

    style = timed_replay.Style.for_stream()
    print(f"Session {session.id}: {session.mode}, {session.archetype}, {local_time(session.started_at)} "
          f"({session.status.replace('_', ' ')})")
    if len(results) > 1:
        current = next((r for r in results if r.current), results[-1])
        others = ", ".join(f"{r.number}: {r.verdict or '?'}" for r in results if r is not current)
        print(f"Showing version {current.number} of {len(results)}, the current one (scored "
              f"{local_time(current.scored_at)}, {current.reason}; the others: {others}); "
              f"`rehearse versions {session.id}` lists them and picks another.")

    device = None
    with_audio = not args.no_audio
    if with_audio:
        try:
            from rehearse.audio import devices

            device = devices.resolve_output(args.output_device)
        except RehearseError as err:
            say(f"{err} Replaying as text.")
            with_audio = False

    if session.prompt_text:
        print(f"\nInterviewer: {session.prompt_text}")
        if with_audio:
            _speak_prompt(session, device)
    print()
    if session.audio_path and audio_path is None:
        say(f"The recording {session.audio_path} is missing; showing the transcript only.")

    checks = (session.score or {}).get("checks") or {}
    print("You said:")
    if session.words:
        parts = timed_replay.fragments(session.words, checks, style)
        clip = _load(audio_path) if with_audio and audio_path else None
        if clip is not None:
            from rehearse.audio import playback

            failure = timed_replay.play_in_sync(parts, lambda: playback.play(clip, device=device), clock=CLOCK)
            if failure is not None:
                say(f"The audio stopped: {failure}")
        else:
            print("".join(p.text for p in parts), end="")
    else:
        if with_audio and session.audio_path is None and session.transcript:
            say("This session was scored from text, so there is no recording to play.")
        print(timed_replay.untimed_text(session.transcript or "", checks, style))
    print()
    if session.score:
        print(timed_replay.format_checks(session.score, style))
    else:
        print(f"Not scored ({session.status.replace('_', ' ')}); `rehearse rescore {session.id} --retranscribe` "
              "can try again from the recording." if audio_path else f"Not scored ({session.status}).")
    return 0


def _speak_prompt(session, device) -> None:
    from rehearse.audio import speaker as speaker_mod
    from rehearse.core.errors import RehearseError
    from rehearse.core.model import Prompt

    prompt = Prompt(session.prompt_id or f"{session.archetype}-saved", session.archetype, session.prompt_text)
    try:
        speaker_mod.PromptSpeaker(device=device).speak(prompt)
    except RehearseError as err:
        say(f"The prompt could not be played ({err}); it is shown above.")


def _load(path):
    from rehearse.audio import pcm as audio
    from rehearse.core.errors import RehearseError

    try:
        return audio.load(path)
    except RehearseError as err:
        say(f"The recording cannot be played ({err}); showing the transcript only.")
        return None
