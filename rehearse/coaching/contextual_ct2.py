"""The contextual encoder's layers on CTranslate2, with int8 weights: faster than numpy per thread.

CTranslate2 is installed with faster-whisper (the default speech engine), so this costs no new
package. Its model is built here from the packaged all-MiniLM-L6-v2 weights (``contextual``): the
same BERT layers, the tanh form of GELU that the numpy forward pass uses, the weights quantized to
int8 (one scale per row). They are run in float32 arithmetic (:data:`COMPUTE_TYPE`), not in int8:
CTranslate2's int8 arithmetic gives different vectors on different processors (its kernels for
AVX2, AVX and none differ), which moved the lead of "Good to see you again. I trained the new support
team and our first-reply time went from nine hours to two." from 69 to 72 with the same files, and
under the 75 a plain lead must reach on a machine other than the one the heads were trained on;
in float32 it is 77 whatever the processor. Nothing is downloaded. Building it takes
about half a second, so the result (23 MB) is kept in the cache folder and read back in 0.05 s; when
the cache cannot be written (a read-only ``REHEARSE_HOME``) it is built in memory each time.

On an answer of 60-80 words (blind54's 71 such openings, one thread, median) it computes the vectors
in 32-36 ms on a two-core AVX2 machine, against 22-25 ms in int8 arithmetic and 31 ms in numpy (on
its BLAS threads); on the earlier machines, in int8, 6 ms against numpy's 19. The vectors differ from
numpy's float32 ones by a cosine of about 0.995 (the weights are int8), so the heads are trained on
the runtime they run with (the heads' metadata names it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Optional

import numpy as np

NAME = "ctranslate2 int8"
"""The runtime's name, as the heads' metadata records it (int8 weights; the heads up to S40 were
trained with int8 arithmetic, those trained since with :data:`COMPUTE_TYPE`'s)."""
COMPUTE_TYPE = "float32"
"""The arithmetic the int8 weights are run in: float32 gives the same vectors on every processor
(to rounding), int8 does not (see the module's docstring)."""
FORMAT = 1
"""Bumped when the way the model is built changes, so that an older cached build is not read."""
PREFIX = "minilm-int8-"
"""The start of every cached build's folder name (:func:`cache_key`)."""
THREADS = 1
"""CTranslate2's threads for one answer. One, as for Whisper (``rehearse.speech.engines.whisper.CPU_THREADS``):
on a two-core machine the encoder's small matrices are no faster on two threads (blind22's openings,
scoring per opening over two runs each: p50 9.7-10.2 ms and p95 16.9-20.5 ms on one thread, 10.7-12.4
and 19.7-27.6 ms on two); a batch worker sets its share of the cores."""


def available() -> bool:
    """Whether CTranslate2 is installed (it comes with faster-whisper)."""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def _spec(tensors: dict[str, np.ndarray], config: dict, vocabulary: list[str]):
    """The model as CTranslate2's converters describe a BERT encoder, without its pooler."""
    from ctranslate2.specs import common_spec, transformer_spec

    encoder = transformer_spec.TransformerEncoderSpec(
        int(config["num_hidden_layers"]), int(config["num_attention_heads"]), pre_norm=False,
        activation=common_spec.Activation.GELUTanh, layernorm_embedding=True, num_source_embeddings=2,
        embeddings_merge=common_spec.EmbeddingsMerge.ADD)
    spec = transformer_spec.TransformerEncoderModelSpec(encoder, pooling_layer=False)
    spec.encoder.scale_embeddings = False

    def arr(name: str) -> np.ndarray:
        return np.array(tensors[name], dtype=np.float32)  # a writable copy: quantizing works in place

    def linear(target, *names: str) -> None:
        target.weight = np.concatenate([arr(n + ".weight") for n in names])
        target.bias = np.concatenate([arr(n + ".bias") for n in names])

    def norm(target, name: str) -> None:
        target.gamma, target.beta = arr(name + ".weight"), arr(name + ".bias")

    e = spec.encoder
    e.embeddings[0].weight = arr("embeddings.word_embeddings.weight")
    e.embeddings[1].weight = arr("embeddings.token_type_embeddings.weight")
    e.position_encodings.encodings = arr("embeddings.position_embeddings.weight")
    norm(e.layernorm_embedding, "embeddings.LayerNorm")
    for i, layer in enumerate(e.layer):
        p = f"encoder.layer.{i}."
        linear(layer.self_attention.linear[0], *(p + f"attention.self.{n}" for n in ("query", "key", "value")))
        linear(layer.self_attention.linear[1], p + "attention.output.dense")
        norm(layer.self_attention.layer_norm, p + "attention.output.LayerNorm")
        linear(layer.ffn.linear_0, p + "intermediate.dense")
        linear(layer.ffn.linear_1, p + "output.dense")
        norm(layer.ffn.layer_norm, p + "output.LayerNorm")
    spec.register_vocabulary(vocabulary)
    spec.config.unk_token = "[UNK]"
    spec.config.layer_norm_epsilon = float(config.get("layer_norm_eps", 1e-12))
    spec.validate()
    spec.optimize(quantization="int8")
    return spec


def _vocabulary(tokenizer_file: Path) -> list[str]:
    vocab = json.loads(tokenizer_file.read_text())["model"]["vocab"]
    tokens = [""] * len(vocab)
    for token, index in vocab.items():
        tokens[index] = token
    return tokens


def _build(folder: Path, tensors: dict[str, np.ndarray], config: dict, tokenizer_file: Path) -> None:
    _spec(tensors, config, _vocabulary(tokenizer_file)).save(str(folder))


def cache_key(weights: Path, tuned: str = "") -> str:
    """The cached build's folder name: the weights file's size and time, CTranslate2's version and the
    digest of the fine-tuned layers put in place of the package's, if any."""
    import ctranslate2

    st = weights.stat()
    key = f"{PREFIX}f{FORMAT}-{st.st_size}-{st.st_mtime_ns}-ct2-{ctranslate2.__version__}"
    return f"{key}-t{tuned}" if tuned else key


class Ct2Forward:
    """The encoder's layers on CTranslate2 (a :class:`rehearse.coaching.contextual.Forward`)."""

    name = NAME

    def __init__(self, model):
        self._model = model

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        out = self._model.forward_batch([ids.tolist()])
        return np.asarray(out.last_hidden_state, dtype=np.float32)[0]


def _build_cached(cache: Path, target: Path, tensors: dict[str, np.ndarray], config: dict,
                  tokenizer_file: Path) -> None:
    """Build the model into ``target`` inside ``cache``, whole or not at all, and remove the builds
    for an earlier package or CTranslate2. Best effort: a read-only or full cache folder, or another
    process that put its build there first, leaves ``target`` as it finds it."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".build-", dir=cache))
    except OSError:
        return
    try:
        _build(work, tensors, config, tokenizer_file)
        os.replace(work, target)
        for old in cache.glob(f"{PREFIX}*"):
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load(weights: Path, tensors: Callable[[], dict[str, np.ndarray]], config: dict, tokenizer_file: Path,
         cache: Optional[Path], tuned: str = "") -> Ct2Forward:
    """The int8 model, read from ``cache`` (built there first if missing), or built in memory when
    ``cache`` is None or cannot be written. ``tensors`` gives the weights to build from (called only to
    build); ``tuned``: the digest of the fine-tuned layers among them, if any."""
    import ctranslate2

    def model(path: str, files=None):
        return ctranslate2.Encoder(path, device="cpu", compute_type=COMPUTE_TYPE, intra_threads=THREADS, files=files)

    if cache is not None:
        target = cache / cache_key(weights, tuned)
        if not (target / "model.bin").exists():
            _build_cached(cache, target, tensors(), config, tokenizer_file)
        if (target / "model.bin").exists():
            return Ct2Forward(model(str(target)))
    with tempfile.TemporaryDirectory() as work:
        _build(Path(work), tensors(), config, tokenizer_file)
        files = {name: (Path(work) / name).read_bytes() for name in os.listdir(work)}
    return Ct2Forward(model("memory", files=files))
