"""Engines are found by name: the built-in ones, and any another package declares as an entry point."""

from __future__ import annotations

import sys

from rehearse.speech import engines


def test_builtin_engines_are_declared_as_entry_points_of_the_installed_package():
    from importlib.metadata import entry_points

    declared = {p.name: p.value for p in entry_points(group=engines.ENTRY_POINT_GROUP)}
    assert declared.get("whisper") == "rehearse.speech.engines:WHISPER"
    assert declared.get("pocketsphinx") == "rehearse.speech.engines:POCKETSPHINX"


def test_an_engine_from_another_package_is_registered_through_its_entry_point(tmp_path, monkeypatch):
    (tmp_path / "echo_plugin.py").write_text(
        "from rehearse.speech.engines import EngineInfo\n"
        "INFO = EngineInfo(name='echo', description='d', factory='echo_plugin:make', probe='echo_plugin:probe')\n"
        "def probe():\n    return None\n")
    dist = tmp_path / "echo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[rehearse.engines]\necho = echo_plugin:INFO\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(engines.REGISTRY, "echo", raising=False)
    try:
        engines.load_plugins()
        assert engines.REGISTRY["echo"].factory == "echo_plugin:make"
        assert engines.availability("echo") is None
    finally:
        engines.REGISTRY.pop("echo", None)
        sys.modules.pop("echo_plugin", None)


def test_a_model_chooses_the_engine_that_has_models_and_travels_as_an_argument(monkeypatch):
    monkeypatch.delenv("REHEARSE_WHISPER_MODEL", raising=False)
    assert engines.default_name(model="tiny.en") == "whisper"
    import os

    assert "REHEARSE_WHISPER_MODEL" not in os.environ


def test_a_model_for_an_engine_without_models_is_refused_in_one_sentence():
    import pytest

    from rehearse.core.errors import RehearseError

    with pytest.raises(RehearseError, match="has no models"):
        engines.get("pocketsphinx", model="tiny.en")
