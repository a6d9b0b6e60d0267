"""Runs `rehearse ARGS...` in a child process with a fake microphone at the device seam, for tests
that need a real terminal (a pseudo-terminal on stdin) or a real signal (Ctrl-C).

    python tests/fake_mic_child.py SPEC.json ARGS...

SPEC.json: {"takes": [[["quiet", 60.0]], [["quiet", 0.5], ["vowel", 0.4], ["quiet", 10.0]], ...],
"transcripts": ["no", ...]}: the n-th recording hears the n-th take, delivered at the speed of a
real microphone; the scripted engine returns the transcripts in turn.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]


def main() -> int:
    import fakes
    from fake_sounddevice import FakeSoundDevice, device
    from rehearse.audio import devices
    from rehearse.cli import main as cli
    from rehearse.speech import engines

    spec = json.loads(Path(sys.argv[1]).read_text())
    parts = {"quiet": fakes.quiet, "vowel": fakes.vowel}
    takes = [fakes.blocks_of(*(parts[kind](seconds) for kind, seconds in take)) for take in spec["takes"]]
    sd = FakeSoundDevice([device("Fake Mic", inputs=1)], (0, -1), takes=takes, realtime=True)
    devices.sounddevice_module = lambda: sd
    engines.register(engines.EngineInfo(name="scripted", description="Test engine.",
                                        factory="scripted_engine:ScriptedEngine", probe="scripted_engine:probe",
                                        hidden=True))
    engines.get("scripted").queue[:] = list(spec.get("transcripts", ()))
    return cli.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
