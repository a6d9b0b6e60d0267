"""`rehearse models` and the engine/model choice through the CLI (no network)."""

import json


def test_models_list_json_names_every_known_model(run_cli):
    from rehearse.speech import whisper_models as models

    code, out, _ = run_cli("models", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert {r["name"] for r in rows} >= set(models.SPECS)
    for r in rows:
        assert (r["path"] is not None) == r["available"]
        assert r["available"] or r["reason"]


def test_models_list_marks_the_model_in_use(rehearse_home, run_cli):
    code, out, _ = run_cli("models", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    available = [r["name"] for r in rows if r["available"]]
    if len(available) < 2:
        import pytest

        pytest.skip("needs two installed Whisper models")
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
    code, out, _ = run_cli("engines", "--json")
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    assert "pocketsphinx" in rows and rows["pocketsphinx"]["available"]
    assert sum(r["default"] for r in rows.values()) == 1
    if "whisper" in rows:
        assert isinstance(rows["whisper"]["models"], list)


def test_settings_pin_the_default_engine(rehearse_home, run_cli):
    rehearse_home.mkdir(parents=True, exist_ok=True)
    (rehearse_home / "settings.toml").write_text('[engine]\ndefault = "pocketsphinx"\n')
    code, out, _ = run_cli("engines", "--json")
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    assert rows["pocketsphinx"]["default"]


def test_a_model_flag_naming_a_missing_folder_is_one_sentence(tmp_path, run_cli):
    from fakes import tone_wav

    wav = tone_wav(tmp_path / "a.wav")
    code, out, err = run_cli("transcribe", str(wav), "--engine", "whisper", "--model", str(tmp_path / "nope"))
    assert code == 2
    assert "not a Whisper model folder" in err or "not available" in err


def test_a_model_flag_without_an_engine_chooses_whisper_and_never_falls_back(tmp_path, run_cli):
    """--model alone means the Whisper engine: a bad model is reported, not replaced by PocketSphinx."""
    from fakes import tone_wav

    wav = tone_wav(tmp_path / "a.wav")
    code, out, err = run_cli("transcribe", str(wav), "--model", str(tmp_path))
    assert code == 2 and out == ""
    assert "not a Whisper model folder" in err or "not available" in err
    assert len(err.strip().splitlines()) == 1
