"""`rehearse prompts`: the interviewer archetypes, their advice and prompts."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json

HELP = "List the interviewer archetypes and their prompts."


def add_arguments(parser) -> None:
    parser.add_argument("--archetype", "-a", metavar="ARCH", help="only this archetype")
    add_json_flag(parser)


def run(args) -> int:
    import textwrap

    from rehearse.core import archetypes
    from rehearse.core.home import user_prompts_dir

    chosen = [archetypes.get(args.archetype)] if args.archetype else list(archetypes.all_archetypes().values())
    if args.json:
        for a in chosen:
            emit_json({"archetype": a.name, "title": a.title, "description": a.description, "advice": a.advice,
                       "required_checks": list(a.required_checks),
                       "prompts": [{"id": p.id, "text": p.text} for p in a.prompts]})
        return 0
    for a in chosen:
        print(f"{a.name}: {a.title}. {a.description}")
        print(textwrap.fill(f"Coach: {a.advice}", width=100, initial_indent="  ", subsequent_indent="  "))
        print(f"  Required checks: {', '.join(a.required_checks)}")
        for p in a.prompts:
            print(textwrap.fill(f"[{p.id}] {p.text}", width=100, initial_indent="    ", subsequent_indent="      "))
        print()
    print(f"Add your own prompts in {user_prompts_dir()}/*.toml (same layout as the packaged archetypes.toml).")
    return 0
