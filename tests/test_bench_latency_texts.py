"""The latency benchmark's written-openings mode (``--texts``): which openings it speaks, and in what
order. Building and running the set needs voices and a virtual microphone; this is the pure part."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import bench_latency  # noqa: E402


def test_an_opening_is_cut_into_sentences_after_their_end_marks():
    text = "Thanks for having me back. I cut the backlog by 40%! Would that matter here?  "
    assert bench_latency.sentences_of(text) == ["Thanks for having me back.", "I cut the backlog by 40%!",
                                                "Would that matter here?"]
    # no end mark inside: one sentence, whatever its commas
    assert bench_latency.sentences_of("so um I led the move, and we saved 3.5 percent") == [
        "so um I led the move, and we saved 3.5 percent"]


def _write(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "openings.jsonl"
    path.write_text("".join(json.dumps({"id": f"o{k}", "text": t}) + "\n" for k, t in enumerate(texts)))
    return path


def test_only_openings_with_enough_sentences_are_spoken_in_an_order_drawn_from_the_seed(tmp_path):
    three = "One thing. Another thing. A question?"
    texts = [three] * 12 + ["a run of words with no end mark at all", "Two sentences. Only two."]
    path = _write(tmp_path, texts)
    picked = bench_latency.openings_to_speak(path, seed=5)
    assert sorted(it["id"] for it in picked) == sorted(f"o{k}" for k in range(12))
    assert [it["id"] for it in bench_latency.openings_to_speak(path, seed=5)] == [it["id"] for it in picked]
    orders = {tuple(it["id"] for it in bench_latency.openings_to_speak(path, seed=s)) for s in range(6)}
    assert len(orders) > 1  # the seed draws the order; the file's order is not kept
