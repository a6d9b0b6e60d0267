#!/usr/bin/env python3
"""Fit the personal checks' similarity model and estimate it honestly.

Reads labelled pairs (the format of ``scripts/bench_personal.py``): ``--acc`` files train the
"presents your best accomplishment" head, ``--topic`` files the "mentions a topic" head. For each pair
the shipped code computes the three features (``rehearse.coaching.personal.similarity_features``); a
logistic regression (L2, on standardised features) is estimated by grouped k-fold cross-validation,
the groups being the bank entry or the topic, so no entry or topic is ever both trained and tested on
(the blind pairs have other entries and topics); the folds are drawn ``--repeats`` times and the
figures averaged. The word matching's figures on the same pairs are printed beside them (it is not
fitted on them), and those of "model or words" (what ``presents_accomplishment`` ships: a pass by
either). With ``--write``, the model fitted on all pairs is written to
``rehearse/data/personal_model.json``.

    .venv/bin/python scripts/train_personal.py --acc tests/data/personal/pairs_acc_dev.jsonl \\
        --topic tests/data/personal/pairs_topic_work_dev*.jsonl [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.coaching import embed, personal, topic_match  # noqa: E402
from rehearse.coaching.bank import Accomplishment  # noqa: E402
from rehearse.coaching.checks import load_rules as check_rules  # noqa: E402
from rehearse.coaching.textnorm import normalize  # noqa: E402
from rehearse.core.model import Transcript  # noqa: E402

RIDGE = 1.0
"""L2 penalty on the standardised weights (the bias is not penalised)."""
THRESHOLD = 0.5
USES = {personal.PRESENTS: ("soft", "heard", "window", "size")}
"""The features the accomplishment head uses (the others get weight 0). The topic head reads
``topic_match.FEATURES`` (names heard, words heard, negated, the words around the mention: a bag of
words fitted with it, inside each fold), all of them: on the development pairs of
the debrief's kind of topic, adding the embedding features (the window's cosine, the soft word match)
moved the cross-validated F1 by 0.01 or less, so the topic check reads words only and works the same
without the embedding package."""
FORMS = {"full": ("title", "situation", "action", "result"), "title": ("title",),
         "title+result": ("title", "result"), "title+action": ("title", "action")}
"""The bank entry of each accomplishment pair is read in these forms: users fill in a title and often
little else, and whether an opening presents a piece of work does not depend on how much of it the
bank holds; the head is trained on every form (``size`` tells them apart), and reported per form."""


def read(paths) -> list[dict]:
    items = []
    for path in paths:
        items += [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def entry(item: dict) -> Accomplishment:
    e = item["entry"]
    return Accomplishment(title=e["title"], situation=e.get("situation", ""), action=e.get("action", ""),
                          result=e.get("result", ""), best=True)


def in_forms(items: list[dict]) -> list[dict]:
    """Every accomplishment pair once per entry form (``"form"`` says which), other pairs as they are."""
    out = []
    for form, fields in FORMS.items():
        for item in items:
            if "entry" in item:
                e = item["entry"]
                out.append({**item, "form": form, "entry": {k: (e.get(k, "") if k in fields else "")
                                                            for k in FORMS["full"]}})
    return out + [{**it, "form": "topic"} for it in items if "entry" not in it]


def features(items: list[dict], model: personal.SimilarityModel) -> tuple[np.ndarray, list]:
    """The accomplishment head's features (``personal.FEATURES``), or the topic head's
    (``topic_match.FEATURES``, the context's column 0 until :func:`with_context` fills it) for topic
    pairs; and each topic pair's mention (None for the others)."""
    rules, trules = personal.load_rules(), personal.load_topic_rules()
    rows, mentions = [], []
    for item in items:
        doc = normalize(" ".join(item["opening"].split()).split(), check_rules().norm)
        if "entry" in item:
            rows.append(personal.similarity_features(doc, personal.entry_text(entry(item)), model, rules).values)
            mentions.append(None)
        else:
            topic = topic_match.terms(personal._norm(item["topic"]), trules)
            mention = topic_match.find(doc, topic, trules)
            rows.append(topic_match.features(mention))
            mentions.append(mention)
    return np.asarray(rows, np.float64), mentions


CONTEXT_MIN = 3
"""A word is in the context's vocabulary when it stands around at least this many training mentions."""
CONTEXT_RIDGE = 10.0
"""L2 penalty on the context words' weights (one per word, 0 or 1 each); chosen by the grouped CV
below among 1, 3, 10 and 30 on the development pairs."""


def fit_context(mentions: list, y: np.ndarray, train: np.ndarray, ridge: float = CONTEXT_RIDGE) -> tuple[dict, float]:
    """A weight per word around a mention, and a bias: a logistic regression on the training pairs
    whose topic was heard somewhere (the context of the others is empty)."""
    rows = [i for i in np.flatnonzero(train) if mentions[i] is not None and mentions[i].span is not None]
    seen: dict[str, int] = {}
    for i in rows:
        for t in set(mentions[i].context):
            seen[t] = seen.get(t, 0) + 1
    vocab = sorted(t for t, n in seen.items() if n >= CONTEXT_MIN)
    if not rows or not vocab:
        return {}, 0.0
    col = {t: k for k, t in enumerate(vocab)}
    z = np.zeros((len(rows), len(vocab) + 1))
    z[:, -1] = 1.0
    for r, i in enumerate(rows):
        for t in set(mentions[i].context):
            if t in col:
                z[r, col[t]] = 1.0
    target = y[rows].astype(np.float64)
    w = np.zeros(z.shape[1])
    penalty = np.diag([ridge] * len(vocab) + [0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z @ w)))
        step = np.linalg.solve(z.T @ (z * (p * (1 - p))[:, None]) + penalty, z.T @ (p - target) + penalty @ w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return {t: round(float(w[k]), 6) for t, k in col.items()}, round(float(w[-1]), 6)


def with_context(x: np.ndarray, mentions: list, weights: dict, bias: float) -> np.ndarray:
    """``x`` with the context column (the last) computed from ``weights``."""
    out = x.copy()
    out[:, -1] = [topic_match.context_score(m, weights, bias) if m is not None else 0.0 for m in mentions]
    return out


def rule_verdicts(items: list[dict]) -> np.ndarray:
    """The word matching's verdicts: for an accomplishment, without the model; for a topic, without
    the head (every name heard, not denied)."""
    out = []
    rules = personal.load_rules()
    for item in items:
        transcript = Transcript(" ".join(item["opening"].split()))
        if "entry" in item:
            targets = personal.Targets(accomplishment=entry(item))
            out.append(personal.check(transcript, targets, model=None)[0].result.passed)
        else:
            doc = normalize(transcript.text.split(), check_rules().norm)
            out.append(personal.check_topic(doc, transcript, item["topic"], rules, head=None).result.passed)
    return np.asarray(out, bool)


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method; weights and bias on the raw feature scale."""
    mean, scale = x.mean(0), x.std(0)
    scale[scale == 0] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.diag([RIDGE] * (z.shape[1] - 1) + [0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z @ w)))
        grad = z.T @ (p - y) + penalty @ w
        hess = z.T @ (z * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = w[:-1] / scale
    return weights, float(w[-1] - (mean / scale) @ w[:-1])


def predict(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ weights + bias)))


def counts(y: np.ndarray, p: np.ndarray) -> tuple[int, int, int]:
    return int(np.sum(y & p)), int(np.sum(p & ~y)), int(np.sum(y & ~p))


def report(name: str, items: list[dict], y: np.ndarray, runs: list[np.ndarray]) -> None:
    styles = np.asarray([it["style"] for it in items])
    forms = np.asarray([it.get("form", "") for it in items])
    cells = [(form, style, (forms == form) & ((styles == style) | (style == "all")))
             for form in dict.fromkeys(forms) for style in ("typed", "asr", "all")]
    if len(set(forms)) > 1:
        cells.append(("", "all", np.ones(len(y), bool)))
    for form, style, mask in cells:
        tp, fp, fn = np.mean([counts(y[mask], r[mask]) for r in runs], axis=0)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        print(f"  {name:22s} {form or 'all':12s} {style:6s} {int(mask.sum()):4d} {prec:5.2f} {rec:5.2f} {f1:5.2f} "
              f"{fp:5.1f} {fn:5.1f}")


def cross_validate(x: np.ndarray, y: np.ndarray, groups: list[str], folds: int, repeats: int,
                   prepare=None) -> list[np.ndarray]:
    """Grouped k-fold predictions, ``repeats`` times; ``prepare(train_mask)`` (if given) returns the
    features for a fold, fitted on its training pairs only (the topic head's context words)."""
    names = sorted(set(groups))
    runs = []
    for rep in range(repeats):
        order = np.random.RandomState(rep).permutation(len(names))
        fold_of = {g: int(order[i]) % folds for i, g in enumerate(names)}
        fold = np.asarray([fold_of[g] for g in groups])
        pred = np.zeros(len(y), bool)
        for k in range(folds):
            test = fold == k
            xf = x if prepare is None else prepare(~test)
            weights, bias = fit(xf[~test], y[~test])
            pred[test] = predict(xf[test], weights, bias) >= THRESHOLD
        runs.append(pred)
    return runs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acc", nargs="+", type=Path, default=[])
    parser.add_argument("--topic", nargs="+", type=Path, default=[])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--context-ridge", type=float, default=CONTEXT_RIDGE,
                        help="L2 penalty of the topic head's context words")
    parser.add_argument("--write", action="store_true", help="write rehearse/data/personal_model.json")
    args = parser.parse_args(argv)
    model = personal.SimilarityModel(embed.load(), personal.SimilarityRules.from_data(personal.load_data()), {})
    heads = {}
    print(f"  {'':22s} {'entry':12s} {'style':6s} {'n':>4s} {'P':>5s} {'R':>5s} {'F1':>5s} {'fp':>5s} {'fn':>5s}")
    for check, paths, key, group in ((personal.PRESENTS, args.acc, "presents", lambda it: it["entry"]["title"]),
                                     (personal.MENTIONS, args.topic, "mentions", lambda it: it["topic"])):
        if not paths:
            continue
        items = in_forms(read(paths))
        y = np.asarray([bool(it[key]) for it in items])
        names = personal.HEAD_FEATURES[check]
        uses = USES.get(check, names)
        cols = [names.index(f) for f in uses]
        x, mentions = features(items, model)
        x = x[:, cols]
        print(f"{check} ({', '.join(uses)})")
        ruled = rule_verdicts(items)
        prepare, context = None, None
        if check == personal.MENTIONS:
            def prepare(train, ridge=args.context_ridge):
                return with_context(x, mentions, *fit_context(mentions, y, train, ridge))

            context = fit_context(mentions, y, np.ones(len(y), bool), args.context_ridge)
            x = with_context(x, mentions, *context)
        runs = cross_validate(x, y, [group(it) for it in items], args.folds, args.repeats, prepare)
        weights, bias = fit(x, y)
        fitted = predict(x, weights, bias) >= THRESHOLD
        report("word matching", items, y, [ruled])
        report(f"model, {args.folds}-fold CV", items, y, runs)
        report("model, fit on all", items, y, [fitted])
        report(f"model or words, CV", items, y, [r | ruled for r in runs])
        report("model or words, all", items, y, [fitted | ruled])
        full = np.zeros(len(names))
        full[cols] = weights
        print("  weights " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(names, full)) + f", bias {bias:+.3f}")
        heads[check] = {"features": list(names), "weights": [round(float(w), 6) for w in full],
                        "bias": round(bias, 6), "threshold": THRESHOLD, "pairs": len(items)}
        if context is not None:
            heads[check]["context"] = {"bias": context[1], "weights": context[0]}
            ranked = sorted(context[0].items(), key=lambda kv: kv[1])
            print("  context words, most against: " + ", ".join(f"{t} {w:+.2f}" for t, w in ranked[:12]))
            print("  context words, most for:     " + ", ".join(f"{t} {w:+.2f}" for t, w in ranked[-12:]))
    if args.write:
        out = ROOT / "rehearse" / personal.MODEL_FILE
        out.write_text(json.dumps({"features": list(personal.FEATURES), "ridge": RIDGE, "heads": heads},
                                  indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
