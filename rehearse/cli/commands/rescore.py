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
    done = skipped = 0
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
        if args.json:
            emit_json(outcome)
        else:
            print(describe(outcome))
    if args.all and not args.json:
        say(f"Rescored {done} session{'s' if done != 1 else ''}" + (f"; skipped {skipped}." if skipped else "."))
    return 0


def describe(outcome: dict) -> str:
    previous = outcome["previous"]
    was = f"{previous['verdict']} -> " if previous else ""
    change = "; ".join(outcome["changed"]) if outcome["changed"] else "no change"
    return f"{outcome['session_id']}  {outcome['archetype']:11} {was}{outcome['verdict']}  ({change})"
