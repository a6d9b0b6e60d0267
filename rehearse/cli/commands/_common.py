"""Small helpers shared by commands: JSON output and archetype/engine selection."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(obj: Any) -> None:
    """One JSON object per line on stdout (text that is not valid Unicode, such as a lone surrogate from
    an input line, is written as a JSON escape)."""
    line = json.dumps(obj, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(obj, ensure_ascii=True)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """Something meant for a person: stderr."""
    print(message, file=sys.stderr, flush=True)


class InterruptibleStdin:
    """A stdin whose ``readline`` at a terminal wakes every 0.2 s while it waits for a line.

    Python acts on Ctrl-C only in the main thread, between waits. When the kernel hands SIGINT to another
    thread (a library's worker: OpenBLAS, CTranslate2, PortAudio), a plain blocking read would go on
    waiting until Enter; waking regularly lets the KeyboardInterrupt through at once. At a terminal in
    canonical mode a read returns one line, so waiting for the descriptor to be readable loses nothing.
    Pipes and files are read as they are.
    """

    def __init__(self, stream=None):
        self._stream = stream if stream is not None else sys.stdin

    def readline(self) -> str:
        stream = self._stream
        try:
            at_terminal = stream.isatty()
        except (AttributeError, ValueError):
            at_terminal = False
        if at_terminal:
            import select

            try:
                while not select.select([stream], [], [], 0.2)[0]:
                    pass
            except (OSError, ValueError):  # not selectable after all: read as it is
                pass
        return stream.readline()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def say_checking(recording=None) -> None:
    """The round's ``on_recording_end``: recording has stopped, the answer is being checked."""
    say("Checking your answer...")


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON only on stdout")


def add_engine_flag(parser) -> None:
    parser.add_argument("--engine", metavar="NAME", help="speech engine (see `rehearse engines`)")
    parser.add_argument("--model", metavar="NAME|PATH",
                        help="Whisper model: a name from `rehearse models` or a CTranslate2 model folder")


def add_recording_flags(parser, max_seconds: float = 120.0) -> None:
    """``--max-seconds`` and ``--silence``: how a spoken answer ends."""
    parser.add_argument("--max-seconds", type=float, default=max_seconds, metavar="N",
                        help=f"stop recording after N seconds (default {max_seconds:g})")
    add_silence_flag(parser)


SILENCE_HELP = ("seconds of silence after speech that end the answer, always (default: chosen from your "
                "words and pauses: 0.9-2.5 s after a finished sentence, 4.5 s after an unfinished one)")


def add_silence_flag(parser) -> None:
    """``--silence S``: a fixed end-of-answer window; left out, the end of the answer is adaptive."""
    parser.add_argument("--silence", type=float, default=None, metavar="S", help=SILENCE_HELP)


def add_archetype_flag(parser, required: bool = True) -> None:
    parser.add_argument("--archetype", "-a", required=required, metavar="ARCH",
                        help="storyteller, salesperson or challenger (or one from your prompt files)")


def add_device_flags(parser, text_prompt_help: str = "show the interviewer's words as text instead of "
                                                      "speaking them") -> None:
    parser.add_argument("--input-device", metavar="D", help="microphone name or index (see `rehearse devices`)")
    parser.add_argument("--output-device", metavar="D", help="speaker name or index (see `rehearse devices`)")
    parser.add_argument("--text-prompt", action="store_true", help=text_prompt_help)


def open_speaker(output_device=None, text_prompt: bool = False):
    """The prompt speaker for ``--output-device``, or the text-only one (``--text-prompt``).

    The one no-speaker policy: with no usable output device the prompt is shown as text, and one
    sentence says why; the round goes on (see :func:`rehearse.session.round.speak_or_show` for a
    speaker that fails later).
    """
    from rehearse.audio import devices
    from rehearse.audio.speaker import PromptSpeaker, TextOnlySpeaker
    from rehearse.core.errors import RehearseError
    from rehearse.session.round import no_sound_message

    if text_prompt:
        return TextOnlySpeaker(), None
    try:
        device = devices.resolve_output(output_device)
    except RehearseError as err:
        if output_device:  # a device the user named and that is not there: their mistake to fix
            raise
        say(no_sound_message(err))
        return TextOnlySpeaker(), None
    return PromptSpeaker(device=device), device


class LivePorts:
    """The real speaker, microphone and speech engine a spoken command needs, opened in one place.

    Devices are resolved first (a missing microphone is a plain error before anything is said), then
    the engine's model is loaded, so nothing waits on it once the user starts speaking.
    ``recorder_options`` go to :class:`~rehearse.audio.microphone.MicrophoneRecorder`. ``silence_s``
    None makes the end of the answer adaptive (:class:`rehearse.coaching.turn.TurnPolicy` over the
    live words); a number is a fixed window.
    """

    def __init__(self, args, *, silence_s: "float | None", **recorder_options):
        from rehearse.audio import devices
        from rehearse.audio.microphone import MicrophoneRecorder
        from rehearse.coaching.turn import TurnPolicy
        from rehearse.core.errors import RehearseError
        from rehearse.speech import engines

        if silence_s is not None and not silence_s > 0:
            raise RehearseError("--silence must be more than 0.")
        if silence_s is None:
            recorder_options.setdefault("end_of_turn", TurnPolicy().window_s)

        input_device = devices.resolve_input(args.input_device)
        self.speaker, self.output_device = open_speaker(args.output_device, args.text_prompt)
        self.transcriber = engines.get(args.engine, model=getattr(args, "model", None))
        self.recorder = MicrophoneRecorder(device=input_device, silence_s=silence_s, **recorder_options)

    def round_ports(self, store):
        """The ports of a round (:class:`rehearse.session.round.RoundPorts`) with ``store``."""
        return round_ports(self.speaker, self.recorder, self.transcriber, store)


def round_ports(speaker, recorder, transcriber, store):
    from rehearse.core.home import recordings_dir
    from rehearse.session.round import RoundPorts

    return RoundPorts(speaker=speaker, recorder=recorder, transcriber=transcriber, store=store,
                      recordings=recordings_dir(), notify=say)
