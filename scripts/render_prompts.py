#!/usr/bin/env python3
"""Render every packaged interviewer prompt into ``audio_prompts/<id>.wav``, and every line of the mock
interview's interviewers (``rehearse/data/interview.toml``: replies, closing lines, the storyteller's
monologue) into ``audio_prompts/<id>.ogg``, and write the manifest.

    python scripts/render_prompts.py               # render all, rewrite manifest.json
    python scripts/render_prompts.py --check       # exit 1 listing stale or missing audio
    python scripts/render_prompts.py --only-stale  # render just the stale or missing ones

Prompts are 16 kHz mono 16-bit WAV (espeak-ng through pyttsx3, or the espeak-ng program when pyttsx3
fails; see rehearse/audio/tts.py; the manifest records which). Interview lines are the same speech
stored as 16 kHz Ogg Vorbis: forty lines as WAV would triple the folder (about 10 MB), as Vorbis they
add about 1 MB. Prints the render time of each prompt and the folder's total size.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rehearse.audio import tts  # noqa: E402

from rehearse.audio import prompt_audio  # noqa: E402
from rehearse.audio.pcm import load  # noqa: E402
from rehearse.coaching.interview import packaged_line_prompts  # noqa: E402
from rehearse.core.archetypes import packaged_prompts as archetype_prompts  # noqa: E402
from rehearse.core.errors import RehearseError  # noqa: E402


LINE_FORMAT = ("OGG", "VORBIS", ".ogg")


def packaged_prompts() -> list:
    """The archetypes' prompts and the interview lines: everything shipped pre-rendered."""
    return archetype_prompts() + packaged_line_prompts()


def file_name(prompt) -> str:
    lines = {p.id for p in packaged_line_prompts()}
    return f"{prompt.id}{LINE_FORMAT[2] if prompt.id in lines else '.wav'}"


def render_to(prompt, path: Path, voice: str, rate: int):
    """Render ``prompt`` into ``path`` (WAV, or Ogg Vorbis for an .ogg path); the tts result."""
    if path.suffix != LINE_FORMAT[2]:
        return tts.render_detailed(prompt.text, path, voice=voice, rate=rate)
    import soundfile

    wav = path.with_suffix(".tmp.wav")
    try:
        rendered = tts.render_detailed(prompt.text, wav, voice=voice, rate=rate)
        audio = rendered.audio
        soundfile.write(str(path), audio.samples, audio.sample_rate, format=LINE_FORMAT[0], subtype=LINE_FORMAT[1])
    finally:
        wav.unlink(missing_ok=True)
    return rendered


def stale_prompts(folder: Path) -> list[tuple[object, str]]:
    manifest = prompt_audio.read_manifest(folder)
    result = []
    for prompt in packaged_prompts():
        reason = prompt_audio.stale_reason(prompt, manifest.get(prompt.id), folder)
        if reason:
            result.append((prompt, reason))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "audio_prompts", help="output folder")
    parser.add_argument("--check", action="store_true", help="exit 1 if any prompt's audio is stale or missing")
    parser.add_argument("--only-stale", action="store_true", help="render only stale or missing prompts")
    parser.add_argument("--voice", default=tts.DEFAULT_VOICE, help=f"espeak-ng voice (default {tts.DEFAULT_VOICE})")
    parser.add_argument("--rate", type=int, default=tts.DEFAULT_RATE, help=f"words per minute (default {tts.DEFAULT_RATE})")
    args = parser.parse_args(argv)
    folder: Path = args.out

    if args.check:
        stale = stale_prompts(folder)
        for prompt, reason in stale:
            print(f"stale: {prompt.id}: {reason}")
        if stale:
            print(f"{len(stale)} prompt(s) need rendering; run scripts/render_prompts.py --only-stale")
            return 1
        print(f"all {len(packaged_prompts())} prompts are current")
        return 0

    prompts = packaged_prompts()
    if args.only_stale:
        wanted = {p.id for p, _ in stale_prompts(folder)}
        todo = [p for p in prompts if p.id in wanted]
    else:
        todo = prompts
    current = {p.id for p in prompts}
    entries = {pid: e for pid, e in prompt_audio.read_manifest(folder).items() if pid in current}

    try:
        infos: dict[str, dict] = {}
        total_render = 0.0
        for prompt in todo:
            name = file_name(prompt)
            started = time.perf_counter()
            rendered = render_to(prompt, folder / name, args.voice, args.rate)
            elapsed = time.perf_counter() - started
            audio = load(folder / name)  # as it will be played (Vorbis is decoded back)
            if rendered.backend not in infos:  # the manifest names what really spoke each prompt
                infos[rendered.backend] = (tts.engine_info() if rendered.backend == tts.PYTTSX3
                                           else tts.program_info()).to_json()
            info = infos[rendered.backend]
            for problem in rendered.problems:
                print(f"{prompt.id:16s} note: {problem}")
            total_render += elapsed
            entries[prompt.id] = prompt_audio.PromptAudio(
                prompt_id=prompt.id,
                file=name,
                text=prompt.text,
                text_sha256=prompt_audio.text_sha256(prompt.text),
                voice=tts.voice_id(args.voice),
                rate=args.rate,
                engine=info,
                sample_rate=audio.sample_rate,
                duration_s=audio.duration_s,
            )
            print(f"{prompt.id:16s} {audio.duration_s:5.1f} s audio  rendered in {elapsed * 1000:6.0f} ms")
    except RehearseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    # Drop files of prompts that no longer exist.
    for old in [*folder.glob("*.wav"), *folder.glob("*.ogg")]:
        if old.stem not in current or old.name != file_name(next(p for p in prompts if p.id == old.stem)):
            old.unlink()
            print(f"removed {old.name} (no such packaged prompt)")
    prompt_audio.write_manifest(folder, entries.values())
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    if todo:
        print(f"rendered {len(todo)} prompt(s) in {total_render:.2f} s "
              f"({total_render / len(todo) * 1000:.0f} ms each on average)")
    else:
        print("nothing to render")
    print(f"{folder.name}/ holds {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
