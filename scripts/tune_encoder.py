"""Fine-tune the contextual encoder's top layers for the checks; write rehearse/data/encoder_tuned.npz.

    python scripts/tune_encoder.py --data FILE.jsonl ... [--without-held-out] [--layers 2] [--epochs 3]
                                   [--lr 3e-5] [--dev FILE.jsonl ...] [--asr-copies] [--swap-copies]
                                   [--out PATH]

The packaged layers were made with ``--layers 2 --epochs 4 --lr 3e-5 --without-held-out`` (the file's
meta records them); note that ``--epochs`` defaults to 3.

The semantic checker reads each window of an answer through, among other features, the mean of the
contextual encoder's word vectors over the window (``rehearse.coaching.semantic``). all-MiniLM-L6-v2
was trained for sentence similarity, not for the guide's distinctions ("I grew sales 30 percent" and
"I have managed a sales team of 30 for ten years" sit close together). This script trains its top
``--layers`` layers on the checks' labels, the lower layers frozen:

- every opening is read as the checker reads it (the same clauses, windows and eligibility, the same
  static window features and word pieces), and its pieces go through the frozen layers once;
- a linear head per check scores each window from [standardised static features, the window's mean
  contextual vector]; an opening's logit is its best eligible window's (multiple-instance learning,
  as ``train_checks.py`` does); the loss is the binary cross-entropy over the five checks (``WEIGHTS``:
  the lead's counts double);
- the heads are first trained alone (the encoder frozen), then together with the top layers.

Only the top layers are written (int8 weights with a float32 scale per row, as CTranslate2 quantizes
them at run time anyway; biases and norms float32): ``contextual.load`` puts them in place of the
package's, and ``train_checks.py`` then trains the shipped heads on the tuned vectors. With ``--dev``
the named files are left out of training and F1 (best threshold) and AUC per check are printed on
them (and on their recognition-style openings alone) with the encoder frozen and after each epoch:
hyperparameters are chosen on those, never on a blind set. ``--asr-copies`` also trains on a
recognition-style copy of each typed opening (``scripts/asr_style.py``). Needs JAX and optax
(``pip install -e .[tune]``), for training only: the app runs the layers in CTranslate2 or numpy.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from rehearse.coaching import contextual, embed, semantic  # noqa: E402
from rehearse.coaching.checkers import matcher_for  # noqa: E402
from rehearse.core.model import CHECK_NAMES  # noqa: E402

WEIGHTS = {"leads_with_accomplishment": 2.0}
"""Each check's weight in the loss (1 where not named); ``--weight CHECK=W`` changes one."""
HEAD_EPOCHS = 6
BATCH = 32
LINEARS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
           "intermediate.dense", "output.dense")
NORMS = ("attention.output.LayerNorm", "output.LayerNorm")


def read_openings(paths: list[Path], without_held_out: bool, asr_copies: bool = False,
                  swap_copies: bool = False) -> list[dict]:
    """Per opening: word pieces and their words, windows, static window features, eligibility, labels.
    With ``asr_copies``, each typed opening is read a second time in recognition style (asr_style.py);
    with ``swap_copies``, each opening a second time with some nouns swapped (noun_swap.py)."""
    import train_checks
    from asr_style import with_asr_copies
    from noun_swap import with_swapped_copies

    emb, enc = embed.load(), contextual.load(contextual.NUMPY)
    rows = []
    for path in paths:
        items = train_checks.load_items([path])
        if without_held_out:
            items = train_checks.without_held_out(items)
        if asr_copies:
            items = with_asr_copies(items)
        if swap_copies:
            items = with_swapped_copies(items, seed=len(rows))
        for it in items:
            m = matcher_for(it["text"].split())
            wins, x = semantic.features(m, emb, None)
            words = semantic._embed_text(m)
            if not wins or not words:
                continue
            ids, owner = enc.pieces(words)
            rows.append({"src": path.name, "style": it.get("style", "typed"), "ids": ids, "owner": owner,
                         "words": len(words), "wins": np.asarray(wins), "x": x,
                         "eligible": np.stack([semantic.eligible(c, m, wins) for c in CHECK_NAMES]),
                         "y": np.asarray([bool(it["labels"][c]) for c in CHECK_NAMES], np.float32)})
    return rows


def pooling(row: dict) -> np.ndarray:
    """The matrix taking the pieces' vectors to the windows' mean word vectors (a word: the mean of its
    pieces; words past the encoded pieces count as zero vectors, as ``Encoder.word_vectors`` gives)."""
    owner = row["owner"]
    counts = np.bincount(owner[owner >= 0], minlength=row["words"]).astype(np.float32)
    p = np.zeros((len(row["wins"]), len(owner)), np.float32)
    for w, (a, b) in enumerate(row["wins"]):
        sel = (owner >= a) & (owner < b)
        p[w, sel] = 1.0 / counts[owner[sel]] / (b - a)
    return p


def _bucket(n: int, q: int) -> int:
    return -(-n // q) * q


class Tuner:
    """The encoder's layers in JAX, the frozen part run once, the top ``layers`` trained."""

    def __init__(self, layers: int, weights: dict[str, float] | None = None):
        import jax
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp
        folder = contextual.package_folder()
        if folder is None:
            raise SystemExit("the encoder package is not installed")
        self.tensors = contextual._tensors(folder / contextual.WEIGHTS)
        config = json.loads((folder / contextual.CONFIG).read_text())
        self.n_layers, self.heads = int(config["num_hidden_layers"]), int(config["num_attention_heads"])
        self.dim, self.eps = int(config["hidden_size"]), float(config.get("layer_norm_eps", 1e-12))
        self.top = list(range(self.n_layers - layers, self.n_layers))
        self.weights = np.asarray([(WEIGHTS | (weights or {})).get(c, 1.0) for c in CHECK_NAMES], np.float32)

    def layer_params(self, i: int) -> dict:
        p = f"encoder.layer.{i}."
        return {f"{n}.{k}": self.jnp.asarray(np.asarray(self.tensors[p + f"{n}.{k}"], np.float32))
                for n in LINEARS + NORMS for k in ("weight", "bias")}

    def _norm(self, x, w, b):
        jnp = self.jnp
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / jnp.sqrt(v + self.eps) * w + b

    def layer(self, p: dict, x, mask):
        jnp, jax = self.jnp, self.jax
        b, t, d, h = x.shape[0], x.shape[1], self.dim, self.heads

        def lin(n, v):
            return v @ p[n + ".weight"].T + p[n + ".bias"]

        q = lin("attention.self.query", x).reshape(b, t, h, -1).transpose(0, 2, 1, 3)
        k = lin("attention.self.key", x).reshape(b, t, h, -1).transpose(0, 2, 3, 1)
        v = lin("attention.self.value", x).reshape(b, t, h, -1).transpose(0, 2, 1, 3)
        s = (q @ k) / np.sqrt(d // h) + jnp.where(mask[:, None, None, :], 0.0, -1e9)
        a = (jax.nn.softmax(s, -1) @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
        x = self._norm(lin("attention.output.dense", a) + x, p["attention.output.LayerNorm.weight"],
                       p["attention.output.LayerNorm.bias"])
        u = lin("intermediate.dense", x)
        u = 0.5 * u * (1.0 + jnp.tanh(0.7978845608 * (u + 0.044715 * u ** 3)))  # GELU, tanh form
        return self._norm(lin("output.dense", u) + x, p["output.LayerNorm.weight"], p["output.LayerNorm.bias"])

    def frozen_states(self, rows: list[dict]) -> None:
        """Each opening's states after the frozen layers (``row["h"]``) and its pooling matrix."""
        jax, jnp, t = self.jax, self.jnp, self.tensors
        frozen = [self.layer_params(i) for i in range(self.top[0])]
        words, pos = jnp.asarray(np.asarray(t["embeddings.word_embeddings.weight"])), \
            jnp.asarray(np.asarray(t["embeddings.position_embeddings.weight"]))
        kind = jnp.asarray(np.asarray(t["embeddings.token_type_embeddings.weight"])[0])
        norm = [jnp.asarray(np.asarray(t[f"embeddings.LayerNorm.{k}"])) for k in ("weight", "bias")]

        @jax.jit
        def run(ids, mask):
            x = self._norm(words[ids] + pos[:ids.shape[1]] + kind, *norm)
            for p in frozen:
                x = self.layer(p, x, mask)
            return x

        for r in rows:
            n = len(r["ids"])
            ids = np.zeros((1, _bucket(n, 16)), np.int32)
            ids[0, :n] = r["ids"]
            r["h"] = np.asarray(run(ids, np.arange(ids.shape[1])[None] < n))[0, :n]
            r["pool"] = pooling(r)

    def batches(self, rows: list[dict], scale: tuple, rng):
        """Padded batches of similar length: states, mask, pooling, static features, eligibility, labels."""
        mu, sd = scale
        order = np.arange(len(rows)) if rng is None else rng.permutation(len(rows))
        order = sorted(order, key=lambda i: len(rows[i]["ids"]) // 32)
        chunks = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
        if rng is not None:
            rng.shuffle(chunks)
        c = len(CHECK_NAMES)
        for chunk in chunks:
            grp = [rows[i] for i in chunk]
            t = _bucket(max(len(r["ids"]) for r in grp), 32)
            w = _bucket(max(len(r["wins"]) for r in grp), 16)
            b = len(grp)
            h = np.zeros((b, t, self.dim), np.float32)
            mask = np.zeros((b, t), bool)
            pool = np.zeros((b, w, t), np.float32)
            x = np.zeros((b, w, len(mu)), np.float32)
            elig = np.zeros((b, c, w), bool)
            y = np.zeros((b, c), np.float32)
            for j, r in enumerate(grp):
                n, k = len(r["ids"]), len(r["wins"])
                h[j, :n], mask[j, :n], pool[j, :k, :n] = r["h"], True, r["pool"]
                x[j, :k], elig[j, :, :k], y[j] = (r["x"] - mu) / sd, r["eligible"], r["y"]
            yield h, mask, pool, x, elig, y

    def logits(self, params, h, mask, pool, x, elig):
        jnp = self.jnp
        for p in params["top"]:
            h = self.layer(p, h, mask)
        z = jnp.concatenate([x, pool @ h], -1) @ params["head"]["w"] + params["head"]["b"]
        return jnp.max(jnp.where(elig, jnp.transpose(z, (0, 2, 1)), -1e4), -1)

    def loss(self, params, h, mask, pool, x, elig, y):
        import optax

        jnp = self.jnp
        z = self.logits(params, h, mask, pool, x, elig)
        valid = elig.any(-1) * self.weights
        bce = optax.sigmoid_binary_cross_entropy(z, y) * valid
        return bce.sum() / jnp.maximum(valid.sum(), 1.0) + 1e-4 * jnp.sum(params["head"]["w"] ** 2)

    def train(self, rows: list[dict], dev: list[dict], epochs: int, lr: float, seed: int, log=print) -> dict:
        import optax

        jax, jnp = self.jax, self.jnp
        xs = np.concatenate([r["x"] for r in rows])
        scale = (xs.mean(0), xs.std(0) + 1e-3)
        c = len(CHECK_NAMES)
        params = {"top": [self.layer_params(i) for i in self.top],
                  "head": {"w": jnp.zeros((xs.shape[1] + self.dim, c)), "b": jnp.zeros((c,))}}
        rng = np.random.default_rng(seed)
        predict = jax.jit(self.logits)

        def run(phase: str, n: int, encoder_rate: float) -> None:
            nonlocal params
            labels = {"top": jax.tree_util.tree_map(lambda _: "encoder", params["top"]),
                      "head": {"w": "head", "b": "head"}}
            encoder = optax.adamw(encoder_rate, weight_decay=0.01) if encoder_rate else optax.set_to_zero()
            opt = optax.multi_transform({"head": optax.adam(1e-3), "encoder": encoder}, labels)
            state = opt.init(params)

            @jax.jit
            def step(params, state, *batch):
                value, grads = jax.value_and_grad(self.loss)(params, *batch)
                updates, state = opt.update(grads, state, params)
                return optax.apply_updates(params, updates), state, value

            for epoch in range(n):
                start, losses = time.perf_counter(), []
                for batch in self.batches(rows, scale, rng):
                    params, state, value = step(params, state, *batch)
                    losses.append(float(value))
                log(f"{phase} epoch {epoch}: loss {np.mean(losses):.4f} ({time.perf_counter() - start:.0f} s)")
                if dev:
                    log(f"  dev: {report(dev)}")
                    if spoken:
                        log(f"  dev, recognition style: {report(spoken)}")

        def report(rs: list[dict]) -> str:
            got = [(np.asarray(predict(params, *b[:5])), b[5], b[4].any(-1)) for b in self.batches(rs, scale, None)]
            z = np.concatenate([g[0] for g in got])
            y = np.concatenate([g[1] for g in got]).astype(bool)
            z = np.where(np.concatenate([g[2] for g in got]), z, -1e4)
            return "  ".join(f"{name[:12]} F1 {best_f1(z[:, i], y[:, i]):.3f} AUC {auc(z[:, i], y[:, i]):.4f}"
                             for i, name in enumerate(CHECK_NAMES))

        spoken = [r for r in dev if r["style"] != "typed"]
        if dev:
            log(f"  dev: {report(dev)} (heads untrained)")
        run("heads, encoder frozen", HEAD_EPOCHS, 0.0)
        run("heads and top layers", epochs, lr)
        return {i: params["top"][k] for k, i in enumerate(self.top)}


def best_f1(z: np.ndarray, y: np.ndarray) -> float:
    best = 0.0
    for t in np.unique(np.quantile(z, np.linspace(0.02, 0.98, 97))):
        got = z >= t
        tp, fp, fn = (got & y).sum(), (got & ~y).sum(), (~got & y).sum()
        best = max(best, 2 * tp / max(1, 2 * tp + fp + fn))
    return float(best)


def auc(z: np.ndarray, y: np.ndarray) -> float:
    pos, neg = z[y], z[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def export(layers: dict, out: Path, meta: dict) -> None:
    """The tuned layers under the package's tensor names: weight matrices int8 with a scale per row."""
    arrays = {}
    for i, params in layers.items():
        for name, value in params.items():
            key = f"encoder.layer.{i}.{name}"
            v = np.asarray(value, np.float32)
            if v.ndim == 2:
                scale = np.maximum(np.abs(v).max(1), 1e-12) / 127.0
                arrays[key] = np.clip(np.rint(v / scale[:, None]), -127, 127).astype(np.int8)
                arrays[key + ".scale"] = scale.astype(np.float32)
            else:
                arrays[key] = v
    arrays["meta"] = np.asarray(json.dumps(meta))
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, **arrays)  # not compressed: int8 barely compresses, and inflating cost 23 ms a load


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", nargs="+", type=Path, required=True)
    ap.add_argument("--dev", nargs="*", type=Path, default=[], help="files left out of training and measured")
    ap.add_argument("--without-held-out", action="store_true", help="leave out the spoken benchmark's slice")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weight", action="append", default=[], metavar="CHECK=W", help="a check's weight in the loss")
    ap.add_argument("--out", type=Path, default=ROOT / "rehearse" / contextual.TUNED_FILE)
    ap.add_argument("--dry-run", action="store_true", help="train and measure, write nothing")
    ap.add_argument("--asr-copies", action="store_true",
                    help="also train on a recognition-style copy of each typed opening (scripts/asr_style.py)")
    ap.add_argument("--swap-copies", action="store_true",
                    help="also train on a copy of each opening with some nouns swapped (scripts/noun_swap.py)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    rows = read_openings(args.data, args.without_held_out, args.asr_copies, args.swap_copies)
    dev = read_openings(args.dev, args.without_held_out) if args.dev else []
    print(f"{len(rows)} openings to train on, {len(dev)} to measure ({time.perf_counter() - started:.0f} s)")
    weights = {name: float(w) for name, w in (item.split("=", 1) for item in args.weight)}
    unknown = set(weights) - set(CHECK_NAMES)
    if unknown:
        raise SystemExit(f"unknown check {', '.join(sorted(unknown))}; the checks are {', '.join(CHECK_NAMES)}")
    tuner = Tuner(args.layers, weights)
    tuner.frozen_states(rows + dev)
    layers = tuner.train(rows, dev, args.epochs, args.lr, args.seed)
    if args.dry_run:
        return 0
    meta = {"base": f"{contextual.PACKAGE} {contextual.WEIGHTS}", "base_sha256": contextual.WEIGHTS_SHA256,
            "layers": sorted(layers), "epochs": args.epochs, "lr": args.lr, "seed": args.seed,
            "weights": dict(zip(CHECK_NAMES, tuner.weights.tolist())),
            "openings": len(rows), "data": [p.name for p in args.data], "without_held_out": args.without_held_out,
            "asr_copies": args.asr_copies, "swap_copies": args.swap_copies}
    export(layers, args.out, meta)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
