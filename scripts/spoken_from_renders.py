"""Training text from the spoken benchmark's renders: the engine's transcripts of a set's openings.

    python scripts/spoken_from_renders.py --out tests/data/train/spoken5.jsonl \
        tests/data/blind/blind43.jsonl:DETAILS43.jsonl [WRITTEN:DETAILS ...]

``DETAILS`` is what ``scripts/bench_spoken.py WRITTEN --details DETAILS`` wrote: one line per opening
and voice, with the text the engine heard. Each becomes a training item as
``scripts/make_spoken_corpus.py`` makes them (``style: "asr_engine"``, the written opening's labels,
``source_id``, ``voice``, ``snr_db``; id ``<opening id>-<voice tag>``), the held-out slice left out.
Only for sets that are tuning data already (scored, and used to choose): a blind set still to be
scored must not be rendered into training text. ``spoken3.jsonl``, ``spoken4.jsonl`` and
``spoken5.jsonl`` are such files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from make_spoken_corpus import held_out  # noqa: E402


def voice_tag(voice: str) -> str:
    """The id suffix of a voice: "piper:en_US-joe-medium" -> "enusjoemediu"."""
    return re.sub(r"[^a-z0-9]", "", voice.split(":", 1)[-1].lower())[:12]


def items_from_details(written: list[dict], details: list[dict]) -> list[dict]:
    """Training items from one set's openings and the details of its spoken renders."""
    by_id = {it["id"]: it for it in written}
    out = []
    for d in details:
        src = by_id[d["id"]]
        if src["text"] != d["text"] or src["labels"] != d["labels"]:
            raise SystemExit(f"{d['id']}: the details do not match the written set")
        if held_out(src["id"]):
            continue
        out.append({"id": f"{src['id']}-{voice_tag(d['voice'])}", "archetype": src["archetype"],
                    "style": "asr_engine", "text": " ".join(d["heard"].split()), "labels": dict(src["labels"]),
                    "source_id": src["id"], "source_style": src.get("style", "typed"), "engine": "whisper",
                    "voice": d["voice"], "snr_db": d["snr_db"]})
    return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pairs", nargs="+", metavar="WRITTEN:DETAILS")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    out: list[dict] = []
    for pair in args.pairs:
        written, details = pair.split(":", 1)
        out += items_from_details(_jsonl(Path(written)), _jsonl(Path(details)))
    if len({it["id"] for it in out}) != len(out):
        raise SystemExit("two renders share an id: one opening spoken twice by the same voice")
    args.out.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in out), encoding="utf-8")
    print(f"wrote {len(out)} items to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
