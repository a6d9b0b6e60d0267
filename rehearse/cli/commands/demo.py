"""`rehearse demo`: one full round with the bundled sample answer instead of the microphone."""

from __future__ import annotations

from rehearse.cli.commands._common import add_engine_flag, add_json_flag, say

HELP = "One full round with a bundled sample answer in place of the microphone."


def add_arguments(parser) -> None:
    parser.add_argument("--archetype", "-a", default="storyteller", metavar="ARCH",
                        help="interviewer archetype for the demo (default storyteller)")
    parser.add_argument("--output-device", metavar="D", help="speaker name or index (see `rehearse devices`)")
    parser.add_argument("--text-prompt", action="store_true", help="show the prompt as text, do not play it")
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.core import archetypes
    from rehearse.audio import devices
    from rehearse.speech import engines
    from rehearse.session import round as rehearsal
    from rehearse.cli.commands.practice import report_round
    from rehearse.core.errors import RehearseError
    from rehearse.audio.file_recorder import FileRecorder
    from rehearse.audio.speaker import PromptSpeaker, TextOnlySpeaker
    from rehearse.store.sessions import Store

    archetype = archetypes.get(args.archetype)
    prompt = rehearsal.choose_prompt(archetype, index=0)
    speaker = None
    if not args.text_prompt:
        try:
            speaker = PromptSpeaker(device=devices.resolve_output(args.output_device))
        except RehearseError as err:
            say(f"No sound: {err} Showing the interviewer's prompt as text instead.")
    if speaker is None:
        speaker = TextOnlySpeaker()
    elif not args.json:
        say("Playing the interviewer's prompt...")
    spoken = _FallbackSpeaker(speaker)
    recorder = FileRecorder(sample_answer_path())
    transcriber = engines.get(args.engine)
    result = rehearsal.run_round(
        archetype=archetype, prompt=prompt, speaker=spoken, recorder=recorder, transcriber=transcriber,
        store=Store(), mode="practice", source="sample",
        on_recording_start=lambda: say("Recording (demo: using the bundled sample answer instead of "
                                       "the microphone)..."),
    )
    report_round(result, args.json)
    return 0  # the demo shows the loop; its verdict is not the user's


def sample_answer_path():
    from importlib import resources

    return resources.files("rehearse").joinpath("data/sample_answer.wav")


class _FallbackSpeaker:
    """Plays the prompt; if the output device fails mid-way, shows it as text and says so."""

    def __init__(self, speaker):
        self.speaker = speaker

    def speak(self, prompt) -> None:
        from rehearse.core.errors import RehearseError
        from rehearse.audio.speaker import TextOnlySpeaker

        try:
            self.speaker.speak(prompt)
        except RehearseError as err:
            say(f"No sound: {err} Showing the interviewer's prompt as text instead.")
            TextOnlySpeaker().speak(prompt)
