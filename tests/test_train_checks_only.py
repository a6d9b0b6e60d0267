"""scripts/train_checks.py --only: one check's head retrained, written into a heads file that keeps the others."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import train_checks  # noqa: E402

LEAD, NUMBER = "leads_with_accomplishment", "quantified_result"


def heads_file(path: Path, value: float, tuned: str = "abc") -> Path:
    meta = {"combine": {LEAD: "stack", NUMBER: "or"}, "contextual_tuned": tuned, "openings": 10, "data": ["a.jsonl"]}
    np.savez(path, meta=np.asarray(json.dumps(meta)),
             **{f"{c}.{part}": np.full(3, value, np.float32) for c in (LEAD, NUMBER) for part in ("w", "mean")})
    return path


def trained_meta(tuned: str = "abc") -> dict:
    return {"combine": {LEAD: "model", NUMBER: "model"}, "contextual_tuned": tuned, "openings": 99,
            "data": ["a.jsonl", "b.jsonl"], "seed": 0, "folds": 5, "without_held_out": True,
            "asr_copies": False, "drop_i_copies": False}


def test_only_the_named_head_is_replaced_and_the_meta_says_on_what(tmp_path):
    path = heads_file(tmp_path / "heads.npz", 1.0)
    new = {f"{c}.{part}": np.full(3, 2.0, np.float32) for c in (LEAD, NUMBER) for part in ("w", "mean")}
    arrays, meta = train_checks.into_heads_file(path, new, trained_meta(), [LEAD])
    assert float(arrays[f"{LEAD}.w"][0]) == 2.0 and float(arrays[f"{LEAD}.mean"][0]) == 2.0
    assert float(arrays[f"{NUMBER}.w"][0]) == 1.0 and float(arrays[f"{NUMBER}.mean"][0]) == 1.0
    assert meta["combine"] == {LEAD: "model", NUMBER: "or"}
    assert meta["openings"] == 10 and meta["data"] == ["a.jsonl"]
    assert meta["replaced"][LEAD]["openings"] == 99 and meta["replaced"][LEAD]["data"] == ["a.jsonl", "b.jsonl"]
    assert NUMBER not in meta["replaced"]


def test_heads_on_other_encoder_layers_are_not_mixed(tmp_path):
    path = heads_file(tmp_path / "heads.npz", 1.0, tuned="abc")
    with pytest.raises(SystemExit):
        train_checks.into_heads_file(path, {}, trained_meta(tuned="def"), [LEAD])


def test_a_missing_heads_file_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        train_checks.into_heads_file(tmp_path / "none.npz", {}, trained_meta(), [LEAD])


def test_only_the_heads_trained_with_it_read_the_number_block():
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    on = np.ones(2, bool)
    o = train_checks.Opening({}, [(0, 1), (1, 2)], x, {c: on for c in train_checks.CHECK_NAMES}, {}, numbers=2)
    for check in train_checks.CHECK_NAMES:
        want = x if check in train_checks.NUMBERS else x[:, :4]
        assert np.array_equal(o.rows(check), want)
    plain = train_checks.Opening({}, [(0, 1), (1, 2)], x, {c: on for c in train_checks.CHECK_NAMES}, {})
    assert all(np.array_equal(plain.rows(c), x) for c in train_checks.CHECK_NAMES)


def _each_number_opening(monkeypatch):
    """Two windows over 4 tokens: (0, 3) holds numbers at tokens 1 and 2, (3, 4) none. Columns: four
    of the window's own, then a number block of two."""
    from rehearse.coaching import semantic

    monkeypatch.setattr(train_checks, "EACH_NUMBER", True)
    x = np.asarray([[1, 1, 1, 1, 9, 9], [2, 2, 2, 2, 0, 0]], np.float32)
    inst = semantic.NumberInstances(np.asarray([0, 0, 1]), np.asarray([1, 2, -1]),
                                    np.asarray([[5, 5], [7, 7], [0, 0]], np.float32))
    on = np.ones(2, bool)
    return train_checks.Opening({}, [(0, 3), (3, 4)], x, {c: on for c in train_checks.CHECK_NAMES}, {}, numbers=2,
                                inst=inst)


def test_with_each_number_the_number_heads_read_a_row_per_number_and_the_others_a_row_per_window(monkeypatch):
    o = _each_number_opening(monkeypatch)
    for check in train_checks.CHECK_NAMES:
        if check in train_checks.NUMBERS:
            assert o.rows(check).tolist() == [[1, 1, 1, 1, 5, 5], [1, 1, 1, 1, 7, 7], [2, 2, 2, 2, 0, 0]]
            assert o.spans(check) == [(0, 3, 1), (0, 3, 2), (3, 4, -1)]
        else:
            assert o.rows(check).tolist() == [[1, 1, 1, 1], [2, 2, 2, 2]]
            assert o.spans(check) == [(0, 3), (3, 4)]


def test_a_positive_opening_s_best_number_does_not_make_the_other_numbers_of_its_window_positive():
    best = (0, 3, 1)
    assert train_checks._overlap((0, 3, 1), best)
    assert not train_checks._overlap((0, 3, 2), best)  # the count beside the rate
    assert train_checks._overlap((1, 5, 1), best)  # another window over the same number
    assert train_checks._overlap((2, 6, -1), best)  # an overlapping window without numbers
    assert not train_checks._overlap((3, 6, -1), best)  # windows that do not overlap
    assert train_checks._overlap((0, 3), (2, 5)) and not train_checks._overlap((0, 3), (3, 5))
