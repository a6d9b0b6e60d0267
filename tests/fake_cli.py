"""Run the rehearse CLI in a child process with fakes at the device seam, for tests on a terminal.

    python tests/fake_cli.py --answer A.wav [--answer B.wav ...] [--say TEXT ...] -- COMMAND ARGS...

Each recording plays the next ``--answer`` file (the last one repeats); the scripted engine returns
the ``--say`` texts in turn; the speaker writes ``[speaker] PROMPT_ID`` on stderr instead of playing
sound, and the red-light tone writes ``[tone]``. Everything else is the real command line, on
whatever stdin and stderr the test gives it (a pseudo-terminal: see tests/terminal.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # fakes.py, scripted_engine.py
sys.path.insert(0, str(HERE.parent))  # the worktree's rehearse


class PrintingSpeaker:
    """A speaker that says on stderr which prompt it would have played."""

    def speak(self, prompt) -> None:
        sys.stderr.write(f"[speaker] {prompt.id}\n")
        sys.stderr.flush()


class CyclingRecorder:
    """Plays the answer files in turn, one per recording (the last one repeats)."""

    def __init__(self, answers):
        self.answers = [Path(a) for a in answers]
        self.count = 0

    def record(self, path, **kwargs):
        from fakes import InterruptingFileRecorder

        source = self.answers[min(self.count, len(self.answers) - 1)]
        self.count += 1
        return InterruptingFileRecorder(source).record(path, **kwargs)


def install(answers, texts) -> None:
    import rehearse.audio.devices as devices
    import rehearse.audio.microphone as microphone
    import rehearse.audio.playback as playback
    import rehearse.audio.speaker as speaker_mod
    from rehearse.speech import engines

    recorder = CyclingRecorder(answers)
    devices.resolve_input = lambda spec=None: None
    devices.resolve_output = lambda spec=None: None
    speaker_mod.PromptSpeaker = lambda device=None, **kw: PrintingSpeaker()
    microphone.MicrophoneRecorder = lambda device=None, **kw: recorder

    def tone(*args, **kwargs) -> None:
        sys.stderr.write("[tone]\n")
        sys.stderr.flush()

    playback.tone = tone
    engines.register(engines.EngineInfo(
        name="scripted", description="Test engine.", factory="scripted_engine:ScriptedEngine",
        probe="scripted_engine:probe", hidden=True))
    engines.get("scripted").queue[:] = list(texts)


def main() -> int:
    argv = sys.argv[1:]
    split = argv.index("--")
    own = argparse.ArgumentParser()
    own.add_argument("--answer", action="append", default=[])
    own.add_argument("--say", action="append", default=[])
    options = own.parse_args(argv[:split])
    install(options.answer, options.say)
    from rehearse.cli import main as cli

    return cli.main(argv[split + 1:])


if __name__ == "__main__":
    sys.exit(main())
