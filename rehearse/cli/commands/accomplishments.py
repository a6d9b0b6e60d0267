"""`rehearse accomplishments`: the bank of accomplishments to open with; one is marked best."""

from __future__ import annotations

import sys
from pathlib import Path

from rehearse.cli.commands._common import add_json_flag, emit_json, say

HELP = "Your accomplishment bank: add, list, edit, remove, choose the best, import/export TOML."

FIELD_FLAGS = (("title", "a short title, e.g. \"Onboarding redesign\""),
               ("situation", "what the situation was"),
               ("action", "what you did"),
               ("result", "what came of it, with its numbers"),
               ("terms", "key terms practice listens for, separated by commas"))


def _field_flags(parser) -> None:
    for name, text in FIELD_FLAGS:
        parser.add_argument(f"--{name}", metavar="TEXT", help=text)
    parser.add_argument("--best", action="store_true", help="mark it as the one that best represents you")


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="verb", metavar="ACTION")
    p = sub.add_parser("add", help="add an accomplishment (asks for each part when no flags are given)")
    _field_flags(p)
    add_json_flag(p)
    p = sub.add_parser("list", help="list the bank, the best first")
    add_json_flag(p)
    p = sub.add_parser("edit", help="change an entry (asks for each part when no flags are given)")
    p.add_argument("ref", metavar="ID", help="the entry's id (see `list`) or its exact title")
    _field_flags(p)
    add_json_flag(p)
    p = sub.add_parser("remove", help="remove an entry")
    p.add_argument("ref", metavar="ID", help="the entry's id or its exact title")
    add_json_flag(p)
    p = sub.add_parser("best", help="show the best accomplishment, or mark one as best")
    p.add_argument("ref", nargs="?", metavar="ID", help="the entry to mark as best")
    add_json_flag(p)
    p = sub.add_parser("import", help="add or update entries from a TOML file (all or nothing)")
    p.add_argument("file", metavar="FILE", help="a TOML file of [[accomplishment]] tables")
    p.add_argument("--replace", action="store_true", help="remove every current entry first")
    add_json_flag(p)
    p = sub.add_parser("export", help="write the bank as TOML (to FILE, or stdout)")
    p.add_argument("file", nargs="?", metavar="FILE", help="where to write (default: stdout)")


def run(args) -> int:
    from rehearse.store.bank import Bank
    from rehearse.core.errors import RehearseError

    if not args.verb:
        raise RehearseError("Say what to do: add, list, edit, remove, best, import or export "
                            "(see `rehearse accomplishments --help`).")
    bank = Bank.open()
    try:
        return ACTIONS[args.verb](bank, args)
    finally:
        bank.close()


# -- actions ------------------------------------------------------------------------------------------

def _flag_fields(args) -> dict:
    fields = {name: getattr(args, name) for name, _ in FIELD_FLAGS if getattr(args, name) is not None}
    if getattr(args, "best", False):
        fields["best"] = True
    return fields


def _add(bank, args) -> int:
    from rehearse.coaching.bank import Accomplishment, split_terms

    fields = _flag_fields(args)
    if not fields:
        fields = _ask_fields(None)
    if "terms" in fields:
        fields["terms"] = split_terms(fields["terms"])
    acc = bank.add(Accomplishment(**fields))
    _report(acc, args.json, f"Added entry {acc.id}: {acc.title}" + (" (best)" if acc.best else ""))
    return 0


def _edit(bank, args) -> int:
    current = bank.get(args.ref)
    fields = _flag_fields(args)
    if not fields:
        fields = _ask_fields(current)
    acc = bank.update(current.id, **fields)
    _report(acc, args.json, f"Updated entry {acc.id}: {acc.title}" + (" (best)" if acc.best else ""))
    return 0


def _remove(bank, args) -> int:
    acc = bank.remove(args.ref)
    if args.json:
        emit_json({"removed": acc.to_json()})
    else:
        print(f"Removed entry {acc.id}: {acc.title}")
        if acc.best:
            say("It was your best accomplishment: mark another with `rehearse accomplishments best ID`.")
    return 0


def _best(bank, args) -> int:
    from rehearse.core.errors import RehearseError

    if args.ref:
        acc = bank.set_best(args.ref)
        _report(acc, args.json, f"Best accomplishment: {acc.title} (entry {acc.id})")
        return 0
    acc = bank.best()
    if acc is None:
        raise RehearseError("No accomplishment is marked best yet; mark one with "
                            "`rehearse accomplishments best ID` (see `rehearse accomplishments list`).")
    _report(acc, args.json, format_entry(acc))
    return 0


def _list(bank, args) -> int:
    entries = bank.list()
    if args.json:
        emit_json([a.to_json() for a in entries])
        return 0
    if not entries:
        print("The bank is empty: `rehearse accomplishments add`, `rehearse debrief`, or import a TOML file.")
        return 0
    print("\n\n".join(format_entry(a) for a in entries))
    return 0


def _import(bank, args) -> int:
    report = bank.import_file(Path(args.file), replace_all=args.replace)
    if args.json:
        emit_json({"added": [a.to_json() for a in report.added], "updated": [a.to_json() for a in report.updated],
                   "removed": report.removed})
        return 0
    print(f"Imported {args.file}: {len(report.added)} added, {len(report.updated)} updated"
          + (f", {report.removed} removed first" if args.replace else "") + ".")
    for acc in (*report.added, *report.updated):
        for n in _nudges(acc):
            say(f"  note: {n}")
    return 0


def _export(bank, args) -> int:
    from rehearse.core.errors import RehearseError

    text = bank.export_toml()
    if not args.file or args.file == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.file)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RehearseError(f"Cannot write {path} ({exc}); check the folder exists and is writable.") from None
    say(f"Wrote {len(bank.list())} accomplishments to {path}.")
    return 0


ACTIONS = {"add": _add, "list": _list, "edit": _edit, "remove": _remove, "best": _best, "import": _import,
           "export": _export}


# -- presentation and prompts -------------------------------------------------------------------------

def _nudges(acc):
    from rehearse.coaching.bank import nudges

    return nudges(acc)


def _report(acc, as_json: bool, line: str) -> None:
    if as_json:
        emit_json(acc.to_json())
        return
    print(line)
    for n in _nudges(acc):
        say(f"  note: {n}")


def format_entry(acc) -> str:
    mark = "  [best]" if acc.best else ""
    lines = [f"{acc.id}. {acc.title}{mark}"]
    for label, value in (("situation", acc.situation), ("did", acc.action), ("result", acc.result)):
        if value:
            lines.append(f"   {label}: {value}")
    if acc.terms:
        lines.append(f"   terms: {', '.join(acc.terms)}")
    return "\n".join(lines)


def _read_line(prompt: str) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    return line.strip()


def _ask_fields(current) -> dict:
    """Ask for each part on stderr, reading stdin (for edits, an empty line keeps the current value)."""
    from rehearse.coaching.debrief import AnswerRules, load_script, read_yes_no

    fields: dict = {}
    for name, text in FIELD_FLAGS:
        now = None
        if current is not None:
            now = ", ".join(current.terms) if name == "terms" else getattr(current, name)
        hint = f" [{now}]" if now else ""
        value = _read_line(f"{name.capitalize()} ({text}){hint}: ")
        if value:
            fields[name] = value
        elif current is None and name == "title":
            from rehearse.core.errors import RehearseError

            raise RehearseError("An accomplishment needs a short title; nothing was added.")
    if current is None or not current.best:
        answer = _read_line("Is this the one that best represents you for this job? (yes/no): ")
        rules: AnswerRules = load_script().answers
        if read_yes_no(answer, rules)[0]:
            fields["best"] = True
    return fields
