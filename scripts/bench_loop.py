#!/usr/bin/env python3
"""Benchmark of the rehearsal loop's basics, figures quoted in issue notes.

Prints: start-up time of `rehearse --help` and `rehearse history` (median of several runs, each a fresh
process), PocketSphinx real-time factor and word error rate on ../shared/speech-samples, and scoring
throughput (openings per second in one batch).

    .venv/bin/python scripts/bench_loop.py [--samples DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def time_command(args: list[str], runs: int, env: dict) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rehearse", *args], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_startup(runs: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "REHEARSE_HOME": home, "PYTHONPATH": str(ROOT)}
        time_command(["--version"], 1, env)  # warm the file cache
        baseline = statistics.median([_time_python(env) for _ in range(runs)])
        help_s = time_command(["--help"], runs, env)
        history_s = time_command(["history"], runs, env)
    print(f"start-up   rehearse --help   {help_s * 1000:7.0f} ms  (median of {runs}; bare python -c pass "
          f"{baseline * 1000:.0f} ms)")
    print(f"start-up   rehearse history  {history_s * 1000:7.0f} ms")


def _time_python(env) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=False)
    return time.perf_counter() - start


def bench_transcription(samples: Path) -> None:
    from rehearse.audio import pcm as audio
    from rehearse.speech import engines
    from rehearse.speech.wer import WerTally, read_manifest

    start = time.perf_counter()
    engine = engines.get("pocketsphinx")
    load_s = time.perf_counter() - start
    tally, audio_s, busy_s = WerTally(), 0.0, 0.0
    for name, _duration, reference in read_manifest(samples):
        clip = audio.load(samples / name)
        start = time.perf_counter()
        transcript = engine.transcribe(clip)
        busy_s += time.perf_counter() - start
        audio_s += clip.duration_s
        tally.add(reference, transcript.text)
    print(f"pocketsphinx  WER {tally.wer * 100:5.1f}%  ({tally.errors}/{tally.words} words)  "
          f"RTF {busy_s / audio_s:.3f}  ({audio_s:.1f} s audio)  model load {load_s:.2f} s")


def bench_scoring(n: int) -> None:
    from rehearse.core import archetypes
    from rehearse.coaching import scoring
    from rehearse.core.model import Transcript

    openings = [
        "thank you for asking me back i was thinking about an accomplishment from the last six months "
        "i was charged with cutting onboarding time and i rebuilt the program so new hires ramped up forty "
        "percent faster",
        "Thanks so much for having me back. Before we start: if I were offered this position and was very "
        "successful in the first year, what would I have accomplished?",
        "um well i have been in this industry for ten years and i am a hard worker who is passionate about "
        "people you know",
    ]
    kinds = list(archetypes.all_archetypes().values())
    items = [(Transcript(text=openings[i % 3]), kinds[i % len(kinds)]) for i in range(n)]
    start = time.perf_counter()
    for transcript, archetype in items:
        scoring.score(transcript, archetype)
    elapsed = time.perf_counter() - start
    print(f"scoring    {n / elapsed:9.0f} openings/s  ({n} in {elapsed:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "speech-samples")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    bench_startup(args.runs)
    if (args.samples / "manifest.tsv").exists():
        bench_transcription(args.samples)
    else:
        print(f"pocketsphinx  skipped: no samples at {args.samples}")
    bench_scoring(args.n)


if __name__ == "__main__":
    main()
