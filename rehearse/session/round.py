"""One round of rehearsal, orchestrated over its ports.

    speak the prompt -> record the answer -> transcribe -> score -> save

The function receives every outside part (speaker, recorder, transcriber, store) so the same code
runs the real loop, the demo (a bundled answer in place of the microphone) and the tests (fakes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from rehearse.audio import pcm as audio_mod
from rehearse.coaching import scoring
from rehearse.core.errors import Interrupted, NoSpeechError
from rehearse.core.model import Archetype, Prompt, Score, Transcript
from rehearse.core.ports import BlockCallback, Recorder, Recording, Speaker, Transcriber
from rehearse.store.sessions import Store


@dataclass(frozen=True)
class RoundResult:
    """What one round produced."""

    session_id: str
    prompt: Prompt
    recording: Recording
    transcript: Transcript
    score: Score


def no_speech_message(recording: Recording, session_id: str) -> str:
    return (
        f"No speech was heard in the {recording.duration_s:.1f} s recorded, so nothing was scored; "
        f"check that the microphone is on and not muted (`rehearse devices`), then try again "
        f"(the recording is kept as session {session_id})."
    )


def run_round(
    *,
    archetype: Archetype,
    prompt: Prompt,
    speaker: Speaker,
    recorder: Recorder,
    transcriber: Transcriber,
    store: Store,
    mode: str = "practice",
    source: str = "microphone",
    max_seconds: float = 120.0,
    on_recording_start: Optional[Callable[[], None]] = None,
    on_block: Optional[BlockCallback] = None,
    stop_when: Optional[Callable[[float], bool]] = None,
    incremental: bool = True,
    extra: Optional[Callable[[Recording, Transcript, Score], dict]] = None,
) -> RoundResult:
    """Run one round and save it as a session.

    With ``incremental`` (the default) the answer is transcribed while it is spoken: segments cut at
    pauses go to a background worker, so when the speaker stops only the last one remains. Without
    it the whole file is transcribed after recording. ``extra`` adds mode-specific data (a drill's
    timing) to the saved session.

    Raises :class:`Interrupted` after Ctrl-C (the audio so far and the session are kept) and
    :class:`NoSpeechError` when nothing was heard (kept, not scored).
    """
    from rehearse.core.home import recordings_dir

    speaker.speak(prompt)
    session_id = store.create(mode=mode, archetype=archetype.name, prompt_id=prompt.id,
                              prompt_text=prompt.text, source=source)
    wav_path = recordings_dir() / f"{session_id}.wav"
    store.update(session_id, audio_path=wav_path)
    live = None
    blocks = on_block
    if incremental:
        from rehearse.speech.streaming import IncrementalTranscriber

        live = IncrementalTranscriber(transcriber, sample_rate=audio_mod.SPEECH_RATE)

        def blocks(block, elapsed_s):
            live.feed(block, elapsed_s)
            if on_block is not None:
                on_block(block, elapsed_s)

    try:
        recording = recorder.record(wav_path, max_seconds=max_seconds, on_start=on_recording_start,
                                    on_block=blocks, stop_when=stop_when)
    except BaseException:
        store.update(session_id, status="interrupted", stopped_by="error")
        raise
    store.update(session_id, duration_s=recording.duration_s, stopped_by=recording.stopped_by)
    if recording.stopped_by == "interrupted":
        store.update(session_id, status="interrupted")
        raise Interrupted(
            f"Stopped by Ctrl-C; the {recording.duration_s:.1f} s recorded so far are saved as session "
            f"{session_id} (`rehearse replay {session_id}`)."
        )
    if live is not None:
        transcript = live.finish()
    else:
        transcript = transcriber.transcribe(audio_mod.load(recording.path))
    if transcript.is_empty:
        store.update(session_id, status="no_speech", engine=transcript.engine, transcript="")
        raise NoSpeechError(no_speech_message(recording, session_id))
    result = scoring.score(transcript, archetype)
    extra_data = extra(recording, transcript, result) if extra else None
    store.save_scored(session_id, score=result, words=transcript.words, transcript=transcript.text,
                      engine=transcript.engine, duration_s=recording.duration_s, extra=extra_data)
    return RoundResult(session_id=session_id, prompt=prompt, recording=recording,
                       transcript=transcript, score=result)


def choose_prompt(archetype: Archetype, prompt_id: Optional[str] = None, index: Optional[int] = None) -> Prompt:
    """A prompt by id, by round index (cycling), or the first one."""
    from rehearse.core.errors import RehearseError

    if not archetype.prompts:
        raise RehearseError(f"The {archetype.name} archetype has no prompts; add some to a prompt file.")
    if prompt_id:
        for p in archetype.prompts:
            if p.id == prompt_id:
                return p
        ids = ", ".join(p.id for p in archetype.prompts)
        raise RehearseError(f"No prompt {prompt_id!r} for {archetype.name}; choose one of: {ids}.")
    if index is not None:
        return archetype.prompts[index % len(archetype.prompts)]
    import random

    return random.choice(archetype.prompts)
