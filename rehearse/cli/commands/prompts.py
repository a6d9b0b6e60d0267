"""`rehearse prompts`: the interviewer archetypes, their advice and prompts."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json

HELP = "List the interviewer archetypes and their prompts."


def add_arguments(parser) -> None:
    parser.add_argument("--archetype", "-a", metavar="ARCH", help="only this archetype")
    parser.add_argument("--render", action="store_true",
                        help="render now the spoken audio of your own prompts and interview lines (in "
                             "REHEARSE_HOME/prompts) that have none yet, so no round waits on it")
    add_json_flag(parser)


def run(args) -> int:
    import textwrap

    from rehearse.core import archetypes
    from rehearse.core.home import user_prompts_dir

    chosen = [archetypes.get(args.archetype)] if args.archetype else list(archetypes.all_archetypes().values())
    if args.render:
        return _render(chosen, args)
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


def _render(chosen, args) -> int:
    """Render the prompts and interview lines without audio yet into the cache; one line each."""
    from rehearse.audio import prompt_audio
    from rehearse.cli.commands._common import say
    from rehearse.coaching import interview as coach

    names = {a.name for a in chosen}
    todo = [p for a in chosen for p in a.prompts]
    todo += [p for p in coach.all_line_prompts() if p.archetype in names]

    def each(outcome):
        if args.json:
            return
        if outcome.ok:
            say(f"rendered {outcome.prompt.id}")
        else:
            say(f"could not render {outcome.prompt.id}: {outcome.error}")

    from rehearse.core.errors import RehearseError

    outcomes = prompt_audio.render_missing_prompts(todo, on_each=each)
    failed = [o for o in outcomes if not o.ok]
    if args.json:
        emit_json({"rendered": [o.prompt.id for o in outcomes if o.ok],
                   "failed": [{"id": o.prompt.id, "error": o.error} for o in failed],
                   "already": len(todo) - len(outcomes)})
    else:
        say(f"{len(outcomes) - len(failed)} rendered, {len(failed)} failed, "
            f"{len(todo) - len(outcomes)} already had audio.")
    if failed:
        raise RehearseError(f"{len(failed)} of them could not be rendered ({failed[0].error.rstrip('.')}); "
                            "they will be shown as text.")
    return 0
