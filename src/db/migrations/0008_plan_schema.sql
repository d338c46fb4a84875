-- Why: the migration plan's schema, exactly. Anyone following the plan (an admin's SQL, a BI dashboard, the
-- plan's own `has_answer` index) needs every column it names, under its name and with its meaning, and its
-- indexes under their names. Our own columns stay (the code uses them); where the plan names a column we
-- already have under another name, the plan's column is GENERATED from ours, so the two can never disagree
-- and no writer has to remember both. Existing rows are backfilled here.
-- Also: the original front end chooses its own session id ("session_<ms>") and then polls, stops and reads
-- results by it. That id is kept as an alias of the real (unguessable) session id, visible only to its owner.

-- sessions: pdf_path / config_path are storage references to where the bytes and the config live (this app
-- keeps both in the database, not on disk); user_email is the owner's email when the session was created;
-- average_confidence is the mean confidence (0..1) of the answered questions, written when the run ends.
ALTER TABLE sessions
    ADD COLUMN pdf_path                 TEXT,
    ADD COLUMN config_path              TEXT,
    ADD COLUMN user_email               TEXT,
    ADD COLUMN average_confidence       NUMERIC(5, 4) CHECK (average_confidence BETWEEN 0 AND 1),
    ADD COLUMN processing_time_seconds  DOUBLE PRECISION GENERATED ALWAYS AS (processing_time) STORED,
    ADD COLUMN estimated_cost_usd       NUMERIC(14, 6) GENERATED ALWAYS AS (estimated_cost) STORED;

UPDATE sessions s SET pdf_path = 'db:session_documents/' || s.session_id
WHERE EXISTS (SELECT 1 FROM session_documents d WHERE d.session_id = s.session_id);

UPDATE sessions SET config_path = 'db:sessions/' || session_id || '/question_config'
WHERE question_config IS NOT NULL;

UPDATE sessions s SET user_email = u.email FROM users u WHERE u.user_id = s.owner_id;

-- Finished runs: the figure their stored result reports; others: the mean over the answers stored so far.
UPDATE sessions s SET average_confidence = LEAST(1, GREATEST(0, round(v.mean, 4)))
FROM (
    SELECT s2.session_id, COALESCE(
        (SELECT (r.result_data -> 'stats' ->> 'average_confidence')::numeric FROM analysis_results r WHERE r.session_id = s2.session_id),
        (SELECT avg(a.confidence)::numeric FROM accumulated_answers a WHERE a.session_id = s2.session_id AND a.answer IS NOT NULL)
    ) AS mean
    FROM sessions s2
) v
WHERE v.session_id = s.session_id AND v.mean IS NOT NULL;

-- accumulated_answers: the plan's section_name and question_text (copied when the answer is written), and
-- answer_text / has_answer derived from our `answer` (NULL = looked for, not found).
ALTER TABLE accumulated_answers
    ADD COLUMN section_name     TEXT,
    ADD COLUMN question_text    TEXT NOT NULL DEFAULT '',
    ADD COLUMN answer_text      TEXT GENERATED ALWAYS AS (answer) STORED,
    ADD COLUMN has_answer       BOOLEAN NOT NULL GENERATED ALWAYS AS (answer IS NOT NULL) STORED;

UPDATE accumulated_answers SET question_text = COALESCE(answer_data ->> 'question', '');

UPDATE accumulated_answers a SET section_name = names.section_name
FROM (
    SELECT s.session_id, sec ->> 'section_id' AS section_id, sec ->> 'section_name' AS section_name
    FROM sessions s, jsonb_array_elements(COALESCE(s.question_config -> 'sections', '[]'::jsonb)) AS sec
) names
WHERE names.session_id = a.session_id AND names.section_id = a.section_id;

-- The plan's indexes, under the plan's names (some duplicate an index we already had under another name;
-- they are small, and queries and tools written against the plan find what it promised).
CREATE INDEX IF NOT EXISTS idx_sessions_status ON sessions (status);
CREATE INDEX IF NOT EXISTS idx_sessions_created_at ON sessions (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_analysis_results_session ON analysis_results (session_id);
CREATE INDEX IF NOT EXISTS idx_answers_session ON accumulated_answers (session_id);
CREATE INDEX IF NOT EXISTS idx_answers_section ON accumulated_answers (section_id);
CREATE INDEX IF NOT EXISTS idx_answers_has_answer ON accumulated_answers (has_answer);
CREATE INDEX IF NOT EXISTS idx_events_session ON session_events (session_id);
CREATE INDEX IF NOT EXISTS idx_events_created_at ON session_events (created_at DESC);

-- Client-chosen session ids (the original front end's "session_<ms>"): one per owner and alias. owner_id is
-- NULL in single-user AUTH=off mode, hence the coalesce in the key (as for documents).
CREATE TABLE session_aliases (
    alias               TEXT NOT NULL,
    owner_id            TEXT,                  -- as sessions.owner_id; the row goes with its session
    session_id          TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX session_aliases_owner_alias_key ON session_aliases ((coalesce(owner_id, '')), alias);
CREATE INDEX session_aliases_session_idx ON session_aliases (session_id);
