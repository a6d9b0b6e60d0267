"""Drills as a person sees them: the real command on a pseudo-terminal, fakes only at the device seam.

The command runs in a child process (tests/fake_cli.py) whose stdin and stderr are a terminal, so it
waits for keys and draws rich's live clock exactly as it does for a person; the report (stdout) is
read apart. See tests/terminal.py.
"""

import re
import sys
import time

import numpy as np
import pytest

from fakes import tone_wav
from terminal import Terminal, fake_cli, frames

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses a pseudo-terminal")

STRONG = ("thank you for asking me back i was thinking about an accomplishment from the last six months "
          "i was charged with cutting our release time and i rebuilt the pipeline so releases went from "
          "two weeks to three days")
CLOCK = re.compile(r"^(\d+:\d\d\.\d) / (\d+:\d\d\.\d) \S+\s+(no light yet|no light|● [A-Z]+)\s*(.*)$")


def seconds(clock: str) -> float:
    minutes, rest = clock.split(":")
    return 60 * int(minutes) + float(rest)


def test_on_a_terminal_the_next_round_waits_for_enter_and_q_stops_the_drill(tmp_path, cli_env):
    answer = tone_wav(tmp_path / "answer.wav", seconds=2)
    term = Terminal(fake_cli("--answer", str(answer), "--say", STRONG, "--say", STRONG, "--say", STRONG, "--",
                             "drill", "-a", "storyteller", "--seconds", "10", "--rounds", "3", "--no-countdown",
                             "--engine", "scripted"), cli_env)
    pause = term.wait_for("Press Enter for round 2 of 3")
    time.sleep(1.0)  # a drill that did not wait would be speaking round 2's prompt by now
    assert term.screen.count("[speaker]") == 1 and term.proc.poll() is None
    term.type(b"\n")
    after_enter = term.wait_for("[speaker]", after=pause)  # round 2 starts on Enter
    term.wait_for("Press Enter for round 3 of 3", after=after_enter)
    term.type(b"q\n")
    code, out, raw = term.finish()
    screen = term.screen
    assert "Stopped before round 3, as you asked." in screen
    assert screen.count("[speaker]") == 2 and "Round 3 of 3" not in screen
    assert out.count("Verdict:") == 2
    table = out[out.index("Round by round:"):].splitlines()
    assert [line.split()[0] for line in table[2:4]] == ["1", "2"]
    assert code == 0


def test_the_clock_stops_at_the_last_word_and_shows_the_light_the_report_gives(tmp_path, cli_env):
    # 6.8 s of "speech" (yellow shows at 6 s) and then silence until recording is cut at 8.8 s, so the
    # live clock runs on into red while the answer itself ended on yellow
    spoken = tone_wav(tmp_path / "spoken.wav", seconds=6.8)
    from rehearse.audio import pcm

    audio = pcm.load(spoken)
    silence = np.zeros(int(2.5 * audio.sample_rate), dtype=np.int16)
    answer = pcm.save(pcm.Audio(np.concatenate([audio.samples, silence]), audio.sample_rate),
                      tmp_path / "answer.wav")
    term = Terminal(fake_cli("--answer", str(answer), "--say", STRONG, "--", "drill", "-a", "storyteller",
                             "--seconds", "8", "--no-countdown", "--engine", "scripted"), cli_env)
    code, out, raw = term.finish()
    drawn = [m.groups() for m in map(CLOCK.match, frames(raw)) if m]
    assert drawn, f"no live clock was drawn:\n{term.screen[-2000:]}"
    lights_while_recording = {light for _, _, light, note in drawn if not note}
    assert "● RED" in lights_while_recording  # the clock ran into red during the silence
    last_clock, limit, last_light, note = drawn[-1]
    assert note == "answer ended (your last word)" and limit == "0:08.0"
    reported = re.search(r"Light reached:\s+(\S+), answer ended at (\d+:\d\d\.\d)", out)
    assert reported, out
    assert last_light == f"● {reported.group(1)}" and last_clock == reported.group(2)  # one figure, two places
    assert last_light == "● YELLOW"
    assert seconds(last_clock) < max(seconds(c) for c, _, _, _ in drawn)
    assert code in (0, 1) and "Traceback" not in term.screen


def test_ctrl_c_at_the_pause_between_rounds_keeps_the_rounds_and_their_table(tmp_path, cli_env):
    import signal

    answer = tone_wav(tmp_path / "answer.wav", seconds=2)
    term = Terminal(fake_cli("--answer", str(answer), "--say", STRONG, "--say", STRONG, "--",
                             "drill", "-a", "storyteller", "--seconds", "10", "--rounds", "3", "--no-countdown",
                             "--engine", "scripted"), cli_env)
    pause = term.wait_for("Press Enter for round 2 of 3")
    term.type(b"\n")
    term.wait_for("Press Enter for round 3 of 3", after=pause)
    term.proc.send_signal(signal.SIGINT)
    code, out, _ = term.finish()
    assert code == 130 and "Stopped by Ctrl-C between rounds" in term.screen
    assert "Traceback" not in term.screen
    table = out[out.index("Round by round:"):].splitlines()
    assert [line.split()[0] for line in table[2:4]] == ["1", "2"]
