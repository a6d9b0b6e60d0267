"""`rehearse score`: score an opening given as text, a text file, an audio file, or a JSONL batch."""

from __future__ import annotations

import json
from pathlib import Path

from rehearse.cli.commands._common import add_engine_flag, add_json_flag, emit_json

HELP = "Score an opening given as text, a text file, an audio file or a JSONL batch."


def add_arguments(parser) -> None:
    parser.add_argument("--archetype", "-a", metavar="ARCH", help="storyteller, salesperson or challenger")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", metavar="TEXT", help="the opening as text")
    source.add_argument("--text-file", metavar="PATH", help="a text file holding the opening")
    source.add_argument("--audio", metavar="PATH", help="an audio file of the spoken opening")
    source.add_argument("--batch", metavar="PATH.jsonl",
                        help='JSON lines {"id", "archetype", "text" | "audio"}; one result per line')
    parser.add_argument("--jobs", "-j", type=int, metavar="N",
                        help="with --batch: lines scored at once, in that many processes (default: every core "
                             "when the batch holds audio or many openings)")
    parser.add_argument("--no-save", action="store_true", help="do not save the result as a session")
    parser.add_argument("--explain", action="store_true",
                        help="also say, per check, what the rules and the model each found (on stderr)")
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.core.errors import RehearseError

    if args.jobs is not None and args.jobs < 1:
        raise RehearseError("--jobs must be 1 or more.")
    if args.batch:
        return _run_batch(Path(args.batch), args.engine, args.model, jobs=args.jobs)
    if not args.archetype:
        raise RehearseError("score needs --archetype (storyteller, salesperson or challenger).")
    from rehearse.core import archetypes
    from rehearse.cli.render import text as report

    archetype = archetypes.get(args.archetype)
    if args.audio:
        transcript = _transcribe(Path(args.audio), args.engine, args.model)
        audio_path = Path(args.audio).resolve()
    else:
        transcript = _text_transcript(args.text if args.text is not None else _read_text(Path(args.text_file)))
        audio_path = None
    if transcript.is_empty:
        raise RehearseError("No speech was heard in that audio, so nothing was scored; check the recording."
                            if args.audio else "The opening is empty; give the words you would say.")
    from rehearse.api import personal_checks, score_transcript

    result = score_transcript(transcript, archetype)
    mine = personal_checks(transcript)  # your accomplishment and debrief topics, as practice shows them
    session_id = None
    if not args.no_save:
        session_id = _save(result, transcript, archetype.name, audio_path, personal=mine)
    payload = result.to_json()
    if args.json:
        extra = {} if mine is None else {"personal": mine}
        emit_json({**payload, "session_id": session_id, **extra} if session_id else {**payload, **extra})
    else:
        print(report.format_score(payload, session_id=session_id))
        if mine:
            print(report.format_personal(mine))
    if getattr(args, "explain", False):
        import sys

        from rehearse.coaching.checkers import explain
        from rehearse.coaching.scoring import original_words

        print("\n".join(explain(original_words(transcript))), file=sys.stderr)
    return 0 if result.verdict == "pass" else 1


def _save(result, transcript, archetype: str, audio_path, personal=None) -> str:
    from rehearse.coaching.scoring import checker_name
    from rehearse.store.sessions import Store

    store = Store()
    source = "file" if audio_path else "text"
    with store.db.transaction():  # the row and its score are saved together or not at all
        session_id = store.create(mode="score", archetype=archetype, source=source, audio_path=audio_path,
                                  status="complete")
        store.save_scored(session_id, score=result, words=transcript.words, transcript=transcript.text,
                          engine=transcript.engine, duration_s=transcript.duration_s,
                          checker=checker_name(), extra=None if personal is None else {"personal": personal})
    return session_id


BATCH_LIMIT_BYTES = 64 << 20
"""A batch file larger than this is refused (64 MB is some 100,000 openings)."""


def _read_text(path: Path) -> str:
    from rehearse.core.inputs import read_text

    return read_text(path, "text file")


def _text_transcript(text: str):
    from rehearse.core.errors import RehearseError
    from rehearse.core.model import Transcript

    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RehearseError("The opening holds characters that are not valid text (lone surrogates); "
                            "type it again as plain text.") from None
    return Transcript(text=" ".join(text.split()))


def _transcribe(path: Path, engine_name, model=None):
    from rehearse.api import transcribe

    return transcribe(path, engine_name, model)


PARALLEL_TEXT_LINES = 1000
"""A batch of typed openings only is worth more processes from this many lines on (one opening is scored
in a few milliseconds; starting a process and loading the model takes about a second)."""


def _run_batch(path: Path, engine_name, model=None, jobs=None) -> int:
    """One result per input line, in input order; a bad line yields {"id", "error"} and the rest run.

    Lines are scored in ``jobs`` processes (default: every core when the batch holds audio or at least
    :data:`PARALLEL_TEXT_LINES` openings); each process decodes audio with its share of the cores."""
    import os

    from rehearse.core.inputs import read_text

    lines = read_text(path, "batch file", BATCH_LIMIT_BYTES).splitlines()
    base = str(path.resolve().parent)
    work = [(number, line, base, engine_name, model) for number, line in enumerate(lines, start=1) if line.strip()]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs is None:
        has_audio = any('"audio"' in line for _, line, *_ in work)
        jobs = cores if (has_audio or len(work) >= PARALLEL_TEXT_LINES) else 1
    jobs = max(1, min(jobs, len(work)))
    if jobs == 1:
        for item in work:
            emit_json(_score_line(item))
        return 0
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: a fresh interpreter per worker, never a fork of threads that hold locks
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_worker_init, initargs=(max(1, cores // jobs),)) as pool:
        for result in pool.map(_score_line, work, chunksize=max(1, min(64, len(work) // (jobs * 8)))):
            emit_json(result)
    return 0


def _worker_init(threads: int) -> None:
    """A batch worker: its engine decodes, and the checks' encoder runs, with ``threads`` threads, so
    the workers share the cores."""
    import signal

    from rehearse.coaching import contextual_ct2
    from rehearse.speech.engines import whisper

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    whisper.CPU_THREADS = threads
    contextual_ct2.THREADS = threads


def _score_line(work) -> dict:
    """Score one batch line: ``(number, line, base folder, engine, model)`` -> its result or error."""
    from rehearse.api import score_transcript
    from rehearse.core import archetypes
    from rehearse.core.errors import RehearseError

    number, line, base, engine_name, model = work
    item_id = None
    try:
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RehearseError(f"line {number} is not valid JSON ({exc.msg})")
        if not isinstance(item, dict):
            raise RehearseError(f"line {number} must be a JSON object")
        item_id = item.get("id")
        if "archetype" not in item:
            raise RehearseError(f"line {number} has no archetype")
        archetype = archetypes.get(str(item["archetype"]))
        if "audio" in item and item["audio"] is not None:
            audio_path = Path(str(item["audio"]))
            if not audio_path.is_absolute():
                audio_path = Path(base) / audio_path
            transcript = _transcribe(audio_path, engine_name, model)
            if transcript.is_empty:
                raise RehearseError(f"no speech was heard in {audio_path}")
        elif isinstance(item.get("text"), str):
            transcript = _text_transcript(item["text"])
            if transcript.is_empty:
                raise RehearseError(f"line {number} has an empty text")
        else:
            raise RehearseError(f"line {number} needs a \"text\" string or an \"audio\" path")
        return {"id": item_id, **score_transcript(transcript, archetype).to_json()}
    except RehearseError as err:
        return {"id": item_id, "error": str(err)}
    except Exception as exc:  # noqa: BLE001 - one bad line must never end the batch
        return {"id": item_id, "error": f"line {number} could not be scored ({type(exc).__name__}: {exc})"}
