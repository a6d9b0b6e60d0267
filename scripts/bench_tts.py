#!/usr/bin/env python3
"""Reliability and speed of on-the-fly prompt speech (rehearse/audio/tts.py) on a busy machine.

    python scripts/bench_tts.py                      # 50 renders in one process, then 50 first renders
    python scripts/bench_tts.py --mode in-process    # only the renders in one process
    python scripts/bench_tts.py --renders 20 --no-busy

Renders distinct texts of 10-60 words (never cached: into a temporary folder, REHEARSE_HOME is not
touched) while a background process started here keeps one core busy (a Python busy loop; stopped
at the end). Two modes:
- ``in-process``: consecutive renders in this process, as a session rendering several prompts does;
- ``per-process``: each render in a fresh process, as every ``rehearse practice`` run with a user's
  own prompt does (engine start included: that first render is where pyttsx3 used to fail).
Prints, per mode, failures (a SpeechSynthesisError), fallbacks to the espeak-ng program, pyttsx3 runs
retried, and the median and maximum seconds per render.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORDS = (
    "accomplishment after again answer ask asked back before believe budget building called candidate "
    "change clients company contributor could customers deadline deliver did doubt during engineers "
    "experience first focus grew growth hired how impact improve interview last lead learned market "
    "measured months moved numbers often on-call outage people percent plan product project quarter "
    "questions reduced release results risk role sales second seen shipped since started success team "
    "tell thanks three time told trust twelve understand users want what when where which why with "
    "work worked would year years"
).split()


def texts(count: int, seed: int = 7) -> list[str]:
    """``count`` distinct prompts of 10-60 words, in sentences of 5-14 words."""
    rng = random.Random(seed)
    result: list[str] = []
    seen: set[str] = set()
    while len(result) < count:
        target = rng.randint(10, 60)
        sentences, words = [], 0
        while words < target:
            n = min(rng.randint(5, 14), target - words)
            chosen = [rng.choice(WORDS) for _ in range(n)]
            sentence = " ".join(chosen)
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice([".", ".", "?", ","]))
            words += n
        text = " ".join(sentences).rstrip(",") + ("" if sentences[-1][-1] in ".?" else ".")
        if text not in seen:
            seen.add(text)
            result.append(text)
    return result


def render_one(text: str, out: Path) -> dict:
    """Render ``text`` and report what happened (never raises a SpeechSynthesisError)."""
    from rehearse.audio import tts
    from rehearse.core.errors import SpeechSynthesisError

    started = time.perf_counter()
    try:
        rendered = tts.render_detailed(text, out)
    except SpeechSynthesisError as err:
        return {"error": str(err), "seconds": time.perf_counter() - started, "problems": []}
    return {
        "error": None,
        "seconds": time.perf_counter() - started,
        "backend": rendered.backend,
        "problems": list(rendered.problems),
        "audio_s": rendered.audio.duration_s,
    }


def run_in_process(prompts: list[str], folder: Path) -> list[dict]:
    return [render_one(text, folder / f"in-{i}.wav") for i, text in enumerate(prompts)]


def run_per_process(prompts: list[str], folder: Path) -> list[dict]:
    results = []
    for i, text in enumerate(prompts):
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(folder / f"p-{i}.wav")],
                              input=text, capture_output=True, text=True, timeout=300)
        try:
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            results.append({"error": f"the child process failed: {done.stderr.strip()[-300:]}", "seconds": 0.0,
                            "problems": []})
    return results


def report(mode: str, results: list[dict]) -> None:
    from rehearse.audio import tts

    failures = [r for r in results if r["error"]]
    fallbacks = [r for r in results if not r["error"] and r["backend"] != tts.PYTTSX3]
    retried = [r for r in results if not r["error"] and r["backend"] == tts.PYTTSX3 and r["problems"]]
    seconds = [r["seconds"] for r in results if not r["error"]]
    print(f"{mode:12s} renders {len(results):3d}  failures {len(failures):2d}  "
          f"fallbacks to the espeak-ng program {len(fallbacks):2d}  pyttsx3 retries {len(retried):2d}  "
          f"s/render median {statistics.median(seconds) if seconds else float('nan'):.3f} "
          f"max {max(seconds) if seconds else float('nan'):.3f}")
    for r in failures:
        print(f"  failure: {r['error']}")
    for r in fallbacks + retried:
        for problem in r["problems"]:
            print(f"  recovered from: {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=50, help="renders per mode (default 50)")
    parser.add_argument("--mode", choices=("in-process", "per-process", "both"), default="both")
    parser.add_argument("--no-busy", action="store_true", help="do not keep a core busy")
    parser.add_argument("--child", metavar="OUT", help=argparse.SUPPRESS)  # one render of stdin's text
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(render_one(sys.stdin.read(), Path(args.child))))
        return 0

    prompts = texts(args.renders)
    lengths = [len(t.split()) for t in prompts]
    print(f"{len(prompts)} distinct texts of {min(lengths)}-{max(lengths)} words; "
          f"{'no background load' if args.no_busy else 'one core kept busy by a background process'}")
    busy = None if args.no_busy else subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with tempfile.TemporaryDirectory(prefix="bench-tts-") as tmp:
            if args.mode in ("in-process", "both"):
                report("in-process", run_in_process(prompts, Path(tmp)))
            if args.mode in ("per-process", "both"):
                report("per-process", run_per_process(prompts, Path(tmp)))
    finally:
        if busy is not None:
            busy.terminate()
            busy.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
