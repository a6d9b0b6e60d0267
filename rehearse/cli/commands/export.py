"""`rehearse export`: one session as a shareable report (Markdown or JSON)."""

from __future__ import annotations

from rehearse.cli.commands._common import say

HELP = "Export a session as a report to share (Markdown or JSON): prompt, timed transcript, checks, advice."


def add_arguments(parser) -> None:
    parser.add_argument("session", metavar="SESSION_ID", help="a session id, a unique prefix of one, or `last`")
    parser.add_argument("--format", "-f", choices=["md", "json"], default="md", help="report format (default md)")
    parser.add_argument("--output", "-o", metavar="PATH", help="write the report to PATH instead of stdout")


def run(args) -> int:
    import json
    from pathlib import Path

    from rehearse.cli.render import export as export_report
    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    store = Store()
    session = store.resolve(args.session)
    session.require_intact()
    report = export_report.build(session, store.scores(session.id), coaching=_coaching(session.archetype),
                                 audio_present=bool(session.audio_path) and Path(session.audio_path).is_file())
    text = (json.dumps(report, ensure_ascii=False, indent=2) + "\n" if args.format == "json"
            else export_report.to_markdown(report))
    if not args.output:
        print(text, end="")
        return 0
    path = Path(args.output).expanduser()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RehearseError(f"The report cannot be written to {path} ({exc.strerror or exc}); "
                            "check the folder exists and is writable.") from None
    say(f"Wrote the {args.format} report for session {session.id} to {path}.")
    return 0


def _coaching(archetype: str):
    from rehearse.core import archetypes
    from rehearse.core.errors import RehearseError

    try:
        return archetypes.get(archetype).advice or None
    except RehearseError:
        return None
