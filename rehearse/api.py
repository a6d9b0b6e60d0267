"""The library API: what scripts (and rehearse's own command line) call.

    import rehearse
    score = rehearse.score_text("Thank you for asking me back. Last spring I ...", "storyteller")
    score.verdict, score.checks["leads_with_accomplishment"].evidence
    transcript = rehearse.transcribe("answer.wav")           # offline, timed words
    score = rehearse.score_transcript(transcript, "challenger")
    score.to_json()                                           # the contract's score object

A whole spoken round runs with :func:`rehearse.session.round.run_round` over
:class:`rehearse.session.round.RoundPorts` (re-exported here as ``run_round`` and ``RoundPorts``).
Engines are added by other packages through the ``rehearse.engines`` entry-point group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from rehearse.core.model import Archetype, Score, Transcript


def _archetype(archetype: Union[str, Archetype]) -> Archetype:
    from rehearse.core import archetypes

    return archetype if isinstance(archetype, Archetype) else archetypes.get(archetype)


def score_transcript(transcript: Transcript, archetype: Union[str, Archetype]) -> Score:
    """The five checks and the verdict for a transcript (timed words give seconds to the evidence)."""
    from rehearse.coaching import scoring

    return scoring.score(transcript, _archetype(archetype))


def score_text(text: str, archetype: Union[str, Archetype]) -> Score:
    """The five checks and the verdict for an opening given as text."""
    return score_transcript(Transcript(text=" ".join(str(text).split())), archetype)


def personal_checks(transcript: Transcript) -> Optional[list]:
    """Your own targets for a transcript, as practice and drills show them: does it present the best
    accomplishment of your bank, does it mention each topic of your latest debrief (JSON shape, the
    ``"personal"`` of the contract); None when there is no bank entry and no topic yet. Not part of
    the verdict."""
    from rehearse.session.round import personal_results
    from rehearse.store.debriefs import load_targets

    return personal_results(transcript, load_targets())


def transcribe(path: Union[str, Path], engine: Optional[str] = None, model: Optional[str] = None) -> Transcript:
    """Transcribe an audio file offline with ``engine`` (default: the most accurate available) and
    ``model`` (Whisper only)."""
    from rehearse.audio import pcm
    from rehearse.speech import engines

    audio = pcm.load(path)  # a bad file is refused before any model is loaded
    return engines.get(engine, model=model).transcribe(audio)


def __getattr__(name: str):
    if name in ("run_round", "RoundPorts", "RoundResult"):
        from rehearse.session import round as _round

        return getattr(_round, name)
    raise AttributeError(name)
