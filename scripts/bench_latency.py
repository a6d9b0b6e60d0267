#!/usr/bin/env python3
"""Post-speech latency of `rehearse practice` on a long answer through the virtual microphone.

Starts a private PulseAudio daemon (as the tests do), builds an answer of about 90 s from the real
clips in ../shared/speech-samples joined by short pauses, runs `rehearse practice --json` in a
subprocess, plays the answer into the virtual microphone once it says Recording, and times:

- endpoint wait: from the end of the played speech to the end of recording (the --silence window
  that tells the speaker has stopped, plus audio buffering);
- processing: from the end of recording to the JSON result on stdout (the last segment's
  transcription, scoring and saving; the rest was transcribed while the answer was spoken).

With ``--enter`` the answer is ended as a person in a hurry would: Enter is pressed (on a
pseudo-terminal standing in for the keyboard) the moment the speech ends, so there is no silence
window to wait for.

    .venv/bin/python scripts/bench_latency.py [--engine whisper] [--seconds 90] [--silence 1.5] [--enter]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def build_answer(samples: Path, seconds: float, out: Path) -> float:
    from rehearse.audio import pcm as audio
    from rehearse.speech.wer import read_manifest

    pieces, total, rng = [], 0.0, np.random.default_rng(7)
    rows = read_manifest(samples)
    while total < seconds:
        for name, _, _ in rows:
            clip = _trim(audio.load(samples / name).to_rate(16000).samples)
            pause = np.zeros(int(rng.uniform(0.4, 0.9) * 16000), dtype=np.int16)
            pieces += [clip, pause]
            total += (len(clip) + len(pause)) / 16000
            if total >= seconds:
                break
    audio.save(audio.Audio(np.concatenate(pieces[:-1]), 16000), out)
    return audio.load(out).duration_s


def _trim(samples: np.ndarray, frame: int = 480, floor: float = 300.0) -> np.ndarray:
    """Cut a clip's leading and trailing quiet (some clips open with a second of room noise), so the
    only pauses in the answer are the ones placed between clips."""
    n = len(samples) // frame
    rms = np.sqrt(np.mean(samples[: n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms > floor)
    if not len(loud):
        return samples
    return samples[max(0, loud[0] - 5) * frame: min(n, loud[-1] + 6) * frame]


def run_once(mic, home: Path, answer: Path, engine: str, silence: float, enter: bool = False) -> dict:
    env = {**mic.env, "REHEARSE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    keyboard = terminal = None
    if enter:
        import os
        import pty

        keyboard, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "rehearse", "practice", "--archetype", "salesperson",
                             "--text-prompt", "--engine", engine, "--silence", str(silence),
                             "--max-seconds", "300", "--json"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=terminal if enter else subprocess.DEVNULL, text=True)
    while True:
        line = proc.stderr.readline()
        if not line:
            raise SystemExit("practice ended before recording: " + proc.stderr.read())
        if "Recording" in line:
            recording_at = time.monotonic()
            break
    player = mic.play(answer)
    player.wait()
    speech_end = time.monotonic()
    if enter:
        os.write(keyboard, b"\n")
    out = proc.stdout.readline()
    result_at = time.monotonic()
    proc.communicate(timeout=60)
    if enter:
        os.close(keyboard)
        os.close(terminal)
    result = json.loads(out)
    history = subprocess.run([sys.executable, "-m", "rehearse", "history", "--json"], env=env,
                             capture_output=True, text=True, check=True)
    duration = json.loads(history.stdout.splitlines()[0])["duration_s"]
    recording_end = recording_at + duration
    import sqlite3

    with sqlite3.connect(home / "rehearse.db") as db:
        stopped_by = db.execute("SELECT stopped_by FROM sessions WHERE id = ?", (result["session_id"],)).fetchone()[0]
    return {"engine": result["engine"], "words": result["metrics"]["words"], "recorded_s": duration,
            "stopped_by": stopped_by,
            "endpoint_wait_s": recording_end - speech_end, "processing_s": result_at - recording_end,
            "total_after_speech_s": result_at - speech_end}


def main() -> None:
    from virtual_audio import start_daemon, stop_daemon

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", help="engine(s) to time (default: whisper and pocketsphinx)")
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--silence", type=float, default=1.5)
    parser.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "speech-samples")
    parser.add_argument("--enter", action="store_true", help="press Enter as the speech ends")
    args = parser.parse_args()
    engines = args.engine or ["whisper", "pocketsphinx"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        length = build_answer(args.samples, args.seconds, tmp / "answer.wav")
        mic = start_daemon(tmp / "pulse")
        try:
            for engine in engines:
                r = run_once(mic, tmp / f"home-{engine}", tmp / "answer.wav", engine, args.silence, args.enter)
                ended = "Enter" if args.enter else f"silence window {args.silence} s"
                print(f"{r['engine']:12} answer {length:5.1f} s, {r['words']} words, ended by {r['stopped_by']}: "
                      f"endpoint wait {r['endpoint_wait_s']:.2f} s ({ended}), processing after "
                      f"recording {r['processing_s']:.2f} s, total after speech {r['total_after_speech_s']:.2f} s")
        finally:
            stop_daemon(mic)


if __name__ == "__main__":
    main()
