"""Static word-piece embeddings read from an installed PyPI package: no network, no torch.

The vectors are WordLlama's ``l2_supercat`` model (MIT licence): a 32,000 x 256 table of token
embeddings distilled from a large language model, with its tokenizer; both files ship inside the
``wordllama`` wheel (16 MB of weights). Only those two files are read here, straight from the
installed package's folder, so the package's own import (which pulls in pydantic, requests and sets
up logging) never runs, and nothing is ever downloaded.

A text's vector is the mean of its word pieces' vectors, as WordLlama computes it. Because the mean
is additive, :class:`TokenVectors` embeds one answer's words once and then gives the vector of any
run of words (a sentence, a clause, a window) in constant time from prefix sums.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from rehearse.core.once import load_once

PACKAGE = "wordllama"
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"


class EmbeddingUnavailable(RuntimeError):
    """The embedding package (or one of its files, or the tokenizer library) is not installed."""


def package_folder(package: str = PACKAGE) -> Optional[Path]:
    """An installed package's folder (the embedding package's by default), found without importing it;
    None when absent."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def read_safetensor(path: Path, name: str) -> np.ndarray:
    """One tensor of a safetensors file (an 8-byte header length, a JSON header, raw little-endian data)."""
    dtypes = {"F16": np.float16, "F32": np.float32, "BF16": None}
    with path.open("rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        meta = header[name]
        dtype = dtypes.get(meta["dtype"])
        if dtype is None:
            raise EmbeddingUnavailable(f"unsupported tensor type {meta['dtype']}")
        a, b = meta["data_offsets"]
        f.seek(8 + size + a)
        data = np.frombuffer(f.read(b - a), dtype=np.dtype(dtype).newbyteorder("<"))
    return data.reshape(meta["shape"]).astype(np.float32)


class Embedder:
    """Word-piece vectors and their tokenizer; the vector of a word is cached once computed."""

    def __init__(self, table: np.ndarray, tokenizer):
        self.table = table
        self.dim = int(table.shape[1])
        self._tokenizer = tokenizer
        self._words: dict[str, tuple[np.ndarray, int]] = {}

    def word(self, w: str) -> tuple[np.ndarray, int]:
        """The sum of a word's piece vectors and how many pieces it has."""
        hit = self._words.get(w)
        if hit is None:
            ids = self._tokenizer.encode(w, add_special_tokens=False).ids
            if len(ids) > 1:  # "june" splits in pieces, "June" is one: take the fewer pieces
                cap = self._tokenizer.encode(w.capitalize(), add_special_tokens=False).ids
                if len(cap) < len(ids):
                    ids = cap
            ids = [min(max(i, 0), self.table.shape[0] - 1) for i in ids]
            hit = (self.table[ids].sum(axis=0) if ids else np.zeros(self.dim, np.float32), len(ids))
            if len(self._words) < 200_000:
                self._words[w] = hit
        return hit

    def words(self, words: Sequence[str]) -> "TokenVectors":
        return TokenVectors(self, words)

    def texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of whole texts (words split on spaces)."""
        out = np.zeros((len(texts), self.dim), np.float32)
        for k, t in enumerate(texts):
            tv = self.words(t.split())
            out[k] = tv.mean(0, len(tv.counts) - 1)
        return out


class TokenVectors:
    """Prefix sums of one answer's word vectors: the mean vector of any run of words, fast."""

    def __init__(self, embedder: Embedder, words: Sequence[str]):
        n = len(words)
        sums = np.zeros((n + 1, embedder.dim), np.float32)
        counts = np.zeros(n + 1, np.int64)
        for i, w in enumerate(words):
            v, c = embedder.word(w)
            sums[i + 1] = v
            counts[i + 1] = c
        self.sums = np.cumsum(sums, axis=0)
        self.counts = np.cumsum(counts)

    def mean(self, a: int, b: int) -> np.ndarray:
        """Unit-length mean vector of words [a, b)."""
        v = self.sums[b] - self.sums[a]
        norm = float(np.linalg.norm(v))
        return v / norm if norm > 0 else v

    def means(self, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        if not spans:
            return np.zeros((0, self.sums.shape[1]), np.float32)
        idx = np.asarray(spans, dtype=np.int64)
        v = self.sums[idx[:, 1]] - self.sums[idx[:, 0]]
        norm = np.linalg.norm(v, axis=1, keepdims=True)
        norm[norm == 0] = 1.0
        return v / norm


@load_once()
def load() -> Embedder:
    """The packaged embeddings (read once); raises :class:`EmbeddingUnavailable` when absent."""
    folder = package_folder()
    if folder is None:
        raise EmbeddingUnavailable(f"the {PACKAGE} package is not installed")
    weights, tok = folder / WEIGHTS, folder / TOKENIZER
    if not weights.exists() or not tok.exists():
        raise EmbeddingUnavailable(f"the {PACKAGE} package has no {WEIGHTS} or {TOKENIZER}")
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise EmbeddingUnavailable("the tokenizers package is not installed") from exc
    return Embedder(read_safetensor(weights, TENSOR), Tokenizer.from_file(str(tok)))


def available() -> bool:
    try:
        load()
    except EmbeddingUnavailable:
        return False
    return True
