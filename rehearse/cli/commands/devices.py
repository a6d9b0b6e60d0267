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
    for title, items, default in (("Input devices (microphones)", listing.inputs, listing.default_input),
                                  ("Output devices (speakers)", listing.outputs, listing.default_output)):
        print(f"{title}:")
        if not items:
            print("  none found")
        for d in items:
            star = "*" if default is not None and d.index == default else " "
            print(f" {star}{d.index:3d}  {d.name}  ({d.channels} ch, {d.default_samplerate:.0f} Hz, {d.hostapi})")
    if not listing.inputs or not listing.outputs:
        print("\nNo audio devices? On Linux check that PulseAudio or PipeWire is running (`pactl info`) "
              "and that libportaudio2 and libasound2-plugins are installed.")
    else:
        print("\n* marks the default. Pick another with --input-device / --output-device NAME or INDEX.")
    return 0
