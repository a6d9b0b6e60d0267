"""The echo canceller: delay by cross-correlation, gain by least squares, what it takes out."""

import numpy as np
import pytest

from rehearse.audio import echo

RATE = 16000


def speechlike(seconds, seed, level=3000.0):
    """Noise shaped by a syllable-rate envelope, with gaps: enough like speech for correlation."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 3.1 * t + rng.uniform(0, 6)), 0, None) ** 2
    noise = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same")
    return level * envelope * noise / (np.std(noise) + 1e-9)


def delayed(x, d):
    return np.concatenate([np.zeros(d), x[:len(x) - d]])


@pytest.mark.parametrize("delay", [0, 37, 960, 5000])
def test_estimate_delay_finds_the_lag(delay):
    played = speechlike(2.0, 1)
    mic = 0.6 * delayed(played, delay)
    lag, corr = echo.estimate_delay(mic[8000:24000], played[0:24000], 8000)
    assert lag == delay
    assert corr > 0.99


def test_estimate_delay_of_unrelated_signals_is_weak():
    lag, corr = echo.estimate_delay(speechlike(1.0, 2), speechlike(1.5, 3), 8000)
    assert corr < echo.MIN_CORRELATION


def test_ls_gain():
    played = speechlike(0.5, 4)
    assert echo.ls_gain(0.37 * played, played) == pytest.approx(0.37)
    assert echo.ls_gain(played, np.zeros(100)) is None


def test_cancel_removes_an_exact_echo_and_keeps_the_candidate():
    played = np.concatenate([speechlike(3.0, 5), np.zeros(3 * RATE)])
    candidate = np.concatenate([np.zeros(int(4.0 * RATE)), speechlike(2.0, 6, level=1500.0)])
    delay = 960
    mic = 0.5 * delayed(played, delay) + candidate
    residual, canceller = echo.cancel(mic, played, RATE)
    assert canceller.delay == delay and canceller.delay_measured
    assert canceller.gain == pytest.approx(0.5, abs=0.01)
    # where only the interviewer was heard (after the first estimate, ~1.25 s), the echo is gone
    echo_only = slice(int(1.5 * RATE), int(3.0 * RATE))
    assert echo.suppression_db(mic[echo_only], residual[echo_only]) > 40
    # the candidate, alone, goes through untouched
    alone = slice(int(4.0 * RATE) + delay, int(6.0 * RATE))
    assert np.allclose(residual[alone], candidate[alone], atol=1.0)


def test_cancel_with_the_candidate_over_the_interviewer_still_takes_most_of_the_echo_out():
    played = speechlike(4.0, 7)
    candidate = np.concatenate([np.zeros(2 * RATE), speechlike(2.0, 8, level=1500.0)])
    mic = 0.8 * delayed(played, 700) + candidate
    residual, _ = echo.cancel(mic, played, RATE)
    both = slice(int(2.2 * RATE), int(4.0 * RATE))
    left_echo = residual[both] - candidate[both]
    assert echo.suppression_db(0.8 * delayed(played, 700)[both], left_echo) > 15


def test_the_initial_delay_is_used_until_a_peak_is_measured():
    canceller = echo.EchoCanceller(RATE, initial_delay_s=0.06)
    assert canceller.delay == 960 and not canceller.delay_measured
    block = speechlike(0.03, 9)
    out = canceller.process(block, np.zeros_like(block))
    assert np.allclose(out, block)


def test_blocks_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        echo.EchoCanceller(RATE).process(np.zeros(480), np.zeros(240))


def test_a_moved_echo_path_is_suspected_and_found_again():
    """The speakers' buffer underflows: from then on the echo comes 0.14 s later. The blocks whose
    gain collapses are marked suspect, and the delay is measured again within a few blocks."""
    played = speechlike(6.0, 11)
    mic = 0.6 * delayed(played, 1000)
    slip = 3 * RATE
    mic[slip:] = 0.6 * delayed(played, 1000 + 2240)[slip:]
    canceller = echo.EchoCanceller(RATE)
    suspects = []
    for i in range(0, len(mic), 480):
        canceller.process(mic[i:i + 480], played[i:i + 480])
        suspects.append((i, canceller.suspect))
    assert not any(s for i, s in suspects if 1.0 * RATE < i < slip)
    assert any(s for i, s in suspects if slip <= i < slip + RATE // 2)
    assert canceller.delay == 3240
