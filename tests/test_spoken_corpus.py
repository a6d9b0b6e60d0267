"""The engine-written training openings (tests/data/train/spoken.jsonl, scripts/make_spoken_corpus.py)
and the pieces of the training and benchmark scripts that handle them: folds by source opening and
the calibration error."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from rehearse.core.model import CHECK_NAMES

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "tests" / "data" / "train"


@pytest.fixture(scope="module")
def scripts():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        yield lambda name: importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def _items(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_engine_text_carries_the_labels_of_the_opening_it_was_spoken_from(scripts):
    corpus = scripts("make_spoken_corpus")
    written = {it["id"]: it for name in ("train1", "train2", "train3") for it in _items(TRAIN / f"{name}.jsonl")}
    spoken = _items(TRAIN / "spoken.jsonl")  # committed: a missing file is a failure, never a skip
    assert len(spoken) >= 80
    assert len({it["id"] for it in spoken}) == len(spoken)
    families = set()
    for it in spoken:
        src = written[it["source_id"]]
        assert it["style"] == "asr_engine"
        assert it["labels"] == src["labels"] and it["archetype"] == src["archetype"]
        assert it["id"] == f"{src['id']}-{'ps' if it['engine'] == 'pocketsphinx' else 'wb'}"
        assert it["engine"] in ("whisper", "pocketsphinx")
        assert 20.0 <= it["snr_db"] <= 35.0
        assert not corpus.held_out(src["id"]), "the spoken benchmark's held-out slice must not be trained on"
        families.add(it["voice"].split(":")[0])
    assert families == {"piper", "kokoro", "espeak-ng"}
    assert sum(it["engine"] == "whisper" for it in spoken) > sum(it["engine"] == "pocketsphinx" for it in spoken)


def test_an_unpunctuated_opening_is_spoken_in_phrases_cut_before_a_question(scripts):
    corpus = scripts("make_spoken_corpus")
    text = ("um so last year i rebuilt the intake process for the clinic and waiting times went down a lot "
            "what would i have had to do by next june for you to say it worked")
    parts = corpus.spoken_sentences(text, np.random.default_rng(0), fillers=False)
    assert " ".join(parts).split() == text.split()
    assert all(len(p.split()) <= corpus.CHUNK_WORDS[1] for p in parts)
    assert any(p.startswith("what would i") for p in parts)


def test_a_punctuated_opening_is_spoken_sentence_by_sentence(scripts):
    corpus = scripts("make_spoken_corpus")
    parts = corpus.spoken_sentences("Thanks for having me back. I cut costs by 20%. What would success look like?",
                                    np.random.default_rng(0), fillers=False)
    assert parts == ["Thanks for having me back.", "I cut costs by 20%.", "What would success look like?"]


def _opening(train_checks, item_id: str, source: str | None = None):
    item = {"id": item_id, "labels": {c: False for c in CHECK_NAMES}}
    if source:
        item |= {"source_id": source, "style": "asr_engine"}
    return train_checks.Opening(item, [], np.zeros((0, 1)), {}, {})


def test_engine_text_is_in_the_same_fold_as_the_opening_it_was_spoken_from(scripts):
    T = scripts("train_checks")
    written = [_opening(T, f"w{i}") for i in range(40)]
    spoken = [_opening(T, f"w{i}-wb", f"w{i}") for i in range(0, 40, 3)]
    ops = written + spoken
    fold = T.group_folds(ops, 5, 0)
    where = {o.item["id"]: f for o, f in zip(ops, fold)}
    for o in spoken:
        assert where[o.item["id"]] == where[o.item["source_id"]]
    assert len(set(fold)) == 5


def test_without_engine_text_the_folds_are_the_plain_ones(scripts):
    T = scripts("train_checks")
    ops = [_opening(T, f"w{i}") for i in range(23)]
    assert list(T.group_folds(ops, 5, 3)) == list(T.folds(23, 5, 3))


def test_calibration_error_of_a_calibrated_and_an_overconfident_scorer(scripts):
    B = scripts("bench_checkers")
    # 10 openings at 0.3, three of them done; 10 at 0.8, eight done: calibrated, ECE 0
    p = np.r_[np.full(10, 0.3), np.full(10, 0.8)]
    y = np.r_[np.ones(3), np.zeros(7), np.ones(8), np.zeros(2)]
    assert B.ece(p, y) == pytest.approx(0.0)
    # the same scorer saying 0.95 where 80% are done: off by 0.15 on half the openings
    p2 = np.r_[np.full(10, 0.3), np.full(10, 0.95)]
    assert B.ece(p2, y) == pytest.approx(0.075)


def test_spoken_agreement_counts_only_the_checks_the_archetype_requires(scripts):
    bench = scripts("bench_spoken")
    labels = {c: False for c in CHECK_NAMES} | {"asks_first_year_question": True, "asks_contributor_question": True}
    item = {"id": "x", "archetype": "salesperson", "labels": labels}
    tally = bench.Tally()
    tally.add(item, dict(labels) | {"quantified_result": True})  # a check salesperson does not require
    tally.add(item, dict(labels) | {"asks_contributor_question": False})  # a required one missed
    assert (tally.n, tally.required, tally.verdict, tally.all5) == (2, 1, 1, 0)
    assert tally.check_n["asks_contributor_question"] == 2 and tally.check_ok["asks_contributor_question"] == 1
    assert "quantified_result" not in tally.check_n


def test_voices_take_turns_over_the_openings(scripts):
    bench = scripts("bench_spoken")
    voices = bench.parse_voices("piper:joe,kokoro:*/2,espeak:*/2")
    assert voices == [("piper:joe", 1), ("kokoro:*", 2), ("espeak:*", 2)]
    said = [bench.voices_for(n, voices) for n in range(4)]
    assert said == [["piper:joe", "espeak:*0"], ["piper:joe", "kokoro:*0"],
                    ["piper:joe", "espeak:*1"], ["piper:joe", "kokoro:*1"]]


@pytest.mark.parametrize("name, sets, least", [("spoken3", (38, 39, 40, 41), 1000), ("spoken4", (42,), 250),
                                               ("spoken5", (43, 44, 45, 46), 1000), ("spoken6", (47,), 250), ("spoken7", (48, 49), 500),
                                               ("spoken8", (50,), 250),
                                               ("spoken9", (51,), 250),
                                               ("spoken10", (52,), 250),
                                               ("spoken11", (53,), 250),
                                               ("spoken12", (54,), 250)])
def test_the_blind_sets_engine_text_carries_their_labels(scripts, name, sets, least):
    """spoken3.jsonl to spoken12.jsonl: the engine's transcripts of the spoken benchmark's renders of
    blind38-41, blind42, blind43-46, blind47, blind48-49, blind50, blind51, blind52, blind53 and blind54 (tuning sets by then),
    labels carried
    from the opening, the held-out slice left out."""
    corpus = scripts("make_spoken_corpus")
    blind = ROOT / "tests" / "data" / "blind"
    written = {it["id"]: it for n in sets for it in _items(blind / f"blind{n}.jsonl")}
    spoken = _items(TRAIN / f"{name}.jsonl")  # committed: a missing file is a failure, never a skip
    assert len(spoken) >= least and len({it["id"] for it in spoken}) == len(spoken)
    for it in spoken:
        src = written[it["source_id"]]
        assert it["style"] == "asr_engine" and it["engine"] == "whisper" and it["text"].strip()
        assert it["labels"] == src["labels"] and it["archetype"] == src["archetype"]
        assert it["source_style"] == src["style"] and it["id"].startswith(src["id"] + "-")
        assert 20.0 <= it["snr_db"] <= 35.0
        assert not corpus.held_out(src["id"])
    assert {it["voice"].split(":")[0] for it in spoken} == {"piper", "kokoro", "espeak-ng"}


def test_a_render_becomes_a_training_item_as_the_corpus_makes_them(scripts):
    renders = scripts("spoken_from_renders")
    labels = {c: c == "quantified_result" for c in CHECK_NAMES}
    written = [{"id": f"z-{n:03d}", "archetype": "challenger", "style": "asr", "text": "cut it by half", "labels": labels}
               for n in range(40)]
    details = [{"id": it["id"], "text": it["text"], "labels": labels, "voice": "piper:en_US-joe-medium",
                "snr_db": 25.0, "heard": " Cut it  by half. "} for it in written]
    items = renders.items_from_details(written, details)
    corpus = scripts("make_spoken_corpus")
    assert len(items) == sum(not corpus.held_out(it["id"]) for it in written) < len(written)
    first = items[0]
    assert first["id"] == first["source_id"] + "-enusjoemediu" and first["text"] == "Cut it by half."
    assert first["style"] == "asr_engine" and first["labels"] == labels and first["source_style"] == "asr"
    details[0]["labels"] = dict(labels, quantified_result=False)  # details of another set's opening
    with pytest.raises(SystemExit):
        renders.items_from_details(written, details)
