"""`rehearse delete`: a session's rows and the recording rehearse made go; a user's own file stays."""

import json

from fakes import tone_wav
from rehearse.store.sessions import Store
from test_history import make_session


def test_delete_removes_rows_results_and_recording(run_cli, rehearse_home):
    wav = tone_wav(rehearse_home / "recordings" / "x.wav")
    sid = make_session(audio_path=wav)
    from datetime import datetime, timedelta, timezone

    keep = make_session(started_at=datetime.now(timezone.utc) - timedelta(days=1))  # another id prefix
    code, out, err = run_cli("delete", sid[:-1])
    assert code == 0, err
    assert out == f"Deleted session {sid} and its recording.\n"
    assert not wav.exists()
    assert Store().versions(sid) == [] and Store().count() == 1
    code, out, _ = run_cli("history", "--json")
    assert [json.loads(line)["session_id"] for line in out.splitlines()] == [keep]
    code, out, err = run_cli("replay", sid)
    assert code == 2 and "No session matches" in err and keep in err


def test_a_users_own_audio_file_is_kept(run_cli, tmp_path):
    mine = tone_wav(tmp_path / "my-answer.wav")
    sid = make_session(audio_path=mine, source="file", mode="score")
    code, out, _ = run_cli("delete", sid, "--json")
    assert code == 0 and json.loads(out) == {"session_id": sid, "deleted": True, "audio": "kept",
                                             "audio_path": str(mine)}
    assert mine.exists() and Store().count() == 0


def test_already_missing_audio_and_several_ids(run_cli, rehearse_home):
    wav = tone_wav(rehearse_home / "recordings" / "gone.wav")
    a = make_session(audio_path=wav)
    wav.unlink()
    b = make_session(timed=False)
    code, out, _ = run_cli("delete", a, b, "last")
    assert code == 0
    assert f"Deleted session {a} (its recording was already gone)." in out
    assert out.count("Deleted session") == 2 and Store().count() == 0


def test_an_unknown_id_deletes_nothing(run_cli):
    a = make_session()
    code, out, err = run_cli("delete", a, "zzz")
    assert code == 2 and "No session matches 'zzz'" in err
    assert Store().count() == 1


def test_at_a_terminal_it_asks_first(run_cli, monkeypatch):
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    a = make_session()
    monkeypatch.setattr("sys.stdin", Tty("n\n"))
    code, out, err = run_cli("delete", a)
    assert code == 2 and "Nothing was deleted" in err and Store().count() == 1
    monkeypatch.setattr("sys.stdin", Tty("y\n"))
    code, out, err = run_cli("delete", a)
    assert code == 0 and Store().count() == 0
