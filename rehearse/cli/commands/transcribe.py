"""`rehearse transcribe`: audio files to timed text, offline."""

from __future__ import annotations

from pathlib import Path

from rehearse.cli.commands._common import add_engine_flag, add_json_flag, emit_json

HELP = "Transcribe audio files offline."


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="audio files (WAV, FLAC, OGG)")
    add_engine_flag(parser)
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.audio import pcm as audio
    from rehearse.speech import engines
    from rehearse.core.errors import RehearseError

    engine = engines.get(args.engine, model=args.model)
    failed = 0
    for name in args.paths:
        path = Path(name)
        try:
            transcript = engine.transcribe(audio.load(path))
        except RehearseError as err:
            if len(args.paths) == 1:
                raise
            failed += 1
            if args.json:
                emit_json({"file": str(path), "error": str(err)})
            else:
                print(f"{path}: {err}")
            continue
        obj = {
            "file": str(path),
            "engine": transcript.engine,
            "text": transcript.text,
            "words": [w.to_json() for w in transcript.words],
            "duration_s": None if transcript.duration_s is None else round(transcript.duration_s, 3),
            "processing_s": None if transcript.processing_s is None else round(transcript.processing_s, 3),
        }
        if args.json:
            emit_json(obj)
        else:
            print(f"{path}: {transcript.text or '(no speech heard)'}")
    return 2 if failed else 0
