"""The contextual encoder: packaged weights, a numpy forward pass, one vector per word."""

from __future__ import annotations

import numpy as np

from rehearse.coaching import contextual
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


def test_the_encoder_s_weights_are_the_recorded_ones():
    folder = contextual.package_folder()
    need(folder is not None, "the encoder package is not installed")
    assert contextual.sha256(folder / contextual.WEIGHTS) == contextual.WEIGHTS_SHA256
