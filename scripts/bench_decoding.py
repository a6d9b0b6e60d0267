"""Whisper decoding variants on the realistic set: WER, real-time factor, filler recall, load time.

The set comes from ``scripts/make_realistic_set.py`` (default ``.bench/realistic``): answers of
10-120 s by neural and espeak-ng voices, with fluent pauses, hesitations, light reverb and pink noise.
Each variant runs in a process of its own (on the engine's default CPU threads), transcribing every
answer whole through ``WhisperEngine.transcribe`` as ``rehearse transcribe`` does, after one
warm-up. Before each variant the benchmark waits while the 1-minute load average is above
``--max-load`` (1.0), so that other work on the machine does not inflate the timings, and prints the
load it started at.

Printed per variant:

* ``WER``: word error rate over every reference word, hesitations included (a dropped "um" is an error);
* ``WER-c``: the same with "um"/"uh" (and any filler the engine writes) removed from both sides:
  the content words the checks read;
* ``RTF``: processing seconds / audio seconds (wall clock); ``CPU/s``: CPU seconds (all threads) per
  audio second, which other work on the machine hardly changes: on two idle cores the RTF lies
  between half of it and all of it; ``load s``: model load time;
* ``filler R`` / ``P``: of the "um"/"uh" spoken, how many the transcript has (per answer, counted
  without regard to which filler), and how many of those it wrote were spoken;
* ``no-speech words``: words written where nothing is said, in the ``no-speech/`` clips: any word
  on room noise alone, and words starting after the speech ended in short answers followed by a
  long noisy tail.

Transcripts write numbers as digits ("30%", "$40,000"); they are spelled out before scoring.

``plain`` and ``plain-prompt`` are faster-whisper's own ``transcribe`` on the whole file (base,
beam 5, its temperature fallback, no word timings), without and with the filler prompt: reference
points. Any other variant is ``MODEL`` followed by ``/``-separated settings: ``b1``/``b2``/``b5``
beam; ``p``/``np`` filler prompt on/off (``ps`` the short prompt); ``f``/``nf`` temperature
fallback on/off (``fr``: only when a decode repeats itself); ``t``/``nt`` tail re-decode on/off;
``g``/``ng`` speech gate on/off; ``default`` is the engine's own choice.

    python scripts/bench_decoding.py                          # the standard sweep
    python scripts/bench_decoding.py --variants default base/b1/np/nf/t/g tiny.en/b1/np/nf/t/g
    python scripts/bench_decoding.py --set .bench/realistic --json results.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.speech.wer import edit_distance, normalise  # noqa: E402

DEFAULT_SET = ROOT / ".bench" / "realistic"
SPOKEN_FILLERS = {"um", "uh"}
WRITTEN_FILLERS = {"um", "uh", "uhm", "umm", "er", "erm", "ah", "hmm", "mm", "mhm"}

SWEEP = (
    "default",
    "base/b5/p/f/t/g",     # the earlier default, spelled out
    "plain",
    "plain-prompt",
    "base/b1/p/nf/t/g",
    "base/b2/np/nf/t/g",
    "base/b5/np/f/t/g",
    "base/b2/p/nf/nt/g",
    "base/b2/p/nf/t/ng",
    "tiny.en/b2/ps/fr/t/g",
    "tiny.en/b1/np/nf/t/g",
)


# --- scoring -----------------------------------------------------------------------------------------

def number_words(n: int) -> str:
    """Under a million in words as an engine writes them (``asr_style.say_int``); larger as digits."""
    from asr_style import say_int

    return say_int(n) if n < 1_000_000 else str(n)


def spell_numbers(text: str) -> str:
    """ "$40,000" -> "forty thousand dollars", "30%" -> "thirty percent", "11" -> "eleven"."""
    import re

    def money(m):
        return number_words(int(m.group(1).replace(",", ""))) + " dollars"

    text = re.sub(r"\$(\d[\d,]*)", money, text)
    text = re.sub(r"(\d[\d,]*)\s*%", lambda m: number_words(int(m.group(1).replace(",", ""))) + " percent", text)
    text = re.sub(r"\b(\d{1,3}(?:,\d{3})+|\d+)\b", lambda m: number_words(int(m.group(1).replace(",", ""))), text)
    return text


def tokens(text: str) -> list[str]:
    return normalise(spell_numbers(text))


def score(pairs: list[tuple[str, str]]) -> dict:
    errors = words = c_errors = c_words = spoken = recalled = written = 0
    for ref, hyp in pairs:
        r, h = tokens(ref), tokens(hyp)
        errors += edit_distance(r, h)
        words += len(r)
        rc = [w for w in r if w not in WRITTEN_FILLERS]
        hc = [w for w in h if w not in WRITTEN_FILLERS]
        c_errors += edit_distance(rc, hc)
        c_words += len(rc)
        n_ref = sum(w in SPOKEN_FILLERS for w in r)
        n_hyp = sum(w in WRITTEN_FILLERS for w in h)
        spoken += n_ref
        written += n_hyp
        recalled += min(n_ref, n_hyp)
    return {"wer": errors / max(words, 1), "wer_content": c_errors / max(c_words, 1),
            "filler_recall": recalled / spoken if spoken else None,
            "filler_precision": recalled / written if written else None,
            "fillers_spoken": spoken, "fillers_written": written}


def read_set(folder: Path) -> list[tuple[Path, str]]:
    lines = (folder / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    fi, ri = header.index("file"), header.index("reference_transcript")
    rows = []
    for line in lines[1:]:
        if line.strip():
            cols = line.split("\t")
            rows.append((folder / cols[fi], cols[ri] if ri < len(cols) else ""))
    return rows


def read_column(folder: Path, column: str) -> dict[str, str]:
    """``file`` -> the value of ``column`` in the folder's manifest (empty when there is no such column)."""
    lines = (folder / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    if column not in header:
        return {}
    fi, vi = header.index("file"), header.index(column)
    return {cols[fi]: cols[vi] for cols in (line.split("\t") for line in lines[1:] if line.strip())}


# --- variants ----------------------------------------------------------------------------------------

def parse_variant(variant: str):
    """(model name or None, DecodeOptions or None) for a variant string."""
    from rehearse.speech.engines.whisper import FILLER_PROMPT, MODEL_PROMPTS, DecodeOptions

    if variant == "default":
        return None, None
    model, *settings = variant.split("/")
    opts = DecodeOptions()
    for s in settings:
        if s.startswith("b") and s[1:].isdigit():
            opts = replace(opts, beam_size=int(s[1:]))
        elif s == "p":
            opts = replace(opts, initial_prompt=FILLER_PROMPT)
        elif s == "ps":
            opts = replace(opts, initial_prompt=MODEL_PROMPTS.get("tiny.en", "Um, uh, hmm."))
        elif s == "np":
            opts = replace(opts, initial_prompt=None)
        elif s in ("f", "nf", "fr"):
            opts = replace(opts, temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0) if s != "nf" else (0.0,),
                           log_prob_threshold=None if s == "fr" else -1.0)
        elif s in ("t", "nt"):
            opts = replace(opts, tail_gap_s=1.0 if s == "t" else float("inf"))
        elif s in ("g", "ng"):
            opts = replace(opts, speech_gate=s == "g")
        elif "=" in s:  # any other DecodeOptions field, e.g. short_prompt_s=6
            opts = with_setting(opts, s)
        else:
            raise SystemExit(f"unknown setting {s!r} in variant {variant!r}")
    return model, opts


def with_setting(opts, setting: str):
    """``opts`` (DecodeOptions) with one ``KEY=VALUE`` field set, the value read as the field's type
    (a field that defaults to None takes a whole number or a number when the value reads as one)."""
    key, _, value = setting.partition("=")
    current = getattr(opts, key)
    if isinstance(current, bool):
        return replace(opts, **{key: value in ("1", "true", "on")})
    if current is None:
        for kind in (int, float):
            try:
                return replace(opts, **{key: kind(value)})
            except ValueError:
                pass
        return replace(opts, **{key: value})
    return replace(opts, **{key: type(current)(value)})


def worker(variant: str, folder: Path) -> dict:
    import resource

    from rehearse.audio import pcm as audio_mod
    from rehearse.speech.engines.whisper import WhisperEngine

    plain = variant.startswith("plain")
    model, opts = parse_variant("default" if plain else variant)
    started = time.perf_counter()
    engine = WhisperEngine(model, options=opts)
    load_s = time.perf_counter() - started
    if plain:
        engine = Plain(engine, with_prompt=variant == "plain-prompt")
    rows = read_set(folder)
    engine.transcribe(audio_mod.load(rows[0][0]).slice(0, 2.0))  # warm-up, not counted
    pairs, audio_s, proc_s, cpu_s, per_clip = [], 0.0, 0.0, 0.0, []
    for path, ref in rows:
        clip = audio_mod.load(path)
        t0, c0 = time.perf_counter(), time.process_time()
        text = engine.transcribe(clip).text
        took = time.perf_counter() - t0
        cpu_s += time.process_time() - c0
        proc_s += took
        audio_s += clip.duration_s
        pairs.append((ref, text))
        per_clip.append({"file": path.name, "rtf": round(took / clip.duration_s, 3),
                         "wer": round(score([(ref, text)])["wer"], 3), "text": text})
    result = {"variant": variant, "model": engine.model.name, "options": repr(engine.options),
              "load_s": round(load_s, 2), "audio_s": round(audio_s, 1), "rtf": round(proc_s / audio_s, 3),
              "cpu_per_s": round(cpu_s / audio_s, 3)}
    result.update({k: (round(v, 4) if isinstance(v, float) else v) for k, v in score(pairs).items()})
    voices = read_column(folder, "voice")
    by_family: dict[str, list] = {}
    for (path, _), pair in zip(rows, pairs):
        by_family.setdefault(voices.get(path.name, "?").split(":")[0], []).append(pair)
    result["by_voice"] = {family: {k: round(v, 4) for k, v in score(p).items() if k.startswith("wer")}
                          for family, p in sorted(by_family.items())}
    quiet = folder / "no-speech"
    if (quiet / "manifest.tsv").is_file():
        invented, quiet_texts = 0, []
        until = read_column(quiet, "speech_until_s")
        for path, ref in read_set(quiet):
            transcript = engine.transcribe(audio_mod.load(path))
            end = float(until.get(path.name) or 0.0)
            # words that start after the speech ended (all of them in a clip of noise alone)
            late = [w.word for w in transcript.words if w.start > end + 0.3 or not ref.strip()]
            if not transcript.words and transcript.text:  # no word timings (plain): count extra words
                late = tokens(transcript.text)[len(tokens(ref)):]
            invented += len(late)
            quiet_texts.append({"file": path.name, "text": transcript.text, "invented": late})
        result["no_speech_words"] = invented
        result["no_speech"] = quiet_texts
    result["per_clip"] = per_clip
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


class Plain:
    """faster-whisper as it comes, for reference: the whole file in one call, beam 5, its own
    temperature fallback, no word timings, no speech gate; ``with_prompt`` adds the filler prompt."""

    def __init__(self, engine, with_prompt: bool):
        from rehearse.speech.engines.whisper import FILLER_PROMPT

        self.model, self.options = engine.model, f"plain faster-whisper, prompt={with_prompt}"
        self._model = engine._model
        self._prompt = FILLER_PROMPT if with_prompt else None

    def transcribe(self, clip):
        from rehearse.core.model import Transcript

        samples = clip.to_rate(16000).samples.astype("float32") / 32768.0
        segments, _ = self._model.transcribe(samples, language="en", beam_size=5, initial_prompt=self._prompt)
        text = " ".join(s.text.strip() for s in segments)
        return Transcript(text=text, words=(), engine="plain", duration_s=clip.duration_s, processing_s=0.0)


# --- driver ------------------------------------------------------------------------------------------

def wait_for_quiet(max_load: float, max_wait_s: float) -> float:
    """Sleep while the 1-minute load average is above ``max_load`` (at most ``max_wait_s``);
    returns the load the run starts at."""
    waited = 0.0
    while os.getloadavg()[0] > max_load and waited < max_wait_s:
        time.sleep(15)
        waited += 15
    return os.getloadavg()[0]


def run_variant(variant: str, folder: Path) -> dict:
    cmd = [sys.executable, __file__, "--worker", variant, "--set", str(folder)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        return {"variant": variant, "error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(value, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="folder made by make_realistic_set.py")
    parser.add_argument("--variants", nargs="*", default=list(SWEEP))
    parser.add_argument("--max-load", type=float, default=1.0, help="wait while the 1-minute load is above this")
    parser.add_argument("--max-wait", type=float, default=1800.0, help="seconds to wait for a quiet machine")
    parser.add_argument("--json", type=Path, help="append each variant's full result (per clip too) here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.set)))
        return 0
    if not (args.set / "manifest.tsv").is_file():
        print(f"no benchmark set in {args.set}: run scripts/make_realistic_set.py first", file=sys.stderr)
        return 1
    rows = read_set(args.set)
    from rehearse.speech.engines.whisper import CPU_THREADS

    print(f"# set: {len(rows)} answers; cores: {os.cpu_count()}; {CPU_THREADS} thread(s) per engine; "
          f"waiting for a 1-minute load <= {args.max_load}")
    print(f"{'variant':24} {'WER':>6} {'WER-c':>6} {'RTF':>6} {'CPU/s':>6} {'filler R':>8} {'P':>5} "
          f"{'load s':>6} {'no-speech words':>15} {'load avg':>9}")
    for variant in args.variants:
        load = wait_for_quiet(args.max_load, args.max_wait)
        r = run_variant(variant, args.set)
        r["load_avg_at_start"] = round(load, 2)
        if args.json:
            with args.json.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(r) + "\n")
        if "error" in r:
            print(f"{variant:24} error: {r['error']}", flush=True)
            continue
        print(f"{variant:24} {r['wer']:6.1%} {r['wer_content']:6.1%} {r['rtf']:6.3f} {r['cpu_per_s']:6.3f} "
              f"{fmt(r['filler_recall'], '8.0%')} {fmt(r['filler_precision'], '5.0%')} {r['load_s']:6.2f} "
              f"{fmt(r.get('no_speech_words'), '15d')} {load:9.2f}"
              + ("  (machine busy)" if load > args.max_load else ""), flush=True)
        if r.get("by_voice"):
            print(" " * 26 + "WER / WER-c by voice: " + ", ".join(
                f"{family} {v['wer']:.1%} / {v['wer_content']:.1%}" for family, v in r["by_voice"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
