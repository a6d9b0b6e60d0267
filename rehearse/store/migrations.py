"""The schema, as named migrations applied in order and recorded in the ``migrations`` table.

Never edit or rename a released migration; append a new one. Databases written before migrations had
names recorded their count in ``PRAGMA user_version``; :mod:`rehearse.store.db` reads that once.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    ("001_sessions", """
    CREATE TABLE sessions (
        id           TEXT PRIMARY KEY,
        started_at   TEXT NOT NULL,
        mode         TEXT NOT NULL,
        archetype    TEXT NOT NULL,
        prompt_id    TEXT,
        prompt_text  TEXT,
        source       TEXT NOT NULL DEFAULT 'microphone',
        status       TEXT NOT NULL,
        stopped_by   TEXT,
        pid          INTEGER,
        audio_path   TEXT,
        duration_s   REAL,
        engine       TEXT,
        transcript   TEXT,
        words_json   TEXT,
        score_json   TEXT,
        verdict      TEXT,
        extra_json   TEXT
    );
    CREATE INDEX sessions_started_at ON sessions (started_at);
    """),
    # Figures that history and progress read for every session, copied out of score_json so that
    # listing 10,000 sessions does not parse 10,000 JSON documents; and every score a session has had
    # (the first, then one per `rehearse rescore`), so an earlier result stays for comparison.
    ("002_history_figures_and_scores", """
    ALTER TABLE sessions ADD COLUMN wpm REAL;
    ALTER TABLE sessions ADD COLUMN fillers_per_min REAL;
    ALTER TABLE sessions ADD COLUMN first_accomplishment_s REAL;
    ALTER TABLE sessions ADD COLUMN scored_at TEXT;
    UPDATE sessions SET
        wpm = json_extract(score_json, '$.metrics.wpm'),
        fillers_per_min = json_extract(score_json, '$.metrics.fillers_per_min'),
        first_accomplishment_s = CASE
            WHEN json_extract(score_json, '$.checks.leads_with_accomplishment.passed')
            THEN json_extract(score_json, '$.checks.leads_with_accomplishment.seconds') END,
        scored_at = started_at
    WHERE score_json IS NOT NULL;
    CREATE TABLE scores (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id  TEXT NOT NULL,
        scored_at   TEXT NOT NULL,
        reason      TEXT NOT NULL,
        engine      TEXT,
        transcript  TEXT,
        words_json  TEXT,
        score_json  TEXT NOT NULL,
        verdict     TEXT
    );
    CREATE INDEX scores_session ON scores (session_id, id);
    INSERT INTO scores (session_id, scored_at, reason, engine, transcript, words_json, score_json, verdict)
        SELECT id, started_at, 'original', engine, transcript, words_json, score_json, verdict
        FROM sessions WHERE score_json IS NOT NULL ORDER BY started_at, id;
    CREATE INDEX sessions_status ON sessions (status);
    CREATE INDEX sessions_summary ON sessions (started_at, id, archetype, mode, status, verdict, duration_s,
                                              wpm, fillers_per_min, first_accomplishment_s, prompt_id);
    """),
    # The accomplishment bank (rehearse/store/bank.py) and saved debriefs of the first interview
    # (rehearse/store/debriefs.py). At most one accomplishment is the best for this job; titles are
    # unique whatever their case.
    ("003_bank_and_debriefs", """
    CREATE TABLE accomplishments (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        title       TEXT NOT NULL,
        situation   TEXT NOT NULL DEFAULT '',
        action      TEXT NOT NULL DEFAULT '',
        result      TEXT NOT NULL DEFAULT '',
        terms_json  TEXT NOT NULL DEFAULT '[]',
        best        INTEGER NOT NULL DEFAULT 0,
        source      TEXT NOT NULL DEFAULT 'manual',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE UNIQUE INDEX accomplishments_title ON accomplishments (lower(title));
    CREATE UNIQUE INDEX accomplishments_one_best ON accomplishments (best) WHERE best = 1;
    CREATE TABLE debriefs (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at         TEXT NOT NULL,
        mode               TEXT NOT NULL,
        answers_json       TEXT NOT NULL,
        plan_json          TEXT NOT NULL,
        accomplishment_id  INTEGER
    );
    CREATE INDEX debriefs_created ON debriefs (created_at, id);
    """),
    # Why a session failed after its audio was recorded (engine, scoring or saving); `rehearse
    # rescore` can finish it later.
    ("004_failure_reason", """
    ALTER TABLE sessions ADD COLUMN error TEXT;
    """),
    # `rehearse demo` saved its runs (the bundled sample answer, source 'sample') as practice, so they
    # counted in progress; they have their own mode now, which progress leaves out.
    ("005_demo_mode", """
    UPDATE sessions SET mode = 'demo' WHERE source = 'sample' AND mode = 'practice';
    """),
    # A debrief is saved as it goes: the row is written at its first answer and updated after each
    # one (answers_json, and plan_json with the plan so far), `finished` once the last question is
    # answered, so Ctrl-C loses nothing and `rehearse debrief --resume` continues it. progress_json
    # is what an unfinished review did to the accomplishment bank. Earlier debriefs were finished.
    ("006_debrief_progress", """
    ALTER TABLE debriefs ADD COLUMN finished INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE debriefs ADD COLUMN updated_at TEXT;
    ALTER TABLE debriefs ADD COLUMN progress_json TEXT;
    CREATE INDEX debriefs_finished ON debriefs (finished, created_at, id);
    """),
    # Every scoring of a session is a numbered version: the first round is version 1, each `rehearse
    # rescore` adds the next. A version also keeps the checker that decided it and its personal
    # results, and the session names its current version (the sessions row holds that version's
    # transcript, words, score and figures, so every listing reads one row). Rescoring no longer
    # always makes the newest result current, and `rehearse versions SESSION --use N` picks one.
    # Existing results are numbered in the order they were made; the newest stays current and gets
    # the session's personal results (earlier ones had theirs replaced, so theirs stay unknown).
    ("007_score_versions", """
    ALTER TABLE scores ADD COLUMN version INTEGER;
    ALTER TABLE scores ADD COLUMN checker TEXT;
    ALTER TABLE scores ADD COLUMN personal_json TEXT;
    ALTER TABLE sessions ADD COLUMN current_version INTEGER;
    UPDATE scores SET version = (SELECT COUNT(*) FROM scores AS earlier
                                 WHERE earlier.session_id = scores.session_id AND earlier.id <= scores.id);
    UPDATE scores SET personal_json = (
        SELECT CASE WHEN json_valid(s.extra_json) THEN
                    CASE WHEN json_type(s.extra_json, '$.personal') = 'array'
                         THEN json_extract(s.extra_json, '$.personal') END END
        FROM sessions AS s WHERE s.id = scores.session_id)
    WHERE id IN (SELECT MAX(id) FROM scores GROUP BY session_id);
    UPDATE sessions SET current_version = (SELECT MAX(version) FROM scores WHERE scores.session_id = sessions.id)
    WHERE score_json IS NOT NULL;
    CREATE UNIQUE INDEX scores_version ON scores (session_id, version);
    """),
]
