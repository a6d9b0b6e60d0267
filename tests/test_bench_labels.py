"""scripts/bench_labels.py: two coaches' labels of the same openings, compared."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import bench_labels  # noqa: E402

LABELS = dict.fromkeys(("leads_with_accomplishment", "asks_first_year_question", "asks_contributor_question",
                        "thanks_for_callback", "quantified_result"), False)


def test_kappa_is_one_for_identical_labels_and_zero_at_chance():
    a = [True, False, True, False]
    assert bench_labels.kappa(a, a) == 1.0
    # Each says "true" half the time and they agree half the time: no better than chance.
    assert bench_labels.kappa([True, True, False, False], [True, False, True, False]) == 0.0
    assert bench_labels.kappa([True, True, False, False], [False, False, True, True]) < 0


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_second_labels_are_paired_by_id(tmp_path):
    items = [{"id": f"x{i}", "archetype": "challenger", "style": "typed", "text": "hello",
              "labels": dict(LABELS, thanks_for_callback=bool(i % 2))} for i in range(3)]
    second = [{"id": f"x{i}", "labels": dict(LABELS)} for i in (2, 0, 1)]
    got = bench_labels.paired(write(tmp_path / "set.jsonl", items), write(tmp_path / "second.jsonl", second))
    assert [it["id"] for it in got] == ["x0", "x1", "x2"]
    assert not any(it["second"]["thanks_for_callback"] for it in got)
    assert got[1]["labels"]["thanks_for_callback"]


@pytest.mark.parametrize("second", [
    [{"id": "x0", "labels": dict(LABELS)}],                                              # x1 missing
    [{"id": "x0", "labels": dict(LABELS)}, {"id": "x0", "labels": dict(LABELS)}],        # repeated
    [{"id": "x0", "labels": dict(LABELS)}, {"id": "x1", "labels": {"thanks_for_callback": True}}],  # a label short
])
def test_an_incomplete_second_file_is_refused(tmp_path, second):
    items = [{"id": f"x{i}", "archetype": "challenger", "style": "typed", "text": "hello", "labels": dict(LABELS)}
             for i in range(2)]
    with pytest.raises(SystemExit):
        bench_labels.paired(write(tmp_path / "set.jsonl", items), write(tmp_path / "second.jsonl", second))
