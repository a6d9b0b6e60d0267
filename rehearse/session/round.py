"""One round of rehearsal, orchestrated over its ports.

    speak the prompt -> record the answer -> transcribe -> score (+ the personal checks) -> save

:func:`run_round` receives every outside part in :class:`RoundPorts` (speaker, recorder,
transcriber, the store and the recordings folder), so the same code runs practice, drills, the demo
(a bundled answer in place of the microphone) and the tests (fakes). It owns three policies:

- **No speaker.** When the prompt cannot be played (no output device, the synthesiser failed), the
  prompt is shown as text with one sentence saying why, and the round goes on.
- **The session's final status on every path.** The row is created before recording. Ctrl-C while
  recording -> ``interrupted``; nothing heard -> ``no_speech``; any failure after the audio was
  recorded (engine, scoring, saving) -> ``failed`` with the reason, audio kept, so ``rehearse
  rescore --retranscribe`` can finish it; otherwise ``complete``.
- **The personal checks** (the user's best accomplishment and the debrief's topics), computed here
  for every mode and saved with the session as ``extra["personal"]``; :func:`rescore` recomputes them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from rehearse.coaching import personal, scoring, turn
from rehearse.core.audio import SPEECH_RATE
from rehearse.core.errors import DiskFullError, Interrupted, NoSpeechError, RehearseError
from rehearse.core.model import Archetype, Prompt, Score, Transcript, Word
from rehearse.core.ports import BlockCallback, Recorder, Recording, Speaker, Transcriber

log = logging.getLogger("rehearse.round")

Notify = Callable[[str], None]
"""Where a sentence for the person goes (stderr in the CLI)."""


@dataclass
class RoundPorts:
    """Everything outside a round that it talks to."""

    speaker: Speaker
    """Says the interviewer's prompt."""
    recorder: Recorder
    """Records the answer into a WAV file."""
    transcriber: Transcriber
    """Turns the answer into timed words."""
    store: Any
    """Where sessions are saved (:class:`rehearse.store.sessions.Store` or a double)."""
    recordings: Path
    """Folder for the answers' WAV files."""
    notify: Optional[Notify] = None
    """Sentences for the person (a prompt shown as text, and why); silent when None."""


@dataclass(frozen=True)
class RoundResult:
    """What one round produced."""

    session_id: str
    prompt: Prompt
    recording: Recording
    transcript: Transcript
    score: Score
    personal: Optional[list] = None
    """The personal check objects (JSON shape), or None when there is no bank entry or topic yet."""


def no_speech_message(recording: Recording, session_id: str) -> str:
    return (
        f"No speech was heard in the {recording.duration_s:.1f} s recorded, so nothing was scored; "
        f"check that the microphone is on and not muted (`rehearse devices`), then try again "
        f"(the recording is kept as session {session_id})."
    )


def no_sound_message(err: BaseException) -> str:
    """What the person is told when the prompt cannot be spoken."""
    return f"No sound: {str(err).rstrip('.')}. Showing the interviewer's prompt as text instead."


def speak_or_show(speaker: Speaker, prompt: Prompt, notify: Optional[Notify] = None) -> bool:
    """Say the prompt; when that fails, show it as text and say why. True when it was spoken."""
    from rehearse.audio.speaker import TextOnlySpeaker

    if isinstance(speaker, TextOnlySpeaker):
        speaker.speak(prompt)
        return False
    try:
        speaker.speak(prompt)
        return True
    except RehearseError as err:
        if notify is not None:
            notify(no_sound_message(err))
        TextOnlySpeaker().speak(prompt)
        return False


def run_round(
    *,
    archetype: Archetype,
    prompt: Prompt,
    ports: RoundPorts,
    targets: Optional[personal.Targets] = None,
    mode: str = "practice",
    source: str = "microphone",
    max_seconds: float = 120.0,
    after_prompt: Optional[Callable[[], None]] = None,
    on_recording_start: Optional[Callable[[], None]] = None,
    on_recording_end: Optional[Callable[[Recording], None]] = None,
    on_block: Optional[BlockCallback] = None,
    stop_when: Optional[Callable[[float], bool]] = None,
    incremental: bool = True,
    extra: Optional[Callable[[Recording, Transcript, Score], dict]] = None,
) -> RoundResult:
    """Run one round and save it as a session.

    With ``incremental`` (the default) the answer is transcribed while it is spoken: segments cut at
    pauses go to a background worker, so when the speaker stops only the last one remains. Without
    it the whole file is transcribed after recording. ``extra`` adds mode-specific data (a drill's
    timing) to the saved session; ``targets`` are the personal checks' bank entry and topics.
    ``after_prompt`` runs once the prompt has been spoken (or shown) and before anything is saved or
    recorded: a drill counts down there, so the count ends as the person starts to answer.
    ``on_recording_end`` runs the moment recording stops, before the last of the answer is
    transcribed and checked (the screen says "checking..." there, not after the wait).

    Raises :class:`Interrupted` after Ctrl-C (the audio so far and the session are kept),
    :class:`NoSpeechError` when nothing was heard (kept, not scored), and whatever failed after
    recording, once the session is marked ``failed`` with the reason.
    """
    warm_up: Optional[threading.Thread] = None
    live = None
    try:
        store = ports.store
        # The checks' model loads (about 0.3 s) while the prompt is spoken, not after the answer.
        warm_up = threading.Thread(target=warm_up_checks, args=(archetype, targets), name="warm-up-checks", daemon=True)
        warm_up.start()
        # A recorder that can open its input early does so now, so it is delivering when the prompt ends.
        prepare, release = getattr(ports.recorder, "prepare", None), getattr(ports.recorder, "release", None)
        if prepare is not None:
            prepare()
        try:
            speak_or_show(ports.speaker, prompt, ports.notify)
            if after_prompt is not None:
                after_prompt()
            session_id = store.create(mode=mode, archetype=archetype.name, prompt_id=prompt.id,
                                      prompt_text=prompt.text, source=source)
        except BaseException:
            if release is not None:
                release()
            raise
        folder = Path(ports.recordings)
        wav_path = folder / f"{session_id}.wav"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            store.update(session_id, audio_path=wav_path)
            blocks = on_block
            hooks: dict = {}
            if incremental:
                from rehearse.speech.streaming import live_transcriber

                from rehearse.core import settings

                live = live_transcriber(ports.transcriber, sample_rate=SPEECH_RATE,
                                        policy=settings.get("engine", "live"))

                def blocks(block, elapsed_s):
                    live.feed(block, elapsed_s)
                    if on_block is not None:
                        on_block(block, elapsed_s)

                hooks = live_hooks(live)

            recording = ports.recorder.record(wav_path, max_seconds=max_seconds, on_start=on_recording_start,
                                              on_block=blocks, stop_when=stop_when, **hooks)
        except BaseException as exc:
            _mark(store, session_id, status="interrupted", stopped_by="error", error=_reason(exc))
            if isinstance(exc, DiskFullError):  # the audio up to the last whole block is on disk
                kept = getattr(exc, "kept_s", 0.0)
                raise DiskFullError(
                    f"The disk is full, so recording stopped; the {kept:.1f} s recorded so far are kept as session "
                    f"{session_id} (free some space, then `rehearse rescore {session_id} --retranscribe` scores "
                    "them).") from exc
            raise
        log.debug("recording ended (%s) at %.2f s", recording.stopped_by, recording.duration_s)
        store.update(session_id, duration_s=recording.duration_s, stopped_by=recording.stopped_by)
        if recording.stopped_by == "interrupted":
            store.update(session_id, status="interrupted")
            raise Interrupted(
                f"Stopped by Ctrl-C; the {recording.duration_s:.1f} s recorded so far are saved as session "
                f"{session_id} (`rehearse replay {session_id}`)."
            )
        try:
            if on_recording_end is not None:
                on_recording_end(recording)
            # The answer's checks use what the warm-up loaded: waiting for it here (it is almost always
            # done by now) means one load, never two at once, and no load still running in native code
            # when a short command exits (a drill in the tests once ended with SIGABRT that way).
            warm_up.join()
            if live is not None:
                transcript = live.finish()
            else:
                from rehearse.audio import pcm

                transcript = ports.transcriber.transcribe(pcm.load(recording.path))
            log.debug("transcript ready")
            if transcript.is_empty:
                store.update(session_id, status="no_speech", engine=transcript.engine, transcript="")
                raise NoSpeechError(no_speech_message(recording, session_id), session_id=session_id)
            result = scoring.score(transcript, archetype)
            mine = personal_results(transcript, targets)
            extra_data = dict(extra(recording, transcript, result) or {}) if extra else {}
            if mine is not None:
                extra_data["personal"] = mine
            log.debug("checks done")
            store.save_scored(session_id, score=result, words=transcript.words, transcript=transcript.text,
                              engine=transcript.engine, duration_s=recording.duration_s,
                              extra=extra_data or None, checker=scoring.checker_name())
            log.debug("saved")
        except NoSpeechError:
            raise
        except KeyboardInterrupt:
            _mark(store, session_id, status="interrupted",
                  error="stopped by Ctrl-C after recording, before the answer was scored")
            raise Interrupted(f"Stopped by Ctrl-C; the answer is saved as session {session_id} but not scored "
                              f"(`rehearse rescore {session_id} --retranscribe` scores it).") from None
        except BaseException as exc:
            _mark(store, session_id, status="failed", error=_reason(exc))
            if isinstance(exc, RehearseError):
                raise RehearseError(f"{str(exc).rstrip('.')}; the answer is kept as session {session_id} "
                                    f"(`rehearse rescore {session_id} --retranscribe` finishes it).") from exc
            raise
        return RoundResult(session_id=session_id, prompt=prompt, recording=recording,
                           transcript=transcript, score=result, personal=mine)
    finally:
        _settle(live, warm_up)


def _settle(live, warm_up: Optional[threading.Thread]) -> None:
    """Stop the round's work in other threads and wait for it, on every way out of the round (a result,
    Ctrl-C, a failure): the live transcriber (closed: nothing more is decoded) and the checks' warm-up.
    A decode still in the engine's native code when the process exits can abort it ("terminate called
    without an active exception")."""
    close = getattr(live, "close", None)
    if close is not None:
        close()
    if warm_up is not None:
        warm_up.join(WARM_UP_WAIT_S)


WARM_UP_WAIT_S = 30.0
"""Longest wait for the checks' warm-up at the end of a round (it takes about 0.3 s)."""


def live_hooks(live) -> dict:
    """The recorder's live-word and pause hooks, wired to a live transcriber.

    ``live_text`` is the transcriber's ``words_so_far()`` (timed words, with how sure the engine is of
    each) or, without it, ``text_so_far()``; ``on_pause(at_s)`` and ``on_resume()`` call its
    ``pause(at_s)`` and ``resume()`` (a streaming transcriber decodes the tail early and throws that away
    if speech comes back). Each is wired only when the transcriber has the method. A transcriber that
    says how much of the answer its words cover (``covered_s``) has its words held back, while they
    stop short of the pause, at what they were when the pause began: the recorder then knows they do
    not reach it and waits rather than trust the end of an earlier sentence. A transcriber that
    decodes the pause's last seconds a second time (``second_opinion()``) has its words held back
    too, when they end a finished sentence (or one whose last word the engine doubts), until that
    second decode is done; then the two are judged together
    (:func:`rehearse.coaching.turn.with_second_opinion`).
    """
    heard_so_far = getattr(live, "words_so_far", None) or getattr(live, "text_so_far", None)
    pause = getattr(live, "pause", None)
    resume = getattr(live, "resume", None)
    hooks: dict = {}
    if heard_so_far is None:
        return hooks
    state = {"at": None, "heard": ""}

    second_opinion = getattr(live, "second_opinion", None) if getattr(live, "offers_second_opinion", False) else None

    def live_text():
        heard = heard_so_far() or ""
        at = state["at"]
        covered = getattr(live, "covered_s", None)
        if at is not None and covered is not None and covered < at:
            return state["heard"]
        if at is not None and second_opinion is not None:
            judged = turn.with_second_opinion(heard, second_opinion())
            return state["heard"] if judged is turn.NOT_YET else judged
        return heard

    def on_pause(at_s: float) -> None:
        state["heard"] = heard_so_far() or ""
        state["at"] = at_s
        if pause is not None:
            pause(at_s)

    def on_resume() -> None:
        state["at"] = None
        if resume is not None:
            resume()

    hooks.update(live_text=live_text, on_pause=on_pause, on_resume=on_resume)
    return hooks


def warm_up_checks(archetype: Archetype, targets: Optional[personal.Targets] = None) -> None:
    """Check a two-word answer once and throw the result away: what the checks load on first use
    (the embedding model and its heads, the rules) is then ready when the real answer ends. A
    failure here is left for the real checks to report."""
    words = (Word("Thank", 0.0, 0.3), Word("you.", 0.3, 0.6))
    transcript = Transcript(text="Thank you.", words=words, engine="warm-up", duration_s=0.6)
    try:
        scoring.score(transcript, archetype)
        personal_results(transcript, targets)
    except Exception:  # noqa: BLE001 - the round's own checks say what is wrong
        log.debug("warming up the checks failed", exc_info=True)


def personal_results(transcript: Transcript, targets: Optional[personal.Targets]) -> Optional[list]:
    """The personal check objects for ``transcript``, or None when there is nothing to hold it to."""
    if targets is None or targets.empty:
        return None
    return personal.results_json(personal.check(transcript, targets))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if isinstance(exc, RehearseError) and text else f"{type(exc).__name__}: {text}".rstrip(": ")


def _mark(store, session_id: str, **fields) -> None:
    """Record the session's final status; a store that fails here must not hide the first failure."""
    try:
        store.update(session_id, **fields)
    except Exception:  # noqa: BLE001 - the original failure is the one the user needs to see
        pass


def choose_prompt(archetype: Archetype, prompt_id: Optional[str] = None, index: Optional[int] = None) -> Prompt:
    """A prompt by id, by round index (cycling), or a random one."""
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
