"""The contextual encoder: packaged weights, a numpy forward pass, one vector per word."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from rehearse.coaching import checkers, contextual, contextual_ct2, semantic
from conftest import need


def _encoder() -> contextual.Encoder:
    try:
        return contextual.load()
    except contextual.EncoderUnavailable as exc:
        need(False, str(exc))


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_one_vector_per_word_whatever_its_pieces():
    enc = _encoder()
    words = "i renegotiated our three biggest contracts".split()
    v = enc.word_vectors(words)
    assert v.shape == (len(words), enc.dim)
    assert np.isfinite(v).all() and (np.linalg.norm(v, axis=1) > 0).all()


def test_a_word_s_vector_depends_on_the_words_around_it():
    enc = _encoder()
    a = enc.word_vectors("i cut the costs by a third".split())[1]
    b = enc.word_vectors("our team cut the costs by a third".split())[2]
    assert _cos(a, b) < 0.999
    same = enc.word_vectors("i cut the costs by a third".split())[1]
    assert np.allclose(a, same)


def test_sentences_that_mean_the_same_are_closer_than_unrelated_ones():
    enc = _encoder()

    def sentence(text):
        return enc.word_vectors(text.split()).mean(axis=0)

    base = sentence("i led the migration that cut our hosting costs by thirty percent")
    para = sentence("i moved our servers to the cloud and the hosting bill fell by almost a third")
    other = sentence("the traffic on the way in this morning was terrible")
    assert _cos(base, para) > _cos(base, other) + 0.2


def test_words_past_the_encoder_s_limit_get_zero_vectors():
    enc = _encoder()
    words = ["accomplishment"] * (contextual.MAX_PIECES + 40)
    v = enc.word_vectors(words)
    assert len(v) == len(words)
    assert (np.linalg.norm(v[-30:], axis=1) == 0).all()
    assert (np.linalg.norm(v[:50], axis=1) > 0).all()


def test_without_the_encoder_package_the_heads_of_the_static_embedding_decide(monkeypatch):
    need(semantic.load_heads(semantic.STATIC_HEADS_FILE) is not None, "the packaged static heads are missing")
    need(semantic.load_model_checker() is not None, "the embedding package is not installed")
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == contextual.PACKAGE else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    for cached in (contextual.load, semantic.load_model_checker, checkers.default_checker):
        cached.cache_clear()
    try:
        with pytest.raises(contextual.EncoderUnavailable):
            contextual.load()
        model = semantic.load_model_checker()
        assert model is not None and model.encoder is None
        assert not model.heads.meta.get("contextual")
        assert isinstance(checkers.default_checker(), checkers.EnsembleChecker)
        text = "Thanks for having me back. Last spring I rebuilt our returns triage and refunds went out in two days."
        assert checkers.default_checker()(text.split(), None)["leads_with_accomplishment"].passed
    finally:
        monkeypatch.undo()
        for cached in (contextual.load, semantic.load_model_checker, checkers.default_checker):
            cached.cache_clear()


def test_the_packaged_heads_use_the_encoder_when_it_is_installed():
    _encoder()
    heads = semantic.load_heads()
    need(heads is not None, "the packaged heads are missing")
    model = semantic.load_model_checker()
    assert heads.meta.get("contextual") and model.encoder is not None
    base = 2 * model.embedder.dim + semantic.N_CHEAP + model.encoder.dim
    for name, head in model.heads.heads.items():
        # a head that reads the vectors at the window's numbers has the encoder's width once more
        assert head.mean.shape[0] == base + (model.encoder.dim if head.numbers else 0), name


def test_the_encoder_s_weights_are_the_recorded_ones():
    folder = contextual.package_folder()
    need(folder is not None, "the encoder package is not installed")
    assert contextual.sha256(folder / contextual.WEIGHTS) == contextual.WEIGHTS_SHA256


def _need_ct2() -> None:
    need(contextual.package_folder() is not None, "the encoder package is not installed")
    need(contextual_ct2.available(), "CTranslate2 is not installed (it comes with faster-whisper)")


def _fresh(runtime=None) -> contextual.Encoder:
    """The encoder loaded afresh (not the process's cached one), for the folders of this test."""
    contextual.load.cache_clear()
    try:
        return contextual.load(runtime)
    finally:
        contextual.load.cache_clear()


def test_the_int8_runtime_gives_nearly_the_vectors_numpy_gives():
    _need_ct2()
    fast, slow = _fresh(), _fresh(contextual.NUMPY)
    assert (fast.runtime, slow.runtime) == (contextual_ct2.NAME, contextual.NUMPY)
    words = "thanks for asking me back last spring i cut our hosting costs by thirty percent".split()
    a, b = fast.word_vectors(words), slow.word_vectors(words)
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert cos.min() > 0.98 and not np.allclose(a, b)


_VECTORS_ON = """
import sys, numpy as np
from rehearse.coaching import contextual
words = "good to see you again i trained the new support team and our first reply time went from nine hours to two".split()
np.save(sys.argv[1], contextual.load().word_vectors(words))
"""


def test_the_encoder_gives_the_same_vectors_whatever_the_processor(tmp_path):
    """The same files must give the same verdicts on every computer: CTranslate2 is made to use the
    kernels of a plainer processor (none, AVX) beside this one's, and the vectors agree to rounding.
    In int8 arithmetic they did not (the lead above: 69, 69 and 72)."""
    _need_ct2()
    import os
    import subprocess
    import sys

    got = []
    for isa in ("GENERIC", "AVX", None):
        env = {k: v for k, v in os.environ.items() if k != "CT2_FORCE_CPU_ISA"}
        if isa:
            env["CT2_FORCE_CPU_ISA"] = isa
        out = tmp_path / f"{isa}.npy"
        subprocess.run([sys.executable, "-c", _VECTORS_ON, str(out)], env=env, check=True, timeout=120)
        got.append(np.load(out))
    for other in got[1:]:
        assert np.abs(other - got[0]).max() < 1e-4


def test_the_int8_build_is_kept_in_the_cache_and_read_back(rehearse_home, monkeypatch):
    _need_ct2()
    words = "i renegotiated our three biggest contracts".split()
    first = _fresh().word_vectors(words)
    builds = list((rehearse_home / "cache" / "encoder").iterdir())
    assert [p.name for p in builds if (p / "model.bin").exists()] == [p.name for p in builds]
    assert len(builds) == 1

    def no_build(*args, **kwargs):
        raise AssertionError("built again instead of read from the cache")

    monkeypatch.setattr(contextual_ct2, "_build", no_build)
    assert np.array_equal(_fresh().word_vectors(words), first)


def test_without_a_cache_folder_the_int8_model_is_built_in_memory(rehearse_home, monkeypatch, tmp_path):
    _need_ct2()
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("REHEARSE_HOME", str(tmp_path / "a-file" / "home"))  # cannot be made
    assert contextual._cache_folder() is None
    monkeypatch.setenv("REHEARSE_HOME", str(rehearse_home))
    monkeypatch.setattr(contextual, "_cache_folder", lambda: None)
    enc = _fresh()
    assert enc.runtime == contextual_ct2.NAME
    assert not (rehearse_home / "cache").exists()
    assert np.isfinite(enc.word_vectors("we shipped it two weeks early".split())).all()


def test_a_damaged_cached_build_falls_back_to_numpy(rehearse_home):
    _need_ct2()
    folder = contextual.package_folder()
    damaged = rehearse_home / "cache" / "encoder" / contextual_ct2.cache_key(folder / contextual.WEIGHTS)
    damaged.mkdir(parents=True)
    (damaged / "model.bin").write_bytes(b"not a model")
    (damaged / "config.json").write_text("{}")
    assert _fresh().runtime == contextual.NUMPY


def test_heads_run_on_the_runtime_they_were_trained_on():
    assert semantic._runtime(semantic.Heads({}, {}, {}, {})) == contextual.NUMPY
    heads = semantic.load_heads()
    need(heads is not None, "the packaged heads are missing")
    trained = heads.meta.get("contextual_runtime") or contextual.NUMPY
    model = semantic.load_model_checker()
    need(model is not None and model.encoder is not None, "the encoder package is not installed")
    if trained == contextual_ct2.NAME and not contextual_ct2.available():
        assert model.encoder.runtime == contextual.NUMPY
    else:
        assert model.encoder.runtime == trained


def test_a_new_build_replaces_builds_for_another_package_or_ctranslate2(rehearse_home):
    _need_ct2()
    stale = rehearse_home / "cache" / "encoder" / f"{contextual_ct2.PREFIX}f0-1-2-ct2-0.0"
    stale.mkdir(parents=True)
    (stale / "model.bin").write_bytes(b"old")
    assert _fresh().runtime == contextual_ct2.NAME
    assert not stale.exists()
    assert len(list((rehearse_home / "cache" / "encoder").iterdir())) == 1


def _tuned() -> str:
    digest = contextual.tuned_digest()
    need(digest is not None, "the package has no fine-tuned encoder layers")
    need(contextual.package_folder() is not None, "the encoder package is not installed")
    return digest


def test_the_tuned_layers_are_the_package_s_own_tensors_with_new_values():
    _tuned()
    base = contextual._tensors(contextual.package_folder() / contextual.WEIGHTS)
    tuned = contextual._tuned_tensors(contextual.tuned_file())
    assert tuned and set(tuned) <= set(base)
    assert all(tuned[name].shape == base[name].shape for name in tuned)
    changed = [name for name in tuned if not np.allclose(tuned[name], base[name], atol=1e-3)]
    assert changed, "the tuned file repeats the package's values"


def test_the_tuned_layers_change_the_vectors_and_a_wrong_digest_is_refused():
    digest = _tuned()
    words = "i grew our renewals by a third in my first year".split()
    base = contextual.load(contextual.NUMPY).word_vectors(words)
    tuned = contextual.load(contextual.NUMPY, digest).word_vectors(words)
    assert np.isfinite(tuned).all()
    assert min(_cos(a, b) for a, b in zip(base, tuned)) < 0.99
    with pytest.raises(contextual.EncoderUnavailable):
        contextual.load(contextual.NUMPY, "0" * 16)


def test_the_int8_build_of_the_tuned_layers_is_cached_apart_from_the_package_s(rehearse_home):
    digest = _tuned()
    _need_ct2()
    weights = contextual.package_folder() / contextual.WEIGHTS
    assert contextual_ct2.cache_key(weights, digest) != contextual_ct2.cache_key(weights)
    words = "i grew our renewals by a third in my first year".split()
    ct2 = contextual.load(None, digest).word_vectors(words)
    numpy = contextual.load(contextual.NUMPY, digest).word_vectors(words)
    assert min(_cos(a, b) for a, b in zip(ct2, numpy)) > 0.98


def test_heads_run_with_the_tuned_layers_they_were_trained_with():
    heads = semantic.load_heads()
    need(heads is not None and heads.meta.get("contextual"), "the packaged heads use no encoder")
    named = heads.meta.get("contextual_tuned") or None
    assert named == contextual.tuned_digest(), "the heads and the packaged tuned layers are from different trainings"
    model = semantic.load_model_checker()
    need(model is not None and model.encoder is not None, "the encoder package is not installed")
    words = "i grew our renewals by a third in my first year".split()
    want = contextual.load(semantic._runtime(heads), named).word_vectors(words)
    assert np.allclose(model.encoder.word_vectors(words), want, atol=1e-6)


def test_a_cached_int8_build_of_the_tuned_layers_is_read_without_reading_the_layers_file(rehearse_home, monkeypatch):
    digest = _tuned()
    _need_ct2()
    words = "i grew our renewals by a third in my first year".split()
    contextual.load.cache_clear()
    try:
        first = contextual.load(None, digest).word_vectors(words)
        contextual.load.cache_clear()

        def not_again(path):
            raise AssertionError("the tuned layers were read again although their int8 build is cached")

        monkeypatch.setattr(contextual, "_tuned_tensors", not_again)
        assert np.array_equal(contextual.load(None, digest).word_vectors(words), first)
    finally:
        contextual.load.cache_clear()


def test_the_number_block_is_the_mean_vector_at_each_window_s_numbers_and_zero_without_one():
    enc = _encoder()
    emb = semantic.embed.load()
    m = semantic.matcher_for("thanks for having me back my comeback rate last year was under 2 percent "
                             "and i love the work".split())
    wins, plain = semantic.features(m, emb, enc)
    wins2, x = semantic.features(m, emb, enc, numbers=True)
    assert wins2 == wins and x.shape == (len(wins), plain.shape[1] + enc.dim)
    assert np.array_equal(x[:, :plain.shape[1]], plain)
    block = x[:, plain.shape[1]:]
    wv = enc.word_vectors(semantic._embed_text(m))
    toks = m.doc.tokens
    with_number = 0
    for (a, b), row in zip(wins, block):
        at = [i for i in range(a, b) if toks[i] == semantic.NUM]
        if at:
            with_number += 1
            assert np.allclose(row, wv[at].mean(axis=0))
        else:
            assert not row.any()
    assert 0 < with_number < len(wins)


def test_each_number_of_a_window_is_a_row_of_its_own_with_that_number_s_vector():
    enc = _encoder()
    emb = semantic.embed.load()
    m = semantic.matcher_for("my first time fix rate last year was 98 percent across 400 jobs "
                             "and i would love to do that here".split())
    wins, x, inst = semantic.features_and_numbers(m, emb, enc, numbers=True)
    wv = enc.word_vectors(semantic._embed_text(m))
    toks = m.doc.tokens
    assert [k for k in range(len(wins))] == sorted(set(inst.window.tolist()))  # every window has a row
    for k, (a, b) in enumerate(wins):
        at = [i for i in range(a, b) if toks[i] == semantic.NUM]
        mine = inst.window == k
        assert inst.token[mine].tolist() == (at or [-1])
        for t, row in zip(inst.token[mine], inst.block[mine]):
            assert np.allclose(row, wv[t]) if t >= 0 else not row.any()
    rows = semantic.instance_rows(x, enc.dim, inst)
    assert rows.shape == (len(inst.window), x.shape[1])
    assert np.array_equal(rows[:, :-enc.dim], x[inst.window, :-enc.dim])
    assert any(len([i for i in range(a, b) if toks[i] == semantic.NUM]) == 2 for a, b in wins)


def test_a_head_that_reads_each_number_scores_a_window_by_its_best_number():
    enc = _encoder()
    emb = semantic.embed.load()
    words = "my first time fix rate last year was 98 percent across 400 jobs".split()
    m = semantic.matcher_for(words)
    wins, x, inst = semantic.features_and_numbers(m, emb, enc, numbers=True)
    rows = semantic.instance_rows(x, enc.dim, inst)
    # a linear head that reads only the number block, along the first number's vector
    direction = np.zeros(x.shape[1], np.float32)
    direction[-enc.dim:] = inst.block[inst.token >= 0][0]
    name = "quantified_result"
    head = semantic.Head(direction, 0.0, np.zeros_like(direction), np.ones_like(direction), (1.0, 0.0, 0.0), 0.5,
                         None, True, True)
    heads = semantic.Heads({name: head}, {name: "model"}, {}, {"contextual": "x"})
    found = semantic.ModelChecker(emb, heads, enc).findings(m)[name]
    ok = semantic.eligible(name, m, wins)
    keep = ok[inst.window]
    best = float(head.logits(rows[keep]).max())
    assert found.probability == pytest.approx(head.probability(best, int(ok.sum())), rel=1e-5)
    mean_head = semantic.Head(direction, 0.0, np.zeros_like(direction), np.ones_like(direction), (1.0, 0.0, 0.0), 0.5,
                              None, True, False)
    by_mean = semantic.ModelChecker(emb, semantic.Heads({name: mean_head}, {name: "model"}, {}, {}), enc).findings(m)[name]
    assert found.probability > by_mean.probability  # the mean blurs the first number with the second


def test_a_number_read_in_its_clause_does_not_take_in_the_thanks_before_it():
    enc = _encoder()
    emb = semantic.embed.load()
    alone = semantic.matcher_for("i grew regional sales by 40 percent last year".split())
    thanked = semantic.matcher_for("thanks for having me back. i grew regional sales by 40 percent last year".split())
    words = semantic._embed_text(thanked)
    unit_vectors = semantic.unit_number_vectors(thanked, enc, words)
    at = [i for i, t in enumerate(thanked.doc.tokens) if t == semantic.NUM]
    assert len(at) == 1 and not np.delete(unit_vectors, at, axis=0).any()  # zeros but at the number
    clause = next((a, b) for a, b in semantic.units(thanked) if a <= at[0] < b)
    want = enc.word_vectors(words[clause[0]:clause[1]])[at[0] - clause[0]]
    assert np.allclose(unit_vectors[at[0]], want, atol=1e-6)
    whole = enc.word_vectors(words)[at[0]]
    assert not np.allclose(whole, want, atol=1e-3)  # the whole answer's reading differs
    # and the instances carry the clause's reading when asked
    wins, x, inst = semantic.features_and_numbers(thanked, emb, enc, numbers=True, unit_numbers=True)
    assert all(np.allclose(row, want, atol=1e-6) for row, t in zip(inst.block, inst.token) if t >= 0)
    _, _, plain = semantic.features_and_numbers(alone, emb, enc, numbers=True, unit_numbers=True)
    assert plain is not None
