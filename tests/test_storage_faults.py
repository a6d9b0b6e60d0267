"""Storage faults, made real: a busy database, a read-only folder, a full disk, damaged data, a database
from a newer rehearse. Each is one plain sentence (never the catch-all), nothing is half-written, and
whatever can still be read is.

Read-only folders and full disks are real file systems mounted for the test (a read-only bind mount,
a small tmpfs); where mounting is not permitted the test is skipped, and under CI=true it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from conftest import need
from rehearse.audio import pcm
from rehearse.core.errors import DiskFullError, RehearseError
from rehearse.store.db import Database
from rehearse.store.migrations import MIGRATIONS
from rehearse.store.sessions import Store

OPENING = "Thank you for asking me back. I was charged with fixing our patient intake, and I cut the wait from forty minutes to twelve."


# --- helpers -----------------------------------------------------------------------------------------

def rehearse(env, *args, timeout=120):
    """Run the CLI in a fresh process: (exit code, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "rehearse", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    return done.returncode, done.stdout, done.stderr


def one_sentence(err: str, *words: str) -> None:
    """stderr is exactly one `rehearse: ...` line holding ``words``, never the catch-all."""
    assert err.count("\n") == 1 and err.startswith("rehearse: "), err
    assert "unexpected" not in err and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def mounted(target: Path, *args: str):
    """``mount ARGS target`` for the duration; skipped (failed under CI=true) where mounting is not allowed."""
    target.mkdir(parents=True, exist_ok=True)
    ok = shutil.which("mount") is not None and _mount(*args, str(target))
    need(ok, "mounting a file system is not permitted here (needs root or CAP_SYS_ADMIN)")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], capture_output=True)


@contextmanager
def read_only(folder: Path):
    """``folder`` made read-only in place by a read-only bind mount over it."""
    with mounted(folder, "--bind", str(folder)):
        need(_mount("-o", "remount,bind,ro", str(folder)), "remounting read-only is not permitted here")
        yield folder


@contextmanager
def small_disk(target: Path, size: str = "1m"):
    with mounted(target, "-t", "tmpfs", "-o", f"size={size}", "tmpfs"):
        yield target


def fill(disk: Path) -> Path:
    """Write one file until ``disk`` is full; returns it (delete it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def count_sessions(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    finally:
        conn.close()


def saved_home(env, home: Path, n: int = 2) -> list[str]:
    """``n`` scored sessions saved through the CLI; their ids, newest first."""
    for i in range(n):
        code, _, err = rehearse(env, "score", "-a", "storyteller", "--text", f"{OPENING} Number {i}.")
        assert code == 0, err
    code, out, _ = rehearse(env, "history", "--json")
    return [json.loads(line)["session_id"] for line in out.splitlines()]


# --- busy: several processes at once ------------------------------------------------------------------

def test_four_processes_scoring_and_saving_at_once_lose_no_row(cli_env, rehearse_home):
    per_process = 5
    script = ("import subprocess, sys\n"
              "for i in range(%d):\n"
              "    r = subprocess.run([sys.executable, '-m', 'rehearse', 'score', '-a', 'storyteller', '--json',\n"
              "                        '--text', sys.argv[1] + ' Take ' + str(i) + '.'], capture_output=True, text=True)\n"
              "    print(r.returncode, r.stderr.strip().replace('\\n', ' '), flush=True)\n" % per_process)
    workers = [subprocess.Popen([sys.executable, "-c", script, f"{OPENING} Worker {w}."], env=cli_env,
                                stdout=subprocess.PIPE, text=True) for w in range(4)]
    outputs = [w.communicate(timeout=300)[0] for w in workers]
    failures = [line for out in outputs for line in out.splitlines() if not line.startswith("0 ")]
    assert failures == []
    conn = sqlite3.connect(rehearse_home / "rehearse.db")
    texts = sorted(r[0] for r in conn.execute("SELECT transcript FROM sessions"))
    scores = conn.execute("SELECT count(*) FROM scores").fetchone()[0]
    conn.close()
    expected = sorted(f"{OPENING} Worker {w}. Take {i}." for w in range(4) for i in range(per_process))
    assert texts == expected
    assert scores == len(expected)


def test_a_writer_waits_for_another_process_holding_the_lock(cli_env, rehearse_home):
    Store().close()
    holder = sqlite3.connect(rehearse_home / "rehearse.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    writer = subprocess.Popen([sys.executable, "-m", "rehearse", "score", "-a", "storyteller", "--text", OPENING],
                              env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # well inside the 10 s busy timeout, so the writer must still be waiting, not failing
    assert writer.poll() is None
    holder.execute("COMMIT")
    holder.close()
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert count_sessions(rehearse_home / "rehearse.db") == 1


def test_two_processes_creating_a_new_database_at_once_both_succeed(cli_env, tmp_path):
    for trial in range(3):
        env = {**cli_env, "REHEARSE_HOME": str(tmp_path / f"fresh{trial}")}
        procs = [subprocess.Popen([sys.executable, "-m", "rehearse", "score", "-a", "storyteller", "--text",
                                   f"{OPENING} {n}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for n in range(3)]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        assert [code for code, _ in results] == [0, 0, 0], results
        assert count_sessions(tmp_path / f"fresh{trial}" / "rehearse.db") == 3


def _new_file_being_set_up(path: Path) -> sqlite3.Connection:
    """A new database file still in rollback mode whose first writer holds its write lock, as a second
    rehearse sees it while the first one is creating the database."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE setting_up (x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO setting_up VALUES (1)")
    return holder


def test_opening_while_another_process_sets_up_the_database_waits_its_turn(tmp_path):
    # Switching to WAL gets "database is locked" at once here, without SQLite's own busy wait (the
    # race behind a failure one CI run in many); opening retries until the lock is gone.
    path = tmp_path / "rehearse.db"
    holder = _new_file_being_set_up(path)
    releaser = threading.Timer(0.8, lambda: (holder.execute("COMMIT"), holder.close()))
    started = time.monotonic()
    releaser.start()
    try:
        db = Database(path)
    finally:
        releaser.join()
    assert time.monotonic() - started >= 0.8
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [name for name, _ in MIGRATIONS] == db.applied()
    db.close()


def test_a_database_busy_past_the_timeout_says_so_only_after_waiting(tmp_path, monkeypatch):
    monkeypatch.setattr("rehearse.store.db.BUSY_TIMEOUT_S", 0.6)
    path = tmp_path / "rehearse.db"
    holder = _new_file_being_set_up(path)
    started = time.monotonic()
    with pytest.raises(RehearseError, match="busy"):
        Database(path)
    assert time.monotonic() - started >= 0.6
    holder.execute("COMMIT")
    holder.close()


# --- read-only ------------------------------------------------------------------------------------

def test_a_read_only_home_still_reads_and_each_write_is_one_sentence(cli_env, rehearse_home):
    ids = saved_home(cli_env, rehearse_home)
    before = (rehearse_home / "rehearse.db").read_bytes()
    with read_only(rehearse_home):
        code, out, err = rehearse(cli_env, "history")
        assert code == 0 and all(i in out for i in ids), err
        code, out, err = rehearse(cli_env, "replay", ids[0], "--no-audio", "--json")
        assert code == 0 and json.loads(out)["session_id"] == ids[0], err
        code, out, err = rehearse(cli_env, "export", ids[1], "--format", "json")
        assert code == 0 and json.loads(out)["session_id"] == ids[1], err
        code, out, err = rehearse(cli_env, "progress", "--no-chart", "--json")
        assert code == 0, err
        for args in (("score", "-a", "storyteller", "--text", OPENING),
                     ("delete", ids[0], "--yes"),
                     ("accomplishments", "add", "--title", "Migration", "--result", "cut costs 30 percent"),
                     ("demo", "--text-prompt")):
            code, out, err = rehearse(cli_env, *args)
            assert code == 2, (args, err)
            one_sentence(err, "read-only")
    assert (rehearse_home / "rehearse.db").read_bytes() == before
    assert count_sessions(rehearse_home / "rehearse.db") == 2


def test_a_read_only_home_without_a_database_yet(cli_env, rehearse_home):
    rehearse_home.mkdir(parents=True)
    with read_only(rehearse_home):
        code, out, err = rehearse(cli_env, "history")
        assert code == 0 and "No sessions saved yet" in out, err
        code, out, err = rehearse(cli_env, "score", "-a", "storyteller", "--text", OPENING)
        assert code == 2
        one_sentence(err, "read-only")
    assert not (rehearse_home / "rehearse.db").exists()


def test_an_unwritable_parent_of_rehearse_home_is_one_sentence(cli_env, tmp_path):
    parent = tmp_path / "parent"
    with mounted(parent, "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs"):
        env = {**cli_env, "REHEARSE_HOME": str(parent / "rehearse")}
        for args in (("history",), ("score", "-a", "storyteller", "--text", OPENING)):
            code, _, err = rehearse(env, *args)
            assert code == 2
            one_sentence(err, str(parent / "rehearse"), "cannot be created", "REHEARSE_HOME")


def test_rehearse_home_that_is_a_file_is_one_sentence(cli_env, rehearse_home):
    rehearse_home.write_text("not a folder")
    code, _, err = rehearse(cli_env, "history")
    assert code == 2
    one_sentence(err, "is a file, not a folder")


# --- a full disk ----------------------------------------------------------------------------------

def test_a_full_disk_refuses_writes_in_one_sentence_and_keeps_the_database_readable(cli_env, tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        env = {**cli_env, "REHEARSE_HOME": str(disk / "home")}
        ids = saved_home(env, disk / "home")
        filler = fill(disk)
        code, _, err = rehearse(env, "score", "-a", "storyteller", "--text", OPENING)
        assert code == 2
        one_sentence(err, "disk is full")
        code, out, err = rehearse(env, "history", "--json")
        assert code == 0 and [json.loads(line)["session_id"] for line in out.splitlines()] == ids, err
        code, out, err = rehearse(env, "replay", "last", "--no-audio", "--json")
        assert code == 0 and json.loads(out)["session_id"] == ids[0], err
        filler.unlink()
        code, _, err = rehearse(env, "score", "-a", "storyteller", "--text", OPENING)
        assert code == 0, err
        db = disk / "home" / "rehearse.db"
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # nothing half-written: every session that exists has its score
        assert conn.execute("SELECT count(*) FROM sessions WHERE score_json IS NULL").fetchone()[0] == 0
        conn.close()
        assert count_sessions(db) == 3


def test_a_disk_that_fills_while_another_rehearse_has_the_database_open(cli_env, tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        env = {**cli_env, "REHEARSE_HOME": str(disk / "home")}
        saved_home(env, disk / "home", n=1)
        other = Database(disk / "home" / "rehearse.db")  # keeps the -wal and -shm files in place
        try:
            filler = fill(disk)
            big = OPENING + " " + "and then we measured everything again " * 400
            code, _, err = rehearse(env, "score", "-a", "storyteller", "--text", big)
            assert code == 2
            one_sentence(err, "disk is full")
            code, out, err = rehearse(env, "history", "--json")
            assert code == 0 and len(out.splitlines()) == 1, err
            filler.unlink()
        finally:
            other.close()
        assert count_sessions(disk / "home" / "rehearse.db") == 1


def test_a_recording_on_a_full_disk_loses_at_most_the_last_block(tmp_path):
    block = (np.arange(2400) % 200 - 100).astype(np.int16) * 50
    with small_disk(tmp_path / "disk", "64k") as disk:
        writer = pcm.WavAppender(disk / "answer.wav", 16000)
        written = 0
        with pytest.raises(DiskFullError, match="disk is full") as caught:
            for _ in range(10_000):
                writer.write(block)
                written += 1
        writer.close()
        assert written > 3
        assert f"{written * 2400 / 16000:.1f} s" in str(caught.value)
        kept = pcm.load(disk / "answer.wav")
        assert len(kept.samples) == written * 2400  # every whole block before the one that did not fit
        assert np.array_equal(kept.samples, np.tile(block, written))


def test_a_round_whose_recording_fills_the_disk_keeps_the_audio_and_names_the_session(tmp_path):
    from fakes import FakeSpeaker, tone_wav
    from rehearse.audio.file_recorder import FileRecorder
    from rehearse.core import archetypes
    from rehearse.session import round as rnd

    archetype = archetypes.get("storyteller")
    store = Store(tmp_path / "rehearse.db")
    with small_disk(tmp_path / "disk", "64k") as disk:
        ports = rnd.RoundPorts(speaker=FakeSpeaker(), recorder=FileRecorder(tone_wav(tmp_path / "a.wav", seconds=10)),
                               transcriber=None, store=store, recordings=disk)
        with pytest.raises(DiskFullError) as caught:
            rnd.run_round(archetype=archetype, prompt=archetype.prompts[0], ports=ports, incremental=False)
        session = store.list()[0]
        assert session.id in str(caught.value) and "--retranscribe" in str(caught.value)
        assert session.status == "interrupted" and session.stopped_by == "error"
        kept = pcm.load(session.audio_path)
        assert kept.duration_s > 1.0  # 64 KB hold about two seconds of 16 kHz audio
        assert f"{kept.duration_s:.1f} s" in str(caught.value)


# --- damaged data ---------------------------------------------------------------------------------

def _corrupt(db_path: Path, sql: str, *params) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_bad_json_in_a_row_is_one_sentence_and_rescore_repairs_it(run_cli, rehearse_home):
    code, out, _ = run_cli("score", "-a", "storyteller", "--text", OPENING, "--json")
    sid = json.loads(out)["session_id"]
    _corrupt(rehearse_home / "rehearse.db", "UPDATE sessions SET score_json = '{not json' WHERE id = ?", sid)
    code, out, err = run_cli("history", "--json")
    assert code == 0 and json.loads(out)["session_id"] == sid
    for args in (("replay", sid, "--no-audio"), ("export", sid)):
        code, out, err = run_cli(*args)
        assert code == 2 and out == ""
        one_sentence(err, "damaged", "its score", f"rehearse rescore {sid}")
    code, _, err = run_cli("rescore", sid)
    assert code == 0, err
    code, out, err = run_cli("replay", sid, "--no-audio", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "pass"


@pytest.mark.parametrize("column, value, named", [
    ("words_json", "[1, 2", "its timed words"),
    ("words_json", '{"word": "x"}', "its timed words"),
    ("extra_json", "[]", "its drill data"),
])
def test_each_unreadable_column_is_named(run_cli, rehearse_home, column, value, named):
    code, out, _ = run_cli("score", "-a", "storyteller", "--text", OPENING, "--json")
    sid = json.loads(out)["session_id"]
    _corrupt(rehearse_home / "rehearse.db", f"UPDATE sessions SET {column} = ? WHERE id = ?", value, sid)
    code, _, err = run_cli("replay", sid, "--no-audio")
    assert code == 2
    one_sentence(err, named, f"rehearse delete {sid}")
    code, out, err = run_cli("delete", sid, "--yes", "--json")
    assert code == 0 and json.loads(out)["deleted"] is True


def test_damaged_bank_and_debrief_rows_do_not_stop_practice_data(run_cli, rehearse_home):
    from rehearse.store.debriefs import load_targets

    code, _, err = run_cli("accomplishments", "add", "--title", "Migration", "--result", "cut costs 30 percent",
                           "--terms", "migration, hosting", "--best")
    assert code == 0, err
    db = rehearse_home / "rehearse.db"
    _corrupt(db, "INSERT INTO debriefs (created_at, mode, answers_json, plan_json) VALUES (?, 'typed', '[', '{}')",
             "2099-01-01T00:00:00+00:00")
    _corrupt(db, "UPDATE accomplishments SET terms_json = 'oops'")
    targets = load_targets()
    assert targets.accomplishment.title == "Migration" and targets.topics == ()
    code, out, err = run_cli("accomplishments", "list")
    assert code == 0 and "Migration" in out
    code, _, err = run_cli("debrief", "--show")
    assert code == 2
    one_sentence(err, "debrief", "damaged")


def test_a_missing_table_is_one_sentence(run_cli, rehearse_home):
    Store().close()
    _corrupt(rehearse_home / "rehearse.db", "DROP TABLE scores")
    for args in (("history",), ("score", "-a", "storyteller", "--text", OPENING)):
        code, _, err = run_cli(*args)
        assert code == 2
        one_sentence(err, "damaged", "'scores' is missing")


def test_a_malformed_page_is_one_sentence(cli_env, rehearse_home):
    saved_home(cli_env, rehearse_home, n=2)
    db = rehearse_home / "rehearse.db"
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = [r[0] for r in conn.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'sessions' "
                                         "AND rootpage > 1")]
    conn.close()
    with open(db, "r+b") as f:  # the sessions table's pages and its indexes' (history reads an index)
        for root in roots:
            f.seek((root - 1) * page_size)
            f.write(bytes([0xA5]) * page_size)
    for args in (("history",), ("replay", "last", "--no-audio"), ("score", "-a", "storyteller", "--text", OPENING)):
        code, _, err = rehearse(cli_env, *args)
        assert code == 2, args
        one_sentence(err, "damaged", str(db))


def test_a_database_from_a_newer_rehearse_is_one_sentence(run_cli, rehearse_home):
    Store().close()
    _corrupt(rehearse_home / "rehearse.db", "INSERT INTO migrations (name, applied_at) VALUES ('999_future', 'x')")
    code, _, err = run_cli("history")
    assert code == 2
    one_sentence(err, "newer rehearse", "999_future")
    assert len(MIGRATIONS) < 999


def test_writes_of_one_command_land_together_or_not_at_all(tmp_path):
    store = Store(tmp_path / "t.db")
    with pytest.raises(RehearseError):
        with store.db.transaction():
            store.create(mode="score", archetype="storyteller", status="complete")
            store.update("no-such-session", transcript="x")
    assert store.count() == 0


def test_a_read_only_database_refuses_a_write_before_touching_anything(tmp_path):
    store = Store(tmp_path / "r.db")
    store.db.read_only = True
    with pytest.raises(RehearseError, match="cannot be written: it is read-only"):
        store.create(mode="score", archetype="storyteller")
    store.db.read_only = False
    assert store.count() == 0


def test_session_ids_drawn_twice_in_one_second_are_drawn_again(tmp_path, monkeypatch):
    import rehearse.store.sessions as sessions

    store = Store(tmp_path / "ids.db")
    draws = iter(["20260101-000000-aaaa", "20260101-000000-aaaa", "20260101-000000-bbbb"])
    monkeypatch.setattr(sessions, "new_session_id", lambda now=None: next(draws))
    assert store.create(mode="score", archetype="storyteller") == "20260101-000000-aaaa"
    assert store.create(mode="score", archetype="storyteller") == "20260101-000000-bbbb"
