"""Measure the speech engines: accuracy, speed, memory, and post-speech latency.

For each engine (pocketsphinx, whisper with each model found on this computer) it prints:

* WER on ``../shared/speech-samples`` (27 real clips; normalised: lowercase, punctuation removed,
  hyphens to spaces, "mr." as "mister");
* real-time factor (processing seconds / audio seconds) and model load time;
* peak memory (ru_maxrss of a fresh subprocess per engine, so C allocations count);
* the post-speech latency of a 90-second answer through :class:`rehearse.speech.streaming.IncrementalTranscriber`:
  real clips joined with short pauses are fed in 30 ms blocks at real time (the worker only ever
  has the real elapsed time to keep up), and the time from the last block to ``finish()`` returning
  is measured; the merged transcript's WER and word-timing placement are reported too.

``--fillers`` measures filler ("um"/"uh") recall and precision on answers rendered with espeak-ng
(texts written here, not taken from the samples) and WER on the samples, for each decoding variant.

The samples are for measuring only: nothing in rehearse is built from their transcripts.

Usage::

    python scripts/bench_transcribe.py                 # all engines, with the 90 s latency run
    python scripts/bench_transcribe.py --no-latency    # WER / RTF / load / memory only
    python scripts/bench_transcribe.py --fillers       # decoding variants: filler recall and WER
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = ROOT.parent / "shared" / "speech-samples"
LATENCY_TARGET_S = 1.5
WER_TARGETS = {"pocketsphinx": 0.22, "best": 0.05}

# Answers with hesitations, written for this benchmark (interview openings; not from the samples).
FILLER_TEXTS = (
    "Um, I led the migration of our billing system, and uh, it cut costs by about thirty percent.",
    "So, uh, the first thing I would ask is, um, what does success look like in the first year?",
    "Thank you for calling me back. Um, I really enjoyed, uh, talking with the team last week.",
    "Uh, in my last role I, um, built a dashboard that the sales team used every day.",
    "I think, um, the biggest challenge was, uh, getting everyone to agree on the priorities.",
    "Um, what would you want, uh, a new person to have done by the end of their first year?",
    "We shipped the new checkout, um, two weeks early, and, uh, conversions went up.",
    "Uh, I am, um, curious who the strongest contributors on the team are, and uh, why.",
    "Um, thanks for having me back. Uh, I wanted to start with something I did last spring.",
    "My manager asked me to, uh, fix the onboarding flow, and um, we halved the drop-off.",
    "Uh, if I did really well here, um, what would I have finished by, uh, next summer?",
    "I, um, negotiated the supplier contract myself and, uh, saved about forty thousand dollars.",
    "So, um, the question I keep coming back to is, uh, how the team measures good work.",
    "Um, honestly, uh, I was nervous last time, so, um, let me tell you about one project.",
    "Uh, we had, um, three weeks to launch, and I, uh, organised the whole test plan.",
    "I would, um, like to know what, uh, the best people in this role do differently.",
)
FILLERS = ("um", "uh")


# --- scoring ----------------------------------------------------------------------------------------

from rehearse.speech.wer import edit_distance, normalise  # noqa: E402  (one WER for every benchmark)


def wer(pairs: list[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs."""
    errors = sum(edit_distance(normalise(r), normalise(h)) for r, h in pairs)
    words = sum(len(normalise(r)) for r, _ in pairs)
    return errors / max(words, 1)


def manifest() -> list[tuple[Path, str]]:
    rows = []
    lines = (SAMPLES / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        if not line.strip():
            continue
        row = dict(zip(header, line.split("\t")))
        rows.append((SAMPLES / row["file"], row["reference_transcript"]))
    return rows


# --- engines ----------------------------------------------------------------------------------------

def make_engine(spec: str, variant: str = "default"):
    """``pocketsphinx`` or ``whisper:MODEL`` (with a decoding variant) -> (engine, load seconds)."""
    started = time.perf_counter()
    if spec == "pocketsphinx":
        from rehearse.speech.engines.sphinx import PocketSphinxEngine

        engine = PocketSphinxEngine()
    else:
        from rehearse.speech.engines.whisper import WhisperEngine

        _, _, model = spec.partition(":")
        options = None if variant == "default" else variant_options(variant)  # None: the model's own
        engine = WhisperEngine(model or None, options=options)
    return engine, time.perf_counter() - started


def variant_options(variant: str):
    from dataclasses import replace

    from rehearse.speech.engines.whisper import DecodeOptions

    base = DecodeOptions()
    variants = {
        "default": base,
        "no-prompt": replace(base, initial_prompt=None),
        "prompt": replace(base, initial_prompt=_default_prompt()),
        "no-prompt-fallback": replace(base, initial_prompt=None, temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)),
        "prompt-fallback": replace(base, initial_prompt=_default_prompt(),
                                   temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)),
        "prompt-t0": replace(base, initial_prompt=_default_prompt(), temperature=(0.0,)),
        "no-prompt-t0": replace(base, initial_prompt=None, temperature=(0.0,)),
        "short-prompt": replace(base, initial_prompt="Um, uh, hmm."),
        "tail-0.4": replace(base, tail_gap_s=0.4),
        "short-prompt-tail-0.4": replace(base, initial_prompt="Um, uh, hmm.", tail_gap_s=0.4),
        "no-gate": replace(base, speech_gate=False),
        "t0": replace(base, temperature=(0.0,)),
        "t-short": replace(base, temperature=(0.0, 0.4, 0.8)),
        "beam2": replace(base, beam_size=2),
        "beam1": replace(base, beam_size=1),
    }
    return variants[variant]


def _default_prompt() -> str:
    from rehearse.speech.engines.whisper import FILLER_PROMPT

    return FILLER_PROMPT


def engines_here() -> list[str]:
    specs = ["pocketsphinx"]
    try:
        import faster_whisper  # noqa: F401

        from rehearse.speech import whisper_models as models
    except ImportError:
        return specs
    for info in models.available_models():
        if info.available and info.source != "path":
            specs.append(f"whisper:{info.name}")
    env = os.environ.get(models.ENV_MODEL)
    if env and Path(env).is_dir():
        specs.append(f"whisper:{env}")
    return specs


# --- the 90-second answer --------------------------------------------------------------------------

def build_answer(target_s: float = 90.0, seed: int = 7):
    """Real clips joined with 0.4-0.9 s pauses until ``target_s``; returns (Audio, text, spans)."""
    import numpy as np

    from rehearse.audio import pcm as audio_mod

    rng = np.random.default_rng(seed)
    parts, texts, spans, pos = [], [], [], 0
    rows = manifest()
    i = 0
    while pos < target_s * 16000:
        path, ref = rows[i % len(rows)]
        i += 1
        clip = audio_mod.load(path).to_rate(16000).samples
        if parts:
            gap = np.zeros(int(rng.uniform(0.4, 0.9) * 16000), dtype=np.int16)
            parts.append(gap)
            pos += len(gap)
        parts.append(clip)
        spans.append((pos / 16000, (pos + len(clip)) / 16000))
        texts.append(ref)
        pos += len(clip)
    return audio_mod.Audio(np.concatenate(parts), 16000), " ".join(texts), spans


def latency_run(engine, block_s: float = 0.03, **segmenting) -> dict:
    """Feed the 90 s answer at real time; time from the last block to finish()."""
    from rehearse.speech.streaming import IncrementalTranscriber

    answer, reference, spans = build_answer()
    inc = IncrementalTranscriber(engine, sample_rate=answer.sample_rate, **segmenting)
    step = int(block_s * answer.sample_rate)
    samples = answer.samples
    started = time.perf_counter()
    for n, i in enumerate(range(0, len(samples), step)):
        due = started + (i + step) / answer.sample_rate  # a block is ready once it has been spoken
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        inc.feed(samples[i:i + step], min(i + step, len(samples)) / answer.sample_rate)
    last_block = time.perf_counter()
    backlog = inc.pending
    transcript = inc.finish()
    latency = time.perf_counter() - last_block
    last = inc.segment_results[-1].segment if inc.segment_results else None
    placed = sum(1 for w in transcript.words
                 if any(a - 0.3 <= (w.start + w.end) / 2 <= b + 0.3 for a, b in spans))
    return {
        "answer_s": round(answer.duration_s, 1),
        "latency_s": round(latency, 3),
        "segments": inc.segments_sent,
        "backlog_at_end": backlog,
        "last_segment_s": round(len(last.samples) / answer.sample_rate, 2) if last is not None else 0.0,
        "incremental_wer": round(wer([(reference, transcript.text)]), 4),
        "words_in_their_clip": round(placed / max(len(transcript.words), 1), 4),
    }


# --- one engine in its own process -------------------------------------------------------------------

def worker(spec: str, variant: str, latency: bool, fillers_dir: str | None, segmenting: dict,
           skip_wer: bool = False) -> dict:
    engine, load_s = make_engine(spec, variant)
    from rehearse.audio import pcm as audio_mod

    rows = manifest()
    engine.transcribe(audio_mod.load(rows[0][0]).slice(0, 1.0))  # warm-up, not counted
    result = {"engine": spec, "variant": variant, "load_s": round(load_s, 2)}
    if not skip_wer:
        pairs, audio_s, proc_s, per_file = [], 0.0, 0.0, {}
        for path, ref in rows:
            clip = audio_mod.load(path)
            started = time.perf_counter()
            transcript = engine.transcribe(clip)
            proc_s += time.perf_counter() - started
            audio_s += clip.duration_s
            pairs.append((ref, transcript.text))
            per_file[path.name] = round(wer([(ref, transcript.text)]), 3)
        result.update({
            "wer": round(wer(pairs), 4),
            "rtf": round(proc_s / audio_s, 3),
            "audio_s": round(audio_s, 1),
            "worst_files": sorted(per_file.items(), key=lambda kv: -kv[1])[:4],
        })
    if fillers_dir:
        result.update(filler_scores(engine, Path(fillers_dir)))
    if latency:
        result.update(latency_run(engine, **segmenting))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["load_avg"] = round(os.getloadavg()[0], 2)
    return result


def filler_scores(engine, folder: Path) -> dict:
    from rehearse.audio import pcm as audio_mod

    hits = expected = said = 0
    pairs = []
    for i, text in enumerate(FILLER_TEXTS):
        hyp = engine.transcribe(audio_mod.load(folder / f"filler-{i}.wav")).text
        ref_tokens, hyp_tokens = normalise(text), normalise(hyp)
        for f in FILLERS:
            hits += min(ref_tokens.count(f), hyp_tokens.count(f))
            expected += ref_tokens.count(f)
            said += hyp_tokens.count(f)
        pairs.append((text, hyp))
    return {"filler_recall": round(hits / max(expected, 1), 3),
            "filler_precision": round(hits / max(said, 1), 3) if said else None,
            "filler_clip_wer": round(wer(pairs), 4)}


def render_fillers(folder: Path) -> bool:
    """Render FILLER_TEXTS with espeak-ng (four voices in turn); False when it is missing."""
    if not shutil.which("espeak-ng"):
        return False
    voices = ("en-us", "en-us+f3", "en-gb", "en-us+m3")
    for i, text in enumerate(FILLER_TEXTS):
        voice = voices[i % len(voices)]
        subprocess.run(["espeak-ng", "-w", str(folder / f"filler-{i}.wav"), "-v", voice, "-s", "160", text],
                       check=True, capture_output=True)
    return True


def run_child(spec: str, variant: str, latency: bool, fillers_dir: str | None, extra: list[str] = ()) -> dict:
    cmd = [sys.executable, __file__, "--worker", spec, "--variant", variant, *extra]
    if latency:
        cmd.append("--latency")
    if fillers_dir:
        cmd += ["--fillers-dir", fillers_dir]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"engine": spec, "variant": variant, "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker")
    parser.add_argument("--variant", default="default")
    parser.add_argument("--latency", action="store_true")
    parser.add_argument("--fillers-dir")
    parser.add_argument("--no-latency", action="store_true", help="skip the 90 s real-time latency run")
    parser.add_argument("--fillers", action="store_true", help="compare decoding variants on fillers and WER")
    parser.add_argument("--engines", nargs="*", help="e.g. pocketsphinx whisper:tiny.en whisper:base")
    parser.add_argument("--variants", nargs="*", default=["no-prompt", "prompt"])
    parser.add_argument("--min-segment", type=float, help="IncrementalTranscriber min_segment_s")
    parser.add_argument("--pause", type=float, help="IncrementalTranscriber pause_s")
    parser.add_argument("--skip-wer", action="store_true", help="latency run only")
    args = parser.parse_args()

    segmenting = {k: v for k, v in (("min_segment_s", args.min_segment), ("pause_s", args.pause)) if v}
    extra = ["--skip-wer"] if args.skip_wer else []
    for flag, value in (("--min-segment", args.min_segment), ("--pause", args.pause)):
        if value:
            extra += [flag, str(value)]
    if args.worker:
        print(json.dumps(worker(args.worker, args.variant, args.latency, args.fillers_dir, segmenting,
                                skip_wer=args.skip_wer)))
        return 0
    if not (SAMPLES / "manifest.tsv").is_file():
        print(f"speech samples not found at {SAMPLES}", file=sys.stderr)
        return 1
    specs = args.engines or engines_here()
    print(f"# cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
    if args.fillers:
        with tempfile.TemporaryDirectory() as tmp:
            if not render_fillers(Path(tmp)):
                print("espeak-ng is missing: cannot render filler answers", file=sys.stderr)
                return 1
            for spec in [s for s in specs if s.startswith("whisper")]:
                for variant in args.variants:
                    print(json.dumps(run_child(spec, variant, False, tmp)), flush=True)
        return 0
    results = []
    for spec in specs:
        result = run_child(spec, "default", not args.no_latency, None, extra)
        results.append(result)
        print(json.dumps(result), flush=True)
    print()
    print(f"{'engine':22} {'WER':>7} {'RTF':>6} {'load s':>7} {'peak MB':>8} {'latency s':>10} {'inc WER':>8}")
    for r in results:
        if "error" in r:
            print(f"{r['engine']:22} error: {r['error']}")
            continue
        print(f"{r['engine']:22} {r.get('wer', float('nan')):7.1%} {r.get('rtf', float('nan')):6.3f} {r['load_s']:7.2f} {r['peak_rss_mb']:8.0f} "
              f"{r.get('latency_s', float('nan')):10.2f} {r.get('incremental_wer', float('nan')):8.1%}")
    print(f"# load average at end: {os.getloadavg()[0]:.2f}")
    good = [r for r in results if "error" not in r]
    sphinx = [r for r in good if r["engine"] == "pocketsphinx"]
    best = min((r["wer"] for r in good if "wer" in r), default=float("nan"))
    print(f"targets: best WER {best:.1%} (<= {WER_TARGETS['best']:.0%}); "
          + (f"pocketsphinx {sphinx[0]['wer']:.1%} (<= {WER_TARGETS['pocketsphinx']:.0%}); "
             if sphinx and "wer" in sphinx[0] else "")
          + f"latency <= {LATENCY_TARGET_S} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
