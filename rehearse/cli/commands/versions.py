"""`rehearse versions`: every version of a session's result, and picking the current one.

Each scoring of a session (the round itself, then each `rehearse rescore`) is a numbered version. This
command lists them, marks the current one (the one replay, history, export, progress and the sheet
use), and with `--use N` makes version N current. Listing and picking live in one command so the
numbers you pick from are the ones it shows; `rescore` stays the command that *makes* versions.
"""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json, say

HELP = ("List every version of a session's result (the first scoring, then each rescore) and pick the "
        "current one with --use N.")


def add_arguments(parser) -> None:
    parser.add_argument("session", metavar="SESSION_ID", help="a session id, a unique prefix of one, or `last`")
    parser.add_argument("--use", type=int, metavar="N",
                        help="make version N the current result (replay, history, export, progress and sheet use it)")
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.coaching import versions as compare_versions
    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    store = Store()
    session = store.resolve(args.session)
    listed = store.versions(session.id)
    if not listed:
        raise RehearseError(f"Session {session.id} was never scored ({session.status.replace('_', ' ')}), so it has "
                            "no versions" + (f"; `rehearse rescore {session.id} --retranscribe` scores it."
                                             if session.audio_path else "."))
    comparison = None
    if args.use is not None:
        before = next((v for v in listed if v.current), None)
        if before is not None and before.number == args.use:
            say(f"Version {args.use} is already the current result of session {session.id}.")
        else:
            chosen = store.use(session.id, args.use)
            listed = store.versions(session.id)
            if before is not None:
                comparison = compare_versions.compare({**before.score, "personal": before.personal},
                                                      {**chosen.score, "personal": chosen.personal},
                                                      checkers=(before.checker, chosen.checker))
            if not args.json:
                was = f" (was version {before.number})" if before is not None else ""
                say(f"Version {chosen.number} ({chosen.verdict or 'not scored'}, {_how(chosen)}) is now the current "
                    f"result of session {session.id}{was}; replay, history, export, progress and sheet use it.")
                if comparison is not None and comparison.phrases():
                    say("What changed: " + "; ".join(comparison.phrases()) + ".")
    if args.json:
        current = next((v.number for v in listed if v.current), None)
        payload = {"session_id": session.id, "archetype": session.archetype, "current": current,
                   "versions": [v.to_json() for v in listed]}
        if comparison is not None:
            payload["changed"] = comparison.to_json()
        emit_json(payload)
        return 0
    print(format_table(session, listed))
    return 0


def _how(version) -> str:
    return f"{version.engine or 'typed text'}, {version.checker or 'checker not recorded'}"


def format_table(session, listed) -> str:
    from rehearse.cli.timefilter import local_time

    current = next((v for v in listed if v.current), None)
    lines = [f"Session {session.id} ({session.mode}, {session.archetype}, {local_time(session.started_at)}): "
             f"{len(listed)} version{'s' if len(listed) != 1 else ''}, * marks the current one", "",
             f"  {'#':>3}  {'scored':16}  {'why':12}  {'engine':14}  {'checker':9}  {'verdict':7}  "
             f"{'required':8}  {'words':>5}  checks passed"]
    for v in listed:
        checks = v.score.get("checks") or {}
        required = [c for c in checks.values() if isinstance(c, dict) and c.get("required")]
        passed = [n for n, c in checks.items() if isinstance(c, dict) and c.get("passed")]
        words = len(v.words) if v.words else len((v.transcript or "").split())
        met = f"{sum(1 for c in required if c.get('passed'))}/{len(required)}"
        lines.append(
            f"{'*' if v.current else ' '} {v.number:>3}  {local_time(v.scored_at)[:16]:16}  {v.reason:12}  "
            f"{(v.engine or 'typed text')[:14]:14}  {(v.checker or '?')[:9]:9}  {v.verdict or '-':7}  "
            f"{met:8}  {words:>5}  "
            f"{', '.join(passed) or 'none'}")
    if current is not None and len(listed) > 1:
        other = next(v.number for v in reversed(listed) if not v.current)
        lines += ["", f"`rehearse versions {session.id} --use {other}` makes version {other} current."]
    return "\n".join(lines)
