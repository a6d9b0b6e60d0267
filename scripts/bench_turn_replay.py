#!/usr/bin/env python3
"""Replay the end-of-answer rule over the pauses of earlier latency runs (no audio, no engine: seconds).

``scripts/bench_latency.py --trace DIR --results FILE`` keeps, for every answer, the recorder's log of
each pause: the words the live transcriber had heard when the rule judged it (the last eight, and the
engine's probability of the last one) and how long the speaker stayed silent before going on. This
replays those pauses, in order, through a :class:`rehearse.coaching.turn.TurnPolicy` with the fields
given on the command line (``trust_pauses=2``), and says for each answer what the rule would have done:

- a pause the speaker went on after that is now at least as long as its window is a **new cut**;
- an answer the run cut off (at a thinking pause or between sentences) gets the new window at the
  pause where it was cut, beside that pause's length in the set's manifest (the silence as written;
  the voice detector reads a pause about 0.1-0.3 s longer): a window over the pause plus 0.3 s
  **keeps it whole**;
- for answers recorded whole, the window at their end (the latency the rule adds).

What happened after a cut was never heard, so a replay cannot say whether a kept answer would have
been cut later; and the words are those of the run, not of a rerun. It is a quick check of a rule
change on tuning data, not a measurement: the figures to quote come from a fresh seed's first run.

    .venv/bin/python scripts/bench_turn_replay.py --run SET TRACE RESULTS [--run ...] [field=value ...]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import statistics
import sys
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.coaching.turn import COMPLETE, NOT_YET, TurnPolicy, completeness, with_second_opinion  # noqa: E402
from rehearse.core.model import Word  # noqa: E402

JUDGED = re.compile(r"rehearse\.turn: pause at ([\d.]+) s, silence ([\d.]+) s: window ([\d.]+) s after (.*)$")
CHECKED = re.compile(r"rehearse\.live: check decode of ([\d.]+)-([\d.]+) s took [\d.]+ s: \.\.\.(.*?)"
                     r"(?: \(last word p=([\d.]+)\))?$")
WENT_ON = re.compile(r"rehearse\.turn: speech again after a pause of ([\d.]+) s at ([\d.]+) s")
WORDS = re.compile(r"""(['"])(.*)\1( \(last word p=([\d.]+)\))?""")
MARGIN_S = 0.3
"""How much longer than its written silence the voice detector may read a pause."""
CHECK_REACH_S = 1.5
"""How far after a pause's start the second decode of its last seconds may end (it decodes up to
where the recorder noticed the pause)."""


def pauses(log: Path) -> list[dict]:
    """Each pause of one answer's trace, in order: when it began, the words last judged in it (None:
    they did not reach it), how long it lasted if the speaker went on, whether the answer ended there."""
    found: dict[float, dict] = {}
    checks: list[tuple[float, list[Word]]] = []
    for line in log.read_text(encoding="utf-8").splitlines():
        m = CHECKED.search(line)
        if m:
            words = [Word(w, 0.0, 0.0) for w in m.group(3).split()]
            if words and m.group(4):
                words[-1] = Word(words[-1].word, 0.0, 0.0, float(m.group(4)))
            checks.append((float(m.group(2)), words))
            continue
        m = JUDGED.search(line)
        if m:
            p = found.setdefault(float(m.group(1)), {"at": float(m.group(1)), "heard": None, "length": None,
                                                     "ends": False})
            rest = m.group(4)
            if not rest.startswith("(the live"):
                q = WORDS.match(rest)
                text = ast.literal_eval(q.group(1) + q.group(2) + q.group(1))
                words = [Word(w, 0.0, 0.0) for w in text.split()]
                if words and q.group(4):
                    words[-1] = Word(words[-1].word, 0.0, 0.0, float(q.group(4)))
                p["heard"] = words
            if rest.endswith("the answer ends"):
                p["ends"] = True
            continue
        m = WENT_ON.search(line)
        if m:
            p = found.setdefault(float(m.group(2)), {"at": float(m.group(2)), "heard": None, "length": None,
                                                     "ends": False})
            p["length"] = float(m.group(1))
    for p in found.values():  # the second decode of the pause's last seconds: it ends at or just after it
        near = [words for end, words in checks if p["at"] - 0.05 <= end <= p["at"] + CHECK_REACH_S]
        p["second"] = near[-1] if near else None
    return sorted(found.values(), key=lambda p: p["at"])


def judged(p: dict) -> Optional[list]:
    """The words the rule judges a pause by: the logged words, which are already the judged ones where
    the run asked the second opinion, or what :func:`with_second_opinion` makes of them and the pause's
    second decode (found in the log) where the code now asks it and the run's did not. The words of a
    second decode logged without its last word's probability read as sure."""
    heard = p["heard"]
    if heard is None or p.get("second") is None or completeness(heard) == COMPLETE:
        return heard
    out = with_second_opinion(heard, p["second"])
    return heard if out is NOT_YET else list(out)


def replay(policy: TurnPolicy, set_dir: Path, trace_dir: Path, results: Path) -> dict:
    manifest = {a["file"]: a for a in json.loads((set_dir / "manifest.json").read_text())["answers"]}
    runs = {json.loads(line)["file"]: json.loads(line) for line in results.read_text().splitlines() if line.strip()}
    out = {"answers": 0, "new_cuts": [], "cuts": [], "end_windows": [], "fluent_end_windows": []}
    for log in sorted(trace_dir.glob("*.log")):
        run = runs.get(log.stem + ".wav")
        if run is None:
            continue
        out["answers"] += 1
        seen: list[tuple] = []
        first = None
        ps = pauses(log)
        for i, p in enumerate(ps):
            first = first if first is not None else max(0.0, p["at"] - 1.0)
            heard = judged(p)
            window = policy.window_s(heard, tuple(seen), p["at"] - first)
            last = i == len(ps) - 1
            if p["length"] is not None and p["length"] >= window - 1e-9:
                out["new_cuts"].append((log.stem, p["at"]))
                break
            if last and p["ends"]:
                if run.get("cut"):
                    written = next((q["end_s"] - q["start_s"] for q in manifest[run["file"]]["pauses"]
                                    if q["start_s"] - 0.5 <= p["at"] <= q["end_s"]), None)
                    out["cuts"].append((log.stem, run["cut"], window, written))
                else:
                    out["end_windows"].append(window)
                    if run.get("style") == "fluent":
                        out["fluent_end_windows"].append(window)
                break
            seen.append((p["length"] or 0.0, heard))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", nargs=3, action="append", metavar=("SET", "TRACE", "RESULTS"), required=True,
                        help="a latency set, the --trace folder and the --results file of one run on it")
    parser.add_argument("fields", nargs="*", help="TurnPolicy fields to change, as name=value")
    args = parser.parse_args()
    changes = {}
    for field in args.fields:
        name, value = field.split("=", 1)
        changes[name] = int(value) if value.isdigit() and name.endswith("pauses") else float(value)
    policy = TurnPolicy(**changes)
    print(f"policy: {policy}")
    kept = cuts = 0
    ends: list[float] = []
    fluent_ends: list[float] = []
    for set_dir, trace, results in args.run:
        o = replay(policy, Path(set_dir), Path(trace), Path(results))
        ends += o["end_windows"]
        fluent_ends += o["fluent_end_windows"]
        print(f"{Path(trace).name}: {o['answers']} answers; new cuts {len(o['new_cuts'])} {o['new_cuts'] or ''}")
        for name, kind, window, written in o["cuts"]:
            cuts += 1
            whole = written is not None and window > written + MARGIN_S
            kept += whole
            shown = f"{written:.2f} s" if written is not None else "?"
            print(f"  cut in a {kind} pause, {name}: window now {window:.2f} s, pause {shown}"
                  + (" -> kept whole" if whole else ""))
        if o["end_windows"]:
            print(f"  end windows of whole answers: median {statistics.median(o['end_windows']):.2f} s; fluent voice "
                  + ", ".join(f"{w:.2f}" for w in o["fluent_end_windows"]))
    print(f"cut answers kept whole: {kept} of {cuts}")
    for name, windows in (("all voices", ends), ("fluent voice", fluent_ends)):
        if windows:
            print(f"end windows of whole answers, {name}: {len(windows)}, median {statistics.median(windows):.2f} s, "
                  f"mean {statistics.mean(windows):.2f} s, {sum(w >= policy.incomplete_s for w in windows)} "
                  f"at the longest window ({policy.incomplete_s:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
