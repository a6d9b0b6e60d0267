"""Small helpers shared by commands: JSON output and archetype/engine selection."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(obj: Any) -> None:
    """One JSON object per line on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """Something meant for a person: stderr."""
    print(message, file=sys.stderr, flush=True)


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON only on stdout")


def add_engine_flag(parser) -> None:
    parser.add_argument("--engine", metavar="NAME", help="speech engine (see `rehearse engines`)")
    parser.add_argument("--model", metavar="NAME|PATH",
                        help="Whisper model: a name from `rehearse models` or a CTranslate2 model folder")


def add_archetype_flag(parser, required: bool = True) -> None:
    parser.add_argument("--archetype", "-a", required=required, metavar="ARCH",
                        help="storyteller, salesperson or challenger (or one from your prompt files)")


def add_device_flags(parser, text_prompt_help: str = "show the interviewer's words as text instead of "
                                                      "speaking them") -> None:
    parser.add_argument("--input-device", metavar="D", help="microphone name or index (see `rehearse devices`)")
    parser.add_argument("--output-device", metavar="D", help="speaker name or index (see `rehearse devices`)")
    parser.add_argument("--text-prompt", action="store_true", help=text_prompt_help)


class LivePorts:
    """The real speaker, microphone and speech engine a spoken command needs, opened in one place.

    Devices are resolved first (a missing device is a plain error before anything is said), then the
    engine's model is loaded, so nothing waits on it once the user starts speaking.
    """

    def __init__(self, args, *, silence_s: float):
        from rehearse.audio import devices
        from rehearse.speech import engines
        from rehearse.audio.microphone import MicrophoneRecorder
        from rehearse.audio.speaker import PromptSpeaker, TextOnlySpeaker

        input_device = devices.resolve_input(args.input_device)
        self.output_device = None
        if args.text_prompt:
            self.speaker = TextOnlySpeaker()
        else:
            self.output_device = devices.resolve_output(args.output_device)
            self.speaker = PromptSpeaker(device=self.output_device)
        self.transcriber = engines.get(args.engine)
        self.recorder = MicrophoneRecorder(device=input_device, silence_s=silence_s)
