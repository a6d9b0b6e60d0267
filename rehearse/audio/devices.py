"""Audio devices: the one place that imports :mod:`sounddevice` and names devices for the user.

:func:`sounddevice_module` is the single choke point for the import (a missing PortAudio becomes a
:class:`RehearseError`, and ALSA's own error lines are kept off the screen); :func:`list_devices` describes what is there; :func:`resolve_input` and
:func:`resolve_output` turn what the user typed (nothing, an index, part of a name) into a device
index; :func:`device_errors` turns PortAudio's faults while a stream is used into one plain sentence.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator, Optional, Union

from rehearse.core.errors import RehearseError

DeviceSpec = Union[None, int, str]
"""What the user names a device with: None (the default), an index, or part of its name."""

_KIND_NOUN = {"input": "microphone", "output": "speaker"}

_module = None


def sounddevice_module():
    """The :mod:`sounddevice` module, imported on first use.

    Raises RehearseError when the PortAudio library it needs is missing.
    """
    global _module
    if _module is None:
        silence_alsa_errors()
        try:
            import sounddevice
        except OSError:
            raise RehearseError(
                "PortAudio is not installed; install libportaudio2 (sudo apt-get install libportaudio2)."
            ) from None
        _module = sounddevice
    return _module


_alsa_handler = None
"""The no-op ALSA error handler, kept referenced for as long as libasound may call it."""


def silence_alsa_errors() -> bool:
    """Stop libasound printing its errors ("ALSA lib pcm.c:...: underrun occurred") on the screen.

    ALSA writes them straight to the process's stderr from C, through the error handler that
    ``snd_lib_error_set_handler`` sets; PortAudio reaches the sound server through ALSA on Linux, so
    they would land in the middle of a drill's clock. A handler that does nothing replaces the
    default one (rehearse reports what goes wrong with a device itself). Set ``REHEARSE_DEBUG=1`` to
    keep ALSA's messages. Returns whether the handler is in place (False without libasound).
    """
    global _alsa_handler
    if _alsa_handler is not None:
        return True
    import os
    import sys

    if not sys.platform.startswith("linux") or os.environ.get("REHEARSE_DEBUG"):
        return False
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("asound")
        if not name:
            return False
        asound = ctypes.CDLL(name)
        # void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
        handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                                        ctypes.c_char_p)
        handler = handler_type(lambda file, line, function, err, fmt: None)
        asound.snd_lib_error_set_handler.argtypes = [handler_type]
        if asound.snd_lib_error_set_handler(handler) != 0:
            return False
    except (OSError, AttributeError, ValueError):
        return False
    _alsa_handler = handler
    return True


@dataclass(frozen=True)
class Device:
    """One audio device as seen from one direction (input or output)."""

    index: int
    """PortAudio's device index (what ``--device N`` takes)."""
    name: str
    channels: int
    """Maximum channels in this direction."""
    default_samplerate: float
    hostapi: str
    """The host API's name (ALSA, OSS, ...)."""


@dataclass(frozen=True)
class DeviceList:
    """Every input and output device, and the defaults (None when there is none)."""

    inputs: tuple[Device, ...]
    outputs: tuple[Device, ...]
    default_input: Optional[Device]
    default_output: Optional[Device]


def list_devices() -> DeviceList:
    """Ask PortAudio for the devices it can see."""
    sd = sounddevice_module()
    with device_errors("input"):
        infos = list(sd.query_devices())
        hostapis = list(sd.query_hostapis())
        default_pair = sd.default.device
    default_in, default_out = _as_index(default_pair[0]), _as_index(default_pair[1])

    def collect(kind: str) -> tuple[Device, ...]:
        found = []
        for index, info in enumerate(infos):
            channels = int(info.get(f"max_{kind}_channels", 0))
            if channels <= 0:
                continue
            api = info.get("hostapi")
            api_name = hostapis[api]["name"] if isinstance(api, int) and 0 <= api < len(hostapis) else ""
            found.append(
                Device(
                    index=int(info.get("index", index)),
                    name=str(info["name"]),
                    channels=channels,
                    default_samplerate=float(info.get("default_samplerate", 0.0)),
                    hostapi=api_name,
                )
            )
        return tuple(found)

    inputs, outputs = collect("input"), collect("output")
    return DeviceList(
        inputs=inputs,
        outputs=outputs,
        default_input=next((d for d in inputs if d.index == default_in), None),
        default_output=next((d for d in outputs if d.index == default_out), None),
    )


def _as_index(value) -> Optional[int]:
    try:
        index = int(value)
    except (TypeError, ValueError):
        return None
    return index if index >= 0 else None


def resolve_input(spec: DeviceSpec = None) -> int:
    """The index of the input device ``spec`` names (None: the default microphone)."""
    return _resolve("input", spec, list_devices())


def resolve_output(spec: DeviceSpec = None) -> int:
    """The index of the output device ``spec`` names (None: the default speaker)."""
    return _resolve("output", spec, list_devices())


def _resolve(kind: str, spec: DeviceSpec, devices: DeviceList) -> int:
    noun = _KIND_NOUN[kind]
    candidates = devices.inputs if kind == "input" else devices.outputs
    if not candidates:
        raise RehearseError(
            f"No {kind} device ({noun}) was found; connect one, "
            "or run `rehearse devices` to see what is available."
        )
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        default = devices.default_input if kind == "input" else devices.default_output
        return (default or candidates[0]).index
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        index = int(spec)
        if any(d.index == index for d in candidates):
            return index
        raise RehearseError(
            f"There is no {kind} device number {index}; run `rehearse devices` to see the numbers."
        )
    wanted = str(spec).strip().lower()
    matches = [d for d in candidates if wanted in d.name.lower()]
    exact = [d for d in matches if d.name.lower() == wanted]
    if len(exact) == 1:
        return exact[0].index
    if len(matches) == 1:
        return matches[0].index
    if not matches:
        raise RehearseError(f"No {kind} device matches {spec!r}; run `rehearse devices` to see the names.")
    names = ", ".join(f"{d.index}: {d.name}" for d in matches)
    raise RehearseError(
        f"{spec!r} matches several {kind} devices ({names}); give the number from `rehearse devices`."
    )


@contextlib.contextmanager
def device_errors(kind: str) -> Iterator[None]:
    """Turn PortAudio faults raised inside the block into one RehearseError sentence.

    ``kind`` is "input" or "output"; wrap only the lines that open, start, use or stop a stream.
    """
    noun = _KIND_NOUN.get(kind, "audio")
    sd = sounddevice_module()
    try:
        yield
    except (sd.PortAudioError, ValueError) as exc:
        detail = _detail(exc)
        if "querying device -1" in detail:
            raise RehearseError(
                f"No {kind} device ({noun}) was found; connect one, "
                "or run `rehearse devices` to see what is available."
            ) from None
        raise RehearseError(
            f"The {kind} device ({noun}) could not be used ({detail}); check that it is connected "
            "and free, or run `rehearse devices` to pick another."
        ) from None


def _detail(exc: BaseException) -> str:
    args = getattr(exc, "args", ())
    text = str(args[0]) if args else str(exc)
    text = " ".join(text.split()).rstrip(".")
    return text or type(exc).__name__
