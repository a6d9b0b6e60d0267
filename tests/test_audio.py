import wave

import numpy as np
import pytest

from rehearse.audio import pcm as audio
from rehearse.core.errors import RehearseError


def test_audio_is_immutable_and_resamples(tmp_path):
    clip = audio.Audio(np.arange(22050, dtype=np.int16) % 100, 22050)
    with pytest.raises(ValueError):
        clip.samples[0] = 5
    resampled = clip.to_rate(16000)
    assert resampled.sample_rate == 16000
    assert abs(resampled.duration_s - 1.0) < 0.01


def test_save_and_load_round_trip(tmp_path):
    clip = audio.Audio.from_float(np.sin(np.linspace(0, 100, 16000)) * 0.5, 16000)
    path = audio.save(clip, tmp_path / "x.wav")
    back = audio.load(path)
    assert back.sample_rate == 16000
    assert np.array_equal(back.samples, clip.samples)


def test_stereo_files_are_mixed_to_mono(tmp_path):
    import soundfile

    stereo = np.stack([np.full(800, 0.5), np.full(800, -0.5)], axis=1)
    soundfile.write(tmp_path / "s.wav", stereo, 8000, subtype="PCM_16")
    clip = audio.load(tmp_path / "s.wav")
    assert clip.samples.ndim == 1 and abs(int(clip.samples.mean())) <= 1


@pytest.mark.parametrize("maker, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: p.write_text("hello, this is not audio at all " * 20), "not an audio file"),
    (lambda p: p.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 3), "not an audio file"),
    (lambda p: p.mkdir(), "is a folder"),
])
def test_bad_files_give_one_sentence(tmp_path, maker, message):
    path = tmp_path / "bad.wav"
    maker(path)
    with pytest.raises(RehearseError, match=message):
        audio.load(path)


def test_appender_keeps_a_valid_file_after_every_block(tmp_path):
    path = tmp_path / "rec.wav"
    out = audio.WavAppender(path, 16000)
    out.write(np.full(1600, 1000, dtype=np.int16))
    out.write(np.full(1600, -1000, dtype=np.int16))
    # Not closed (as if the process died): the header already describes both blocks.
    with wave.open(str(path)) as w:
        assert w.getnframes() == 3200
    assert audio.load(path).duration_s == pytest.approx(0.2)
    out.close()


def test_a_wav_cut_off_mid_write_is_recovered(tmp_path):
    path = audio.save(audio.Audio(np.full(16000, 500, dtype=np.int16), 16000), tmp_path / "cut.wav")
    data = path.read_bytes()
    # Header claims 1 s but only part of the data made it to disk, plus half a sample.
    path.write_bytes(data[: 44 + 8001])
    clip = audio.load(path)
    assert 0.2 < clip.duration_s <= 0.26
