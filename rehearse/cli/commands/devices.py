"""`rehearse devices`: the audio inputs and outputs PortAudio sees, and the defaults."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json

HELP = "List audio input and output devices and the defaults."


def add_arguments(parser) -> None:
    add_json_flag(parser)


def run(args) -> int:
    from dataclasses import asdict

    from rehearse.audio import devices

    listing = devices.list_devices()
    if args.json:
        emit_json(asdict(listing))
        return 0
    unset = []
    for kind, title, items, default in (
            ("input", "Input devices (microphones)", listing.inputs, listing.default_input),
            ("output", "Output devices (speakers)", listing.outputs, listing.default_output)):
        print(f"{title}:")
        if not items:
            print("  none found")
            continue
        if default is None:
            unset.append(kind)
        used = default or items[0]  # what rehearse uses when no device is named
        for d in items:
            star = "*" if d.index == used.index else " "
            print(f" {star}{d.index:3d}  {d.name}  ({d.channels} ch, {d.default_samplerate:.0f} Hz, {d.hostapi})")
    if not listing.inputs or not listing.outputs:
        print("\nNo audio devices? On Linux check that PulseAudio or PipeWire is running (`pactl info`) "
              "and that libportaudio2 and libasound2-plugins are installed.")
    else:
        unset_note = (f" (no default {' or '.join(unset)} is set, so the first one listed)" if unset else "")
        print(f"\n* marks the default, used when you name no device{unset_note}. Pick another with "
              "--input-device / --output-device NAME or INDEX.")
    return 0
