"""`rehearse engines`: which speech engines exist and whether each can run here."""

from __future__ import annotations

from rehearse.commands._common import add_json_flag, emit_json

HELP = "List the speech engines and whether each is available."


def add_arguments(parser) -> None:
    add_json_flag(parser)


def run(args) -> int:
    from rehearse import engines

    rows = []
    for name, info in engines.REGISTRY.items():
        if info.hidden:
            continue
        reason = engines.availability(name)
        rows.append({"name": name, "available": reason is None, "default": name == engines.default_name(),
                     "description": info.description, "reason": reason})
    if args.json:
        for row in rows:
            emit_json(row)
        return 0
    for row in rows:
        mark = "available" if row["available"] else "not available"
        default = " (default)" if row["default"] else ""
        print(f"{row['name']}{default}: {mark}. {row['description']}")
        if row["reason"]:
            print(f"    {row['reason']}")
    return 0
