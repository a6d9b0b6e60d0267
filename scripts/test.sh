#!/usr/bin/env bash
# Installs everything the tests need (see scripts/install.sh --test) and runs the whole suite,
# the real-audio tests on a virtual microphone included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
