"""scripts/bench_combinations.py: rules and model combined, scored per combination on labelled files."""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import bench_combinations  # noqa: E402
from rehearse.core.model import CHECK_NAMES  # noqa: E402


def test_f1_counts_passes_against_what_was_wanted():
    assert bench_combinations.f1([(True, True), (True, False), (False, True), (False, False)]) == 0.5
    assert math.isnan(bench_combinations.f1([(False, False)]))


def _row(file: str, asr: bool, wanted: bool, model: bool, rules: bool) -> dict:
    passed = {how: model for how in bench_combinations.MODES} | {"rules": rules}
    return {"file": file, "asr": asr, "labels": dict.fromkeys(CHECK_NAMES, wanted),
            "passed": dict.fromkeys(CHECK_NAMES, passed)}


def test_the_report_scores_each_combination_per_style_and_file_and_marks_the_shipped_one():
    rows = [_row("a.jsonl", False, True, True, False), _row("b.jsonl", True, True, True, True),
            _row("b.jsonl", True, False, False, True)]
    lines = bench_combinations.report(rows, {"quantified_result": "model"})
    block = lines[lines.index("quantified_result") + 1:]
    assert block[0].split() == ["all", "typed", "asr", "a", "b"]
    rules = block[1 + bench_combinations.MODES.index("rules")].split()
    assert rules[0] == "rules" and [float(v) for v in rules[1:]] == [0.5, 0.0, 0.667, 0.0, 0.667]
    model = block[1 + bench_combinations.MODES.index("model")].split()
    assert model[0] == "*model" and all(float(v) == 1.0 for v in model[1:])
    # Where nothing says which combination ships, it is the rules (as the ensemble reads it).
    first = lines[lines.index(CHECK_NAMES[0]) + 1:]
    assert first[1 + bench_combinations.MODES.index("rules")].split()[0] == "*rules"
