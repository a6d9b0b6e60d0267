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
                 before_armed: Sequence[np.ndarray] = (), output_stalls: bool = False):
        """``blocks`` feed every input stream; with ``takes``, the n-th stream opened gets the n-th
        list of blocks instead (one recorded answer each), then silence. ``realtime`` paces the
        blocks at the speed a microphone delivers them. ``before_armed`` blocks are what a stream
        opened early hears before the recorder arms its callback (the prompt playing).
        ``output_stalls``: what is played never finishes (an output device that stops taking audio)
        until ``stop()``."""
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
        self.output_stalls = output_stalls
        self.stopped = 0
        self._output = SimpleNamespace(active=False)

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
        self._output = SimpleNamespace(active=self.output_stalls)  # else played at once

    def get_stream(self):
        return self._output

    def stop(self):
        self.stopped += 1
        self._output.active = False


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


class Room:
    """What the fake room's microphone hears: the speakers' output ``echo_gain`` times, ``echo_delay``
    samples later (0 gain: headphones), plus ``voice`` starting at sample ``voice_at`` of the recording
    (or, with ``voice_in_pause`` = k, ``voice_delay`` samples into the k-th pause as the speakers
    played it), plus faint noise."""

    def __init__(self, echo_gain: float = 0.0, echo_delay: int = 960, voice: Optional[np.ndarray] = None,
                 voice_at: Optional[int] = None, voice_in_pause: Optional[int] = None, voice_delay: int = 0,
                 noise: float = 20.0, seed: int = 3):
        self.echo_gain = echo_gain
        self.echo_delay = echo_delay
        self.voice = None if voice is None else np.asarray(voice, dtype=np.float64)
        self.voice_at = voice_at
        self.voice_in_pause = voice_in_pause
        self.voice_delay = voice_delay
        self.noise = noise
        self.rng = np.random.default_rng(seed)


class RoomStreams:
    """An input and an output stream sharing a :class:`Room`, driven by one thread: on each 30 ms tick
    the output callback (once started) fills the speakers' block, then the input callback gets the
    microphone's block (the room's echo of what was played, and the candidate). Faster than real time,
    in lockstep with the recorder: before each tick it waits until the recorder has taken the last
    block off its queue, so what the recorder decides (hold, stop) reaches the speakers at once, as
    it would within a block or two on a real device."""

    def __init__(self, sd, room: Room, max_blocks: int = 20000):
        self.sd = sd
        self.room = room
        self.max_blocks = max_blocks
        self.input_callback = None
        self.output_callback = None
        self.output_started = False
        self.anchor: Optional[int] = None
        """Microphone samples delivered when the speakers' first block was made."""
        self.played = np.zeros(0, dtype=np.float64)
        self.recorded = np.zeros(0, dtype=np.float64)
        self.voice_started_at: Optional[int] = None
        """Sample of the recording where the candidate's voice began."""
        self.voice_spoken_at: Optional[int] = None
        """The same moment on the speakers' clock (the interview's time)."""
        self._quiet_run = 0
        self._pauses_seen = 0
        self._queues: list = []
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _wait_consumed(self):
        deadline = time.monotonic() + 2.0
        while any(q.qsize() for q in self._queues) and time.monotonic() < deadline and not self._halt.is_set():
            time.sleep(0.0005)

    def _mic(self, start: int, n: int) -> np.ndarray:
        room = self.room
        x = room.rng.normal(0, room.noise, n) if room.noise else np.zeros(n)
        if room.echo_gain and self.anchor is not None:
            idx = np.arange(start, start + n) - self.anchor - room.echo_delay
            ok = (idx >= 0) & (idx < len(self.played))
            x[ok] += room.echo_gain * self.played[idx[ok]]
        if room.voice is not None and self.voice_started_at is not None:
            off = np.arange(start, start + n) - self.voice_started_at
            ok = (off >= 0) & (off < len(room.voice))
            x[ok] += room.voice[off[ok]]
        return x

    def _run(self):
        n = 480
        for i in range(self.max_blocks):
            if self._halt.is_set():
                return
            self._wait_consumed()
            start = i * n
            if self.output_started and self.output_callback is not None:
                if self.anchor is None:
                    self.anchor = start
                outdata = np.zeros((n, 1), dtype=np.int16)
                self.output_callback(outdata, n, None, FakeStatus())
                self.played = np.concatenate([self.played, outdata[:, 0].astype(np.float64)])
            self._schedule_voice(start)
            indata = np.clip(np.round(self._mic(start, n)), -32768, 32767).astype(np.int16).reshape(-1, 1)
            self.recorded = np.concatenate([self.recorded, indata[:, 0].astype(np.float64)])
            self.input_callback(indata, n, None, FakeStatus())

    def _schedule_voice(self, start: int) -> None:
        room = self.room
        if room.voice is None or self.voice_started_at is not None or self.anchor is None:
            return
        if room.voice_at is not None:
            self.voice_spoken_at = room.voice_at
            self.voice_started_at = self.anchor + room.voice_at + room.echo_delay
            return
        if room.voice_in_pause is None or not len(self.played):
            return
        # Count pauses in what the speakers played: a run of silence after sound, longer than 0.3 s.
        if np.abs(self.played[-480:]).max() == 0:
            self._quiet_run += 1
            if self._quiet_run == int(0.3 * 16000 / 480):
                self._pauses_seen += 1
                if self._pauses_seen == room.voice_in_pause:
                    # the candidate hears the pause begin and speaks voice_delay later; the
                    # microphone hears them echo_delay after the speakers' clock (both latencies)
                    pause_start = len(self.played) - self._quiet_run * 480
                    self.voice_spoken_at = pause_start + room.voice_delay
                    self.voice_started_at = max(start, self.anchor + self.voice_spoken_at + room.echo_delay)
        else:
            self._quiet_run = 0


class _RoomStream:
    def __init__(self, streams: RoomStreams, kind: str, callback, latency: float, **kwargs):
        self.streams = streams
        self.kind = kind
        self.kwargs = kwargs
        self.latency = latency
        self.closed = False
        if kind == "input":
            import queue as _queue

            streams.input_callback = callback
            cells = getattr(callback, "__closure__", None) or ()
            streams._queues = [c.cell_contents for c in cells if isinstance(c.cell_contents, _queue.Queue)]
        else:
            streams.output_callback = callback

    def start(self):
        if self.streams.sd.start_error is not None:
            raise self.streams.sd.start_error
        if self.kind == "input":
            self.streams._thread.start()
        else:
            self.streams.output_started = True

    def stop(self):
        if self.kind == "input":
            self.streams._halt.set()
            if self.streams._thread.is_alive():
                self.streams._thread.join(5)
        else:
            self.streams.output_started = False

    def abort(self):
        self.stop()

    def close(self):
        self.closed = True


def add_room(sd: FakeSoundDevice, room: Room, max_blocks: int = 20000) -> FakeSoundDevice:
    """Give the fake module input and output streams over ``room`` (30 and 50 ms of reported latency);
    each pair opened lands in ``sd.rooms``."""
    sd.rooms = []

    def InputStream(**kwargs):
        streams = RoomStreams(sd, room, max_blocks)
        sd.rooms.append(streams)
        kwargs.pop("latency", None)
        return _RoomStream(streams, "input", latency=0.03, **kwargs)

    def OutputStream(**kwargs):
        kwargs.pop("latency", None)
        return _RoomStream(sd.rooms[-1], "output", latency=0.05, **kwargs)

    sd.InputStream = InputStream
    sd.OutputStream = OutputStream
    return sd
