"""`rehearse interview`: a short mock second interview in an archetype's character."""

from __future__ import annotations

import sys

from rehearse.cli.commands._common import (say_checking, add_archetype_flag, add_device_flags, add_engine_flag, add_json_flag,
                                           add_recording_flags, emit_json, say)

HELP = "A short mock second interview (3-5 turns): the interviewer replies to what each answer did."


def add_arguments(parser) -> None:
    from rehearse.coaching.interview import DEFAULT_TURNS, MAX_TURNS, MIN_TURNS

    add_archetype_flag(parser, required=False)
    parser.add_argument("--turns", type=int, default=DEFAULT_TURNS, metavar="N",
                        help=f"answers to give, {MIN_TURNS} to {MAX_TURNS} (default {DEFAULT_TURNS})")
    parser.add_argument("--prompt", metavar="ID", help="the opening prompt's id from `rehearse prompts` (default: random)")
    parser.add_argument("--show", nargs="?", const="last", metavar="ID",
                        help="show a saved interview (the latest by default) instead of starting one")
    add_recording_flags(parser)
    add_device_flags(parser)
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.coaching import interview as coach
    from rehearse.core import archetypes
    from rehearse.core.errors import RehearseError
    from rehearse.session import interview as mock
    from rehearse.store.sessions import Store

    if args.show is not None:
        _print(mock.load(Store(), args.show, archetypes.get), args.json)
        return 0
    if not args.archetype:
        raise RehearseError("Choose the interviewer with --archetype (storyteller, salesperson or challenger), "
                            "or show a saved interview with --show.")
    if args.max_seconds <= 0:
        raise RehearseError("--max-seconds must be more than 0.")
    coach.check_turns(args.turns)
    archetype = archetypes.get(args.archetype)
    script = coach.load_script(archetype.name)

    from rehearse.cli.commands._common import LivePorts
    from rehearse.session import round as rehearsal
    from rehearse.store.debriefs import load_targets

    opening = rehearsal.choose_prompt(archetype, args.prompt)
    ports = LivePorts(args, silence_s=args.silence)
    from rehearse.audio.speaker import TextOnlySpeaker

    shown_by_speaker = isinstance(ports.speaker, TextOnlySpeaker)
    if not args.json:
        say(f"Mock second interview: {archetype.title.lower()}, {args.turns} answers.\n"
            f"{archetype.description}\nCoach: {archetype.advice}")
    interview_id = mock.new_interview_id()
    progress = {"turn": 0}

    def turn_start(number, total, prompt):
        progress["turn"] = number
        say(f"\n-- Turn {number} of {total} --")
        if not shown_by_speaker:
            say(f"Interviewer: {prompt.text}")

    def turn_done(turn):
        from rehearse.cli.render.interview import format_turn

        say(format_turn(turn.to_json(archetype.name)))

    try:
        result = mock.run_interview(
            archetype=archetype, opening=opening, ports=ports.round_ports(Store()), turns=args.turns,
            script=script, targets=load_targets(), max_seconds=args.max_seconds, interview_id=interview_id,
            on_turn_start=turn_start, on_turn_done=turn_done,
            on_recording_start=lambda: say("Recording... answer now (Enter or silence ends it)."),
            on_recording_end=say_checking,
        )
    except RehearseError as err:
        done = progress["turn"] - 1
        kept = (f"{'the answer' if done == 1 else f'the {done} answers'} before it {'is' if done == 1 else 'are'} saved "
                f"(`rehearse interview --show {interview_id}`)" if done else "no earlier answer to keep")
        raise type(err)(f"{str(err).rstrip('.')}. The interview stopped at turn {progress['turn']} of "
                        f"{args.turns}; {kept}.") from None
    if not shown_by_speaker and result.closing:
        say(f"\nInterviewer: {result.closing['text']}")
    return _print(result, args.json)


def _print(result, as_json: bool) -> int:
    from rehearse.cli.render.interview import format_interview

    data = result.to_json()
    if as_json:
        emit_json(data)
    else:
        print()
        print(format_interview(data))
    sys.stdout.flush()
    return 0 if data["verdict"] == "pass" else 1
