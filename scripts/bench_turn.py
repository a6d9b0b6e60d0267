#!/usr/bin/env python3
"""End-of-turn candidates compared offline on the latency set's pauses (``scripts/bench_latency.py``
builds it in ``.bench/latency``).

At every mid-sentence thinking pause (the answer must go on), every long pause between sentences
(0.8 s or more; the speaker goes on too) and every end of answer (it must end), each candidate says
"finished" or "not finished":

- **rules**: :func:`rehearse.coaching.turn.completeness` over the words said before the point (the
  reference words, as a live transcript without errors would give them);
- **Smart Turn v3** (Pipecat's end-of-turn model, BSD-2): the ONNX model and its numpy feature code
  are read from a pipecat-ai wheel given with ``--pipecat-wheel`` (``pip download --no-deps
  pipecat-ai``; nothing is installed); it hears the last 8 s of audio up to 0.2 s after the speech
  stopped, as Pipecat calls it;
- **rules on the engine's words** (``--engine-words``): the same rule over what Whisper (the app's
  default engine and model) writes for the last 8 s up to 0.3 s into the pause, decoded as the live
  transcriber decodes the tail at a pause, with and without the engine's word probabilities (a last
  word it is unsure of counts as a hesitation: ``turn.UNSURE_P``); the spread of that last word's
  probability is printed for each kind of point; and with the **second opinion** the live transcriber
  asks for at a pause (``WhisperEngine.check_window`` over the last 5 s up to the same point, from
  another start): a finished ending counts only when both decodes end a finished sentence
  (``turn.with_second_opinion``);
- **Silero VAD** (shipped with faster-whisper) is a voice-activity detector, not a turn model: it is
  compared with the recorder's WebRTC classifier on what the end of answer needs from a VAD, the
  pauses it finds (a pause of 0.7 s found inside speech would end an answer early; a real pause of
  0.8 s or more it misses is a late end).

    .venv/bin/python scripts/bench_turn.py [--set .bench/latency] [--answers N] [--engine-words]
                                           [--pipecat-wheel PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RATE = 16000


def points(answers: list[dict]) -> list[dict]:
    out = []
    for a in answers:
        words = a["text"].split()
        for p in a["pauses"]:
            if p["kind"] == "thinking" or p["end_s"] - p["start_s"] >= 0.8:
                out.append({"file": a["file"], "kind": p["kind"], "at_s": p["start_s"],
                            "before": p["before"].replace(",", ""), "finished": False})
        out.append({"file": a["file"], "kind": "end", "at_s": a["speech_end_s"], "before": " ".join(words[-4:]),
                    "finished": True})
    return out


def smart_turn(wheel: Path):
    """A predictor (audio up to the pause -> probability of a finished turn) from the wheel's files."""
    import onnxruntime as ort

    folder = Path(tempfile.mkdtemp())
    base = "pipecat/audio/turn/smart_turn/"
    with zipfile.ZipFile(wheel) as z:
        model = next(n for n in z.namelist() if n.startswith(base + "data/") and n.endswith(".onnx"))
        for name in (model, base + "_whisper_features.py"):
            z.extract(name, folder)
    spec = importlib.util.spec_from_file_location("_st_features", folder / base / "_whisper_features.py")
    features = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(features)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(folder / model), sess_options=options, providers=["CPUExecutionProvider"])
    size_mb = (folder / model).stat().st_size / 1e6

    def predict(audio: np.ndarray) -> float:
        audio = audio[-8 * RATE:]
        if len(audio) < 8 * RATE:
            audio = np.pad(audio, (8 * RATE - len(audio), 0))
        mel = features.compute_whisper_log_mel_features(audio.astype(np.float32), do_normalize=True)
        return float(session.run(None, {"input_features": mel[None].astype(np.float32)})[0][0].item())

    return predict, Path(model).name, size_mb


def vad_pauses_webrtc(samples: np.ndarray) -> list[tuple[float, float]]:
    from rehearse.audio.vad import FrameClassifier

    clf = FrameClassifier(RATE, 0.03)
    decisions = clf.feed(samples)
    return _gaps(np.array(decisions), clf.frame_s)


def vad_pauses_silero(samples: np.ndarray) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    speech = get_speech_timestamps(samples.astype(np.float32) / 32768.0,
                                   VadOptions(min_silence_duration_ms=100, speech_pad_ms=30))
    frames = np.zeros(len(samples) // 480 + 1, bool)
    for s in speech:
        frames[s["start"] // 480: s["end"] // 480 + 1] = True
    return _gaps(frames, 0.03)


def _gaps(speech: np.ndarray, frame_s: float, sustain: int = 3) -> list[tuple[float, float]]:
    """Silences between sustained speech (runs of >= ``sustain`` frames), as (start_s, end_s)."""
    gaps, last_end, run = [], None, 0
    for i, s in enumerate(speech):
        run = run + 1 if s else 0
        if run == sustain:
            start = i - sustain + 1
            if last_end is not None and start > last_end:
                gaps.append((last_end * frame_s, start * frame_s))
        if run >= sustain:
            last_end = i + 1
    if last_end is not None and last_end < len(speech):
        gaps.append((last_end * frame_s, len(speech) * frame_s))
    return gaps


def score_vad(name: str, find, answers: list[dict], folder: Path) -> str:
    import soundfile as sf

    spurious = missed = real = 0
    lags = []
    took = 0.0
    for a in answers:
        samples, _ = sf.read(folder / a["file"], dtype="int16")
        started = time.perf_counter()
        gaps = find(samples)
        took += time.perf_counter() - started
        truth = [(p["start_s"], p["end_s"]) for p in a["pauses"]] + [(a["speech_end_s"], a["duration_s"])]
        for g0, g1 in gaps:
            if g1 - g0 >= 0.7 and g0 < a["speech_end_s"] and not any(t0 - 0.3 <= g0 and g1 <= t1 + 0.5 and t1 - t0 >= 0.4
                                                                      for t0, t1 in truth):
                spurious += 1
        for t0, t1 in truth:
            if t1 - t0 < 0.8:
                continue
            real += 1
            hit = [g0 for g0, g1 in gaps if g0 <= t0 + 0.5 and g1 >= t0 + 0.6]
            if hit:
                lags.append(max(0.0, hit[0] - t0))
            else:
                missed += 1
    seconds = sum(a["duration_s"] for a in answers)
    return (f"{name:8} pauses of 0.7 s+ found inside speech: {spurious}; real pauses of 0.8 s+ missed: "
            f"{missed} of {real}; speech end found {np.median(lags) if lags else float('nan'):.2f} s after it "
            f"(median); {took / seconds * 1000:.1f} ms of CPU per s of audio")


def engine_words(pts: list[dict], folder: Path, report, kinds) -> None:
    """The rule over Whisper's words at each point, with and without their probabilities."""
    import dataclasses

    import soundfile as sf

    from rehearse.audio.pcm import Audio
    from rehearse.coaching.turn import COMPLETE, INCOMPLETE, completeness, with_second_opinion
    from rehearse.speech import engines
    from rehearse.speech.streaming import CHECK_S

    engine = engines.get(None)
    clips, heard, second, took, check_took = {}, {}, {}, [], []
    for p in pts:
        if p["file"] not in clips:
            clips[p["file"]] = sf.read(folder / p["file"], dtype="int16")[0]
        clip = clips[p["file"]]
        start = max(0, int((p["at_s"] - 8.0) * RATE))
        started = time.perf_counter()
        transcript = engine.transcribe_window(Audio(clip[start: int((p["at_s"] + 0.3) * RATE)], RATE), final=True)
        took.append(time.perf_counter() - started)
        heard[id(p)] = list(transcript.words)
        start = max(0, int((p["at_s"] + 0.3 - CHECK_S) * RATE))
        started = time.perf_counter()
        second[id(p)] = list(engine.check_window(Audio(clip[start: int((p["at_s"] + 0.3) * RATE)], RATE)).words)
        check_took.append(time.perf_counter() - started)

    def verdicts(with_probability: bool) -> dict:
        out = {}
        for p in pts:
            words = heard[id(p)] if with_probability else [dataclasses.replace(w, probability=None)
                                                            for w in heard[id(p)]]
            v = completeness(words)
            out[id(p)] = "finished" if v == COMPLETE else ("waits" if v == INCOMPLETE else "unsure")
        return out

    report("engine words", verdicts(False))
    report("  + unsure word", verdicts(True))
    both = {}
    for p in pts:
        judged = with_second_opinion(heard[id(p)], second[id(p)])
        v = completeness(judged)
        both[id(p)] = "finished" if v == COMPLETE else ("waits" if v == INCOMPLETE else "unsure")
    report("  + 2nd opinion", both)
    print("  probability of the engine's last word (quartiles, min):")
    for k in kinds:
        probs = sorted(heard[id(p)][-1].probability for p in pts if p["kind"] == k and heard[id(p)]
                       and heard[id(p)][-1].probability is not None)
        if probs:
            q = np.percentile(probs, [25, 50, 75])
            print(f"    {k:9} n={len(probs):3}  min {probs[0]:.2f}  q1 {q[0]:.2f}  median {q[1]:.2f}  q3 {q[2]:.2f}")
    print(f"  ({np.median(took) * 1000:.0f} ms per decode, {np.median(check_took) * 1000:.0f} ms per second "
          "opinion, median)")


def main() -> int:
    from rehearse.coaching.turn import COMPLETE, INCOMPLETE, completeness

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / ".bench" / "latency")
    parser.add_argument("--pipecat-wheel", type=Path, help="a pipecat-ai wheel (for Smart Turn v3)")
    parser.add_argument("--answers", type=int, help="only the first N answers of the set")
    parser.add_argument("--engine-words", action="store_true",
                        help="also the rule over the default engine's words (decodes every point)")
    args = parser.parse_args()
    answers = json.loads((args.set / "manifest.json").read_text())["answers"][: args.answers]
    answers = [a for a in answers if (args.set / a["file"]).exists()]
    pts = points(answers)
    kinds = ("thinking", "sentence", "end")
    count = {k: sum(1 for p in pts if p["kind"] == k) for k in kinds}
    print(f"{len(answers)} answers: {count['thinking']} mid-sentence thinking pauses, {count['sentence']} "
          f"pauses of 0.8 s+ between sentences, {count['end']} ends of answer")

    def report(name: str, says_finished: dict) -> None:
        cells = []
        for k in kinds:
            some = [p for p in pts if p["kind"] == k]
            finished = sum(1 for p in some if says_finished[id(p)] == "finished")
            unsure = sum(1 for p in some if says_finished[id(p)] == "unsure")
            cells.append(f"{k}: finished {finished}/{len(some)}" + (f" (unsure {unsure})" if unsure else ""))
        print(f"  {name:14} " + "; ".join(cells))

    verdicts = {}
    for p in pts:
        v = completeness(p["before"])
        verdicts[id(p)] = "finished" if v == COMPLETE else ("waits" if v == INCOMPLETE else "unsure")
    print("says 'finished' (thinking pauses should say no; ends should say yes):")
    report("rules", verdicts)
    if args.engine_words:
        engine_words(pts, args.set, report, kinds)
    if args.pipecat_wheel:
        import soundfile as sf

        predict, model, size_mb = smart_turn(args.pipecat_wheel)
        clips = {}
        st, took = {}, []
        for p in pts:
            if p["file"] not in clips:
                clips[p["file"]] = sf.read(args.set / p["file"], dtype="float32")[0]
            clip = clips[p["file"]]
            started = time.perf_counter()
            prob = predict(clip[: int((p["at_s"] + 0.2) * RATE)])
            took.append(time.perf_counter() - started)
            st[id(p)] = "finished" if prob > 0.5 else "waits"
        report("Smart Turn v3", st)
        both = {k: ("finished" if verdicts[k] == "finished" and st[k] == "finished" else
                    "waits" if "waits" in (verdicts[k], st[k]) else "unsure") for k in verdicts}
        report("rules+ST both", both)
        print(f"  ({model}, {size_mb:.1f} MB, {np.median(took) * 1000:.0f} ms per call on 1 thread, median)")
    print("voice activity, what the end of answer needs from it:")
    print("  " + score_vad("webrtc", vad_pauses_webrtc, answers, args.set))
    print("  " + score_vad("silero", vad_pauses_silero, answers, args.set))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
