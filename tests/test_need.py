"""conftest.need: a missing resource skips a test on a developer's machine and fails it under CI=true.

Each case runs a tiny pytest session in a subprocess, once with CI=true and once without CI, so the
outcome is the one pytest itself reports.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

TESTS = ROOT / "tests"

TINY = textwrap.dedent(
    """
    import pytest

    import conftest
    import virtual_audio
    from conftest import need


    @pytest.fixture
    def no_samples(monkeypatch, tmp_path):
        monkeypatch.setattr(conftest, "SAMPLES", tmp_path / "no-speech-samples")


    def test_missing_resource():
        need(False, "NEEDED-RESOURCE is not here")
        raise AssertionError("need() let the test go on")


    def test_missing_shared_samples(no_samples, samples_dir):
        raise AssertionError("samples_dir was given although the samples are missing")


    def test_missing_pulseaudio(monkeypatch, tmp_path):
        monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
        virtual_audio.start_daemon(tmp_path / "pulse")
        raise AssertionError("start_daemon went on without pulseaudio")


    def test_present_resource():
        need(True, "never shown")
    """
)


def run_tiny(tmp_path, ci: str | None) -> tuple[int, dict[str, str], str]:
    """Run TINY with conftest.py loaded as a plugin; (exit code, outcome per test, output)."""
    folder = tmp_path / f"ci-{ci}"
    folder.mkdir()
    (folder / "pytest.ini").write_text("[pytest]\n")
    (folder / "test_tiny.py").write_text(TINY)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(ROOT)])
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "conftest", "-v", "-rA",
                           "test_tiny.py"], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)
    output = done.stdout + done.stderr
    outcomes = dict(re.findall(r"^test_tiny\.py::(test_\w+) (PASSED|FAILED|ERROR|SKIPPED)", output, re.M))
    return done.returncode, outcomes, output


def test_under_ci_a_missing_resource_is_a_failure(tmp_path):
    code, outcomes, output = run_tiny(tmp_path, "true")
    assert code == 1, output
    assert outcomes == {"test_missing_resource": "FAILED", "test_missing_shared_samples": "ERROR",
                        "test_missing_pulseaudio": "FAILED",
                        "test_present_resource": "PASSED"}, output
    assert "NEEDED-RESOURCE is not here (CI=true" in output
    assert "speech-samples" in output and "pulseaudio" in output
    assert "need() let the test go on" not in output and "went on" not in output
    assert "samples_dir was given" not in output


@pytest.mark.parametrize("ci", [None, "false"])
def test_elsewhere_a_missing_resource_is_a_skip(tmp_path, ci):
    code, outcomes, output = run_tiny(tmp_path, ci)
    assert code == 0, output
    assert outcomes == {"test_missing_resource": "SKIPPED", "test_missing_shared_samples": "SKIPPED",
                        "test_missing_pulseaudio": "SKIPPED", "test_present_resource": "PASSED"}, output
