"""The built sdist and wheel carry the rendered prompts, and an installed (not editable) copy uses them.

Builds the sdist with setuptools' PEP 517 backend, then the wheel from the unpacked sdist (what
``python -m build`` does), installs the wheel with ``pip --no-index --no-deps`` into a fresh venv
whose dependencies come from this environment (a ``.pth`` file, no network), and runs ``rehearse demo``
there with rendering made impossible: a stand-in ``pyttsx3`` that cannot be imported and an
``espeak-ng`` on PATH that only records that it was called.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AUDIO_DIR = ROOT / "audio_prompts"

pytestmark = [pytest.mark.slow, pytest.mark.audio]

SKIP_DIRS = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".bench"}


def _setuptools_too_old() -> str | None:
    try:
        import setuptools
    except ImportError:
        return "setuptools is not installed here (pip install -e '.[test]')"
    major = int(setuptools.__version__.split(".")[0])
    if major < 77:
        return f"building offline needs setuptools>=77 here, found {setuptools.__version__} (pip install -e '.[test]')"
    return None


def _copy_source(dest: Path) -> Path:
    """The checkout's files (tracked and new, not ignored) without virtualenvs or build output."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True)
    if listed.returncode == 0:
        for name in filter(None, listed.stdout.decode().split("\0")):
            source = ROOT / name
            if source.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / name)
    else:  # not a git checkout (e.g. an unpacked sdist)
        shutil.copytree(ROOT, dest, dirs_exist_ok=True,
                        ignore=lambda d, names: [n for n in names if n in SKIP_DIRS or n.endswith(".egg-info")])
    return dest


def _backend(hook: str, project: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    code = f"import sys; from setuptools import build_meta; build_meta.{hook}(sys.argv[1])"
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=project, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = list(out.iterdir())
    return built


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    reason = _setuptools_too_old()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("build")
    source = _copy_source(root / "source")
    sdist = _backend("build_sdist", source, root / "sdist")
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(root / "unpacked", filter="data")
        else:  # pragma: no cover - Python without extraction filters; the archive was just built here
            tar.extractall(root / "unpacked")
    (unpacked,) = list((root / "unpacked").iterdir())
    wheel = _backend("build_wheel", unpacked, root / "wheel")
    return sdist, wheel


def _prompt_files() -> set[str]:
    manifest = json.loads((AUDIO_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["prompts"], "audio_prompts/manifest.json lists no prompts"
    return {entry["file"] for entry in manifest["prompts"].values()} | {"manifest.json"}


def test_sdist_and_wheel_carry_every_rendered_prompt(dists):
    sdist, wheel = dists
    wanted = _prompt_files()
    with tarfile.open(sdist) as tar:
        in_sdist = {Path(n).name for n in tar.getnames() if Path(n).parent.name == "audio_prompts"}
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = {Path(n).name for n in zf.namelist() if n.startswith("rehearse/audio_prompts/")}
        assert zf.read("rehearse/audio_prompts/manifest.json") == (AUDIO_DIR / "manifest.json").read_bytes()
    assert wanted <= in_sdist, sorted(wanted - in_sdist)
    assert wanted <= in_wheel, sorted(wanted - in_wheel)


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory):
    """A fresh venv holding the wheel (not editable); its dependencies are this environment's."""
    _, wheel = dists
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--no-deps", "-q",
                           "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # This environment's packages, after the venv's own (so the wheel's rehearse comes first); the
    # checkout itself is left out.
    borrowed = [p for p in sys.path if p and Path(p).is_dir() and Path(p).resolve() != ROOT]
    Path(site, "borrowed_dependencies.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")
    return python


@pytest.fixture
def no_rendering(tmp_path):
    """Environment additions under which any attempt to synthesise speech fails and leaves a trace."""
    stub = tmp_path / "no-tts"
    (stub / "pyttsx3").mkdir(parents=True)
    (stub / "pyttsx3" / "__init__.py").write_text('raise ImportError("this test forbids rendering prompts")\n')
    (stub / "bin").mkdir()
    marker = tmp_path / "espeak-ng-was-called"
    fake = stub / "bin" / "espeak-ng"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{marker}"\nexit 1\n')
    fake.chmod(0o755)
    return {"PYTHONPATH": str(stub), "PATH": f"{stub / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}, marker


def test_installed_wheel_runs_the_demo_without_rendering_a_prompt(installed, no_rendering, rehearse_home,
                                                                  virtual_mic, tmp_path):
    extra, marker = no_rendering
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(extra, REHEARSE_HOME=str(rehearse_home))
    rehearse = installed.parent / "rehearse"
    where = subprocess.run([str(installed), "-c", "import rehearse; from rehearse.audio import prompt_audio; "
                            "print(rehearse.__file__); print(prompt_audio.packaged_audio_dir())"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert where.returncode == 0, where.stderr
    package_file, audio_dir = where.stdout.split("\n")[:2]
    venv = installed.parent.parent
    assert Path(package_file).is_relative_to(venv), package_file  # the wheel's copy, not the checkout
    assert Path(audio_dir) == Path(package_file).parent / "audio_prompts"

    for args in (["--text-prompt"], []):
        done = subprocess.run([str(rehearse), "demo", "--json", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert "No sound" not in done.stderr, done.stderr
        assert ("Interviewer:" in done.stderr) == bool(args), done.stderr  # spoken unless --text-prompt
        assert json.loads(done.stdout)["archetype"] == "storyteller"
    assert not marker.exists(), f"espeak-ng was called: {marker.read_text()}"
    cached = rehearse_home / "cache" / "prompts"
    assert not cached.exists() or not any(cached.iterdir()), sorted(p.name for p in cached.iterdir())
