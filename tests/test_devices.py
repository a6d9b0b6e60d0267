"""Device listing, resolution and error translation against a fake sounddevice module."""

import builtins
import sys
import time

import numpy as np
import pytest

from fake_sounddevice import FakeSoundDevice, PortAudioError, device
from rehearse.audio import devices
from rehearse.audio import playback
from rehearse.audio.pcm import Audio
from rehearse.core.errors import RehearseError

MACHINE = [
    device("HDA Intel PCH: ALC3246 Analog (hw:0,0)", inputs=2, outputs=2, rate=48000.0),
    device("HDA Intel PCH: HDMI 0 (hw:0,3)", outputs=8),
    device("USB Headset Mic (hw:1,0)", inputs=1, rate=16000.0, hostapi=1),
    device("pulse", inputs=32, outputs=32),
    device("default", inputs=32, outputs=32),
]


@pytest.fixture
def fake_sd(monkeypatch):
    def install(devices_list=MACHINE, default=(4, 4), **kwargs):
        sd = FakeSoundDevice(devices_list, default, **kwargs)
        monkeypatch.setattr(devices, "sounddevice_module", lambda: sd)
        return sd

    return install


def test_list_devices_splits_inputs_and_outputs(fake_sd):
    fake_sd()
    found = devices.list_devices()
    assert [d.index for d in found.inputs] == [0, 2, 3, 4]
    assert [d.index for d in found.outputs] == [0, 1, 3, 4]
    usb = found.inputs[1]
    assert (usb.name, usb.channels, usb.default_samplerate, usb.hostapi) == (
        "USB Headset Mic (hw:1,0)", 1, 16000.0, "OSS")
    assert found.outputs[1].channels == 8
    assert found.default_input.name == "default"
    assert found.default_output.index == 4


def test_no_default_is_none(fake_sd):
    fake_sd(default=(-1, -1))
    found = devices.list_devices()
    assert found.default_input is None and found.default_output is None


@pytest.mark.parametrize(
    "spec, expected",
    [(None, 4), (2, 2), ("2", 2), (" 0 ", 0), ("usb", 2), ("HEADSET", 2), ("pulse", 3), ("Default", 4)],
)
def test_resolve_input(fake_sd, spec, expected):
    fake_sd()
    assert devices.resolve_input(spec) == expected


def test_resolve_output_by_name_and_default(fake_sd):
    fake_sd(default=(2, 1))
    assert devices.resolve_output(None) == 1
    assert devices.resolve_output("hdmi") == 1
    assert devices.resolve_input(None) == 2


def test_an_exact_name_wins_over_substring_matches(fake_sd):
    fake_sd(devices_list=MACHINE + [device("pulse monitor", inputs=2)])
    assert devices.resolve_input("PULSE") == 3


def test_without_a_default_the_first_device_is_used(fake_sd):
    fake_sd(default=(-1, -1))
    assert devices.resolve_input(None) == 0


def test_no_input_device_at_all(fake_sd):
    fake_sd(devices_list=[device("HDMI", outputs=2)], default=(-1, 0))
    with pytest.raises(RehearseError) as err:
        devices.resolve_input(None)
    assert str(err.value) == (
        "No input device (microphone) was found; connect one, "
        "or run `rehearse devices` to see what is available."
    )
    assert devices.resolve_output(None) == 0


def test_no_output_device_at_all(fake_sd):
    fake_sd(devices_list=[], default=(-1, -1))
    with pytest.raises(RehearseError, match=r"^No output device \(speaker\) was found"):
        devices.resolve_output("anything")


def test_unknown_name(fake_sd):
    fake_sd()
    with pytest.raises(RehearseError) as err:
        devices.resolve_input("Blue Yeti")
    assert str(err.value) == "No input device matches 'Blue Yeti'; run `rehearse devices` to see the names."


def test_an_output_only_device_is_not_an_input(fake_sd):
    fake_sd()
    with pytest.raises(RehearseError, match="No input device matches 'HDMI'"):
        devices.resolve_input("HDMI")
    with pytest.raises(RehearseError, match="no input device number 1"):
        devices.resolve_input(1)


def test_an_ambiguous_name_asks_for_the_number(fake_sd):
    fake_sd()
    with pytest.raises(RehearseError) as err:
        devices.resolve_output("intel")
    assert "0: HDA Intel PCH: ALC3246" in str(err.value) and "1: HDA Intel PCH: HDMI" in str(err.value)


def test_device_errors_turns_portaudio_faults_into_one_sentence(fake_sd):
    fake_sd()
    with pytest.raises(RehearseError) as err:
        with devices.device_errors("input"):
            raise PortAudioError("Error opening InputStream: Device unavailable", -9985)
    message = str(err.value)
    assert message.startswith("The input device (microphone) could not be used (Error opening InputStream")
    assert "`rehearse devices`" in message and "\n" not in message
    with pytest.raises(RehearseError, match=r"^The output device \(speaker\) could not be used"):
        with devices.device_errors("output"):
            raise ValueError("No output device matching 'x'")


def test_device_minus_one_means_there_is_no_device(fake_sd):
    fake_sd()
    with pytest.raises(RehearseError, match=r"^No input device \(microphone\) was found"):
        with devices.device_errors("input"):
            raise PortAudioError("Error querying device -1")


def test_other_errors_pass_through(fake_sd):
    fake_sd()
    with pytest.raises(KeyError):
        with devices.device_errors("input"):
            raise KeyError("not an audio fault")


def test_missing_portaudio_is_a_plain_error(monkeypatch):
    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(devices, "_module", None)
    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(RehearseError) as err:
        devices.sounddevice_module()
    assert str(err.value) == (
        "PortAudio is not installed; install libportaudio2 (sudo apt-get install libportaudio2)."
    )


def test_play_sends_the_samples_to_the_resolved_output(fake_sd):
    sd = fake_sd()
    audio = Audio(np.arange(100, dtype=np.int16), 22050)
    playback.play(audio, device="hdmi")
    data, rate, index, _blocking = sd.played[0]
    assert np.array_equal(data, audio.samples) and rate == 22050 and index == 1 and sd.stopped == 0


def test_a_device_that_stops_taking_audio_does_not_hold_the_screen(fake_sd):
    sd = fake_sd(output_stalls=True)
    audio = Audio(np.ones(1600, dtype=np.int16), 16000)  # 0.1 s
    started = time.monotonic()
    with pytest.raises(RehearseError, match="stopped taking audio"):
        playback.play(audio, grace_s=0.3)
    assert 0.35 <= time.monotonic() - started < 3.0 and sd.stopped == 1


def test_a_stalled_prompt_is_shown_as_text_and_the_round_goes_on(fake_sd, capsys):
    from rehearse.core.model import Prompt
    from rehearse.session.round import speak_or_show

    class Speaker:  # plays a tenth of a second on the output device, as a prompt's audio would be
        def speak(self, prompt):
            playback.play(Audio(np.ones(1600, dtype=np.int16), 16000), grace_s=0.1)

    fake_sd(output_stalls=True)
    notes = []
    prompt = Prompt(id="t-1", archetype="storyteller", text="Tell me about yourself.")
    assert speak_or_show(Speaker(), prompt, notes.append) is False
    assert notes and notes[0].startswith("No sound: the output device (speaker) stopped taking audio")
    assert "Tell me about yourself." in capsys.readouterr().err


def test_play_without_output_device_raises(fake_sd):
    fake_sd(devices_list=[device("mic", inputs=1)], default=(0, -1))
    with pytest.raises(RehearseError, match="No output device"):
        playback.play(Audio(np.ones(10, dtype=np.int16), 16000))


def test_tone_is_a_short_beep_at_the_asked_pitch(fake_sd):
    sd = fake_sd()
    playback.tone(freq_hz=1000, seconds=0.25)
    data, rate, index, _ = sd.played[0]
    assert len(data) == int(0.25 * rate) and index == 4
    spectrum = np.abs(np.fft.rfft(data.astype(float)))
    peak_hz = np.argmax(spectrum) * rate / len(data)
    assert abs(peak_hz - 1000) < 10
    assert abs(int(data[0])) < 100 and abs(int(data[-1])) < 100


# -- through the CLI --------------------------------------------------------------------------------

def _starred(out: str, title: str) -> list[str]:
    lines = out.split(title, 1)[1].splitlines()[1:]
    section = lines[:next((i for i, line in enumerate(lines) if not line.startswith(" ")), len(lines))]
    return [line.split()[1] for line in section if line.startswith(" *")]


def test_devices_marks_the_default_input_and_output_with_a_star(fake_sd, run_cli):
    fake_sd(default=(2, 1))
    code, out, _ = run_cli("devices")
    assert code == 0
    assert _starred(out, "Input devices") == ["2"] and _starred(out, "Output devices") == ["1"]
    assert "* marks the default" in out


def test_without_a_default_the_star_marks_the_device_that_is_used(fake_sd, run_cli):
    fake_sd(default=(-1, 4))
    code, out, _ = run_cli("devices")
    assert _starred(out, "Input devices") == ["0"] and _starred(out, "Output devices") == ["4"]
    assert "no default input is set, so the first one listed" in out


ALSA_ERROR = ("import ctypes, ctypes.util; asound = ctypes.CDLL(ctypes.util.find_library('asound')); "
              "asound.snd_pcm_open(ctypes.byref(ctypes.c_void_p()), b'rehearse_no_such_pcm', 0, 0)")
"""Makes libasound report an error the way it reports an underrun: a line of its own on stderr."""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ALSA is Linux's")
def test_alsa_error_lines_stay_off_the_screen_once_rehearse_has_opened_sound(cli_env):
    import ctypes.util
    import subprocess

    from conftest import need

    need(ctypes.util.find_library("asound"), "libasound (ALSA) is not installed")

    def run(code: str, **env) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                              env={**cli_env, **env})

    alone = run(ALSA_ERROR)
    assert "ALSA lib" in alone.stderr and "rehearse_no_such_pcm" in alone.stderr  # what leaked before
    after_cli = run("from rehearse.cli import main as cli; cli.main(['devices']); " + ALSA_ERROR)
    assert "ALSA lib" not in after_cli.stderr, after_cli.stderr
    assert "Input devices" in after_cli.stdout or "PortAudio" in after_cli.stderr
    debugging = run("from rehearse.cli import main as cli; cli.main(['devices']); " + ALSA_ERROR,
                    REHEARSE_DEBUG="1")
    assert "ALSA lib" in debugging.stderr  # REHEARSE_DEBUG=1 keeps ALSA's own words
