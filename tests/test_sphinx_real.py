"""Real PocketSphinx on real speech: word timings and a word-error-rate bound on the shared samples."""

import pytest

from rehearse.audio import pcm as audio

from rehearse.speech import engines
from rehearse.speech.wer import WerTally, normalise, read_manifest, wer


def test_wer_normalisation_and_counting():
    assert normalise("Mr. Quilter's well-known, CASE!") == ["mister", "quilters", "well", "known", "case"]
    assert wer("a b c d", "a x c") == pytest.approx(0.5)


@pytest.mark.slow
def test_pocketsphinx_transcribes_the_samples_within_the_error_bound(samples_dir):
    engine = engines.get("pocketsphinx")
    tally = WerTally()
    for name, duration, reference in read_manifest(samples_dir):
        transcript = engine.transcribe(audio.load(samples_dir / name))
        tally.add(reference, transcript.text)
        for w in transcript.words:
            assert 0.0 <= w.start < w.end <= duration + 0.05
        starts = [w.start for w in transcript.words]
        assert starts == sorted(starts)
    # Measured 20.0% with SpeechRecognition's en-US model; the bound leaves room for platform noise.
    assert tally.wer <= 0.22


def test_the_model_is_loaded_once_per_process(samples_dir):
    first = engines.get("pocketsphinx")
    assert engines.get("pocketsphinx") is first
    clip = audio.load(samples_dir / "pocketsphinx-goforward.wav")
    assert "forward" in first.transcribe(clip).text
    assert "forward" in first.transcribe(clip).text  # the decoder is reusable
