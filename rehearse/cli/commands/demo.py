"""`rehearse demo`: one full round with the bundled sample answer instead of the microphone.

Saved with mode ``demo``: listed by ``history`` (``--mode demo``), never counted in ``progress``.
"""

from __future__ import annotations

from rehearse.cli.commands._common import add_engine_flag, add_json_flag, say, say_checking

HELP = "One full round with a bundled sample answer in place of the microphone."


def add_arguments(parser) -> None:
    parser.add_argument("--archetype", "-a", default="storyteller", metavar="ARCH",
                        help="interviewer archetype for the demo (default storyteller)")
    parser.add_argument("--output-device", metavar="D", help="speaker name or index (see `rehearse devices`)")
    parser.add_argument("--text-prompt", action="store_true", help="show the prompt as text, do not play it")
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.audio.file_recorder import FileRecorder
    from rehearse.cli.commands._common import open_speaker, round_ports
    from rehearse.cli.commands.practice import report_round
    from rehearse.core import archetypes
    from rehearse.session import round as rehearsal
    from rehearse.speech import engines
    from rehearse.store.sessions import Store

    archetype = archetypes.get(args.archetype)
    prompt = rehearsal.choose_prompt(archetype, index=0)
    speaker, _ = open_speaker(args.output_device, args.text_prompt)
    if not args.json and not args.text_prompt:
        say("Playing the interviewer's prompt...")
    ports = round_ports(speaker, FileRecorder(sample_answer_path()),
                        engines.get(args.engine, model=args.model), Store())
    result = rehearsal.run_round(
        archetype=archetype, prompt=prompt, ports=ports, mode="demo", source="sample",
        on_recording_start=lambda: say("Recording (demo: using the bundled sample answer instead of "
                                       "the microphone)..."),
        on_recording_end=say_checking,
    )
    report_round(result, args.json)
    return 0  # the demo shows the loop; its verdict is not the user's


def sample_answer_path():
    from importlib import resources

    return resources.files("rehearse").joinpath("data/sample_answer.wav")
