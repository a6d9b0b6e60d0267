#!/usr/bin/env python3
"""Accuracy and cost of the personal checks on labelled pairs.

"Does this opening present my chosen accomplishment?" and "does it mention this topic?" are similarity
questions. Each input line is a labelled pair written by a coach who never saw the checks:

    {"id", "style", "opening", "entry": {"title", "situation", "action", "result"}, "presents": bool, "reason"}
    {"id", "style", "opening", "topic": "...", "mentions": bool, "reason"}

Prints, per file and style, precision, recall, F1, false matches (fp) and misses (fn), and the
milliseconds per pair.

    .venv/bin/python scripts/bench_personal.py tests/data/personal/*.jsonl [--errors] [--words-only]

By default the checks as shipped (the similarity model with the word matching; for topics, the trained
head over the words heard); ``--words-only`` the word matching alone (for topics: every name heard and
not denied). Figures on the development pairs are fit figures for the model: its honest estimate
there is ``scripts/train_personal.py``'s cross-validation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


WORDS_ONLY = False


def judge(item: dict) -> tuple[bool, bool]:
    """(label, the check's verdict) for one pair."""
    from rehearse.coaching import personal
    from rehearse.coaching.bank import Accomplishment
    from rehearse.core.model import Transcript

    transcript = Transcript(text=" ".join(item["opening"].split()))
    if "entry" in item:
        e = item["entry"]
        acc = Accomplishment(title=e["title"], situation=e.get("situation", ""), action=e.get("action", ""),
                             result=e.get("result", ""), best=True)
        targets, name, label = personal.Targets(accomplishment=acc), personal.PRESENTS, item["presents"]
    else:
        targets, name, label = personal.Targets(topics=(item["topic"],)), personal.MENTIONS, item["mentions"]
    if WORDS_ONLY and "topic" in item:  # the topic check without its trained head
        from rehearse.coaching.checks import load_rules as check_rules
        from rehearse.coaching.textnorm import normalize

        doc = normalize(transcript.text.split(), check_rules().norm)
        return bool(label), personal.check_topic(doc, transcript, item["topic"], personal.load_rules()).result.passed
    found = [r for r in (personal.check(transcript, targets, model=None) if WORDS_ONLY
                         else personal.check(transcript, targets)) if r.name == name]
    return bool(label), bool(found and found[0].result.passed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--errors", action="store_true", help="list every disagreement with the labels")
    parser.add_argument("--words-only", action="store_true",
                        help="the word matching alone (the fallback when the model is absent)")
    args = parser.parse_args(argv)
    global WORDS_ONLY
    WORDS_ONLY = args.words_only
    judge({"opening": "warm up", "topic": "warm up", "mentions": True})  # load data and models once
    print(f"{'file':28s} {'style':6s} {'n':>4s} {'P':>5s} {'R':>5s} {'F1':>5s} {'fp':>3s} {'fn':>3s} {'ms/pair':>8s}")
    for path in args.files:
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        results, elapsed = [], 0.0
        for item in items:
            started = time.perf_counter()
            results.append(judge(item))
            elapsed += time.perf_counter() - started
        for style in ("typed", "asr", "all"):
            rows = [(it, r) for it, r in zip(items, results) if style == "all" or it["style"] == style]
            tp = sum(1 for _, (g, p) in rows if g and p)
            fp = sum(1 for _, (g, p) in rows if p and not g)
            fn = sum(1 for _, (g, p) in rows if g and not p)
            prec = tp / (tp + fp) if tp + fp else 0.0
            rec = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            print(f"{path.name:28s} {style:6s} {len(rows):4d} {prec:5.2f} {rec:5.2f} {f1:5.2f} {fp:3d} {fn:3d} "
                  f"{1000 * elapsed / max(len(items), 1):8.2f}")
        if args.errors:
            for item, (gold, got) in zip(items, results):
                if gold != got:
                    what = item.get("topic") or item["entry"]["title"]
                    print(f"  {item['id']}: label {gold}, check {got} [{what}] {item['opening'][:140]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
