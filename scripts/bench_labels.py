"""Label reliability: how far two coaches agree on the same openings, and the checks beside them.

    python scripts/bench_labels.py SET.jsonl SECOND.jsonl [SET2.jsonl SECOND2.jsonl ...] [--checker NAME]

``SET.jsonl`` is a labelled set (``{"id", "archetype", "style", "text", "labels"}``, its writer's
labels); ``SECOND.jsonl`` the same openings labelled again by a second coach who saw only the labelling
guide and the texts (``{"id", "labels", "reason"}``, every id of the set once). The second labels of
the tuning sets are kept in ``tests/data/blind/second_labels/``.

Per check, on each pair of files and pooled:

- ``agree``: openings both coaches labelled alike; ``kappa``: Cohen's kappa (agreement beyond what
  the two coaches' rates of "true" would give by chance);
- ``coach2``: F1 of the second coach against the writer: the figure a human reaches on the measure
  the checks' targets use (F1 >= 0.92);
- ``checks/writer``, ``checks/coach2``: F1 of the checks (the default checker, or ``--checker``)
  against each coach; ``checks/both``: against the openings both coaches label alike only (n beside it);
- ``split``: on the openings the coaches disagree on, how many the checks decide as the writer did /
  as the second coach did.

Then the measure of the spoken target (>= 95%): the openings whose archetype's required checks
(``rehearse/core/archetypes.py``) are all labelled alike by the two coaches, and decided alike by the
checks and each coach. Counts only: the texts are not printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_scoring import load, prf  # noqa: E402
from rehearse.coaching import checkers  # noqa: E402
from rehearse.core import archetypes  # noqa: E402
from rehearse.core.model import CHECK_NAMES  # noqa: E402

SHORT = {"leads_with_accomplishment": "lead", "asks_first_year_question": "first-year q",
         "asks_contributor_question": "contributor q", "thanks_for_callback": "thanks",
         "quantified_result": "number"}


def counts(got: list[bool], want: list[bool]) -> dict[str, int]:
    c = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for g, w in zip(got, want):
        c[("tp" if w else "fp") if g else ("fn" if w else "tn")] += 1
    return c


def f1(got: list[bool], want: list[bool]) -> float:
    return prf(counts(got, want))[2]


def kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two raters' yes/no labels; 1.0 when they agree and chance agreement is total."""
    n = len(a)
    if not n:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def paired(set_path: Path, second_path: Path) -> list[dict]:
    """The set's items, each with ``second`` (the second coach's labels). Refuses a second file that
    misses or repeats an id, or lacks a label."""
    items = load(set_path)
    second: dict[str, dict] = {}
    for row in load(second_path):
        if row["id"] in second:
            raise SystemExit(f"{second_path}: id {row['id']} appears twice")
        second[row["id"]] = row["labels"]
    missing = [it["id"] for it in items if it["id"] not in second]
    extra = sorted(set(second) - {it["id"] for it in items})
    if missing or extra:
        raise SystemExit(f"{second_path}: ids missing {missing[:3]} or not in {set_path.name} {extra[:3]}")
    for it in items:
        labels = second[it["id"]]
        if any(not isinstance(labels.get(name), bool) for name in CHECK_NAMES):
            raise SystemExit(f"{second_path}: {it['id']} lacks a true/false label")
        it["second"] = labels
    return items


def report(title: str, items: list[dict]) -> list[str]:
    lines = [f"\n{title} ({len(items)} openings)",
             f"{'':<15}{'agree':>7}{'kappa':>7}{'coach2':>8}{'checks/writer':>15}{'checks/coach2':>15}"
             f"{'checks/both':>13}{'n':>5}{'split':>9}"]
    for name in CHECK_NAMES:
        w = [bool(it["labels"][name]) for it in items]
        s = [bool(it["second"][name]) for it in items]
        g = [it["got"][name] for it in items]
        both = [i for i in range(len(items)) if w[i] == s[i]]
        split = [i for i in range(len(items)) if w[i] != s[i]]
        with_w = sum(g[i] == w[i] for i in split)
        lines.append(
            f"{SHORT[name]:<15}{100 * len(both) / len(items):>6.1f}%{kappa(w, s):>7.2f}{f1(s, w):>8.3f}"
            f"{f1(g, w):>15.3f}{f1(g, s):>15.3f}{f1([g[i] for i in both], [w[i] for i in both]):>13.3f}"
            f"{len(both):>5}{f'{with_w}/{len(split) - with_w}':>9}")

    def required_alike(it: dict, a: dict, b: dict) -> bool:
        return all(bool(a[c]) == bool(b[c]) for c in archetypes.get(it["archetype"]).required_checks)

    n = len(items)
    coaches = sum(required_alike(it, it["labels"], it["second"]) for it in items)
    vs_writer = sum(required_alike(it, it["got"], it["labels"]) for it in items)
    vs_second = sum(required_alike(it, it["got"], it["second"]) for it in items)
    agreed = [it for it in items if required_alike(it, it["labels"], it["second"])]
    on_agreed = sum(required_alike(it, it["got"], it["labels"]) for it in agreed)
    lines.append(f"required checks alike: coaches {100 * coaches / n:.1f}%, checks and writer "
                 f"{100 * vs_writer / n:.1f}%, checks and coach 2 {100 * vs_second / n:.1f}%, checks where the "
                 f"coaches agree {100 * on_agreed / max(1, len(agreed)):.1f}% ({len(agreed)})")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path, help="pairs: SET.jsonl SECOND.jsonl ...")
    ap.add_argument("--checker", choices=("rules", "model", "ensemble"), help="default: the default checker")
    args = ap.parse_args(argv)
    if len(args.files) % 2:
        ap.error("give the files in pairs: a labelled set, then its second labels")
    checker = checkers.checker_named(args.checker) if args.checker else checkers.default_checker()
    print(f"checker: {checker.name}")
    pooled: list[dict] = []
    for set_path, second_path in zip(args.files[::2], args.files[1::2]):
        items = paired(set_path, second_path)
        for it in items:
            findings = checker(it["text"].split(), archetypes.get(it["archetype"]))
            it["got"] = {name: bool(findings[name].passed) for name in CHECK_NAMES}
        pooled += items
        print("\n".join(report(set_path.name, items)))
    if len(args.files) > 2:
        print("\n".join(report("pooled", pooled)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
