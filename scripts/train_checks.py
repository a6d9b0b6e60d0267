"""Train the semantic checker's heads and write them to rehearse/data/semantic_heads.npz.

    python scripts/train_checks.py [--data FILE.jsonl ...] [--folds 5] [--seed 0] [--dry-run]
        [--only CHECK ...]

Data: every tests/data/train/*.jsonl plus tests/data/openings.jsonl (the dev set) unless --data is
given. Nothing under tests/data/blind/ is ever read.

For each check a linear head (logistic regression over window features, see
``rehearse.coaching.semantic``) is trained by multiple-instance learning: the labels are per opening,
the evidence is one window. Round 0 labels every eligible window with its opening's label; each later
round keeps, for a positive opening, only its best-scoring window and the windows overlapping it.
An opening's score is its best window's logit. For the checks in ``HIDDEN`` a network with one small
hidden layer (the average of ``NETS`` networks) is then trained on the windows that regression chose,
and is the head. With ``CONTEXTUAL`` the window features include the contextual encoder's vectors
(``rehearse.coaching.contextual``, with its fine-tuned top layers where the package has them:
``scripts/tune_encoder.py``); the heads without them ship as ``semantic_heads_static.npz``
(``--static`` retrains those). The heads of the checks in ``NUMBERS`` also read the contextual vectors
at each window's numbers (``semantic.number_vectors``).

A k-fold cross-validation (deterministic folds) gives out-of-fold logits for every opening; from
them the Platt calibration of each head is fitted and, comparing rules, model, either and both on
the same folds, the ensemble's combination per check is chosen (the best F1). The final heads are
then trained on all the data. Requires scikit-learn (a training dependency only). With ``--only``
just the named checks' heads are fitted and written into the existing heads file, whose other heads
stay as they were (its meta says, under ``replaced``, what each replaced head was trained on).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.coaching import contextual, embed, semantic  # noqa: E402
from rehearse.coaching.checkers import matcher_for, rule_findings  # noqa: E402
from rehearse.core.model import CHECK_NAMES  # noqa: E402

COMBINATIONS = ("rules", "model", "or", "and", "stack")
PREFERENCE = ("stack", "or", "rules", "model", "and")
TOLERANCE = 0.005
"""Within this much of the best cross-validated F1, a combination that keeps the rules' verdict in
play is preferred (their spans are exact and they hold on wordings the heads never saw)."""
ROUNDS = 3
C = {name: 0.003 for name in CHECK_NAMES} | {"thanks_for_callback": 0.02}
"""Inverse regularisation of each head (chosen by 5-fold cross-validation among 0.001, 0.003, 0.008,
0.02, 0.05 and 0.1: strong regularisation holds best on the 768-odd features)."""
HIDDEN = {"leads_with_accomplishment": 32}
"""Checks whose head has a hidden layer of this many rectified units (the others are linear). Chosen
by leaving out one writer's file at a time (training data only; figures in the README's entry for this
script). A plain opening must still be decided clearly: tests/test_semantic.py checks the packaged heads."""
ALPHA = 1.0
"""L2 penalty of a hidden-layer head."""
NETS = 5
"""A hidden-layer head is the average of this many networks trained from different seeds: one network
with their hidden units side by side and their output weights divided by this number (one network alone
moved a plain opening's probability by 0.3 from one seed to another)."""
NUMBERS = {"quantified_result", "leads_with_accomplishment"}
"""Checks whose head also reads the contextual vectors at the window's numbers
(``semantic.number_vectors``; with the encoder only). Chosen for the number on a probe trained on 12,252
openings and looked at on blind36-38 (tuning data), then kept on blind39's first run; for the lead on
blind40's (a record stated with no deed, "my comeback rate was under one percent"; the blind README's
twenty-second and twenty-third rounds). The shipped number head reads them one number at a time
(``--number-pool each``, the twenty-ninth round), the lead head their mean."""
EACH_NUMBER = False
"""Whether the heads in ``NUMBERS`` read a window's numbers one by one (``semantic.NumberInstances``:
a row per number, the window's logit the best of them) instead of their mean (``--number-pool``)."""
NUMBER_UNIT = False
"""With ``EACH_NUMBER``: whether each number's vector is read in its clause alone
(``semantic.unit_number_vectors``) rather than in the whole answer (``--number-context``)."""
CONTEXTUAL = True
"""Whether the window features include the contextual encoder's vectors (``rehearse.coaching.contextual``;
the README's entry for this script has the figures with and without)."""


@dataclass
class HeadFit:
    """A trained head in the terms ``semantic.Head`` reads: the scaling, an optional hidden layer
    (weights, biases) and the output weights and bias."""

    w: np.ndarray
    b: float
    mean: np.ndarray
    scale: np.ndarray
    hidden: tuple | None = None

    def logits(self, x: np.ndarray) -> np.ndarray:
        return semantic.head_logits(x, self.mean, self.scale, self.w, self.b, self.hidden)


def load_items(paths: list[Path]) -> list[dict]:
    items = []
    for p in paths:
        if "blind" in p.parts:
            raise SystemExit(f"refusing to read {p}: blind sets are scored once, by someone else")
        items += [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def without_held_out(items: list[dict]) -> list[dict]:
    """The items whose source opening is not in the spoken benchmark's held-out slice."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_spoken_corpus import held_out

    return [it for it in items if not held_out(it.get("source_id") or it["id"])]


def default_paths() -> list[Path]:
    return sorted((ROOT / "tests/data/train").glob("*.jsonl")) + [ROOT / "tests/data/openings.jsonl"]


@dataclass
class Opening:
    item: dict
    wins: list
    x: np.ndarray
    eligible: dict
    rules: dict
    """check -> (passed, probability)"""
    numbers: int = 0
    """How many of ``x``'s last columns are ``semantic.number_vectors``' block (0: none)."""
    inst: Optional[semantic.NumberInstances] = None
    """The windows' numbers one by one (with ``EACH_NUMBER``)."""

    def _each(self, check: str) -> bool:
        return EACH_NUMBER and check in NUMBERS and self.inst is not None and bool(self.numbers)

    def rows(self, check: str) -> np.ndarray:
        """The feature rows of the windows ``check`` may read, in the columns its head reads (with
        ``EACH_NUMBER``, for a check in ``NUMBERS``: a row per number of those windows)."""
        if self._each(check):
            keep = self.eligible[check][self.inst.window]
            return semantic.instance_rows(self.x, self.numbers, self.inst)[keep]
        return semantic.head_columns(self.x[self.eligible[check]], self.numbers, check in NUMBERS)

    def spans(self, check: str) -> list:
        """What each of :meth:`rows` covers: the window, and with numbers one by one its number's token
        (-1: none), for :func:`_overlap`."""
        if self._each(check):
            keep = self.eligible[check][self.inst.window]
            return [(*self.wins[w], t) for w, t in zip(self.inst.window[keep], self.inst.token[keep])]
        return [w for w, e in zip(self.wins, self.eligible[check]) if e]


def encoder() -> contextual.Encoder:
    """The encoder the heads are trained on: the default runtime, with the packaged tuned layers if any."""
    return contextual.load(tuned=contextual.tuned_digest())


def featurize(items: list[dict]) -> list[Opening]:
    embedder = embed.load()
    enc = encoder() if CONTEXTUAL else None
    numbers = enc is not None and bool(NUMBERS)
    out = []
    for it in items:
        m = matcher_for(it["text"].split())
        wins, x, inst = semantic.features_and_numbers(m, embedder, enc, numbers, EACH_NUMBER and NUMBER_UNIT)
        elig = {c: semantic.eligible(c, m, wins) if wins else np.zeros(0, bool) for c in CHECK_NAMES}
        rules = {c: (f.passed, f.probability) for c, f in rule_findings(m).items()}
        out.append(Opening(it, wins, x, elig, rules, enc.dim if numbers else 0, inst if EACH_NUMBER else None))
    return out


def _overlap(a, b) -> bool:
    """Whether two rows' windows overlap; rows of numbers one by one (a third item, the number's token)
    only when they hold the same number, or one of them none: a positive opening's best row does not
    make the other numbers beside it positive."""
    if a[0] >= b[1] or b[0] >= a[1]:
        return False
    return len(a) < 3 or a[2] == b[2] or a[2] < 0 or b[2] < 0


def fit_head(ops: list[Opening], check: str, c: float, seed: int) -> HeadFit:
    """MIL-trained logistic regression; for a check in ``HIDDEN``, then a one-hidden-layer network
    trained on the windows that regression chose (each positive opening's best window and the
    windows overlapping it; every window of a negative opening)."""
    linear = fit_linear_head(ops, check, c, seed)
    units = HIDDEN.get(check)
    if not units:
        return linear
    from sklearn.neural_network import MLPClassifier

    xs, ys = [], []
    for x, y, wins in _blocks(ops, check):
        z = (x - linear.mean) / linear.scale
        if y:
            best = int(np.argmax(z @ linear.w + linear.b))
            keep = np.asarray([k for k, w in enumerate(wins) if _overlap(w, wins[best])])
            z = z[keep]
        xs.append(z)
        ys.append(np.full(len(z), 1.0 if y else 0.0))
    X, Y = np.vstack(xs), np.concatenate(ys)
    nets = [MLPClassifier(hidden_layer_sizes=(units,), alpha=ALPHA, max_iter=300, random_state=seed + k).fit(X, Y)
            for k in range(NETS)]
    hidden = (np.hstack([n.coefs_[0] for n in nets]).astype(np.float32),
              np.concatenate([n.intercepts_[0] for n in nets]).astype(np.float32))
    out = np.concatenate([n.coefs_[1][:, 0] for n in nets]) / NETS
    return HeadFit(out.astype(np.float32), float(np.mean([n.intercepts_[1][0] for n in nets])), linear.mean,
                   linear.scale, hidden)


def _blocks(ops: list[Opening], check: str) -> list:
    """Per opening with an eligible window: its eligible windows' features, its label, the windows."""
    blocks = []
    for o in ops:
        ok = o.eligible[check]
        if ok.any():
            blocks.append((o.rows(check), bool(o.item["labels"][check]), o.spans(check)))
    return blocks


def fit_linear_head(ops: list[Opening], check: str, c: float, seed: int) -> HeadFit:
    """MIL-trained logistic regression (see the module's docstring)."""
    from sklearn.linear_model import LogisticRegression

    blocks = _blocks(ops, check)
    allx = np.vstack([b[0] for b in blocks])
    mean = allx.mean(axis=0)
    scale = allx.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = None
    for rnd in range(ROUNDS):
        xs, ys, ws = [], [], []
        for x, y, wins in blocks:
            z = (x - mean) / scale
            if not y:
                xs.append(z)
                ys.append(np.zeros(len(z)))
                ws.append(np.ones(len(z)))
                continue
            if model is None:
                keep = np.arange(len(z))
            else:
                best = int(np.argmax(model.decision_function(z)))
                keep = np.asarray([k for k, w in enumerate(wins) if _overlap(w, wins[best])])
            xs.append(z[keep])
            ys.append(np.ones(len(keep)))
            ws.append(np.full(len(keep), 1.0 / len(keep) if model is None else 1.0))
        X, Y, W = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
        W = W * np.where(Y > 0, (W[Y == 0].sum() / max(W[Y > 0].sum(), 1e-9)) ** 0.5, 1.0)
        model = LogisticRegression(C=c, max_iter=400, random_state=seed)
        model.fit(X, Y, sample_weight=W)
    return HeadFit(model.coef_[0].astype(np.float32), float(model.intercept_[0]), mean.astype(np.float32),
                   scale.astype(np.float32))


def opening_logit(o: Opening, check: str, head: HeadFit) -> float:
    if not o.eligible[check].any():
        return -20.0
    return float(np.max(head.logits(o.rows(check))))


def window_counts(ops: list[Opening], check: str) -> np.ndarray:
    return np.asarray([int(o.eligible[check].sum()) for o in ops])


def folds(n: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    fold = np.empty(n, int)
    fold[order] = np.arange(n) % k
    return fold


def source(o: Opening) -> str:
    """The written opening an item comes from: its own id, or for engine text (``style: "asr_engine"``,
    scripts/make_spoken_corpus.py) the ``source_id`` it was spoken from."""
    return o.item.get("source_id") or o.item["id"]


def group_folds(ops: list[Opening], k: int, seed: int) -> np.ndarray:
    """Folds by source opening: an opening and the engine's transcripts of it are always in the same
    fold (else the model would be scored on what it was trained on, in other words). With no engine
    text, exactly :func:`folds`."""
    keys: dict[str, int] = {}
    for o in ops:
        keys.setdefault(source(o), len(keys))
    per_key = folds(len(keys), k, seed)
    return np.asarray([per_key[keys[source(o)]] for o in ops], int)


def cross_validate(ops: list[Opening], k: int, seed: int, log=print, train_mask=None) -> dict[str, np.ndarray]:
    """Out-of-fold opening logits per check. With ``train_mask``, only the openings it marks are ever
    trained on (every opening is still scored out of fold)."""
    fold = group_folds(ops, k, seed)
    mask = np.ones(len(ops), bool) if train_mask is None else np.asarray(train_mask, bool)
    oof = {c: np.zeros(len(ops)) for c in CHECK_NAMES}
    for f in range(k):
        t0 = time.perf_counter()
        train = [o for o, g, m in zip(ops, fold, mask) if g != f and m]
        for c in CHECK_NAMES:
            head = fit_head(train, c, C[c], seed)
            for i in np.flatnonzero(fold == f):
                oof[c][i] = opening_logit(ops[i], c, head)
        log(f"  fold {f + 1}/{k} in {time.perf_counter() - t0:.1f}s")
    return oof


def platt(logits: np.ndarray, counts: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Calibration of an opening's best-window logit, given how many windows it had."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=100.0, max_iter=1000).fit(np.c_[logits, np.log1p(counts)], y.astype(int))
    return float(lr.coef_[0][0]), float(lr.coef_[0][1]), float(lr.intercept_[0])


def prob(logits: np.ndarray, counts: np.ndarray, p: tuple[float, float, float]) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(p[0] * logits + p[1] * np.log1p(counts) + p[2])))


def stack_x(ops: list[Opening], c: str, oof: np.ndarray, calib) -> np.ndarray:
    """The stacker's inputs, exactly as ``checkers.stack_inputs`` computes them at run time."""
    p = np.clip(prob(oof, window_counts(ops, c), calib), 1e-6, 1 - 1e-6)
    lp = np.log(p / (1 - p))
    r = np.asarray([1.0 if o.rules[c][0] else 0.0 for o in ops])
    rp = np.asarray([o.rules[c][1] for o in ops])
    return np.c_[lp, r, rp, lp * r]


def fit_stack(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=10.0, max_iter=1000).fit(x, y.astype(int))
    return np.r_[lr.coef_[0], lr.intercept_[0]]


def apply_stack(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(x @ w[:-1] + w[-1])))


def stacked_oof(ops: list[Opening], oof: dict[str, np.ndarray], calib: dict, seed: int = 0, k: int = 5,
                train_mask=None) -> dict[str, np.ndarray]:
    """check -> the stacker's probability for every opening, out of fold (on folds of its own, by
    source opening; fitted only on the openings ``train_mask`` marks)."""
    fold = group_folds(ops, k, seed + 1)
    mask = np.ones(len(ops), bool) if train_mask is None else np.asarray(train_mask, bool)
    out = {}
    for c in CHECK_NAMES:
        x, y = stack_x(ops, c, oof[c], calib[c]), labels(ops, c)
        p = np.zeros(len(ops))
        for f in range(k):
            te = fold == f
            tr = ~te & mask
            p[te] = apply_stack(x[te], fit_stack(x[tr], y[tr]))
        out[c] = p
    return out


def decisions(ops: list[Opening], oof: dict[str, np.ndarray], calib: dict, seed: int = 0,
              k: int = 5, train_mask=None) -> dict:
    """check -> combination -> array of decisions, all out of fold (the stacker cross-validated too,
    on folds of its own)."""
    out = {}
    stacked = stacked_oof(ops, oof, calib, seed, k, train_mask)
    for c in CHECK_NAMES:
        model = prob(oof[c], window_counts(ops, c), calib[c]) >= 0.5
        rules = np.asarray([o.rules[c][0] for o in ops])
        out[c] = {"rules": rules, "model": model, "or": rules | model, "and": rules & model,
                  "stack": stacked[c] >= 0.5}
    return out


def fit_platt(ops: list[Opening], oof: dict[str, np.ndarray], train_mask=None) -> dict:
    """check -> Platt calibration of the head, fitted on the out-of-fold logits of the marked openings."""
    mask = np.ones(len(ops), bool) if train_mask is None else np.asarray(train_mask, bool)
    sub = [o for o, m in zip(ops, mask) if m]
    return {c: platt(oof[c][mask], window_counts(sub, c), labels(sub, c)) for c in CHECK_NAMES}


def f1(got: np.ndarray, want: np.ndarray) -> float:
    tp = int((got & want).sum())
    fp = int((got & ~want).sum())
    fn = int((~got & want).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the mean |observed rate - mean probability| over equal-width bins,
    weighted by how many openings fall in each."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.sum() * abs(y[sel].mean() - p[sel].mean())
    return total / max(len(p), 1)


def labels(ops: list[Opening], c: str) -> np.ndarray:
    return np.asarray([bool(o.item["labels"][c]) for o in ops])


def need_heads_file(path: Path) -> None:
    """Refuse ``--only`` without a heads file to write into (said before the cross-validation runs)."""
    if not path.exists():
        raise SystemExit(f"--only needs an existing heads file to write into: {path} is missing")


def into_heads_file(path: Path, arrays: dict, meta: dict, only: list[str]) -> tuple[dict, dict]:
    """The heads of the file at ``path`` with those of ``only`` replaced by ``arrays``' (and their
    combination by ``meta``'s); its meta keeps what it said of the other heads and records, under
    ``"replaced"``, the data each replaced head was trained on."""
    need_heads_file(path)
    with np.load(path) as old:
        kept = {k: old[k] for k in old.files if k != "meta" and k.split(".")[0] not in only}
        old_meta = json.loads(str(old["meta"]))
    if old_meta.get("contextual_tuned") != meta.get("contextual_tuned"):
        raise SystemExit(f"{path.name}'s heads were trained on other encoder layers: retrain them all")
    merged = dict(old_meta)
    merged["combine"] = dict(old_meta["combine"]) | {c: meta["combine"][c] for c in only}
    trained = {k: meta[k] for k in ("openings", "data", "seed", "folds", "without_held_out", "asr_copies",
                                    "drop_i_copies", "number_pool", "number_context") if k in meta}
    merged["replaced"] = dict(old_meta.get("replaced", {})) | {c: trained for c in only}
    return kept | {k: v for k, v in arrays.items() if k.split(".")[0] in only}, merged


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", nargs="*", type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dry-run", action="store_true", help="cross-validate only, write nothing")
    ap.add_argument("--out", type=Path, default=None, help="default: the packaged heads file")
    ap.add_argument("--static", action="store_true",
                    help="without the contextual encoder's vectors: the fallback heads, semantic_heads_static.npz")
    ap.add_argument("--without-held-out", action="store_true",
                    help="leave out the spoken benchmark's held-out slice (scripts/bench_spoken.py --held-out), "
                         "written and spoken, to measure on it")
    ap.add_argument("--drop-i-copies", action="store_true",
                    help="also train on a copy of each opening with a sentence that starts \"I <word>\" without "
                         "its \"I\", as an engine writes a swallowed subject (scripts/asr_style.py)")
    ap.add_argument("--only", nargs="+", choices=CHECK_NAMES, metavar="CHECK",
                    help="write only these checks' heads (and their combination) into the --out file, keeping "
                         "its other heads as they are; the file's meta records the data of each head so replaced")
    ap.add_argument("--number-pool", choices=("mean", "each"), default="mean",
                    help="how the number and lead heads read a window's numbers: the mean of their contextual "
                         "vectors (one row per window) or each on its own (a row per number, the best counts)")
    ap.add_argument("--number-context", choices=("answer", "unit"), default="answer",
                    help="with --number-pool each: read each number's vector in the whole answer or in its "
                         "clause alone (the thanks before a result no longer colours the result's number)")
    ap.add_argument("--asr-copies", action="store_true",
                    help="also train on a recognition-style copy of each typed opening (scripts/asr_style.py); "
                         "a copy is in its opening's fold")
    args = ap.parse_args(argv)
    global CONTEXTUAL, EACH_NUMBER, NUMBER_UNIT
    EACH_NUMBER = args.number_pool == "each"
    NUMBER_UNIT = args.number_context == "unit"
    if args.static:
        CONTEXTUAL = False
    if args.out is None:
        args.out = ROOT / "rehearse" / (semantic.STATIC_HEADS_FILE if args.static else semantic.HEADS_FILE)
    if args.only:
        need_heads_file(args.out)
    paths = args.data or default_paths()
    items = load_items(paths)
    if args.without_held_out:
        items = without_held_out(items)
    if args.asr_copies:
        from asr_style import with_asr_copies

        items = with_asr_copies(items)
    if args.drop_i_copies:
        from asr_style import with_subject_dropped_copies

        items = with_subject_dropped_copies(items)
    print(f"{len(items)} openings from {', '.join(p.name for p in paths)}"
          f"{' without the held-out slice' if args.without_held_out else ''}")
    t0 = time.perf_counter()
    ops = featurize(items)
    print(f"features in {time.perf_counter() - t0:.1f}s ({sum(len(o.wins) for o in ops)} windows)")
    oof = cross_validate(ops, args.folds, args.seed)
    calib = {c: platt(oof[c], window_counts(ops, c), labels(ops, c)) for c in CHECK_NAMES}
    dec = decisions(ops, oof, calib, args.seed, args.folds)
    combine = {}
    print(f"\n{args.folds}-fold cross-validation F1 (out of fold)")
    print(f"{'check':<28}" + "".join(f"{k:>8}" for k in COMBINATIONS))
    for c in CHECK_NAMES:
        want = labels(ops, c)
        scores = {k: f1(dec[c][k], want) for k in COMBINATIONS}
        best = max(scores.values())
        combine[c] = next(k for k in PREFERENCE if scores[k] >= best - TOLERANCE)
        print(f"{c:<28}" + "".join(f"{scores[k]:8.3f}" for k in COMBINATIONS) + f"   -> {combine[c]}")
    engine = np.asarray([o.item.get("style") == "asr_engine" for o in ops])
    if engine.any():
        for title, rows in (("written openings", ~engine), ("engine text", engine)):
            print(f"  on the {title} only ({int(rows.sum())})")
            for c in CHECK_NAMES:
                want = labels(ops, c)[rows]
                print(f"  {c:<26}" + "".join(f"{f1(dec[c][k][rows], want):8.3f}" for k in COMBINATIONS))
    stacked = stacked_oof(ops, oof, calib, args.seed, args.folds)
    print("expected calibration error of the stacked probability, out of fold (all"
          + (", written, engine text)" if engine.any() else ")"))
    for c in CHECK_NAMES:
        y = labels(ops, c).astype(float)
        cells = [ece(stacked[c], y)] + ([ece(stacked[c][r], y[r]) for r in (~engine, engine)] if engine.any() else [])
        print(f"  {c:<26}" + "".join(f"{v:8.3f}" for v in cells))
    if args.dry_run:
        return 0
    arrays = {}
    for c in args.only or CHECK_NAMES:
        head = fit_head(ops, c, C[c], args.seed)
        if head.hidden is not None:
            arrays.update({f"{c}.w1": head.hidden[0], f"{c}.b1": head.hidden[1]})
        if CONTEXTUAL and c in NUMBERS:
            arrays[f"{c}.numbers"] = np.asarray(True)
            if EACH_NUMBER:
                arrays[f"{c}.each_number"] = np.asarray(True)
                if NUMBER_UNIT:
                    arrays[f"{c}.number_unit"] = np.asarray(True)
        arrays.update({f"{c}.w": head.w, f"{c}.b": np.float32(head.b), f"{c}.mean": head.mean, f"{c}.scale": head.scale,
                       f"{c}.platt": np.asarray(calib[c], np.float32), f"{c}.threshold": np.float32(0.5),
                       f"{c}.stack": fit_stack(stack_x(ops, c, oof[c], calib[c]), labels(ops, c)).astype(np.float32)})
    meta = {"combine": combine, "embedding": f"{embed.PACKAGE} {embed.WEIGHTS}",
            "contextual": f"{contextual.PACKAGE} {contextual.WEIGHTS}" if CONTEXTUAL else "",
            "contextual_runtime": encoder().runtime if CONTEXTUAL else "", "folds": args.folds,
            "contextual_tuned": (contextual.tuned_digest() or "") if CONTEXTUAL else "",
            "seed": args.seed, "openings": len(items), "data": [p.name for p in paths], "C": C, "rounds": ROUNDS,
            "hidden": HIDDEN, "alpha": ALPHA, "nets": NETS, "numbers": sorted(NUMBERS) if CONTEXTUAL else [],
            "number_pool": ("each" if EACH_NUMBER else "mean") if CONTEXTUAL else "",
            "number_context": ("unit" if NUMBER_UNIT else "answer") if CONTEXTUAL and EACH_NUMBER else "",
            "without_held_out": args.without_held_out, "asr_copies": args.asr_copies,
            "drop_i_copies": args.drop_i_copies}
    if args.only:
        arrays, meta = into_heads_file(args.out, arrays, meta, args.only)
    arrays["meta"] = np.asarray(json.dumps(meta))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(f"\nwrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
