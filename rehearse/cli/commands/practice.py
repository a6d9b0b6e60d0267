"""`rehearse practice`: the real loop through the speaker and the microphone."""

from __future__ import annotations

import sys

from rehearse.cli.commands._common import say_checking, add_device_flags, add_archetype_flag, add_engine_flag, add_json_flag, emit_json, say, add_recording_flags

HELP = "Hear an interviewer's prompt, speak your opening, get the verdict."


def add_arguments(parser) -> None:
    add_archetype_flag(parser, required=False)
    parser.add_argument("--from-debrief", action="store_true",
                        help="the archetype your latest debrief says to drill, and its topics to keep in mind")
    parser.add_argument("--prompt", metavar="ID", help="a prompt id from `rehearse prompts` (default: random)")
    add_recording_flags(parser)
    add_device_flags(parser)
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.core import archetypes
    from rehearse.session import round as rehearsal
    from rehearse.store.debriefs import load_targets
    from rehearse.cli.commands._common import LivePorts
    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    if args.max_seconds <= 0:
        raise RehearseError("--max-seconds must be more than 0.")
    if args.from_debrief:
        from rehearse.session.from_debrief import choose

        store = Store()
        choice = choose(store.debriefs, args.archetype)
        args.archetype = choice.archetype
        if not args.json:
            say(choice.intro())
    elif not args.archetype:
        raise RehearseError("Choose the interviewer with --archetype ARCH, or --from-debrief to take it from "
                            "your latest debrief.")
    archetype = archetypes.get(args.archetype)
    prompt = rehearsal.choose_prompt(archetype, args.prompt)
    ports = LivePorts(args, silence_s=args.silence)
    if not args.json:
        say(f"{archetype.title}: {archetype.description}\nCoach: {archetype.advice}\n")
    result = rehearsal.run_round(
        archetype=archetype, prompt=prompt, ports=ports.round_ports(Store()),
        targets=load_targets(),  # the best accomplishment and the debrief's topics
        mode="practice", max_seconds=args.max_seconds,
        on_recording_start=lambda: say("Recording... speak your opening now (Enter or silence ends it)."),
        on_recording_end=say_checking,
    )
    return report_round(result, args.json)


def report_round(result, as_json: bool) -> int:
    """Print the round; its personal checks, if any, are shown and added as "personal"."""
    from rehearse.cli.render import text as report

    score = result.score.to_json()
    personal = result.personal
    if as_json:
        extra = {} if personal is None else {"personal": personal}
        emit_json({**score, "session_id": result.session_id, **extra})
    else:
        print(report.format_score(score, session_id=result.session_id))
        if personal:
            print(report.format_personal(personal))
    sys.stdout.flush()
    return 0 if result.score.verdict == "pass" else 1
