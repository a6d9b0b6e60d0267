"""Rules, model and ensemble side by side: cross-validated F1 per check and style, and speed.

    python scripts/bench_checkers.py [--data FILE.jsonl ...] [--folds 5] [--by-file] [--no-cv] [--no-speed]
        [--engine-text train|score-only|compare] [--calibration]

Accuracy: a k-fold cross-validation on the training data (tests/data/train/*.jsonl and the dev set
tests/data/openings.jsonl, never tests/data/blind/): the heads are retrained on each k-1 folds exactly as
``scripts/train_checks.py`` trains them, and rules, model and ensemble (the combination per check of
the packaged heads) are scored on the held-out fold; F1 per check, for all openings and per style
(typed, asr, and asr_engine: the engine's transcripts of spoken renders, tests/data/train/spoken.jsonl).
Folds are by source opening: an opening and the engine's transcripts of it are in the same fold.
``--engine-text compare`` runs the cross-validation twice on the same folds, trained without and with
the engine text, both scored on the written openings and on the engine text. ``--calibration`` adds
the expected calibration error and a reliability table of the ensemble's out-of-fold probabilities.
``--by-file`` adds a cross-writer run: train on all files but one, score that one.

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


def evaluate(ops, oof, combine, train_mask=None) -> dict:
    """check -> {"rules"|"model"|"ensemble": decisions} on out-of-fold scores (calibration and the
    stacker fitted on the openings ``train_mask`` marks)."""
    calib = T.fit_platt(ops, oof, train_mask)
    dec = T.decisions(ops, oof, calib, train_mask=train_mask)
    return {c: {"rules": dec[c]["rules"], "model": dec[c]["model"], "ensemble": dec[c][combine.get(c, "rules")]}
            for c in CHECK_NAMES}


def styles(ops) -> np.ndarray:
    return np.asarray([o.item.get("style", "typed") for o in ops])


def table(title: str, ops, dec, rows=None) -> list[str]:
    """F1 per check for rules, model and ensemble: all openings (of ``rows``, default all) and per style
    (typed, asr, and asr_engine: text written by a speech engine, when there is some)."""
    style = styles(ops)
    rows = np.ones(len(ops), bool) if rows is None else rows
    kinds = [s for s in ("typed", "asr", "asr_engine") if (style[rows] == s).any()]
    names = {"typed": "typed", "asr": "asr", "asr_engine": "engine"}
    counts = ", ".join(f"{int((style[rows] == s).sum())} {names[s]}" for s in kinds)
    lines = [f"\n{title}: {int(rows.sum())} openings ({counts})",
             f"{'check':<30}" + "".join(f"{w:>9}" + "".join(f"{names[s]:>7}" for s in kinds)
                                        for w in ("rules", "model", "ensemble"))]
    for c in CHECK_NAMES:
        want = T.labels(ops, c)
        row = f"{c:<30}"
        for who in ("rules", "model", "ensemble"):
            got = dec[c][who]
            cells = [T.f1(got[rows], want[rows])] + [T.f1(got[rows & (style == s)], want[rows & (style == s)])
                                                     for s in kinds]
            flag = "!" if who == "ensemble" and cells[0] < F1_TARGET else " "
            row += f"{cells[0]:8.3f}{flag}" + "".join(f"{v:7.3f}" for v in cells[1:])
        lines.append(row)
    return lines


def ensemble_probability(ops, oof, combine, train_mask=None) -> dict[str, np.ndarray]:
    """check -> the ensemble's out-of-fold probability (what the score shows, /100), combined as
    ``checkers.combine`` does."""
    calib = T.fit_platt(ops, oof, train_mask)
    stacked = T.stacked_oof(ops, oof, calib, train_mask=train_mask)
    out = {}
    for c in CHECK_NAMES:
        model = T.prob(oof[c], T.window_counts(ops, c), calib[c])
        rule_pass = np.asarray([o.rules[c][0] for o in ops])
        rule_p = np.asarray([o.rules[c][1] for o in ops])
        how = combine.get(c, "rules")
        if how == "stack":
            p = stacked[c]
        elif how == "rules":
            p = rule_p
        elif how == "model":
            p = model
        elif how == "or":
            p = np.where(rule_pass, np.maximum(rule_p, model), model)
        else:  # "and"
            p = np.where(rule_pass & (model >= 0.5), np.minimum(rule_p, model),
                         np.where(model < 0.5, model, np.minimum(rule_p, 0.49)))
        out[c] = p
    return out


ece = T.ece


def calibration(title: str, ops, probs: dict[str, np.ndarray], rows=None, bins: int = 10) -> list[str]:
    """ECE per check (all, per style) and a reliability table: per probability bin, how many openings,
    their mean probability and how often the coach said the check was done."""
    style = styles(ops)
    rows = np.ones(len(ops), bool) if rows is None else rows
    kinds = [s for s in ("typed", "asr", "asr_engine") if (style[rows] == s).any()]
    lines = [f"\n{title}: expected calibration error ({bins} bins; all, " + ", ".join(kinds) + ")"]
    for c in CHECK_NAMES:
        y = T.labels(ops, c).astype(float)
        cells = [ece(probs[c][rows], y[rows], bins)] + [ece(probs[c][rows & (style == s)], y[rows & (style == s)], bins)
                                                        for s in kinds]
        lines.append(f"  {c:<28}" + "".join(f"{v:7.3f}" for v in cells))
    lines.append("reliability (per bin: openings / mean probability / observed rate)")
    edges = [f"{b / bins:.1f}-{(b + 1) / bins:.1f}" for b in range(bins)]
    lines.append(f"  {'':<28}" + "".join(f"{e:>15}" for e in edges))
    for c in CHECK_NAMES:
        p, y = probs[c][rows], T.labels(ops, c)[rows].astype(float)
        idx = np.minimum((p * bins).astype(int), bins - 1)
        cells = []
        for b in range(bins):
            sel = idx == b
            cells.append(f"{int(sel.sum())}/{p[sel].mean():.2f}/{y[sel].mean():.2f}" if sel.any() else "-")
        lines.append(f"  {c:<28}" + "".join(f"{x:>15}" for x in cells))
    return lines


def by_file(paths, combine, seed) -> list[str]:
    lines = []
    everything = T.load_items(paths)
    for held in paths:
        test_items = T.load_items([held])
        if test_items and all(it.get("style") == "asr_engine" for it in test_items):
            continue  # engine text is another writer's openings heard, not a writer of its own
        held_ids = {it["id"] for it in test_items}
        # the engine's transcripts of the held file's openings are left out of training too
        train_ops = T.featurize([it for it in everything if it["id"] not in held_ids
                                 and it.get("source_id") not in held_ids])
        test_ops = T.featurize(test_items)
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
    ap.add_argument("--engine-text", choices=("train", "score-only", "compare"), default="train",
                    help="engine-written openings (style asr_engine, tests/data/train/spoken.jsonl): trained on "
                         "like the rest, only scored, or both runs side by side on the same folds")
    ap.add_argument("--calibration", action="store_true",
                    help="also the expected calibration error and a reliability table of the ensemble's "
                         "out-of-fold probabilities, per check")
    args = ap.parse_args(argv)
    paths = args.data or T.default_paths()
    items = T.load_items(paths)
    heads = semantic.load_heads()
    combine = heads.combine if heads else {}
    print(f"{len(items)} openings from {', '.join(p.name for p in paths)}; ensemble = {combine or 'rules only'}")
    if not args.no_cv:
        ops = T.featurize(items)
        engine = styles(ops) == "asr_engine"
        written = ~engine
        if args.engine_text == "compare" and engine.any():
            oof0 = T.cross_validate(ops, args.folds, args.seed, log=lambda *_: None, train_mask=written)
            dec0 = evaluate(ops, oof0, combine, train_mask=written)
            print("\n".join(table(f"{args.folds}-fold CV F1, trained WITHOUT engine text (scored on the written "
                                   "openings)", ops, dec0, rows=written)))
            print("\n".join(table("  the same, scored on the engine text of the held-out folds", ops, dec0, rows=engine)))
            if args.calibration:
                print("\n".join(calibration("  without engine text", ops,
                                             ensemble_probability(ops, oof0, combine, written), rows=written)))
        mask = written if args.engine_text == "score-only" else None
        oof = T.cross_validate(ops, args.folds, args.seed, log=lambda *_: None, train_mask=mask)
        dec = evaluate(ops, oof, combine, train_mask=mask)
        how = {"train": "trained with engine text", "compare": "trained WITH engine text",
               "score-only": "engine text only scored"}[args.engine_text] if engine.any() else ""
        if engine.any():
            print("\n".join(table(f"{args.folds}-fold CV F1, {how} (scored on the written openings)", ops, dec,
                                   rows=written)))
            print("\n".join(table("  the same, scored on the engine text of the held-out folds", ops, dec, rows=engine)))
        else:
            print("\n".join(table(f"{args.folds}-fold cross-validation F1 (all, per style)", ops, dec)))
        if args.calibration:
            print("\n".join(calibration(f"out-of-fold ensemble probabilities{', ' + how if how else ''}", ops,
                                         ensemble_probability(ops, oof, combine, mask))))
    if args.by_file:  # its own trainings: runs with --no-cv too
        print("\n".join(by_file(paths, combine, args.seed)))
    if not args.no_speed:
        print("\n".join(speed(items)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
