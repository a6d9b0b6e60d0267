"""`rehearse rescore`: run the current checks again on saved sessions, each result a new version.

The new version becomes current unless fewer of the required checks pass in it than in the current
one (rehearse/session/rescore.py); either way the line printed says what changed and how to pick the
other one with `rehearse versions SESSION --use N`."""

from __future__ import annotations

from rehearse.cli.commands._common import add_engine_flag, add_json_flag, emit_json, say

HELP = ("Re-run the current checks on saved transcripts (or re-transcribe the audio first) as a new version; "
        "a worse result does not replace the current one (see `rehearse versions`).")


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
    from rehearse.session.rescore import rescore_one
    from rehearse.store.debriefs import targets_from
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

        engine = engines.get(args.engine, model=args.model)
    targets = targets_from(store.db)
    done = skipped = kept = 0
    for session in sessions:
        try:
            outcome = rescore_one(store, session, engine, targets=targets)
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
        kept += not outcome["current"]
        if args.json:
            emit_json(outcome)
        else:
            print(describe(outcome))
    if args.all and not args.json:
        say(f"Rescored {done} session{'s' if done != 1 else ''}" + (f"; skipped {skipped}." if skipped else ".")
            + (f" {kept} kept their current version because the new one was worse." if kept else ""))
    return 0


def describe(outcome: dict) -> str:
    """What a rescore did, for a person: the new version against the current one, what changed, and
    which version is current now (with the command that picks the other)."""
    sid, previous = outcome["session_id"], outcome["previous"]
    number = outcome["version"]
    label = f"version {number} ({_how(outcome.get('engine'), outcome.get('checker'))})"
    if previous is None:
        return f"{sid}  {outcome['archetype']:11} {outcome['verdict']}  ({label}: first result; it is current)"
    was = f"version {previous['version']} ({_how(previous.get('engine'), previous.get('checker'))})"
    change = "; ".join(outcome["changed"]) if outcome["changed"] else "no change"
    lines = [f"{sid}  {outcome['archetype']:11} {previous['verdict']} -> {outcome['verdict']}  ({label} against {was})",
             f"  What changed: {change}."]
    required = (outcome.get("comparison") or {}).get("required_passed") or {}
    if outcome["current"]:
        lines.append(f"  Version {number} is now current; `rehearse versions {sid} --use {previous['version']}` "
                     "goes back.")
    else:
        lines.append(f"  Version {previous['version']} stays current: version {number} passes fewer of the required "
                     f"checks ({required.get('after')} of {required.get('of')}, against {required.get('before')}); "
                     f"`rehearse versions {sid} --use {number}` makes it current.")
    return "\n".join(lines)


def _how(engine, checker) -> str:
    return f"{engine or 'typed text'}, {checker or 'checker not recorded'}"
