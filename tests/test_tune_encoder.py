"""scripts/tune_encoder.py: the window pooling it trains through, and the file it writes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from rehearse.coaching import contextual
from conftest import need

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import tune_encoder  # noqa: E402


def test_pooling_gives_each_window_the_mean_of_its_words_vectors():
    need(contextual.package_folder() is not None, "the encoder package is not installed")
    enc = contextual.load(contextual.NUMPY)
    words = "thanks for having me back last spring i rebuilt the staffing schedule and we cut overtime".split()
    ids, owner = enc.pieces(words)
    assert len(ids) > len(words) + 2, "pick words that split into several pieces"
    wins = np.asarray([(0, 5), (5, 12), (3, len(words))])
    pool = tune_encoder.pooling({"ids": ids, "owner": owner, "words": len(words), "wins": wins})
    vectors = enc.word_vectors(words)
    want = np.stack([vectors[a:b].mean(axis=0) for a, b in wins])
    assert np.allclose(pool @ enc.states(ids), want, atol=1e-5)


def test_the_written_layers_read_back_as_the_loader_sees_them(tmp_path):
    rng = np.random.default_rng(3)
    layers = {5: {"attention.self.query.weight": rng.normal(0, 0.05, (8, 8)).astype(np.float32),
                  "attention.self.query.bias": rng.normal(0, 0.05, 8).astype(np.float32)}}
    out = tmp_path / "tuned.npz"
    tune_encoder.export(layers, out, {"layers": [5]})
    back = contextual._tuned_tensors(out)
    assert set(back) == {"encoder.layer.5.attention.self.query.weight", "encoder.layer.5.attention.self.query.bias"}
    w = layers[5]["attention.self.query.weight"]
    step = np.abs(w).max(axis=1, keepdims=True) / 127
    assert (np.abs(back["encoder.layer.5.attention.self.query.weight"] - w) <= step / 2 + 1e-7).all()
    assert np.array_equal(back["encoder.layer.5.attention.self.query.bias"], layers[5]["attention.self.query.bias"])
