"""Rules, model and ensemble side by side: cross-validated F1 per check and style, and speed.

    python scripts/bench_checkers.py [--data FILE.jsonl ...] [--folds 5] [--by-file] [--no-cv] [--no-speed]

Accuracy: a k-fold cross-validation on the training data (tests/data/train/*.jsonl and the dev set
tests/data/openings.jsonl, never tests/data/blind/): the heads are retrained on each k-1 folds exactly as
``scripts/train_checks.py`` trains them, and rules, model and ensemble (the combination per check of
the packaged heads) are scored on the held-out fold; F1 per check, for all openings and per style
(typed, asr). ``--by-file`` adds a cross-writer run: train on all files but one, score that one.

Speed (the packaged heads): ms per opening p50/p95 for each checker over every opening once after a
warm-up, the model's load time in a fresh process, and the time of ``rehearse --help`` with whether it
loaded the model or numpy (it must not: the model loads only when an answer is scored).
Targets: F1 >= 0.92 per check; p95 <= 30 ms per opening; load <= 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_checks as T  # noqa: E402
from rehearse.coaching import checkers, semantic  # noqa: E402
from rehearse.core.model import CHECK_NAMES  # noqa: E402

F1_TARGET = 0.92
P95_TARGET_MS = 30.0
LOAD_TARGET_S = 0.5


def evaluate(ops, oof, combine) -> dict:
    """check -> {"rules"|"model"|"ensemble": decisions} on out-of-fold scores."""
    calib = {c: T.platt(oof[c], T.window_counts(ops, c), T.labels(ops, c)) for c in CHECK_NAMES}
    dec = T.decisions(ops, oof, calib)
    return {c: {"rules": dec[c]["rules"], "model": dec[c]["model"], "ensemble": dec[c][combine.get(c, "rules")]}
            for c in CHECK_NAMES}


def table(title: str, ops, dec) -> list[str]:
    style = np.asarray([o.item.get("style", "typed") for o in ops])
    lines = [f"\n{title}: {len(ops)} openings ({int((style == 'asr').sum())} asr)",
             f"{'check':<30}" + "".join(f"{w:>9}{'typed':>7}{'asr':>6}" for w in ("rules", "model", "ensemble"))]
    for c in CHECK_NAMES:
        want = T.labels(ops, c)
        row = f"{c:<30}"
        for who in ("rules", "model", "ensemble"):
            got = dec[c][who]
            cells = [T.f1(got, want)] + [T.f1(got[style == s], want[style == s]) for s in ("typed", "asr")]
            flag = "!" if who == "ensemble" and cells[0] < F1_TARGET else " "
            row += f"{cells[0]:8.3f}{flag}{cells[1]:7.3f}{cells[2]:6.3f}"
        lines.append(row)
    return lines


def by_file(paths, combine, seed) -> list[str]:
    lines = []
    for held in paths:
        train_ops = T.featurize(T.load_items([p for p in paths if p != held]))
        test_ops = T.featurize(T.load_items([held]))
        oof_train = T.cross_validate(train_ops, 5, seed, log=lambda *_: None)
        out = {c: np.zeros(len(test_ops)) for c in CHECK_NAMES}
        dec = {}
        for c in CHECK_NAMES:
            head = T.fit_head(train_ops, c, T.C[c], seed)
            out[c] = np.asarray([T.opening_logit(o, c, head) for o in test_ops])
            calib = T.platt(oof_train[c], T.window_counts(train_ops, c), T.labels(train_ops, c))
            stack = T.fit_stack(T.stack_x(train_ops, c, oof_train[c], calib), T.labels(train_ops, c))
            model = T.prob(out[c], T.window_counts(test_ops, c), calib) >= 0.5
            rules = np.asarray([o.rules[c][0] for o in test_ops])
            stacked = T.apply_stack(T.stack_x(test_ops, c, out[c], calib), stack) >= 0.5
            options = {"rules": rules, "model": model, "or": rules | model, "and": rules & model, "stack": stacked}
            dec[c] = {"rules": rules, "model": model, "ensemble": options[combine.get(c, "rules")]}
        lines += table(f"cross-writer: trained without {held.name}, scored on it", test_ops, dec)
    return lines


def speed(items) -> list[str]:
    words = [it["text"].split() for it in items]
    lines = ["\nspeed (packaged heads, one process, every opening once after a warm-up)"]
    for name in ("rules", "model", "ensemble"):
        try:
            checker = checkers.checker_named(name)
        except RuntimeError as exc:
            lines.append(f"  {name:<9} unavailable: {exc}")
            continue
        for w in words[:20]:
            checker(w, None)
        times = []
        for w in words:
            t0 = time.perf_counter()
            checker(w, None)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
        flag = "" if name == "rules" or p95 <= P95_TARGET_MS else "  (target p95 <= 30 ms)"
        lines.append(f"  {name:<9} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  max {times[-1]:6.1f} ms{flag}")
    load = ("import time; t=time.perf_counter(); from rehearse.coaching import semantic; "
            "m=semantic.load_model_checker(); print(time.perf_counter()-t, m is not None)")
    runs = [subprocess.run([sys.executable, "-c", load], cwd=ROOT, capture_output=True, text=True).stdout.split()
            for _ in range(3)]
    best = min(float(r[0]) for r in runs)
    lines.append(f"  model load in a fresh process: {best:.3f} s (best of 3; target <= {LOAD_TARGET_S} s)")
    helper = ("import sys, time, contextlib, io; t=time.perf_counter(); from rehearse.cli.main import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              "    try: main(['--help'])\n    except SystemExit: pass\n"
              "print(time.perf_counter()-t, 'rehearse.coaching.semantic' in sys.modules, 'numpy' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", helper], cwd=ROOT, capture_output=True, text=True).stdout.split()
            for _ in range(3)]
    best = min(float(r[0]) for r in runs)
    lines.append(f"  rehearse --help: {best:.3f} s (best of 3); model imported: {runs[0][1]}, numpy imported: {runs[0][2]}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", nargs="*", type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--by-file", action="store_true", help="also train on all files but one and score that one")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args(argv)
    paths = args.data or T.default_paths()
    items = T.load_items(paths)
    heads = semantic.load_heads()
    combine = heads.combine if heads else {}
    print(f"{len(items)} openings from {', '.join(p.name for p in paths)}; ensemble = {combine or 'rules only'}")
    if not args.no_cv:
        ops = T.featurize(items)
        oof = T.cross_validate(ops, args.folds, args.seed, log=lambda *_: None)
        print("\n".join(table(f"{args.folds}-fold cross-validation F1 (all, typed, asr)", ops, evaluate(ops, oof, combine))))
        if args.by_file:
            print("\n".join(by_file(paths, combine, args.seed)))
    if not args.no_speed:
        print("\n".join(speed(items)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
