"""`rehearse history`: saved sessions, newest first."""

from __future__ import annotations

from rehearse.commands._common import add_json_flag, emit_json

HELP = "List saved sessions, newest first."


def add_arguments(parser) -> None:
    parser.add_argument("--limit", type=int, metavar="N", help="at most N sessions")
    parser.add_argument("--archetype", metavar="ARCH", help="only this archetype")
    parser.add_argument("--mode", choices=["practice", "drill", "score"], help="only this mode")
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.storage import Store

    sessions = Store().list(limit=args.limit, archetype=args.archetype, mode=args.mode)
    if args.json:
        for s in sessions:
            emit_json(s.history_json())
        return 0
    if not sessions:
        print("No sessions saved yet: run `rehearse demo` or `rehearse practice --archetype storyteller`.")
        return 0
    print(f"{'session':22} {'when (UTC)':20} {'mode':9} {'archetype':12} {'verdict':9} {'seconds':>7}")
    for s in sessions:
        when = s.started_at.replace("T", " ")[:19]
        verdict = s.verdict or s.status
        secs = "" if s.duration_s is None else f"{s.duration_s:.1f}"
        print(f"{s.id:22} {when:20} {s.mode:9} {s.archetype:12} {verdict:9} {secs:>7}")
    return 0
