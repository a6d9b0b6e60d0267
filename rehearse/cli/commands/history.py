"""`rehearse history`: saved sessions, newest first, with the figures that show progress."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json

HELP = "List saved sessions, newest first."
DEFAULT_LIMIT = 20
"""Rows in the table when --limit is not given (JSON lists every match unless --limit is given)."""


def add_arguments(parser) -> None:
    parser.add_argument("--limit", type=int, metavar="N",
                        help=f"at most N sessions (table default {DEFAULT_LIMIT}; --json default all)")
    parser.add_argument("--archetype", metavar="ARCH", help="only this archetype")
    parser.add_argument("--mode", choices=["practice", "drill", "interview", "score", "demo"], help="only this mode")
    parser.add_argument("--all", action="store_true",
                        help="also list attempts in which no speech was heard (the table hides them; "
                             "--json always lists every session)")
    parser.add_argument("--since", metavar="WHEN",
                        help="only sessions since WHEN: a date (2026-03-01), today, yesterday, 7d, 2w, 12h")
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    if args.limit is not None and args.limit < 1:
        raise RehearseError("--limit must be 1 or more.")
    since = None
    if args.since:
        from rehearse.cli.timefilter import parse_since

        since = parse_since(args.since)
    archetype = args.archetype.strip().lower() if args.archetype else None
    store = Store()
    filters = dict(archetype=archetype, mode=args.mode, since=since)
    limit = args.limit if (args.limit or args.json) else DEFAULT_LIMIT
    if args.json:  # the contract's listing: every session, whatever became of it
        for row in store.history(limit=limit, **filters):
            emit_json(row.history_json())
        return 0
    # Attempts in which no speech was heard (a microphone muted, Enter pressed by accident) are
    # kept, but the table leaves them out unless --all: they are not answers.
    hide = () if args.all else (NO_SPEECH,)
    rows = store.history(limit=limit, exclude_statuses=hide, **filters)
    hidden = store.count(status=NO_SPEECH, **filters) if hide else 0
    if not rows:
        if hidden:
            print(f"No answers to list: {_attempts(hidden)} in which no speech was heard "
                  f"{'is' if hidden == 1 else 'are'} hidden; `rehearse history --all` lists them.")
        elif any(filters.values()) and store.count():
            print("No sessions match those filters; run `rehearse history` without them to see all sessions.")
        else:
            print("No sessions saved yet: run `rehearse demo` or `rehearse practice --archetype storyteller`.")
        return 0
    print(format_table(rows))
    total = store.count(exclude_statuses=hide, **filters) if len(rows) == limit else len(rows)
    if total > len(rows):
        print(f"{total - len(rows)} more; use --limit {total} to see them all.")
    if hidden:
        print(f"{_attempts(hidden)} in which no speech was heard {'is' if hidden == 1 else 'are'} hidden; "
              "`rehearse history --all` lists them.")
    return 0


NO_SPEECH = "no_speech"


def _attempts(n: int) -> str:
    return f"{n} attempt{'s' if n != 1 else ''}"


def format_table(rows) -> str:
    from rehearse.cli.timefilter import local_time

    header = (f"{'when':16}  {'mode':9} {'archetype':11} {'verdict':11} {'1st acc.':>8} {'WPM':>5} "
              f"{'fill/min':>8}  session")
    lines = [header, "-" * len(header)]
    for r in rows:
        verdict = r.verdict or r.status.replace("_", " ")
        lines.append(
            f"{local_time(r.started_at):16}  {r.mode:9} {r.archetype:11} {verdict:11} "
            f"{_num(r.first_accomplishment_s, '{:.1f} s'):>8} {_num(r.wpm, '{:.0f}'):>5} "
            f"{_num(r.fillers_per_min, '{:.1f}'):>8}  {r.id}"
        )
    return "\n".join(lines)


def _num(value, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)
