"""rehearse: voice-driven rehearsal for the second interview.

A library first (see :mod:`rehearse.api`), with the ``rehearse`` command on top. The names below
are imported on first use, so ``import rehearse`` stays fast.
"""

import os as _os

__version__ = "0.1.0"

# Offline and private: ONNX Runtime (Silero's voice detection inside faster-whisper) sends usage
# telemetry to Microsoft from Linux and macOS since 1.29 unless this is set before it starts. The
# kernel-level network test (tests/test_offline.py) caught it looking up its server.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__all__ = ["score_text", "score_transcript", "transcribe", "run_round", "RoundPorts", "RoundResult"]


def __getattr__(name: str):
    if name in __all__:
        from rehearse import api

        return getattr(api, name)
    raise AttributeError(f"module 'rehearse' has no attribute {name!r}")
