"""A campaign of bad inputs: each is one plain sentence (never the catch-all), or is read right.

Audio with an impossible sample rate, float WAVs (read as silence before), endless or huge inputs
(devices, pipes, a file larger than any answer), text that is not UTF-8; in a batch, one bad line
never ends the batch.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import need_engine
from rehearse.audio import pcm
from rehearse.core.errors import RehearseError

SAMPLE = Path(pcm.__file__).resolve().parents[1] / "data" / "sample_answer.wav"
OPENING = "Thank you for asking me back. I was charged with fixing our patient intake, and I cut the wait from forty minutes to twelve."


def one_sentence(err: str, *words: str) -> None:
    assert err.count("\n") == 1 and err.startswith("rehearse: "), err
    assert "unexpected" not in err and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)


def rehearse(env, *args, timeout=120):
    done = subprocess.run([sys.executable, "-m", "rehearse", *args], env=env, capture_output=True, timeout=timeout)
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


def sine(seconds=1.0, rate=16000, amplitude=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * np.sin(2 * np.pi * 440 * t)


def with_rate(path: Path, rate: int) -> Path:
    """A copy of the packaged sample whose header says ``rate`` Hz."""
    data = bytearray(SAMPLE.read_bytes())
    assert data[12:16] == b"fmt "
    data[24:28] = struct.pack("<I", rate)
    data[28:32] = struct.pack("<I", rate * 2)
    path.write_bytes(bytes(data))
    return path


# --- sample rates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("rate", [0, 10_000_000])
def test_an_impossible_sample_rate_is_one_sentence(tmp_path, rate):
    with pytest.raises(RehearseError, match=f"sample rate is {rate} Hz"):
        pcm.load(with_rate(tmp_path / "bad.wav", rate))


def test_sample_rate_zero_through_score_and_transcribe(cli_env, tmp_path):
    bad = with_rate(tmp_path / "zero.wav", 0)
    for args in (("score", "-a", "storyteller", "--audio", str(bad), "--engine", "pocketsphinx"),
                 ("transcribe", str(bad), "--engine", "pocketsphinx")):
        code, out, err = rehearse(cli_env, *args)
        assert code == 2 and out == ""
        one_sentence(err, "0 Hz")


def test_one_line_with_a_zero_rate_wav_does_not_fail_the_batch(run_cli, tmp_path):
    with_rate(tmp_path / "zero.wav", 0)
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(x) for x in (
        {"id": "a", "archetype": "storyteller", "audio": "zero.wav"},
        {"id": "b", "archetype": "storyteller", "text": OPENING},
    )) + "\n")
    code, out, err = run_cli("score", "--batch", str(batch), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0, err
    assert [line["id"] for line in lines] == ["a", "b"]
    assert "0 Hz" in lines[0]["error"] and lines[1]["verdict"] == "pass"


def test_any_failure_on_one_batch_line_is_that_line_s_error(run_cli, tmp_path, monkeypatch):
    import rehearse.api

    real = rehearse.api.score_transcript

    def flaky(transcript, archetype):
        if "boom" in transcript.text:
            raise ZeroDivisionError("float division by zero")
        return real(transcript, archetype)

    monkeypatch.setattr(rehearse.api, "score_transcript", flaky)
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps({"id": i, "archetype": "storyteller", "text": t})
                               for i, t in enumerate([OPENING, "boom", OPENING])) + "\n")
    code, out, _ = run_cli("score", "--batch", str(batch), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["id"] for line in lines] == [0, 1, 2]
    assert "ZeroDivisionError" in lines[1]["error"] and "line 2" in lines[1]["error"]
    assert lines[0]["verdict"] == lines[2]["verdict"] == "pass"


# --- float WAVs -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("subtype", ["FLOAT", "DOUBLE"])
def test_float_wavs_decode_like_their_16_bit_twin(tmp_path, subtype):
    import soundfile

    signal = sine()
    soundfile.write(tmp_path / "f.wav", signal, 16000, subtype=subtype)
    soundfile.write(tmp_path / "i.wav", signal, 16000, subtype="PCM_16")
    decoded, reference = pcm.load(tmp_path / "f.wav"), pcm.load(tmp_path / "i.wav")
    assert decoded.sample_rate == 16000
    assert np.abs(reference.samples).max() > 16000  # the twin is loud, so silence cannot pass
    assert np.abs(decoded.samples.astype(int) - reference.samples.astype(int)).max() <= 1


def test_float_stereo_is_mixed_and_out_of_range_values_are_clipped(tmp_path):
    import soundfile

    left = np.array([0.5, 2.0, -3.0, np.nan, 0.25], dtype=np.float32)
    right = np.array([0.5, 2.0, -3.0, np.nan, -0.25], dtype=np.float32)
    soundfile.write(tmp_path / "s.wav", np.stack([left, right], axis=1), 8000, subtype="FLOAT")
    assert pcm.load(tmp_path / "s.wav").samples.tolist() == [16384, 32767, -32768, 0, 0]


def test_a_float_wav_cut_off_mid_write_is_recovered(tmp_path):
    import soundfile

    soundfile.write(tmp_path / "f.wav", sine(), 16000, subtype="FLOAT")
    data = (tmp_path / "f.wav").read_bytes()
    cut = tmp_path / "cut.wav"
    head = data.index(b"data") + 8
    cut.write_bytes(data[:head + 4 * 8000 + 3])  # half a second and three bytes of the next sample
    clip = pcm.load(cut)
    assert len(clip.samples) == 8000
    assert np.abs(clip.samples).max() > 16000


def test_a_float_wav_is_heard_like_the_16_bit_original(tmp_path):
    import soundfile

    from rehearse.speech import engines

    need_engine("pocketsphinx")
    data, rate = soundfile.read(SAMPLE, dtype="float32")
    soundfile.write(tmp_path / "int16.wav", data[: 7 * rate], rate, subtype="PCM_16")
    soundfile.write(tmp_path / "float.wav", data[: 7 * rate], rate, subtype="FLOAT")
    engine = engines.get("pocketsphinx")
    heard = [engine.transcribe(pcm.load(tmp_path / name)).text for name in ("int16.wav", "float.wav")]
    assert len(heard[0].split()) > 8
    assert heard[1] == heard[0]


# --- endless and huge inputs --------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["--audio", "--text-file", "--batch"])
def test_a_device_is_refused_before_it_is_read(cli_env, flag):
    args = ("score", "--batch", "/dev/zero", "--json") if flag == "--batch" else \
        ("score", "-a", "storyteller", flag, "/dev/zero", "--no-save")
    code, out, err = rehearse(cli_env, *args, timeout=60)
    assert code == 2 and out == ""
    one_sentence(err, "/dev/zero is a device")


def test_transcribe_refuses_a_device_and_a_pipe(cli_env, tmp_path):
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    for path, kind in (("/dev/zero", "a device"), (str(fifo), "a pipe")):
        code, out, err = rehearse(cli_env, "transcribe", path, "--engine", "pocketsphinx", timeout=60)
        assert code == 2 and out == ""
        one_sentence(err, kind, "could be endless")


def test_a_file_larger_than_any_answer_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.wav"
    with open(big, "wb") as f:  # sparse: takes no room on disk
        f.write(SAMPLE.read_bytes()[:44])
        f.truncate(pcm.MAX_AUDIO_BYTES + 1)
    with pytest.raises(RehearseError, match="more than the 1 GB rehearse reads"):
        pcm.load(big)


def test_audio_longer_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "long.wav"
    frames = int(pcm.MAX_AUDIO_S * 8000) + 8000
    header = bytearray(SAMPLE.read_bytes()[:44])
    header[24:28] = struct.pack("<I", 8000)
    header[28:32] = struct.pack("<I", 16000)
    header[40:44] = struct.pack("<I", frames * 2)
    header[4:8] = struct.pack("<I", 36 + frames * 2)
    with open(path, "wb") as f:
        f.write(bytes(header))
        f.truncate(44 + frames * 2)
    with pytest.raises(RehearseError, match="more than 30 minutes long"):
        pcm.load(path)


def test_an_oversized_text_file_is_refused(run_cli, tmp_path):
    path = tmp_path / "opening.txt"
    path.write_text(OPENING + " " * (1 << 20))
    code, out, err = run_cli("score", "-a", "storyteller", "--text-file", str(path))
    assert code == 2 and out == ""
    one_sentence(err, "more than the 1 MB rehearse reads")


# --- text that is not UTF-8 ------------------------------------------------------------------------------

def test_text_arguments_that_are_not_utf8_are_one_sentence(cli_env):
    for args in ((b"score", b"-a", b"storyteller", b"--text", b"I led the \xff migration"),
                 (b"accomplishments", b"add", b"--title", b"Big \xfe win")):
        done = subprocess.run([sys.executable.encode(), b"-m", b"rehearse", *args], env=cli_env,
                              capture_output=True, timeout=60)
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 2 and done.stdout == b""
        one_sentence(err, "not valid UTF-8", args[-2].decode())


def test_a_non_utf8_text_file_is_one_sentence(run_cli, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Thank you for asking me back. Caf\u00e9.".encode("latin-1"))
    code, _, err = run_cli("score", "-a", "storyteller", "--text-file", str(path))
    assert code == 2
    one_sentence(err, "not UTF-8")


def test_lone_surrogates_in_a_batch_are_that_line_s_error(run_cli, tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "\\ud800", "archetype": "storyteller", "text": "I led a \\udc00 team"}\n'
                     + json.dumps({"id": "ok", "archetype": "storyteller", "text": OPENING}) + "\n")
    code, out, _ = run_cli("score", "--batch", str(batch), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert lines[0]["id"] == "\ud800" and "not valid text" in lines[0]["error"]
    assert lines[1]["id"] == "ok" and lines[1]["verdict"] == "pass"
    assert out.splitlines()[0].startswith('{"id": "\\ud800"')  # escaped, so stdout stays valid UTF-8


def test_the_library_refuses_a_surrogate_opening_in_one_sentence():
    import rehearse.cli.commands.score as score

    with pytest.raises(RehearseError, match="not valid text"):
        score._text_transcript("I led \udcff the team")
