"""A stand-in for the :mod:`sounddevice` module: devices from a list, input streams fed from blocks."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import List, Optional, Sequence

import numpy as np


class PortAudioError(Exception):
    pass


def device(name: str, inputs: int = 0, outputs: int = 0, rate: float = 44100.0, hostapi: int = 0) -> dict:
    return {
        "name": name,
        "max_input_channels": inputs,
        "max_output_channels": outputs,
        "default_samplerate": rate,
        "hostapi": hostapi,
    }


class FakeStatus:
    def __init__(self, input_overflow: bool = False):
        self.input_overflow = input_overflow

    def __bool__(self) -> bool:
        return self.input_overflow


class FakeSoundDevice:
    """Enough of sounddevice for rehearse: query_devices, default.device, InputStream, play."""

    PortAudioError = PortAudioError

    def __init__(self, devices: Sequence[dict] = (), default=(-1, -1), blocks: Sequence[np.ndarray] = (),
                 overflow_at: Sequence[int] = (), start_error: Optional[Exception] = None,
                 takes: Sequence[Sequence[np.ndarray]] = (), realtime: bool = False,
                 before_armed: Sequence[np.ndarray] = ()):
        """``blocks`` feed every input stream; with ``takes``, the n-th stream opened gets the n-th
        list of blocks instead (one recorded answer each), then silence. ``realtime`` paces the
        blocks at the speed a microphone delivers them. ``before_armed`` blocks are what a stream
        opened early hears before the recorder arms its callback (the prompt playing)."""
        self._devices = list(devices)
        self.default = SimpleNamespace(device=list(default))
        self.blocks = list(blocks)
        self.takes = [list(t) for t in takes]
        self.realtime = realtime
        self.before_armed = list(before_armed)
        self.overflow_at = set(overflow_at)
        self.start_error = start_error
        self.streams: List["FakeInputStream"] = []
        self.played: list = []

    def query_devices(self):
        return list(self._devices)

    def query_hostapis(self):
        return [{"name": "ALSA"}, {"name": "OSS"}]

    def InputStream(self, **kwargs):
        blocks = None
        if self.takes:
            n = len(self.streams)
            blocks = self.takes[n] if n < len(self.takes) else [np.zeros(480, np.int16)] * 4000
        stream = FakeInputStream(self, blocks=blocks, **kwargs)
        self.streams.append(stream)
        return stream

    def play(self, data, samplerate=None, device=None, blocking=False):
        self.played.append((np.array(data), samplerate, device, blocking))


class FakeInputStream:
    """Delivers the fake module's blocks to the callback from its own thread, as fast as it can."""

    def __init__(self, sd: FakeSoundDevice, callback, blocksize, dtype, channels, blocks=None, **kwargs):
        self.sd = sd
        self.blocks = sd.blocks if blocks is None else blocks
        self.callback = callback
        self.blocksize = blocksize
        self.kwargs = dict(kwargs, dtype=dtype, channels=channels)
        self.delivered = 0
        self.started = False
        self.closed = False
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        if self.sd.start_error is not None:
            raise self.sd.start_error
        self.started = True
        self._thread.start()

    def _run(self):
        # A stream opened early (while the prompt plays) drops what it hears until the recorder arms
        # its callback; the scripted answer is what the person says once recording has begun.
        if not getattr(self.callback, "armed", True):
            for block in self.sd.before_armed:
                self.callback(np.asarray(block, dtype=np.int16).reshape(-1, 1), len(block), None, FakeStatus())
        while not getattr(self.callback, "armed", True):
            if self._halt.wait(0.002):
                return
        started = time.monotonic()
        sent_s = 0.0
        for i, block in enumerate(self.blocks):
            if self._halt.is_set():
                return
            data = np.asarray(block, dtype=np.int16).reshape(-1, 1)
            if self.sd.realtime:  # a block is delivered once it has been "spoken"
                sent_s += len(data) / float(self.kwargs.get("samplerate") or 16000)
                if self._halt.wait(max(0.0, started + sent_s - time.monotonic())):
                    return
            self.callback(data, len(data), None, FakeStatus(i in self.sd.overflow_at))
            self.delivered += 1

    def stop(self):
        self._halt.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def close(self):
        self.closed = True
