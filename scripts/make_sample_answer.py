#!/usr/bin/env python3
"""Synthesise the demo's sample answer and the spoken openings used by the integration tests.

There is no human recording of these answers, so they are spoken by espeak-ng (through pyttsx3,
rehearse/audio/tts.py). Each text is rendered with a few voices and rates; every candidate is transcribed
with the default pocketsphinx engine and the one with the lowest word error rate is kept, exactly as
measured. Mild processing: resampled to 16 kHz and a faint Gaussian noise floor is added (espeak-ng's
digital silence otherwise confuses pocketsphinx's noise estimate and roughly doubles its errors).

    python scripts/make_sample_answer.py            # everything
    python scripts/make_sample_answer.py --only sample_answer

Writes rehearse/data/sample_answer.wav + sample_answer.toml (text, voice, transcript, WER) and
tests/data/openings_audio/<name>.wav + <name>.txt (the spoken text) + README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rehearse.audio import tts  # noqa: E402

from rehearse.speech import engines
from rehearse.audio.pcm import Audio, save  # noqa: E402
from rehearse.speech.wer import wer  # noqa: E402

NOISE_SIGMA = 30.0
"""Standard deviation of the added noise in 16-bit units (about -61 dBFS)."""
NOISE_SEED = 0
MAX_OPENING_S = 20.0

CANDIDATES = [
    ("gmw/en-us+klatt", 165),
    ("gmw/en-us+klatt", 180),
    ("gmw/en-us+klatt4", 165),
    ("gmw/en-us+f2", 180),
    ("gmw/en-us", 160),
]
"""(voice, words per minute) tried for every text; a short grid measured the klatt variant best."""

SAMPLE_TEXT = (
    "Thank you for asking me back. I was thinking about an accomplishment from the last six months. "
    "I was charged with cutting our release time, and I rebuilt the test pipeline so releases went "
    "from two weeks to three days. That let the team ship every week, and support tickets fell by "
    "thirty percent."
)

OPENINGS = {
    "storyteller-strong": (
        "Thank you for asking me back. I want to start with an accomplishment from the last six months. "
        "I led the move of our payment system to a new platform, and we cut the error rate by sixty percent."
    ),
    "salesperson-asks": (
        "I would like to ask two questions. If I were offered this position and was very successful in "
        "the first year, what would I have accomplished? And if after a few months I was seen as a very "
        "effective contributor, what leadership or team characteristics would I be showing?"
    ),
}


@dataclass
class Take:
    """One rendered candidate and how pocketsphinx heard it."""

    voice: str
    rate: int
    audio: Audio
    transcript: str
    wer: float


def add_noise_floor(audio: Audio, sigma: float, seed: int) -> Audio:
    rng = np.random.default_rng(seed)
    noisy = audio.samples.astype(np.float64) + rng.normal(0.0, sigma, len(audio.samples))
    return Audio(np.clip(np.round(noisy), -32768, 32767).astype(np.int16), audio.sample_rate)


def best_take(text: str, candidates, max_s: float | None = None) -> list[Take]:
    """Every candidate, best (lowest WER, then shortest) first."""
    engine = engines.get("pocketsphinx")
    takes = []
    with tempfile.TemporaryDirectory() as tmp:
        for voice, rate in candidates:
            audio = tts.render(text, Path(tmp) / "take.wav", voice=voice, rate=rate)
            audio = add_noise_floor(audio, NOISE_SIGMA, NOISE_SEED)
            if max_s is not None and audio.duration_s > max_s:
                print(f"  {voice} @ {rate}: {audio.duration_s:.1f} s is too long, skipped")
                continue
            heard = engine.transcribe(audio).text
            take = Take(voice, rate, audio, heard, wer(text, heard))
            print(f"  {voice} @ {rate} wpm: {audio.duration_s:.1f} s, WER {take.wer:.3f}: {heard}")
            takes.append(take)
    if not takes:
        raise SystemExit(f"no candidate fits in {max_s} s: shorten the text")
    return sorted(takes, key=lambda t: (t.wer, t.audio.duration_s))


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string here


def write_sample(take: Take, engine_info: dict, text: str) -> None:
    data_dir = ROOT / "rehearse" / "data"
    save(take.audio, data_dir / "sample_answer.wav")
    lines = [
        "# The demo's sample answer (rehearse/data/sample_answer.wav). Written by scripts/make_sample_answer.py.",
        "# It is SYNTHESISED speech, not a human recording: espeak-ng speaking the text below.",
        "synthesized = true",
        f"text = {toml_str(text)}",
        f"voice = {toml_str(take.voice)}",
        f"rate_wpm = {take.rate}",
        f"engine = {toml_str(engine_info['name'])}",
        f"engine_versions = {{ pyttsx3 = {toml_str(engine_info['pyttsx3'])}, espeak_ng = {toml_str(engine_info['synth'])} }}",
        f"processing = {toml_str(f'resampled to 16 kHz mono; Gaussian noise floor added (sigma {NOISE_SIGMA:g} of 32767, seed {NOISE_SEED})')}",
        f"sample_rate = {take.audio.sample_rate}",
        f"duration_s = {take.audio.duration_s:.3f}",
        "",
        "[pocketsphinx]",
        "# What the default engine heard when this file was made, and its word error rate against `text`.",
        f"transcript = {toml_str(take.transcript)}",
        f"wer = {take.wer:.3f}",
        "",
    ]
    (data_dir / "sample_answer.toml").write_text("\n".join(lines), encoding="utf-8")


def write_openings(results: dict[str, tuple[str, Take]], engine_info: dict) -> None:
    folder = ROOT / "tests" / "data" / "openings_audio"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (text, take) in sorted(results.items()):
        save(take.audio, folder / f"{name}.wav")
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
        rows.append(f"| {name} | {take.voice} | {take.rate} | {take.audio.duration_s:.1f} | {take.wer:.3f} | {take.transcript} |")
    readme = [
        "# Spoken openings for the integration tests",
        "",
        "Synthesised speech (no human recordings): espeak-ng "
        f"{engine_info['synth']} through pyttsx3 {engine_info['pyttsx3']}, 16 kHz mono, a faint noise floor added "
        f"(sigma {NOISE_SIGMA:g}). `<name>.txt` holds the spoken text. Regenerate with "
        "`python scripts/make_sample_answer.py --only openings`.",
        "",
        "| file | voice | wpm | seconds | pocketsphinx WER | pocketsphinx transcript |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    (folder / "README.md").write_text("\n".join(readme), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["sample_answer", "openings"], help="make just one part")
    args = parser.parse_args(argv)
    info = tts.engine_info().to_json()
    if args.only in (None, "sample_answer"):
        print("sample answer:")
        take = best_take(SAMPLE_TEXT, CANDIDATES)[0]
        write_sample(take, info, SAMPLE_TEXT)
        print(f"kept {take.voice} @ {take.rate} wpm, {take.audio.duration_s:.1f} s, WER {take.wer:.3f}")
    if args.only in (None, "openings"):
        results = {}
        for name, text in OPENINGS.items():
            print(f"{name}:")
            take = best_take(text, CANDIDATES, max_s=MAX_OPENING_S)[0]
            results[name] = (text, take)
            print(f"kept {take.voice} @ {take.rate} wpm, {take.audio.duration_s:.1f} s, WER {take.wer:.3f}")
        write_openings(results, info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
