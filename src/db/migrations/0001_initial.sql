-- Why: the migration plan's starting schema. Sessions, their results (full + legacy JSON), the answers
-- accumulated while a run goes, and the progress-event log — everything the old system kept in process
-- memory and lost on every worker restart. Column names follow the plan; SQL runs on PostgreSQL 15+.

CREATE TABLE sessions (
    session_id          TEXT PRIMARY KEY,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    status              TEXT NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'active', 'completed', 'partial', 'failed')),
    pdf_filename        TEXT NOT NULL,
    total_pages         INTEGER,
    total_questions     INTEGER,
    questions_answered  INTEGER NOT NULL DEFAULT 0,
    processing_time     DOUBLE PRECISION,          -- seconds
    total_tokens        INTEGER NOT NULL DEFAULT 0,
    estimated_cost      NUMERIC(14, 6) NOT NULL DEFAULT 0,  -- USD
    error_message       TEXT,
    completed_at        TIMESTAMPTZ
);
CREATE INDEX sessions_created_at_idx ON sessions (created_at DESC, session_id DESC);
CREATE INDEX sessions_status_created_at_idx ON sessions (status, created_at DESC, session_id DESC);

CREATE TABLE analysis_results (
    id                  BIGSERIAL PRIMARY KEY,
    session_id          TEXT NOT NULL UNIQUE REFERENCES sessions (session_id) ON DELETE CASCADE,
    result_data         JSONB NOT NULL,
    legacy_result_data  JSONB,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE accumulated_answers (
    id                  BIGSERIAL PRIMARY KEY,
    session_id          TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    question_id         TEXT NOT NULL,
    section_id          TEXT NOT NULL,
    answer              TEXT,                      -- NULL = looked for, not found
    pages               INTEGER[] NOT NULL DEFAULT '{}',
    confidence          REAL NOT NULL DEFAULT 0,
    footnote            TEXT,
    answer_data         JSONB NOT NULL,            -- the full QuestionAnswer (quotes, variants, value)
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- One answer per question per session: at-least-once execution still yields exactly-once results.
    CONSTRAINT accumulated_answers_session_question_key UNIQUE (session_id, question_id)
);

CREATE TABLE session_events (
    id                  BIGSERIAL PRIMARY KEY,
    session_id          TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    event_index         INTEGER NOT NULL,
    event_type          TEXT NOT NULL,
    event_data          JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT session_events_session_index_key UNIQUE (session_id, event_index)
);
CREATE INDEX session_events_created_at_idx ON session_events (created_at);

-- Trim the progress log; results and answers are kept forever. Returns the number of events removed.
CREATE FUNCTION cleanup_old_events(retention_days INTEGER DEFAULT 7) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
    removed INTEGER;
BEGIN
    DELETE FROM session_events WHERE created_at < now() - make_interval(days => retention_days);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;
