"""How many of the filler words actually spoken survive transcription (filler recall), per engine.

Answers containing fillers (um, uh, like, you know, ...) are synthesised with espeak-ng in several
voices and speeds, transcribed with the chosen engine (default: the default engine), and the
reference and the transcript are aligned word by word. A spoken filler is *recalled* when every one of
its words is aligned to the same word in the transcript. Answers without fillers measure the fillers
the engine invents. Synthetic speech says "um" cleanly; real hesitations are longer and softer, so
treat these figures as an upper bound for real speakers.

    .venv/bin/python scripts/bench_fillers.py [--engine NAME] [--voices en-us,en-gb] [--rates 150,175] [--json]
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rehearse.coaching import metrics  # noqa: E402

from rehearse.audio import pcm as audio

from rehearse.speech import engines

# Written for this benchmark (not taken from any recording's transcript).
WITH_FILLERS = [
    "Um, thank you for asking me back. Uh, I was charged with, like, cutting our release time.",
    "So, you know, I basically rebuilt the pipeline, and, um, releases went from two weeks to three days.",
    "I mean, the team was, uh, sort of stuck, and I literally moved every test into parallel jobs.",
    "Actually, the result was, um, a sixty percent drop in failed deployments, which was, like, huge.",
    "Er, what would I have accomplished in the first year, if I was, you know, very successful?",
    "Ah, I was kind of the person who, um, taught the team to ship small changes every day.",
    "Uh, the customers noticed, I mean, support tickets fell by half, and, uh, sales closed faster.",
    "Well, um, I think, like, the best part was that, you know, nobody had to work weekends any more.",
    "Basically, I led the migration, uh, and we, um, finished it a month early and under budget.",
    "So, er, what leadership or team characteristics would I be showing, sort of, after a few months?",
    "Literally everyone, um, was surprised, and, ah, the board asked me to, like, present it.",
    "I, uh, actually started by, you know, measuring where the time went, and, um, it was the tests.",
]
WITHOUT_FILLERS = [
    "Thank you for asking me back. I was charged with cutting our release time.",
    "I rebuilt the pipeline, and releases went from two weeks to three days.",
    "Failed deployments fell by sixty percent, and support tickets fell by half.",
    "What would I have accomplished in the first year, if I was very successful?",
]


def synthesise(text: str, voice: str, rate: int, path: Path) -> audio.Audio:
    raw = path.with_suffix(".22k.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), text], check=True,
                   capture_output=True, timeout=60)
    clip = audio.load(raw).to_rate(audio.SPEECH_RATE)
    audio.save(clip, path)
    return clip


def filler_spans(tokens: list[str], fillers) -> list[tuple[str, int, int]]:
    """(filler, first index, end index) of each filler occurrence, longest phrase first, no overlaps."""
    phrases = sorted({tuple(f.split()) for f in fillers}, key=len, reverse=True)
    spans, i = [], 0
    while i < len(tokens):
        for phrase in phrases:
            if tuple(tokens[i:i + len(phrase)]) == phrase:
                spans.append((" ".join(phrase), i, i + len(phrase)))
                i += len(phrase)
                break
        else:
            i += 1
    return spans


def aligned(ref: list[str], hyp: list[str]) -> tuple[set[int], set[int]]:
    """Indices of reference and hypothesis words aligned to an equal word."""
    matcher = difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False)
    ref_hit, hyp_hit = set(), set()
    for block in matcher.get_matching_blocks():
        ref_hit.update(range(block.a, block.a + block.size))
        hyp_hit.update(range(block.b, block.b + block.size))
    return ref_hit, hyp_hit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", help="speech engine (default: the default engine)")
    parser.add_argument("--voices", default="en-us,en-gb,en-us+f3,en-us+m3")
    parser.add_argument("--rates", default="150,175")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is needed (sudo apt-get install espeak-ng)", file=sys.stderr)
        return 2
    engine = engines.get(args.engine)
    fillers = metrics.default_fillers()
    spoken: dict[str, int] = {}
    recalled: dict[str, int] = {}
    invented: dict[str, int] = {}
    invented_on_clean, clean_s, total_s, clips = 0, 0.0, 0.0, 0
    other_spoken = other_recalled = 0  # the other words: is it fillers that are lost, or everything?
    with tempfile.TemporaryDirectory() as tmp:
        for voice in args.voices.split(","):
            for rate in (int(r) for r in args.rates.split(",")):
                for n, text in enumerate(WITH_FILLERS + WITHOUT_FILLERS):
                    clip = synthesise(text, voice, rate, Path(tmp) / f"{n}.wav")
                    hyp = metrics.tokens(engine.transcribe(clip).text)
                    ref = metrics.tokens(text)
                    ref_hit, hyp_hit = aligned(ref, hyp)
                    in_fillers = set()
                    for name, a, b in filler_spans(ref, fillers):
                        spoken[name] = spoken.get(name, 0) + 1
                        in_fillers.update(range(a, b))
                        if all(i in ref_hit for i in range(a, b)):
                            recalled[name] = recalled.get(name, 0) + 1
                    others = [i for i in range(len(ref)) if i not in in_fillers]
                    other_spoken += len(others)
                    other_recalled += sum(1 for i in others if i in ref_hit)
                    for name, a, b in filler_spans(hyp, fillers):
                        if not all(i in hyp_hit for i in range(a, b)):
                            invented[name] = invented.get(name, 0) + 1
                            if text in WITHOUT_FILLERS:
                                invented_on_clean += 1
                    total_s += clip.duration_s
                    clean_s += clip.duration_s if text in WITHOUT_FILLERS else 0.0
                    clips += 1
    n_spoken, n_recalled = sum(spoken.values()), sum(recalled.values())
    result = {
        "engine": engine.name,
        "clips": clips,
        "audio_s": round(total_s, 1),
        "fillers_spoken": n_spoken,
        "fillers_recalled": n_recalled,
        "recall": round(n_recalled / n_spoken, 3) if n_spoken else None,
        "other_words_recall": round(other_recalled / other_spoken, 3) if other_spoken else None,
        "by_filler": {k: {"spoken": spoken[k], "recalled": recalled.get(k, 0),
                          "recall": round(recalled.get(k, 0) / spoken[k], 3)} for k in sorted(spoken)},
        "invented": invented,
        "invented_per_min_on_clean_answers": round(invented_on_clean / clean_s * 60, 2) if clean_s else None,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"engine {result['engine']}: {clips} clips, {total_s:.0f} s of synthetic speech")
    print(f"filler recall: {n_recalled}/{n_spoken} = {result['recall']:.0%}")
    print(f"other words recalled: {result['other_words_recall']:.0%} (the same alignment, for comparison)")
    for name, row in result["by_filler"].items():
        print(f"  {name:10} {row['recalled']:3}/{row['spoken']:<3} {row['recall']:.0%}")
    print(f"fillers the engine invented: {sum(invented.values())} {invented}; "
          f"{result['invented_per_min_on_clean_answers']} per minute on answers without fillers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
