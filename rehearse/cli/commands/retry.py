"""`rehearse retry`: the same prompt again; only the checks that failed before, and whether they pass now."""

from __future__ import annotations

import sys

from rehearse.cli.commands._common import say_checking, add_device_flags, add_engine_flag, add_json_flag, emit_json, say, add_recording_flags

HELP = "Answer a saved session's prompt again: did the checks that failed then pass now?"


def add_arguments(parser) -> None:
    parser.add_argument("session", nargs="?", default="last", metavar="SESSION_ID",
                        help="a session id, a unique prefix of one, or `last` (default: the latest scored session)")
    add_recording_flags(parser)
    add_device_flags(parser)
    add_engine_flag(parser)
    add_json_flag(parser)


def find_session(store, ref: str):
    """The session to retry: ``ref``, or for ``last`` the latest one that was scored and has a prompt."""
    from rehearse.core.errors import RehearseError

    if (ref or "last").strip() == "last":
        for row in store.history(scored_only=True, limit=50):
            session = store.get(row.id)
            if session.prompt_text:
                return session
        raise RehearseError("There is no scored session with an interviewer prompt to retry yet; "
                            "run `rehearse practice --archetype ARCH` first.")
    session = store.resolve(ref)
    if not session.prompt_text:
        raise RehearseError(f"Session {session.id} has no interviewer prompt to repeat (it was scored from "
                            f"{session.source}); retry a practice, drill or interview session.")
    if not session.score:
        raise RehearseError(f"Session {session.id} was never scored ({session.status.replace('_', ' ')}), so there "
                            f"is nothing to compare; `rehearse rescore {session.id} --retranscribe` scores it.")
    return session


def run(args) -> int:
    from rehearse.cli.commands._common import LivePorts
    from rehearse.coaching import retry
    from rehearse.core import archetypes
    from rehearse.core.errors import RehearseError
    from rehearse.core.model import Prompt
    from rehearse.session import round as rehearsal
    from rehearse.store.debriefs import load_targets
    from rehearse.store.sessions import Store

    if args.max_seconds <= 0:
        raise RehearseError("--max-seconds must be more than 0.")
    store = Store()
    before = find_session(store, args.session)
    archetype = archetypes.get(before.archetype)
    prompt = Prompt(id=before.prompt_id or f"{archetype.name}-retry", archetype=archetype.name,
                    text=before.prompt_text)
    failed = retry.failed_required(before.score.get("checks") or {})
    ports = LivePorts(args, silence_s=args.silence)
    if not args.json:
        from rehearse.cli.render.text import LABELS

        what = ("; ".join(LABELS.get(n, n) for n in failed) if failed else "nothing (it passed)")
        say(f"Retrying session {before.id} ({archetype.name}, {before.mode}). What failed then: {what}.")
    result = rehearsal.run_round(
        archetype=archetype, prompt=prompt, ports=ports.round_ports(store), targets=load_targets(),
        mode="practice", max_seconds=args.max_seconds,
        on_recording_start=lambda: say("Recording... speak your answer now (Enter or silence ends it)."),
        on_recording_end=say_checking,
        extra=lambda recording, transcript, score: {"retry_of": before.id},
    )
    now = result.score.to_json()
    comparison = retry.compare(before.score, now)
    data = {"session_id": result.session_id, "retry_of": before.id, "archetype": archetype.name,
            "prompt": {"id": prompt.id, "text": prompt.text}, "transcript": now["transcript"],
            "before": {"verdict": before.verdict}, "verdict": now["verdict"],
            "checks": comparison.checks_json(), "fixed": list(comparison.fixed),
            "still_failing": list(comparison.still_failing), "newly_failing": list(comparison.newly_failing)}
    if args.json:
        emit_json(data)
    else:
        print(format_retry(data))
    sys.stdout.flush()
    return 0 if now["verdict"] == "pass" else 1


def format_retry(data: dict) -> str:
    from rehearse.cli.render.text import LABELS

    lines = [f"You said: \"{data['transcript']}\"", ""]
    if not data["checks"]:
        lines.append(f"Nothing failed in session {data['retry_of']}, so there is nothing to compare.")
    else:
        lines.append(f"The checks that failed in session {data['retry_of']}:")
    for name, check in data["checks"].items():
        mark = "now PASS" if check["now"] else "still failing"
        lines.append(f"  [{mark}] {LABELS.get(name, name)}")
        if check["now"] and check.get("evidence"):
            where = f" at {check['seconds']:.1f} s" if check.get("seconds") is not None else ""
            lines.append(f"         heard{where}: \"{check['evidence']}\"")
        if not check["now"] and check.get("advice"):
            lines.append(f"         -> {check['advice']}")
    for name in data["newly_failing"]:
        lines.append(f"  Passed before, fails now: {LABELS.get(name, name)}")
    lines.append("")
    lines.append(f"Verdict now: {data['verdict'].upper()} (before: {(data['before']['verdict'] or '?').upper()})"
                 f"   (session {data['session_id']})")
    lines.append(f"Hear both attempts: rehearse replay {data['retry_of']} {data['session_id']}")
    return "\n".join(lines)
