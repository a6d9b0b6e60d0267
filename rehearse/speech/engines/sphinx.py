"""PocketSphinx, offline, with SpeechRecognition's bundled en-US model.

SpeechRecognition's ``recognize_sphinx`` builds a new decoder (about 0.4 s of model loading) on every
call. We use the same model files through the same pocketsphinx decoder, but build it once per
process and read word timings from ``Decoder.seg()`` (10 ms frames).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Optional

from rehearse.audio.pcm import SPEECH_RATE, Audio
from rehearse.core.model import Transcript, Word

FRAME_S = 0.01
# Tokens in seg() that are not words.
_NON_WORDS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]", "[BREATH]", "[COUGH]", "[SMACK]", "[UH]", "[UM]"}


def _model_dir() -> Path:
    """SpeechRecognition's bundled en-US model, found without importing the package (its import
    pulls in deprecated audio modules and is not needed to decode)."""
    import importlib.util

    spec = importlib.util.find_spec("speech_recognition")
    if spec is None or not spec.origin:
        return Path("/nonexistent")
    return Path(spec.origin).resolve().parent / "pocketsphinx-data" / "en-US"


def probe() -> Optional[str]:
    import importlib.util

    for module, package in (("pocketsphinx", "pocketsphinx"), ("speech_recognition", "SpeechRecognition")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed; run `pip install {package}`."
    if not (_model_dir() / "language-model.lm.bin").is_file():
        return "SpeechRecognition's en-US PocketSphinx model is missing; reinstall SpeechRecognition."
    return None


class PocketSphinxEngine:
    name = "pocketsphinx"

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        model = _model_dir()
        self._decoder = Decoder(
            hmm=str(model / "acoustic-model"),
            lm=str(model / "language-model.lm.bin"),
            dict=str(model / "pronounciation-dictionary.dict"),
            logfn=os.devnull,
        )
        self._lock = threading.Lock()

    def transcribe(self, audio: Audio) -> Transcript:
        pcm = audio.to_rate(SPEECH_RATE)
        started = time.perf_counter()
        with self._lock:
            decoder = self._decoder
            decoder.start_utt()
            decoder.process_raw(pcm.to_bytes(), False, True)
            decoder.end_utt()
            hyp = decoder.hyp()
            segments = [(s.word, s.start_frame, s.end_frame) for s in decoder.seg()] if hyp else []
        words = []
        for token, start, end in segments:
            if token in _NON_WORDS or token.startswith("[") or token.startswith("<"):
                continue
            word = token.split("(")[0]  # alternate pronunciations look like "the(2)"
            words.append(Word(word, start * FRAME_S, (end + 1) * FRAME_S))
        return Transcript(
            text=" ".join(w.word for w in words),
            words=tuple(words),
            engine=self.name,
            duration_s=audio.duration_s,
            processing_s=time.perf_counter() - started,
        )
