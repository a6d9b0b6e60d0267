"""Accuracy and speed of the scorer on a labelled corpus of openings.

    python scripts/bench_scoring.py [CORPUS.jsonl ...] [--errors] [--batch 5000] [--checker NAME]

Prints, per check, precision, recall and F1 with the confusion counts (tp fp fn tn) against the
coach's labels, then the throughput: openings scored per second over a batch made by repeating the
corpus. Defaults to tests/data/openings.jsonl and every tests/data/openings_holdout*.jsonl.
Targets: F1 >= 0.90 on every check, >= 0.95 on thanks_for_callback; >= 1,000 openings per second for
the rules (the model and the ensemble: <= 30 ms per opening, see scripts/bench_checkers.py).
``--checker`` picks rules, model or ensemble (default: the default checker).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.core import archetypes  # noqa: E402
from rehearse.core.model import CHECK_NAMES, Transcript  # noqa: E402
from rehearse.coaching import checkers, scoring  # noqa: E402

CHECKER = None


def score(transcript, archetype):
    return scoring.score(transcript, archetype, checker=CHECKER)

TARGETS = {name: 0.90 for name in CHECK_NAMES} | {"thanks_for_callback": 0.95}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(items: list[dict]) -> tuple[dict[str, dict[str, int]], list[str]]:
    counts = {name: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for name in CHECK_NAMES}
    errors = []
    for item in items:
        result = score(Transcript(item["text"]), archetypes.get(item["archetype"]))
        for name in CHECK_NAMES:
            got, want = result.checks[name].passed, bool(item["labels"][name])
            key = ("tp" if want else "fp") if got else ("fn" if want else "tn")
            counts[name][key] += 1
            if got != want:
                errors.append(f"{item['id']:>6} {name:<26} want={want!s:<5} got={got!s:<5} "
                              f"score={result.checks[name].score:>3}  {item['text'][:110]}")
    return counts, errors


def prf(c: dict[str, int]) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def report(name: str, items: list[dict], show_errors: bool) -> bool:
    counts, errors = evaluate(items)
    asr = sum(1 for i in items if i.get("style") == "asr")
    print(f"\n{name}: {len(items)} openings ({asr} speech-recognition style)")
    print(f"{'check':<28}{'P':>6}{'R':>6}{'F1':>6}{'target':>8}   tp  fp  fn  tn")
    ok = True
    for check in CHECK_NAMES:
        p, r, f = prf(counts[check])
        c = counts[check]
        met = f >= TARGETS[check]
        ok &= met
        print(f"{check:<28}{p:6.2f}{r:6.2f}{f:6.2f}{TARGETS[check]:>7.2f}{'' if met else '!'}  "
              f"{c['tp']:>3} {c['fp']:>3} {c['fn']:>3} {c['tn']:>3}")
    if show_errors and errors:
        print("\n".join(errors))
    return ok


def throughput(items: list[dict], batch: int) -> float:
    arch = {name: archetypes.get(name) for name in {i["archetype"] for i in items}}
    jobs = [(Transcript(items[k % len(items)]["text"]), arch[items[k % len(items)]["archetype"]])
            for k in range(batch)]
    score(*jobs[0])  # rules are read once, on first use
    t0 = time.perf_counter()
    for transcript, archetype in jobs:
        score(transcript, archetype)
    return batch / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", type=Path)
    ap.add_argument("--errors", action="store_true", help="list every disagreement with the labels")
    ap.add_argument("--batch", type=int, default=5000, help="openings in the throughput batch")
    ap.add_argument("--checker", choices=("rules", "model", "ensemble"), help="default: the default checker")
    args = ap.parse_args(argv)
    global CHECKER
    CHECKER = checkers.checker_named(args.checker) if args.checker else checkers.default_checker()
    print(f"checker: {CHECKER.name}")
    corpora = args.corpora or [p for p in (ROOT / "tests/data/openings.jsonl",
                                           *sorted((ROOT / "tests/data").glob("openings_holdout*.jsonl")))
                   if p.exists()]
    ok = True
    all_items: list[dict] = []
    for path in corpora:
        items = load(path)
        all_items += items
        ok &= report(path.name, items, args.errors)
    rate = throughput(all_items, args.batch)
    if CHECKER.name == "rules":
        print(f"\nthroughput: {rate:,.0f} openings/second over a batch of {args.batch:,} (target 1,000)")
        ok &= rate >= 1000
    else:
        print(f"\nthroughput: {rate:,.0f} openings/second ({1000 / rate:.1f} ms each on average) over a batch of "
              f"{args.batch:,}; per-opening p95 in scripts/bench_checkers.py")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
