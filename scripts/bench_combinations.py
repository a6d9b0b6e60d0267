"""How to combine rules and model, measured on labelled sets the packaged heads never saw.

    python scripts/bench_combinations.py FILE.jsonl [FILE.jsonl ...]

The training script chooses each check's combination by cross-validation on the training data, but
those are the sets on which the rules were once patched: there the rules look surer than on openings
nobody tuned them on. This scores the packaged heads and the rules on other labelled files (blind
sets that are tuning data already, never a fresh one: scoring one here spends it) and prints, per
check, the F1 of the rules alone, the model alone, the stacker as packaged, either and both
(``rehearse.coaching.checkers.combine``), for all openings and per style, per file and pooled; the
combination the heads file ships is marked with ``*``. Counts only: no opening's text is printed.
A combination chosen on these figures is a candidate like any other: a fresh blind set decides it
(the blind README's twenty-fourth round).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.coaching import checkers  # noqa: E402
from rehearse.coaching.checker_seam import matcher_for  # noqa: E402
from rehearse.core.model import CHECK_NAMES  # noqa: E402

MODES = ("rules", "model", "stack", "or", "and")


def f1(pairs: list[tuple[bool, bool]]) -> float:
    """F1 of (passed, wanted) pairs; nan when nothing was wanted or passed."""
    tp = sum(p and y for p, y in pairs)
    fp = sum(p and not y for p, y in pairs)
    fn = sum(y and not p for p, y in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")


def verdicts(checker: checkers.EnsembleChecker, text: str) -> dict[str, dict[str, bool]]:
    """check -> combination -> passed, for one opening (before the order of the opening is applied,
    which is the same for every combination)."""
    m = matcher_for(text.split())
    rules = checkers.rule_findings(m)
    model = checker.model.findings(m)
    return {c: {how: checkers.combine(how, rules[c], model[c], checker.stack.get(c)).passed for how in MODES}
            for c in CHECK_NAMES}


def score(checker, paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                item = json.loads(line)
                rows.append({"file": path.name, "asr": item.get("style") == "asr",
                             "labels": {c: bool(item["labels"][c]) for c in CHECK_NAMES},
                             "passed": verdicts(checker, item["text"])})
    return rows


def report(rows: list[dict], shipped: dict[str, str]) -> list[str]:
    files = sorted({r["file"] for r in rows})
    groups = [("all", rows), ("typed", [r for r in rows if not r["asr"]]), ("asr", [r for r in rows if r["asr"]])]
    if len(files) > 1:
        groups += [(Path(f).stem, [r for r in rows if r["file"] == f]) for f in files]
    out = [f"{len(rows)} openings from {', '.join(files)}"]
    for c in CHECK_NAMES:
        out.append(c)
        out.append(f"  {'':<11}" + "".join(f"{g:>10}" for g, _ in groups))
        for how in MODES:
            mark = "*" if shipped.get(c, "rules") == how else " "
            cells = [f1([(r["passed"][c][how], r["labels"][c]) for r in sel]) for _, sel in groups]
            out.append(f" {mark}{how:<11}" + "".join(f"{v:10.3f}" for v in cells))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args(argv)
    checker = checkers.default_checker()
    if not isinstance(checker, checkers.EnsembleChecker):
        print("the embedding package is not installed: there is no model to combine", file=sys.stderr)
        return 2
    print("\n".join(report(score(checker, args.files), checker.combine)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
