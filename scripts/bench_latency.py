#!/usr/bin/env python3
"""End-of-answer latency of `rehearse practice` on realistic answers through the virtual microphone.

Builds (once, in the git-ignored ``.bench/latency``) a set of spoken answers the way the decoding
benchmark's set is made (``scripts/make_realistic_set.py``: Piper, Kokoro and espeak-ng voices, light
reverb, pink noise 20-35 dB under the voice), 20-180 s long, in three pause styles:

- ``fluent``: 0.12-0.45 s between sentences;
- ``long-pause``: mostly 0.8-2.0 s between sentences;
- ``mixed``: fluent, with a long pause now and then;

and in every answer one to three **thinking pauses of 2-4 s in the middle of a sentence**, where people
leave them: after a function word or a filler, before the next content word ("... and what I did
was, <3 s> rewrite the jobs"). The words before such a pause are synthesised with a trailing comma,
so the voice keeps a continuing (not a final) intonation.

With ``--texts FILE``, each answer is instead one written opening of that file (openings of three
sentences or more, in an order drawn from the seed), with the same fillers, pauses, voices and room:
text written by someone else, that the end-of-answer rule (shaped on the pool's few dozen sentences
over many seeds) has never met. Such answers are as long as the openings are (mostly 15-40 s).

Then starts a private PulseAudio daemon (as the tests do), and for each answer runs ``rehearse
practice --json`` in a subprocess (the adaptive end of answer by default, ``--silence S`` for a
fixed window), plays the answer into the virtual microphone once it says Recording, and measures:

- last word -> result: from the end of the last spoken word to the JSON result on stdout;
- recording end -> result: from the end of the recording to the result (transcription of what is
  left, the checks, saving);
- end-of-answer wait: from the end of the last word to the end of the recording;
- cut-offs: answers whose recording ended before the last word, and in which pause (a mid-sentence
  thinking pause, a pause between sentences).

Timings are wall-clock on a shared machine: the load (``uptime``) is printed with them.

    .venv/bin/python scripts/bench_latency.py [--answers N] [--silence S] [--engine NAME] [--texts JSONL]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

RATE = 16000
SET_VERSION = 1
LENGTHS_S = (20, 45, 90, 30, 150, 60, 25, 120, 35, 180, 50, 75, 22, 100, 40, 65, 28, 130, 55, 85,
             33, 70, 110, 24)
"""Target lengths of the answers, in order (a quick run takes the first few)."""
STYLES = ("fluent", "long-pause", "mixed")
THINK_AFTER = frozenset("""
the a an my our was is were and but so because to of that which we i with for in about this their
""".split())
"""Words after which a mid-sentence thinking pause is placed (before a content word)."""


# --- the set ------------------------------------------------------------------------------------------

def _split_for_thinking(sentence: str, rng: np.random.Generator) -> tuple[str, str] | None:
    """Cut a sentence after a function word (or after an "um" put there), both sides >= 2 words."""
    words = sentence.split(" ")
    spots = [i for i in range(1, len(words) - 2)
             if words[i].lower().strip(",.?") in THINK_AFTER and not words[i].endswith((",", ".", "?"))]
    if not spots:
        return None
    i = int(rng.choice(spots))
    head, tail = words[: i + 1], words[i + 1:]
    if rng.random() < 0.3:
        head = head + ["um"]
    return " ".join(head) + ",", " ".join(tail)


SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
MIN_SENTENCES = 3
"""Written openings (``--texts``) with fewer sentences are not spoken: an answer needs pauses between
sentences, and an opening written as one unpunctuated run (recognition style) has no sentences to
pause between."""


def openings_to_speak(path: Path, seed: int) -> list[dict]:
    """The written openings of ``path`` (JSON lines with ``id`` and ``text``) that have at least
    ``MIN_SENTENCES`` sentences, in an order drawn from ``seed`` (not chosen by hand)."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [it for it in items if len(sentences_of(it["text"])) >= MIN_SENTENCES]
    order = np.random.default_rng(seed).permutation(len(items))
    return [items[int(k)] for k in order]


def sentences_of(text: str) -> list[str]:
    """A written opening's sentences, split after a full stop, question or exclamation mark."""
    return [s.strip() for s in SENTENCE_END.split(text.strip()) if s.strip()]


def build_set(out: Path, count: int, seed: int, texts: Path | None = None) -> list[dict]:
    """Synthesise the answers (cached: answers already built with this seed are kept). With ``texts``,
    each answer is one written opening of that file (:func:`openings_to_speak`), spoken whole, instead
    of sentences drawn from the set's own pool; the pauses, fillers, voices and room are as without."""
    import make_realistic_set as mrs

    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    source = texts.name if texts is not None else None
    if (manifest.get("seed") != seed or manifest.get("version") != SET_VERSION
            or manifest.get("texts") != source):
        manifest = {"seed": seed, "version": SET_VERSION, "texts": source, "answers": []}
    openings = openings_to_speak(texts, seed) if texts is not None else None
    if openings is not None and len(openings) < count:
        raise SystemExit(f"{texts} has only {len(openings)} openings of {MIN_SENTENCES} sentences or more")
    answers = manifest["answers"]
    if len(answers) >= count and all((out / a["file"]).exists() for a in answers[:count]):
        return answers[:count]
    voices = mrs.load_voices(["piper", "kokoro", "espeak"])
    cast = []
    for i in range(max(len(v.styles()) for v in voices)):
        for voice in voices:
            cast.append((voice, voice.styles()[i % len(voice.styles())]))
    for n in range(len(answers), count):
        rng = np.random.default_rng(seed * 1000 + n)
        target = float(LENGTHS_S[n % len(LENGTHS_S)])
        style = STYLES[n % len(STYLES)]
        voice, vstyle = cast[n % len(cast)]
        started = time.monotonic()
        if openings is not None:
            sentences = [mrs.add_fillers(x, rng, 0.15) for x in sentences_of(openings[n]["text"])]
            target = sum(len(x.split()) for x in sentences) / 2.6
        else:
            sentences = mrs.compose(target, rng, filler_rate=0.15).sentences
        # which sentences get a thinking pause: one per ~50 s, at least one, never the last
        want = max(1, min(3, int(round(target / 50.0))))
        candidates = [k for k, s in enumerate(sentences[:-1]) if _split_for_thinking(s, np.random.default_rng(k))]
        if not candidates:  # a short answer of one sentence: add a second
            sentences = sentences + [str(rng.choice(mrs.BRIDGES))]
            candidates = [k for k, s in enumerate(sentences[:-1]) if _split_for_thinking(s, np.random.default_rng(k))]
        think = set(int(k) for k in rng.choice(candidates, size=min(want, len(candidates)), replace=False))
        speed = float(rng.uniform(0.92, 1.1))
        pieces = [np.zeros(int(rng.uniform(0.4, 0.8) * RATE), np.float32)]
        pos = len(pieces[0])
        events: list[dict] = []
        spoken: list[str] = []
        for k, sentence in enumerate(sentences):
            parts = [sentence]
            kinds = []
            if k in think:
                head, tail = _split_for_thinking(sentence, rng)
                parts, kinds = [head, tail], ["thinking"]
            for j, part in enumerate(parts):
                audio = mrs.trim(voice.say(part, vstyle, speed, rng))
                audio = audio / (np.abs(audio).max() + 1e-9)
                pieces.append(audio)
                pos += len(audio)
                spoken.append(part)
                last = k == len(sentences) - 1 and j == len(parts) - 1
                if last:
                    break
                if j < len(parts) - 1:
                    kind, pause = kinds[j], float(rng.uniform(2.0, 4.0))
                else:
                    long = {"fluent": 0.0, "long-pause": 0.7, "mixed": 0.25}[style]
                    kind = "sentence"
                    pause = float(rng.uniform(0.8, 2.0) if rng.random() < long else rng.uniform(0.12, 0.45))
                events.append({"kind": kind, "start_s": round(pos / RATE, 3), "end_s": round(pos / RATE + pause, 3),
                               "before": " ".join(part.split()[-4:])})
                pieces.append(np.zeros(int(pause * RATE), np.float32))
                pos += int(pause * RATE)
        speech_end = pos / RATE
        pieces.append(np.zeros(int(9.0 * RATE), np.float32))  # room noise after the answer
        dry = np.concatenate(pieces)
        snr = float(rng.uniform(22.0, 32.0))
        clip = mrs.in_room(dry, rng, snr, float(rng.uniform(0.2, 0.4)), drr_db=float(rng.uniform(6.0, 12.0)))
        name = f"answer-{n:02d}.wav"
        mrs.write_wav(out / name, clip)
        answers.append({"file": name, "style": style, "voice": voice.name(vstyle), "snr_db": round(snr, 1),
                        **({"opening": openings[n]["id"]} if openings is not None else {}),
                        "speech_end_s": round(speech_end, 3), "duration_s": round(len(clip) / RATE, 2),
                        "text": " ".join(spoken).replace(",", ""), "pauses": events})
        manifest_path.write_text(json.dumps(manifest, indent=1))
        thinking = sum(1 for e in events if e["kind"] == "thinking")
        print(f"built {name}: {speech_end:5.1f} s of answer, {style:10} {voice.name(vstyle):22} "
              f"{thinking} thinking pause(s) ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    return answers[:count]


# --- one run ------------------------------------------------------------------------------------------

def run_once(mic, home: Path, clip: Path, answer: dict, engine: str | None, silence: float | None,
             trace: Path | None = None) -> dict:
    env = {**mic.env, "REHEARSE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    if trace is not None:
        env["REHEARSE_DEBUG"] = "1"  # the app logs each window it chooses in a pause, and each live decode
    command = [sys.executable, "-m", "rehearse", "practice", "--archetype", "challenger", "--text-prompt",
               "--max-seconds", "300", "--json"]
    if engine:
        command += ["--engine", engine]
    if silence is not None:
        command += ["--silence", str(silence)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    err_lines: list[str] = []
    recording = threading.Event()
    seen: dict = {}

    def drain() -> None:
        for line in proc.stderr:
            err_lines.append(line)
            if "Recording" in line and not recording.is_set():
                seen["at"] = time.monotonic()
                recording.set()
        recording.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    if not recording.wait(120) or "at" not in seen:
        proc.kill()
        raise SystemExit("practice ended before recording: " + "".join(err_lines[-5:]))
    recording_at = seen["at"]
    play_at = time.monotonic()
    # a generous client buffer: on a busy machine paplay otherwise stalls, and the sink plays
    # digital silence into the answer (a pause the speaker never made)
    player = subprocess.Popen(["paplay", "--device=vsink", "--latency-msec=1500", str(clip)], env=mic.env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = proc.stdout.readline()
    result_at = time.monotonic()
    if player.poll() is None:  # the answer was cut off: stop playing it
        player.terminate()
    player.wait(10)
    proc.communicate(timeout=120)
    reader.join(5)
    if trace is not None:
        trace.mkdir(parents=True, exist_ok=True)
        (trace / (Path(answer["file"]).stem + ".log")).write_text(
            f"# {answer['file']}: the last word ends {answer['speech_end_s']:.2f} s into the clip (the recording "
            f"holds the clip from about 0.1 s); 'pause at' and decode spans are seconds of the recording, "
            f"the first column wall-clock ms of the process\n" + "".join(err_lines))
    if not out.strip():
        return {"file": answer["file"], "error": "".join(err_lines[-3:]).strip()}
    result = json.loads(out)
    with sqlite3.connect(home / "rehearse.db") as db:
        duration, stopped_by, audio_path = db.execute(
            "SELECT duration_s, stopped_by, audio_path FROM sessions WHERE id = ?", (result["session_id"],)).fetchone()
    from rehearse.speech.wer import wer

    # Where the answer is in the recording. The virtual microphone hears the clip bit for bit, but
    # paplay can start late and, on a busy machine, stall (the sink then plays silence: the answer
    # is stretched), so the last word and the end of the recording are each found by matching.
    rec, ref = _load(Path(audio_path)), _load(clip)
    offset = _find(rec, ref[: 4 * RATE]) / RATE
    end = int(answer["speech_end_s"] * RATE)
    tail_at = _find(rec, ref[end - 3 * RATE: end])
    # found where it belongs (stalls stretch a played answer by tenths of a second; a match tens of
    # seconds early is the last seconds matched against the wrong place in a cut recording)
    whole = tail_at + 3 * RATE <= len(rec) and abs(tail_at / RATE - (offset + answer["speech_end_s"] - 3)) < 5
    speech_end_rec = (tail_at / RATE + 3.0) if whole else offset + answer["speech_end_s"]
    heard_until = last_speech_s(Path(audio_path))
    recording_end = recording_at + duration
    last_word = recording_at + speech_end_rec
    stalls = _stalls(rec[int(offset * RATE): int(speech_end_rec * RATE)])
    cut = None
    if not whole or duration < speech_end_rec - 0.3:
        # where in the clip it ended: the recording's length less where the clip began in it and any
        # stalls (matching the recording's last seconds fails when they are a pause of room noise)
        ended_in_clip = len(rec) / RATE - offset - _stalls(rec[int(offset * RATE):])
        cut = "speech"
        if _stalls(rec[-int(4.5 * RATE):]):
            cut = "stall"  # it ended in digital silence: playback stalled, the speaker did not pause
        for pause in ([] if cut == "stall" else answer["pauses"]):
            if pause["start_s"] - 0.1 <= ended_in_clip <= pause["end_s"] + 0.6:
                cut = pause["kind"]
                break
    transcript = result.get("transcript") or ""
    return {"file": answer["file"], "style": answer["style"], "voice": answer["voice"],
            "answer_s": answer["speech_end_s"], "stopped_by": stopped_by, "cut": cut,
            "ended_at_s": ended_in_clip if cut else None,
            "last_word_to_result_s": result_at - last_word, "recording_end_to_result_s": result_at - recording_end,
            "end_wait_s": recording_end - last_word, "play_delay_s": offset - (play_at - recording_at), "stalls_s": stalls,
            "stretch_s": speech_end_rec - offset - answer["speech_end_s"] if whole else None,
            "vad_overhang_s": None if heard_until is None else heard_until - speech_end_rec, "wer": wer(answer["text"], transcript) if transcript else None,
            "transcript": transcript}


def _load(path: Path) -> np.ndarray:
    from rehearse.audio import pcm

    return pcm.load(path).samples.astype(np.float64)


def _stalls(samples: np.ndarray, min_s: float = 0.1) -> float:
    """Seconds of digital silence (runs of exact zeros of ``min_s`` or more): playback stalls, since
    the answer's room noise is never exactly zero."""
    zero = np.concatenate([[False], samples == 0, [False]])
    edges = np.flatnonzero(np.diff(zero.astype(np.int8)))
    runs = edges[1::2] - edges[::2]
    return float(runs[runs >= min_s * RATE].sum()) / RATE


def _find(signal: np.ndarray, piece: np.ndarray) -> int:
    """The sample of ``signal`` at which ``piece`` matches best (cross-correlation)."""
    n = len(signal) + len(piece)
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(signal, size) * np.conj(np.fft.rfft(piece, size)), size)
    return int(np.argmax(corr[: max(1, len(signal) - len(piece) + 1)]))


def last_speech_s(recording: Path):
    """Where the recorder's voice-activity detection last heard sustained speech in the recording."""
    from rehearse.audio import pcm
    from rehearse.audio.endpoint import Endpointer
    from rehearse.audio.vad import FrameClassifier

    clf = FrameClassifier(RATE, 0.03)
    ep = Endpointer(frame_s=clf.frame_s)
    ep.feed_all(clf.feed(pcm.load(recording).samples))
    return ep.last_speech_end_s


# --- the report ---------------------------------------------------------------------------------------

def _figure(values: list[float]) -> str:
    if not values:
        return "  n/a"
    return f"median {statistics.median(values):5.2f} s, worst {max(values):5.2f} s"


def main() -> int:
    from virtual_audio import start_daemon, stop_daemon

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=20, help="how many answers (default 20; 3 is a quick run)")
    parser.add_argument("--silence", type=float, help="a fixed end-of-answer window (default: adaptive)")
    parser.add_argument("--engine", help="speech engine (default: the app's default)")
    parser.add_argument("--set", type=Path, default=ROOT / ".bench" / "latency", help="where the answers are kept")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-only", action="store_true", help="build the answers and stop")
    parser.add_argument("--texts", type=Path, metavar="JSONL",
                        help="speak written openings of this file (an id and a text per line, three sentences or "
                             "more, in an order drawn from --seed) instead of the set's own sentences: text the "
                             "end-of-answer rule was never shaped on")
    parser.add_argument("--results", type=Path, help="also write one JSON line per answer here")
    parser.add_argument("--trace", type=Path, metavar="DIR",
                        help="keep each run's debug log here (ANSWER.log): every window the end-of-answer rule "
                             "chose in a pause, on which words, and every live decode with its cost")
    args = parser.parse_args()

    answers = build_set(args.set, args.answers, args.seed, args.texts)
    thinking = sum(1 for a in answers for p in a["pauses"] if p["kind"] == "thinking")
    total = sum(a["speech_end_s"] for a in answers)
    print(f"{len(answers)} answers ({min(a['speech_end_s'] for a in answers):.0f}-"
          f"{max(a['speech_end_s'] for a in answers):.0f} s, {total / 60:.1f} min in all), "
          f"{len({a['voice'] for a in answers})} voices, {thinking} mid-sentence pauses of 2-4 s", flush=True)
    if args.build_only:
        return 0
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        mic = start_daemon(tmp / "pulse")
        try:
            for n, answer in enumerate(answers):
                row = run_once(mic, tmp / "home", args.set / answer["file"], answer, args.engine, args.silence,
                               args.trace)
                rows.append(row)
                if "error" in row:
                    print(f"{row['file']}: error: {row['error']}", flush=True)
                    continue
                print(f"{row['file']} {row['style']:10} {row['answer_s']:5.1f} s {row['voice']:22} "
                      f"ended by {row['stopped_by']:8} wait {row['end_wait_s']:5.2f} s, last word -> result "
                      f"{row['last_word_to_result_s']:5.2f} s, "
                      f"recording end -> result "
                      f"{row['recording_end_to_result_s']:5.2f} s"
                      + (f", WER {row['wer']:.1%}" if row['wer'] is not None else "")
                      + (f", played {row['stretch_s']:+.2f} s stretched" if row.get("stretch_s") else "")
                      + (f", {row['stalls_s']:.2f} s of stalls" if row.get("stalls_s") else "")
                      + (f"  CUT OFF in a {row['cut']} pause at {row['ended_at_s']:.1f} s" if row["cut"] else ""),
                      flush=True)
                if args.results:
                    with args.results.open("a") as handle:
                        handle.write(json.dumps(row) + "\n")
        finally:
            stop_daemon(mic)
    done = [r for r in rows if "error" not in r]
    whole = [r for r in done if not r["cut"]]
    ended = "--silence %g (fixed)" % args.silence if args.silence is not None else "adaptive (default)"
    print(f"\nend of answer: {ended}; {len(done)} answers run, {len(whole)} recorded whole")
    print(f"  last word -> result:       {_figure([r['last_word_to_result_s'] for r in whole])}")
    print(f"  recording end -> result:   {_figure([r['recording_end_to_result_s'] for r in done])}")
    print(f"  end-of-answer wait:        {_figure([r['end_wait_s'] for r in whole])}")
    for style in STYLES:
        some = [r for r in whole if r["style"] == style]
        if some:
            print(f"    {style:10} last word -> result {_figure([r['last_word_to_result_s'] for r in some])}; "
                  f"wait {_figure([r['end_wait_s'] for r in some])}")
    print(f"  cut off in a mid-sentence pause: {sum(1 for r in done if r['cut'] == 'thinking')} of {thinking} pauses")
    print(f"  ended in a playback stall (the machine, not the speaker): {sum(1 for r in done if r['cut'] == 'stall')}; "
          f"answers with stalls: {sum(1 for r in done if r.get('stalls_s'))}")
    print(f"  ended early at a pause between sentences: {sum(1 for r in done if r['cut'] == 'sentence')}, "
          f"during speech: {sum(1 for r in done if r['cut'] == 'speech')}")
    stretch = [r["stretch_s"] for r in done if r.get("stretch_s") is not None]
    if stretch:
        print(f"  playback stalls (a busy machine stretches the played answer): median {statistics.median(stretch):.2f} s, "
              f"worst {max(stretch):.2f} s per answer")
    wers = [r["wer"] for r in done if r["wer"] is not None]
    if wers:
        print(f"  WER of the results: median {statistics.median(wers):.1%}")
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"  load: {uptime} (1-min load average at the start: {load_before[0]:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
