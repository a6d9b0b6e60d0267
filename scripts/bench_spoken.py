"""Spoken verdict agreement: do the checks agree with the coach when the opening is spoken?

    python scripts/bench_spoken.py INPUT.jsonl [INPUT2.jsonl ...] [--held-out] [--voices SPECS]
        [--engine whisper] [--checker ensemble] [--heads FILE.npz] [--limit N] [--details OUT.jsonl]

Each labelled opening (``{"id", "archetype", "text", "labels"}``) is spoken by each voice of
``--voices`` in a room (fluent pauses, light reverb, 20-35 dB SNR pink noise: the rendering of
``scripts/make_spoken_corpus.py``, whose transcript cache is shared, so a re-run or an opening already
rendered costs nothing), transcribed with the default engine through ``rehearse.transcribe``, and
scored with the default checker (or ``--checker``, ``--heads``). The same openings are also scored as
written (text), so what speech loses is visible beside it.

Agreement with the coach's labels, per voice family and per voice:

- ``required``: every check the archetype requires (``rehearse/core/archetypes.py``) decided as the
  coach labelled it (the target: >= 95%);
- ``verdict``: pass/fail as the coach's (all required checks labelled done);
- ``all 5``: all five checks as labelled;
- per check: how often the decision matches the label where the check is required.

Costs: Whisper's real-time factor on these renders (from the cache when cached: the time measured
when it was rendered) and ms per opening to score (p50/p95).

Voices: a comma-separated list of ``piper:joe``, ``kokoro:STYLE``, ``espeak:VOICE``; ``*`` for the
style takes each family's styles in turn over the openings, and ``/K`` after a voice renders it for
every K-th opening only (e.g. ``kokoro:*/2,espeak:*/2``: the two take turns; Kokoro is slow on a
small CPU). ``--held-out`` keeps
only the held-out slice of the training files (``make_spoken_corpus.held_out``: about 1 in 20, never
rendered into tests/data/train/spoken.jsonl), for measuring on openings the heads can be trained
without. Nothing under tests/data/blind/ is read unless it is named, by the maintainer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import make_spoken_corpus as S  # noqa: E402
from rehearse.core import archetypes  # noqa: E402
from rehearse.core.model import CHECK_NAMES, Transcript  # noqa: E402

TARGET = 0.95
DEFAULT_VOICES = "piper:joe,kokoro:*/2,espeak:*/2"
SHORT = {"leads_with_accomplishment": "lead", "asks_first_year_question": "first-year q",
         "asks_contributor_question": "contributor q", "thanks_for_callback": "thanks",
         "quantified_result": "number"}


def make_checker(name: str, heads_path: Path | None):
    from rehearse.coaching import checkers

    if heads_path is None:
        return checkers.checker_named(name) if name != "default" else checkers.default_checker()
    from rehearse.coaching import semantic

    with np.load(heads_path, allow_pickle=False) as data:
        heads = semantic.heads_from_npz(data)
    model = semantic.checker_for(heads)
    if name == "model":
        return model
    if name == "rules":
        return checkers.RulesChecker()
    return checkers.EnsembleChecker(model, heads.combine, heads.stack)


def parse_voices(spec: str) -> list[tuple[str, int]]:
    out = []
    for part in spec.split(","):
        voice, _, every = part.strip().partition("/")
        out.append((voice, int(every) if every else 1))
    return out


def voices_for(n: int, voices: list[tuple[str, int]]) -> list[str]:
    """The voices that say the n-th opening: a voice with ``/K`` says every K-th (voices with the same K
    take turns), and ``fam:*`` becomes the family's next style each time it speaks."""
    out = []
    for k, (voice, every) in enumerate(voices):
        if (n + k) % every:
            continue
        fam, _, style = voice.partition(":")
        out.append(f"{fam}:*{n // every}" if style == "*" else voice)
    return out


class Scorer:
    def __init__(self, checker):
        self.checker = checker
        self.ms: list[float] = []

    def decisions(self, text: str, archetype: str) -> dict[str, bool]:
        from rehearse.coaching import scoring

        t0 = time.perf_counter()
        score = scoring.score(Transcript(text=" ".join(text.split())), archetypes.get(archetype), self.checker)
        self.ms.append((time.perf_counter() - t0) * 1000)
        return {c: bool(score.checks[c].passed) for c in CHECK_NAMES}


class Tally:
    def __init__(self):
        self.n = 0
        self.required = 0
        self.verdict = 0
        self.all5 = 0
        self.check_ok = defaultdict(int)
        self.check_n = defaultdict(int)
        self.audio_s = 0.0
        self.asr_s = 0.0

    def add(self, item: dict, got: dict[str, bool]) -> None:
        req = archetypes.get(item["archetype"]).required_checks
        lab = {c: bool(item["labels"][c]) for c in CHECK_NAMES}
        self.n += 1
        self.required += all(got[c] == lab[c] for c in req)
        self.verdict += all(got[c] for c in req) == all(lab[c] for c in req)
        self.all5 += all(got[c] == lab[c] for c in CHECK_NAMES)
        for c in req:
            self.check_n[c] += 1
            self.check_ok[c] += got[c] == lab[c]

    def row(self, name: str) -> str:
        def pct(a, b):
            return f"{100 * a / b:5.1f}%" if b else "    - "
        flag = " " if self.n and self.required / self.n >= TARGET else "!"
        cells = "".join(f"{pct(self.check_ok[c], self.check_n[c]):>15}" for c in CHECK_NAMES)
        rtf = f"{self.asr_s / self.audio_s:6.3f}" if self.audio_s else "     -"
        return (f"{name:<28}{self.n:>5}{pct(self.required, self.n):>9}{flag}{pct(self.verdict, self.n):>8}"
                f"{pct(self.all5, self.n):>8}{cells}{rtf:>8}")


def header() -> str:
    return (f"{'':<28}{'n':>5}{'required':>10}{'verdict':>8}{'all 5':>8}"
            + "".join(f"{SHORT[c]:>15}" for c in CHECK_NAMES) + f"{'RTF':>8}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+", type=Path)
    ap.add_argument("--held-out", action="store_true", help="only the held-out slice of the training files")
    ap.add_argument("--voices", default=DEFAULT_VOICES)
    ap.add_argument("--engine", default="whisper", help="whisper (the default engine) or pocketsphinx")
    ap.add_argument("--checker", default="default", choices=("default", "ensemble", "model", "rules"))
    ap.add_argument("--heads", type=Path, help="score with these heads instead of the packaged ones")
    ap.add_argument("--cache", type=Path, default=ROOT / ".bench/spoken")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--cached-only", action="store_true", help="render nothing; score what the cache holds")
    ap.add_argument("--details", type=Path, help="write one line per opening and voice here")
    ap.add_argument("--shard", default="0/1", help="K/N: render only every N-th opening from the K-th (to "
                    "render in N processes; then score them all with --cached-only)")
    args = ap.parse_args(argv)

    items = []
    for path in args.inputs:
        items += S.load_jsonl([path]) if "blind" not in path.parts else [
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.held_out:
        items = [it for it in items if S.held_out(it["id"])]
    items = [it for it in items if it.get("labels")]
    if args.limit:
        items = items[: args.limit]
    voices = parse_voices(args.voices)
    renderer = S.Renderer(args.cache)
    scorer = Scorer(make_checker(args.checker, args.heads))
    typed, spoken_all = Tally(), Tally()
    typed_same = {}  # typed tally over the openings each voice family rendered
    fams: dict[str, Tally] = defaultdict(Tally)
    names: dict[str, Tally] = defaultdict(Tally)
    details = []
    started = time.perf_counter()
    print(f"{len(items)} openings from {', '.join(p.name for p in args.inputs)}"
          f"{' (held-out slice)' if args.held_out else ''}; voices {args.voices}; engine {args.engine}; "
          f"checker {args.checker}{' with ' + str(args.heads) if args.heads else ''}", file=sys.stderr)
    shard, shards = (int(v) for v in args.shard.split("/"))
    for n, item in enumerate(items):
        if n % shards != shard:
            continue
        got_typed = scorer.decisions(item["text"], item["archetype"])
        typed.add(item, got_typed)
        for spec in voices_for(n, voices):
            fam = spec.partition(":")[0]
            if args.cached_only:
                _, _, vname = renderer.cast.resolve(spec)
                rec = renderer.cached(item["text"], vname, args.engine)
                if rec is None:
                    continue
            else:
                rec = renderer.get(item["text"], spec, [args.engine], fillers=item.get("style") != "asr")[args.engine]
            got = scorer.decisions(rec["text"], item["archetype"])
            for tally in (spoken_all, fams[fam], names[rec["voice"]]):
                tally.add(item, got)
                tally.audio_s += rec["audio_s"]
                tally.asr_s += rec["asr_s"]
            typed_same.setdefault(fam, Tally()).add(item, got_typed)
            details.append({"id": item["id"], "archetype": item["archetype"], "voice": rec["voice"],
                            "snr_db": rec["snr_db"], "text": item["text"], "heard": rec["text"],
                            "labels": item["labels"], "typed": got_typed, "spoken": got})
        if (n + 1) % 10 == 0:
            print(f"  {n + 1}/{len(items)} openings, {renderer.rendered} rendered, "
                  f"{(time.perf_counter() - started) / 60:.1f} min", file=sys.stderr, flush=True)
    print("\nagreement with the coach's labels (required = every required check as labelled; target >= 95%;"
          " per check: where required)")
    print(header())
    print(typed.row("typed (as written)"))
    print(spoken_all.row(f"spoken, all voices ({args.engine})"))
    for fam in sorted(fams):
        print(fams[fam].row(f"  {fam}"))
        print(typed_same[fam].row("    same openings typed"))
    print("by voice")
    for name in sorted(names):
        print(names[name].row(f"  {name}"))
    ms = sorted(scorer.ms)
    if ms:
        print(f"\nscoring: {len(ms)} texts, p50 {statistics.median(ms):.2f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.2f} ms "
              f"per opening; {renderer.rendered} renders now ({renderer.tts_s:.0f} s of speech synthesis), the rest "
              "from the cache; RTF is Whisper's as measured when rendered")
    if args.details:
        args.details.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in details), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
