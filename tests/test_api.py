"""The library API scripts use: the same results as the command line, importable without the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import rehearse
from rehearse.coaching import scoring
from rehearse.core import archetypes
from rehearse.core.model import Transcript

STRONG = ("Thank you for asking me back. Last spring I rebuilt our onboarding program, and new hires "
          "reached full speed in six weeks instead of ten.")
WEAK = "Hi again. I am a hard worker and I am passionate about this company."


def test_score_text_agrees_with_the_scorer_and_the_score_command(run_cli):
    for text in (STRONG, WEAK):
        got = rehearse.score_text(text, "storyteller")
        assert got.to_json() == scoring.score(Transcript(text), archetypes.get("storyteller")).to_json()
        code, out, _ = run_cli("score", "--archetype", "storyteller", "--text", text, "--json", "--no-save")
        assert json.loads(out)["checks"] == got.to_json()["checks"]
        assert code == (0 if got.verdict == "pass" else 1)
    assert rehearse.score_text(STRONG, "storyteller").verdict != rehearse.score_text(WEAK, "storyteller").verdict


def test_run_round_and_its_ports_are_part_of_the_api():
    from rehearse.session.round import RoundPorts, run_round

    assert rehearse.run_round is run_round and rehearse.RoundPorts is RoundPorts


def test_import_rehearse_loads_nothing_heavy(cli_env):
    code = ("import sys, rehearse; heavy = [m for m in ('numpy', 'rapidfuzz', 'sounddevice', 'rehearse.api') "
            "if m in sys.modules]; print(heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env)
    assert proc.stdout.strip() == "[]", proc.stderr
