"""rehearse: voice-driven rehearsal for the second interview.

A library first (see :mod:`rehearse.api`), with the ``rehearse`` command on top. The names below
are imported on first use, so ``import rehearse`` stays fast.
"""

__version__ = "0.1.0"

__all__ = ["score_text", "score_transcript", "transcribe", "run_round", "RoundPorts", "RoundResult"]


def __getattr__(name: str):
    if name in __all__:
        from rehearse import api

        return getattr(api, name)
    raise AttributeError(f"module 'rehearse' has no attribute {name!r}")
