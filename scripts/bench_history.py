#!/usr/bin/env python3
"""Benchmark of `rehearse history` and `rehearse progress` over 10,000 saved sessions.

Fills a temporary REHEARSE_HOME with N sessions (direct inserts in one transaction, each with a full
score object, 60 timed words and the denormalised figures the store keeps), then times each command
as a fresh subprocess and prints the median of several runs. Targets (issue 5): history <= 0.2 s,
progress <= 1 s.

    .venv/bin/python scripts/bench_history.py [--sessions N] [--runs K] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.core.model import CHECK_NAMES, CheckResult, Metrics, Score, Word  # noqa: E402
from rehearse.store.sessions import Store, score_columns  # noqa: E402

ARCHETYPES = {
    "storyteller": ("leads_with_accomplishment", "thanks_for_callback"),
    "salesperson": ("leads_with_accomplishment", "asks_first_year_question", "asks_contributor_question"),
    "challenger": ("leads_with_accomplishment", "quantified_result"),
}
VOCAB = ("thank you for asking me back i was charged with cutting our release time and we rebuilt the "
         "pipeline so releases went from two weeks to three days um what would a very successful first "
         "year accomplish uh you know").split()


def fake_session(i: int, rng: random.Random, start: datetime):
    archetype = rng.choice(list(ARCHETYPES))
    progress = i / 10_000
    n = 60
    step = rng.uniform(0.3, 0.5)
    words = [Word(rng.choice(VOCAB), k * step, k * step + step * 0.9) for k in range(n)]
    checks = {}
    for name in CHECK_NAMES:
        passed = rng.random() < 0.4 + 0.5 * progress
        index = rng.randrange(0, n - 5) if passed else None
        checks[name] = CheckResult(
            passed=passed, required=name in ARCHETYPES[archetype], score=rng.randint(60, 100) if passed else
            rng.randint(0, 59), evidence=" ".join(w.word for w in words[index:index + 5]) if passed else None,
            word_index=index, seconds=words[index].start if passed else None,
            advice=None if passed else "Say it in the first sentence.")
    spoken = words[-1].end - words[0].start
    fillers = rng.randint(0, 8)
    score = Score(archetype=archetype, transcript=" ".join(w.word for w in words), engine="pocketsphinx",
                  checks=checks, metrics=Metrics(words=n, duration_s=spoken + 1.0, wpm=n / spoken * 60,
                                                 fillers=fillers, fillers_per_min=fillers / spoken * 60))
    started = (start + timedelta(minutes=30 * i)).isoformat(timespec="seconds")
    sid = f"{(start + timedelta(minutes=30 * i)).strftime('%Y%m%d-%H%M%S')}-{i:04x}"
    return sid, started, archetype, words, score


def fill(home: Path, count: int) -> float:
    began = time.perf_counter()
    store = Store(home / "rehearse.db")
    rng = random.Random(5)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    conn = store._conn
    conn.execute("BEGIN")
    for i in range(count):
        sid, started, archetype, words, score = fake_session(i, rng, start)
        cols = score_columns(score)
        words_json = json.dumps([w.to_json() for w in words])
        mode = rng.choice(("practice", "practice", "drill", "score"))
        conn.execute(
            "INSERT INTO sessions (id, started_at, mode, archetype, prompt_id, prompt_text, source, status, "
            "audio_path, duration_s, engine, transcript, words_json, score_json, verdict, wpm, fillers_per_min, "
            "first_accomplishment_s, scored_at) VALUES (?, ?, ?, ?, ?, ?, 'microphone', 'complete', ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?)",
            (sid, started, mode, archetype, f"{archetype}-1", "So, tell me where you would like to start.",
             str(home / "recordings" / f"{sid}.wav"), score.metrics.duration_s, score.engine, score.transcript,
             words_json, cols["score_json"], cols["verdict"], cols["wpm"], cols["fillers_per_min"],
             cols["first_accomplishment_s"], started))
        conn.execute(
            "INSERT INTO scores (session_id, scored_at, reason, engine, transcript, words_json, score_json, "
            "verdict) VALUES (?, ?, 'original', ?, ?, ?, ?, ?)",
            (sid, started, score.engine, score.transcript, words_json, cols["score_json"], cols["verdict"]))
    conn.execute("COMMIT")
    store.close()
    return time.perf_counter() - began


def time_command(args: list[str], runs: int, env: dict, before_each=None) -> tuple[float, list[float], float]:
    """Median wall time, all wall times, and median CPU time (user + system) of a fresh process per run.

    CPU time is what the command costs whatever else the machine is doing; wall time also includes
    waiting for a CPU when other processes are busy (see the load average printed first).
    """
    import resource

    times, cpu = [], []
    for _ in range(runs):
        if before_each:
            before_each()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "rehearse", *args], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"rehearse {' '.join(args)} failed: {done.stderr.strip()}")
    return statistics.median(times), times, statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the filled REHEARSE_HOME and print it")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="rehearse-bench-"))
    try:
        fill_s = fill(home, args.sessions)
        size_mb = (home / "rehearse.db").stat().st_size / 1e6
        print(f"{args.sessions} sessions written in {fill_s:.2f} s (database {size_mb:.1f} MB)")
        env = {**os.environ, "REHEARSE_HOME": str(home), "PYTHONPATH": str(ROOT),
               # as an installed rehearse runs: bytecode cached (kept out of the source tree)
               "PYTHONPYCACHEPREFIX": str(home / "pycache"), "MPLBACKEND": "Agg"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        time_command(["progress"], 1, env)  # warm the file and bytecode caches
        print(f"load average before timing: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"on {os.cpu_count()} CPUs")
        print(f"(targets are judged on the wall-time median)")
        baseline = statistics.median(
            _time([sys.executable, "-c", "pass"], env) for _ in range(args.runs))
        print(f"python start-up alone: {baseline * 1000:.0f} ms (median of {args.runs})")
        chart = home / "progress.png"
        cases = [
            (["history"], 0.2, "", None),
            (["history", "--archetype", "challenger", "--since", "2025-06-01"], 0.2, "", None),
            (["history", "--json"], None, "(all 10,000 rows)", None),
            (["progress", "--no-chart"], None, "", None),
            (["progress"], 1.0, "(chart drawn)", lambda: chart.unlink(missing_ok=True)),
            (["progress"], 1.0, "(chart up to date)", None),
            (["progress", "--json", "--no-chart"], None, "", None),
        ]
        for command, target, note, before_each in cases:
            median, times, cpu = time_command(command, args.runs, env, before_each)
            verdict = "" if target is None else ("  OK" if median <= target else "  OVER")
            goal = f" (target <= {target:g} s)" if target else ""
            label = f"{' '.join(command)} {note}".strip()
            print(f"rehearse {label:50} wall median {median:.3f} s (min {min(times):.3f}), "
                  f"CPU {cpu:.3f} s{goal}{verdict}")
    finally:
        if args.keep:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _time(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
