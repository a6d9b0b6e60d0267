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
    listening = parser.add_mutually_exclusive_group()
    listening.add_argument("--speakers", action="store_const", const="speakers", dest="listening",
                           help="storyteller: you hear the interviewer on speakers, so the microphone hears "
                                "them too (the default; see --echo)")
    listening.add_argument("--headphones", action="store_const", const="headphones", dest="listening",
                           help="storyteller: you wear headphones, so the microphone hears only you")
    parser.add_argument("--echo", choices=("pauses", "subtract"),
                        help="storyteller with speakers: count only speech that starts in the interviewer's "
                             "pauses (pauses, the default) or subtract the played sound from the microphone "
                             "(subtract); `[interview] listening` in settings.toml sets the default")
    parser.add_argument("--no-monologue", action="store_true",
                        help="storyteller: open with a prompt instead of the monologue you must interrupt")
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
    mode = listening_mode(args)
    ports = LivePorts(args, silence_s=args.silence)
    from rehearse.audio.speaker import TextOnlySpeaker

    shown_by_speaker = isinstance(ports.speaker, TextOnlySpeaker)
    monologue = None
    if archetype.name == "storyteller" and not args.no_monologue and not args.prompt and not shown_by_speaker:
        monologue = open_monologue(script, mode, ports, args)
    if not args.json:
        say(f"Mock second interview: {archetype.title.lower()}, {args.turns} answers.\n"
            f"{archetype.description}\nCoach: {archetype.advice}")
    interview_id = mock.new_interview_id()
    progress = {"turn": 0}

    def turn_start(number, total, prompt):
        progress["turn"] = number
        say(f"\n-- Turn {number} of {total} --")
        if monologue is not None and number == 1:
            say("The interviewer starts talking, and pauses now and then. Take the floor in a pause with "
                "your best accomplishment.")
        elif not shown_by_speaker:
            say(f"Interviewer: {prompt.text}")

    def recording_start():
        if monologue is not None and progress["turn"] == 1:
            say("Listening (the interviewer is talking)...")
        else:
            say("Recording... answer now (Enter or silence ends it).")

    def turn_done(turn):
        from rehearse.cli.render.interview import format_turn

        say(format_turn(turn.to_json(archetype.name)))

    try:
        result = mock.run_interview(
            archetype=archetype, opening=opening, ports=ports.round_ports(Store()), turns=args.turns,
            script=script, targets=load_targets(), max_seconds=args.max_seconds, interview_id=interview_id,
            on_turn_start=turn_start, on_turn_done=turn_done, on_recording_start=recording_start,
            on_recording_end=say_checking,
            monologue=monologue,
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


def listening_mode(args) -> str:
    """pauses, subtract or headphones: from --headphones/--speakers/--echo, else the settings, else pauses."""
    from rehearse.coaching import seize
    from rehearse.core import settings
    from rehearse.core.errors import RehearseError

    if args.listening == "headphones":
        if args.echo:
            raise RehearseError("--echo is for speakers; with --headphones the microphone does not hear the "
                                "interviewer.")
        return seize.HEADPHONES
    if args.echo:
        return args.echo
    configured = settings.get("interview", "listening", seize.DEFAULT_MODE)
    if args.listening == "speakers" and configured == seize.HEADPHONES:
        return seize.DEFAULT_MODE
    return configured


def open_monologue(script, mode: str, ports, args):
    """The recorder that plays the storyteller's monologue (the lines' pre-rendered or cached audio);
    None, said in one sentence, when the lines cannot be spoken (the interview opens with a prompt)."""
    import numpy as np

    from rehearse.audio import monologue as device
    from rehearse.audio import pcm, prompt_audio
    from rehearse.coaching import interview as coach
    from rehearse.coaching import seize
    from rehearse.core.errors import RehearseError
    from rehearse.core.model import Prompt

    clips = []
    try:
        for line in script.lines[coach.MONOLOGUE]:
            audio = pcm.load(prompt_audio.audio_for(Prompt(id=line.id, archetype=script.archetype, text=line.text)))
            clips.append(device.Clip(line.id, np.asarray(audio.to_rate(16000).samples),
                                     line.pause_after if line.pause_after is not None else coach.DEFAULT_PAUSE_S))
    except RehearseError as err:
        say(f"The monologue cannot be spoken ({str(err).rstrip('.')}); the interviewer opens with a prompt instead.")
        return None
    return device.MonologueRecorder(
        clips, watch=lambda frame_s: seize.FloorWatch(frame_s, mode), mode=mode,
        input_device=args.input_device, output_device=ports.output_device, silence_s=args.silence,
        notify=say)


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
