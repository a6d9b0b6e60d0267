"""`rehearse sheet`: one page to read before the interview."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json, say

HELP = "One page to read before the interview: your opener, the two key questions, topics, latest figures."


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=["md", "html"], default="md", help="Markdown (default) or an HTML page")
    parser.add_argument("--output", "-o", metavar="PATH", help="write the page to PATH instead of stdout")
    add_json_flag(parser)


def build(store):
    """The sheet from the bank, the saved sessions and the latest debrief."""
    from rehearse.coaching import sheet
    from rehearse.store.db import now
    from rehearse.store.wording import best_evidence

    bank = store.bank
    latest = store.debriefs.latest()
    return sheet.build(
        created_at=now(), best=bank.best(), bank_size=len(bank.list()),
        found={check: best_evidence(store.db, check) for check in sheet.QUESTIONS},
        topics=None if latest is None else latest.plan.topics,
        rows=store.history(scored_only=True, oldest_first=True))


def run(args) -> int:
    from pathlib import Path

    from rehearse.cli.render import sheet as render
    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    data = build(Store()).to_json()
    if args.json:
        emit_json(data)
        return 0
    page = render.html_page(data) if args.format == "html" else render.markdown(data)
    if not args.output:
        print(page, end="")
        return 0
    path = Path(args.output).expanduser()
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise RehearseError(f"Cannot write {path} ({exc.strerror or exc}); choose another --output.") from None
    say(f"Wrote {path}.")
    return 0
