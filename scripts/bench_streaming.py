"""Live transcription on the realistic set: streamed against one pass, and what is left at the end.

Each answer of ``scripts/make_realistic_set.py``'s set (default ``.bench/realistic``) is fed block by
block (0.1 s) to a live transcriber in a simulated real time: the transcriber runs without its
background thread, and this script plays that thread on a virtual clock. When the worker is free at
audio time ``t`` it takes the next job with the audio fed up to ``t``; the job runs at once (for real,
on the engine) and keeps the worker busy until ``t + its compute time`` while further blocks arrive.
That is what one worker thread beside a real-time recorder does, without waiting 450 s per
variant; the engine's calls are timed for real (on the default engine's threads).

Two endings are simulated per answer:

* ``plain``: no end-of-turn hooks; the recording ends with the clip (0.5-1.5 s of room noise after
  the last word), then ``finish()``. ``tail`` is the audio the final decode covers, ``after end``
  the time from the recording's end to the transcript (the latency the user feels);
* ``hooks``: an end-of-turn detector calling ``pause(at_s)`` ``--pause-after`` seconds into every
  pause of the answer (the set's own pause list) and ``resume()`` 0.1 s after speech came back, and
  at the end ``pause()`` after the last word and the recording's end ``--end-after`` seconds after the
  last word (an adaptive end of turn); ``last word`` is the time from the last word to the
  transcript, ``after end`` from the recording's end.

Printed per variant: WER of the streamed transcript (both endings) beside one pass over the whole
clip (``engine.transcribe``: what ``rehearse transcribe`` does); ``open``, the audio at the
recording's end not yet in committed words (or transcribed segments); the tail; latencies (median
and worst); compute RTF (engine seconds / audio seconds, all decodes, wasted speculation included);
``lag``: at each decode's end, how old the newest audio it decoded is (median and worst), i.e.
how far decoding falls behind the audio; ``slow``: how many decodes took 2 s or more (a window that
ran away repeating itself), of all decodes.

Variants: ``old`` (IncrementalTranscriber as the app used it: cut at pauses of 0.35 s),
``win6`` (the same cutter with segments of 2-6 s, cut at the quietest frame when no pause comes:
bounded windows without overlap), and ``agree`` with ``/``-separated settings of
AgreementTranscriber: ``s1.5`` step seconds, ``b10`` max buffer seconds, ``c`` committed text as
context, ``tc`` the tail decoded from the last committed word instead of the buffer's start.

    python scripts/bench_streaming.py                       # old, agree (the default), agree/c
    python scripts/bench_streaming.py --variants old agree/s2 agree/b5 --files answer-01.wav
    python scripts/bench_streaming.py --engine pocketsphinx --variants old agree
    python scripts/bench_streaming.py --set .bench/fluent --clock cpu   # a set made with --pauses 0.05,0.25
    python scripts/bench_streaming.py --variants agree --option encoder_margin_s=1   # a decoding setting
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_decoding import read_set, score  # noqa: E402

DEFAULT_SET = ROOT / ".bench" / "realistic"
BLOCK_S = 0.1


def make(variant: str, engine, rate: int, background: bool = False):
    from rehearse.speech.streaming import AgreementTranscriber, IncrementalTranscriber

    name, *settings = variant.split("/")
    if name == "old":
        return IncrementalTranscriber(engine, rate, background=background)
    if name == "win6":
        return IncrementalTranscriber(engine, rate, min_segment_s=2.0, max_segment_s=6.0, background=background)
    if name != "agree":
        raise SystemExit(f"unknown variant {variant!r}")
    kw: dict = {}
    for s in settings:
        if s.startswith("s"):
            kw["step_s"] = float(s[1:])
        elif s.startswith("b"):
            kw["max_buffer_s"] = float(s[1:])
        elif s == "c":
            kw["context"] = True
        elif s == "tc":
            kw["tail_from"] = "committed"
        else:
            raise SystemExit(f"unknown setting {s!r} in {variant!r}")
    return AgreementTranscriber(engine, rate, background=background, **kw)


def hooks_for(pauses: list[dict], speech_end: float, pause_after: float, end_after: float) -> list[tuple]:
    """(time, 'pause', at_s) and (time, 'resume') events of a simple end-of-turn detector."""
    events = []
    for p in pauses:
        if p["pause_s"] > pause_after:
            events.append((p["at_s"] + pause_after, "pause", p["at_s"]))
            events.append((p["at_s"] + p["pause_s"] + 0.1, "resume"))
    events.append((speech_end + min(pause_after, end_after), "pause", speech_end))
    return sorted(events, key=lambda e: e[0])


CLOCK = "wall"


def whisper_threads() -> int:
    """The threads a Whisper engine decodes with (the CPU clock divides its CPU seconds by them)."""
    from rehearse.speech.engines import whisper

    return whisper.CPU_THREADS


SLOW_DECODE_S = 2.0
"""A decode this long is counted as slow: a window of at most 10 s normally takes under 1 s; the
runaway ones ("so, so, so, ...") take 3-6 s."""


def cost(record) -> float:
    """Seconds a decode keeps the worker busy on the virtual clock."""
    return record.compute_s if CLOCK == "wall" else record.cpu_s / whisper_threads()


def simulate(live, samples, rate: int, events: list[tuple], end_s: float) -> dict:
    """Feed ``samples`` up to ``end_s`` on a virtual clock; the worker's jobs take their real time."""
    import numpy as np

    block = int(BLOCK_S * rate)
    n_end = int(end_s * rate)
    if n_end > len(samples):  # the recording goes on past the clip: room noise from its last 0.5 s
        tail = samples[-rate // 2:]
        reps = -(-(n_end - len(samples)) // len(tail))
        samples = np.concatenate([samples, np.tile(tail, reps)])
    samples = samples[:n_end]
    free_at, lags, pending = 0.0, [], list(events)
    for i in range(0, len(samples), block):
        live.feed(samples[i:i + block])
        t = min(i + block, len(samples)) / rate
        while pending and pending[0][0] <= t:
            event = pending.pop(0)
            live.pause(event[2]) if event[1] == "pause" else live.resume()
        while free_at <= t:
            record = live.run_pending()
            if record is None:
                break
            free_at = t + cost(record)
            lags.append(free_at - record.end_s)
    start = max(free_at, end_s)
    if hasattr(live, "committed_s"):
        covered = live.committed_s
    else:
        covered = max(((r.segment.start_sample + len(r.segment.samples)) / rate for r in live.segment_results),
                      default=0.0)
    count = len(live.decodes)
    began = time.perf_counter()
    transcript = live.finish()
    finish_s = time.perf_counter() - began
    if CLOCK != "wall":
        finish_s = sum(cost(d) for d in live.decodes[count:])
    finals = [d for d in live.decodes if d.kind == "final"]
    return {"text": transcript.text, "words": transcript.words, "done_at": start + finish_s,
            "open_s": max(0.0, end_s - covered),
            "tail_s": sum(d.end_s - d.start_s for d in finals), "finish_s": finish_s, "lags": lags,
            "compute_s": sum(cost(d) for d in live.decodes),
            "slow": sum(1 for d in live.decodes if cost(d) >= SLOW_DECODE_S), "decodes": len(live.decodes),
            "speculative_s": sum(cost(d) for d in live.decodes if d.kind == "speculative")}


def speech_end_s(samples, rate: int) -> float:
    """End of the last speech Silero VAD hears (without its padding)."""
    from rehearse.speech.engines.whisper import SPEECH_PAD_S, speech_spans

    spans = speech_spans(samples)
    return (spans[-1][1] / rate - SPEECH_PAD_S) if spans else len(samples) / rate


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.2f}/{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--variants", nargs="+", default=["old", "agree", "agree/c"])
    parser.add_argument("--files", nargs="*", help="only these clips of the set")
    parser.add_argument("--engine", default="whisper")
    parser.add_argument("--pause-after", type=float, default=0.3,
                        help="seconds of silence before the simulated detector calls pause()")
    parser.add_argument("--end-after", type=float, default=0.7,
                        help="seconds after the last word at which the simulated recording ends")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="a decode's cost on the virtual clock: its wall time (other work on the machine "
                             "inflates it), or its CPU seconds over the engine's threads (a lower bound)")
    parser.add_argument("--json", type=Path, help="append one JSON line per variant")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a Whisper DecodeOptions field for every decode, one pass included "
                             "(e.g. encoder_margin_s=1); repeatable")
    args = parser.parse_args()
    global CLOCK
    CLOCK = args.clock

    from rehearse.audio import pcm as audio_mod
    from rehearse.speech import engines

    if not (args.set / "manifest.tsv").is_file():
        raise SystemExit(f"no realistic set in {args.set}: run scripts/make_realistic_set.py first")
    rows = read_set(args.set)
    if args.files:
        rows = [r for r in rows if r[0].name in args.files]
    pauses = {d["file"]: d["pauses"] for d in json.loads((args.set / "pauses.json").read_text())}
    engine = engines.get(args.engine)
    if args.option:
        from bench_decoding import with_setting

        for setting in args.option:
            engine.options = with_setting(engine.options, setting)
    rate = 16000
    clips = []
    for path, ref in rows:
        samples = audio_mod.load(path).to_rate(rate).samples
        clips.append((path.name, ref, samples, speech_end_s(samples, rate)))
    engine.transcribe(audio_mod.Audio(clips[0][2][: 2 * rate], rate))  # warm-up, not counted

    print(f"{len(clips)} answers, {sum(len(c[2]) for c in clips) / rate:.0f} s, engine {args.engine}; "
          f"load at start: {os.getloadavg()[0]:.2f}", flush=True)
    one_pass, one_pass_s = [], 0.0
    for name, ref, samples, _ in clips:
        began, cpu = time.perf_counter(), time.process_time()
        one_pass.append((ref, engine.transcribe(audio_mod.Audio(samples, rate)).text))
        spent = (time.perf_counter() - began) if CLOCK == "wall" else (time.process_time() - cpu) / whisper_threads()
        one_pass_s += spent
    audio_s = sum(len(c[2]) for c in clips) / rate
    base = score(one_pass)
    print(f"clock: {CLOCK}; one pass: WER {base['wer']:.2%}, RTF {one_pass_s / audio_s:.3f} "
          f"(so {one_pass_s / len(clips):.1f} s per answer after its end)", flush=True)
    header = (f"{'variant':14} {'WER plain':>9} {'WER hooks':>9} {'open s':>10} {'tail s':>10} {'after end':>10} "
              f"{'hooks: last word':>16} {'after end':>10} {'RTF':>6} {'spec':>5} {'lag s':>10} {'slow':>8}")
    print(header)
    for variant in args.variants:
        plain_pairs, hook_pairs = [], []
        tails, after_plain, last_word, after_hooks, lags, opens = [], [], [], [], [], []
        compute = spec = 0.0
        slow = decodes = 0
        per_clip = []
        load = os.getloadavg()[0]
        for name, ref, samples, speech_end in clips:
            plain = simulate(make(variant, engine, rate), samples, rate, [], len(samples) / rate)
            end = speech_end + args.end_after
            hooked = simulate(make(variant, engine, rate), samples, rate,
                              hooks_for(pauses.get(name, []), speech_end, args.pause_after, args.end_after), end)
            plain_pairs.append((ref, plain["text"]))
            hook_pairs.append((ref, hooked["text"]))
            tails.append(plain["tail_s"])
            opens.append(plain["open_s"])
            after_plain.append(plain["done_at"] - len(samples) / rate)
            last_word.append(hooked["done_at"] - speech_end)
            after_hooks.append(hooked["done_at"] - end)
            lags += plain["lags"]
            compute += plain["compute_s"]
            slow += plain["slow"]
            decodes += plain["decodes"]
            spec += hooked["speculative_s"]
            per_clip.append({"file": name, "wer_plain": round(score([(ref, plain["text"])])["wer"], 4),
                             "wer_hooks": round(score([(ref, hooked["text"])])["wer"], 4),
                             "tail_s": round(plain["tail_s"], 2), "open_s": round(plain["open_s"], 2),
                             "after_end_s": round(after_plain[-1], 2), "last_word_s": round(last_word[-1], 2),
                             "rtf": round(plain["compute_s"] / (len(samples) / rate), 3),
                             "max_lag_s": round(max(plain["lags"], default=0.0), 2)})
        wp, wh = score(plain_pairs)["wer"], score(hook_pairs)["wer"]
        print(f"{variant:14} {wp:9.2%} {wh:9.2%} {summary(opens):>10} {summary(tails):>10} {summary(after_plain):>10} "
              f"{summary(last_word):>16} {summary(after_hooks):>10} {compute / audio_s:6.3f} "
              f"{spec / audio_s:5.3f} {summary(lags):>10} {slow:>3}/{decodes:<4}  (load {load:.2f})", flush=True)
        if args.json:
            with args.json.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"variant": variant, "engine": args.engine, "wer_one_pass": base["wer"],
                                      "wer_plain": wp, "wer_hooks": wh, "rtf": compute / audio_s,
                                      "speculative_rtf": spec / audio_s, "load": load,
                                      "slow_decodes": slow, "decodes": decodes,
                                      "per_clip": per_clip}) + "\n")
    print("(median/worst; open: seconds of audio at the recording's end not yet in committed words or "
          "transcribed segments; tail: seconds of audio decoded after it ended; lag: age of the newest "
          "decoded audio when a decode ends; slow: decodes of 2 s or more, of all decodes, plain ending)")


if __name__ == "__main__":
    main()
