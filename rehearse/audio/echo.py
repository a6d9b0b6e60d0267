"""A simple echo canceller: subtract what the speakers played from what the microphone heard.

With speakers, not headphones, the microphone hears the interviewer. The played signal is known
sample for sample (a duplex stream hands the microphone's block and the speakers' block over
together), so the echo is modelled as one delayed, scaled copy of it::

    mic[n] ~= gain * played[n - delay] + candidate[n]

The delay is the lag of the cross-correlation's peak between the microphone and the played signal
(re-estimated every ``update_s`` while something is being played, kept when the peak is weak); the
gain is the least-squares fit over each block. What is left (``mic - gain * played[n - delay]``) is
what the voice activity detector listens to.

One delay and one gain model a direct path only: a room adds reflections (a tail of delayed copies)
and a loudspeaker distorts, which this does not remove. On the virtual devices of the tests (an
exact copy of the signal) it removes almost everything; in a real room expect far less, which is
why pause-only listening is the default (see the README).
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

MAX_DELAY_S = 1.0
"""The longest echo path looked for (device buffers on both sides plus the air)."""
WINDOW_S = 0.5
"""Microphone audio correlated with the played signal for each delay estimate."""
UPDATE_S = 0.1
"""How often the delay is re-estimated while the interviewer is playing."""
MIN_CORRELATION = 0.3
"""A normalised correlation peak below this is not trusted as the echo (the delay is kept)."""
MIN_REF_RMS = 30.0
"""Played blocks quieter than this (int16 units) give no gain estimate (nothing to cancel)."""
MAX_GAIN = 8.0
SUSPECT_SHARE = 0.5
"""A block whose gain is below this share of the steady gain marks the delay as stale."""


def estimate_delay(mic: np.ndarray, played: np.ndarray, max_lag: int) -> tuple[int, float]:
    """The lag ``d`` (0..max_lag samples) at which ``mic[n]`` best matches ``played[n - d]``, and the
    normalised correlation there (0 when either is silent).

    ``mic`` and ``played`` cover the same span of time; ``played`` may start ``max_lag`` samples
    earlier (then it is ``max_lag`` longer), so that lags up to ``max_lag`` see the whole window.
    """
    mic = np.asarray(mic, dtype=np.float64)
    played = np.asarray(played, dtype=np.float64)
    lead = len(played) - len(mic)
    if lead < 0:
        raise ValueError("played must be at least as long as mic")
    n = len(played) + len(mic)
    size = 1 << max(1, (n - 1).bit_length())
    spec = np.fft.rfft(mic, size) * np.conj(np.fft.rfft(played, size))
    corr = np.fft.irfft(spec, size)
    # corr[k] = sum_n mic[n + k] * played[n]; mic[j] sits at played index j + lead, and its echo
    # comes from played[j + lead - d], so lag d is k = d - lead (circularly)
    lags = np.arange(0, max_lag + 1)
    ks = (lags - lead) % size
    values = corr[ks]
    best = int(np.argmax(values))
    d = int(lags[best])
    aligned = played[lead - d: lead - d + len(mic)]
    norm = math.sqrt(float(np.dot(mic, mic)) * float(np.dot(aligned, aligned)))
    return d, (float(values[best]) / norm if norm > 0 else 0.0)


def ls_gain(mic: np.ndarray, aligned: np.ndarray) -> Optional[float]:
    """The least-squares gain ``g`` minimising ``|mic - g * aligned|``; None when ``aligned`` is silent."""
    energy = float(np.dot(aligned, aligned))
    if len(aligned) == 0 or math.sqrt(energy / len(aligned)) < MIN_REF_RMS:
        return None
    return float(np.dot(mic, aligned)) / energy


def suppression_db(mic: np.ndarray, residual: np.ndarray) -> float:
    """How much quieter the residual is than the microphone, in dB (echo return loss enhancement)."""
    a = float(np.sum(np.asarray(mic, dtype=np.float64) ** 2))
    b = float(np.sum(np.asarray(residual, dtype=np.float64) ** 2))
    if a <= 0:
        return 0.0
    return 10.0 * math.log10(a / max(b, 1e-9))


class EchoCanceller:
    """Streaming: feed each microphone block with the block played at the same time."""

    def __init__(self, sample_rate: int = 16000, *, initial_delay_s: Optional[float] = None,
                 max_delay_s: float = MAX_DELAY_S, window_s: float = WINDOW_S, update_s: float = UPDATE_S):
        self.sample_rate = int(sample_rate)
        self.max_lag = int(round(max_delay_s * sample_rate))
        self.window = int(round(window_s * sample_rate))
        self.update = max(1, int(round(update_s * sample_rate)))
        self.delay: Optional[int] = None if initial_delay_s is None else int(round(initial_delay_s * sample_rate))
        """The echo path in samples (None until estimated or given)."""
        self.delay_measured = False
        """Whether :attr:`delay` came from a correlation peak (not the initial guess)."""
        self.correlation = 0.0
        self.gain = 0.0
        keep = self.max_lag + self.window + 1
        self._played = np.zeros(keep, dtype=np.float64)
        self._mic = np.zeros(self.window, dtype=np.float64)
        self._since_update = 0
        self._played_recent = 0
        self.steady_gain: Optional[float] = None
        """The gain while the echo was tracked (a running mean)."""
        self.suspect = False
        """The last block's gain fell far below :attr:`steady_gain`: the delay is probably stale, so
        what is left of that block may be echo (the caller should not take it for a voice)."""
        """Samples of the window in which something was played (only those windows are correlated)."""

    def process(self, mic_block: np.ndarray, played_block: np.ndarray) -> np.ndarray:
        """The microphone block with the echo of the played signal taken out (float64, int16 units)."""
        mic = np.asarray(mic_block, dtype=np.float64).reshape(-1)
        played = np.asarray(played_block, dtype=np.float64).reshape(-1)
        if len(played) != len(mic):
            raise ValueError("each microphone block needs the block played at the same time")
        n = len(mic)
        self._played = np.concatenate([self._played, played])[-(self.max_lag + self.window + n):]
        self._mic = np.concatenate([self._mic, mic])[-max(self.window, n):]
        loud = np.sqrt(np.mean(played * played)) >= MIN_REF_RMS if n else False
        self._played_recent = min(self.window + self.max_lag, self._played_recent + n) if loud else max(
            0, self._played_recent - n)
        self._since_update += n
        if self._since_update >= self.update and self._played_recent > self.update:
            self._since_update = 0
            self._estimate()
        if self.delay is None:
            return mic
        end = len(self._played) - self.delay
        aligned = self._played[end - n:end] if end - n >= 0 else np.zeros(n)
        gain = ls_gain(mic, aligned)
        self.suspect = False
        if gain is not None:
            gain = min(MAX_GAIN, max(0.0, gain))
            if self.steady_gain is not None and gain < SUSPECT_SHARE * self.steady_gain:
                # the played signal no longer explains the microphone: the echo path moved (a
                # buffer underflow delays the speakers), so look for the delay again at once
                self.suspect = True
                self._since_update = self.update
            elif self.delay_measured:
                self.steady_gain = gain if self.steady_gain is None else 0.9 * self.steady_gain + 0.1 * gain
            self.gain = gain
        return mic - self.gain * aligned

    def _estimate(self) -> None:
        window = self._mic[-self.window:]
        played = self._played[-(self.window + self.max_lag):]
        if len(played) < self.window + self.max_lag:
            return
        d, c = estimate_delay(window, played, self.max_lag)
        if c < MIN_CORRELATION:
            return
        if self.delay_measured and self.delay is not None and d != self.delay:
            # keep a measured delay unless the new peak is clearly better (a periodic voice has
            # several peaks; the candidate speaking lowers them all)
            current = _correlation_at(window, played, self.max_lag, self.delay)
            if current >= c - 0.1:
                return
        self.delay, self.correlation, self.delay_measured = d, c, True


def _correlation_at(mic: np.ndarray, played: np.ndarray, max_lag: int, d: int) -> float:
    lead = len(played) - len(mic)
    if not 0 <= d <= max_lag or lead - d < 0:
        return 0.0
    aligned = played[lead - d: lead - d + len(mic)]
    norm = math.sqrt(float(np.dot(mic, mic)) * float(np.dot(aligned, aligned)))
    return float(np.dot(mic, aligned)) / norm if norm > 0 else 0.0


def cancel(mic: np.ndarray, played: np.ndarray, sample_rate: int = 16000, block: int = 480,
           initial_delay_s: Optional[float] = None) -> tuple[np.ndarray, EchoCanceller]:
    """The whole of ``mic`` with the echo of ``played`` (same timeline, same length) taken out, block by
    block as it would be live; and the canceller, for its delay and gain."""
    mic = np.asarray(mic, dtype=np.float64)
    played = np.asarray(played, dtype=np.float64)
    canceller = EchoCanceller(sample_rate, initial_delay_s=initial_delay_s)
    out = [canceller.process(mic[i:i + block], played[i:i + block]) for i in range(0, len(mic), block)]
    return (np.concatenate(out) if out else np.zeros(0)), canceller
