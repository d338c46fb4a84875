-- Why: "re-run what is weak" (issue 15). A pass is a new run of a finished session over some of its questions
-- (another engine, thorough mode): the same session row is queued again, so the job runner claims, leases,
-- checkpoints, stops and resumes it like any run. This records each pass (who asked, for which questions,
-- with which engine) and which pass produced each answer, and keeps every answer a later pass replaced
-- (append-only), so the history shows which pass produced which answer.

-- The pass the session row is running (or last ran); 1 = the original run.
ALTER TABLE sessions ADD COLUMN current_pass INTEGER NOT NULL DEFAULT 1 CHECK (current_pass >= 1);

-- One row per pass after the first (and the original run's row, written when its first re-run is asked for).
-- status/completed_at are written when the pass ends being the current one (the next pass is queued); the
-- current pass's state is the session row's own, so the run path writes nothing here.
CREATE TABLE session_passes (
    session_id      TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    pass            INTEGER NOT NULL CHECK (pass >= 1),
    question_ids    TEXT[],                      -- NULL = every question of the enabled sections
    skipped         JSONB NOT NULL DEFAULT '[]'::jsonb,   -- [{question_id, reason}] left out when it was asked for
    engine          TEXT NOT NULL CHECK (engine IN ('extractive', 'llm')),
    model           TEXT,
    thorough        BOOLEAN NOT NULL DEFAULT false,
    requested_by    TEXT,                        -- user id (NULL in AUTH=off mode or for the original run)
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at      TIMESTAMPTZ,                 -- first claimed
    status          TEXT CHECK (status IN ('completed', 'partial', 'failed')),  -- NULL while current
    completed_at    TIMESTAMPTZ,
    PRIMARY KEY (session_id, pass)
);

-- Which pass produced the answer in force. Existing answers came from the original run.
ALTER TABLE accumulated_answers ADD COLUMN pass INTEGER NOT NULL DEFAULT 1;

-- Answers a later pass replaced, exactly as they were, with the pass that produced them.
CREATE TABLE answer_history (
    id              BIGSERIAL PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    question_id     TEXT NOT NULL,
    pass            INTEGER NOT NULL,
    section_id      TEXT NOT NULL,
    answer          TEXT,
    pages           INTEGER[] NOT NULL DEFAULT '{}',
    confidence      REAL NOT NULL DEFAULT 0,
    footnote        TEXT,
    answer_data     JSONB NOT NULL,
    answered_at     TIMESTAMPTZ NOT NULL,        -- when that pass wrote it
    superseded_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    superseded_by   INTEGER NOT NULL,            -- the pass that replaced it
    -- A question is replaced at most once per pass (a replay of the checkpoint archives nothing twice).
    CONSTRAINT answer_history_session_question_pass_key UNIQUE (session_id, question_id, pass)
);
