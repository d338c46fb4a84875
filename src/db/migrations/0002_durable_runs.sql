-- Why: what durability needs beyond the plan. Any process on any machine must be able to resume a run, so
-- the uploaded PDF (chunked bytes + sha256/size/page count), the ingested page text, the question config,
-- the enabled sections and guardrails live in the database; the job runner's lease/attempt/heartbeat/stop
-- fields fence every write by attempt; checkpoints record each finished (and possibly paid) unit of work
-- so a resumed run never pays twice.

ALTER TABLE sessions
    ADD COLUMN engine               TEXT NOT NULL DEFAULT 'extractive' CHECK (engine IN ('extractive', 'llm')),
    ADD COLUMN model                TEXT,
    ADD COLUMN thorough             BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN config_name          TEXT,
    ADD COLUMN question_config      JSONB,
    ADD COLUMN enabled_sections     TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN guardrails           TEXT NOT NULL DEFAULT '',
    ADD COLUMN owner_id             TEXT,
    ADD COLUMN prompt_tokens        INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN completion_tokens    INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN llm_calls            INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN started_at           TIMESTAMPTZ,
    -- job runner
    ADD COLUMN attempt              INTEGER NOT NULL DEFAULT 0,   -- bumped by every claim; fences writes
    ADD COLUMN failed_attempts      INTEGER NOT NULL DEFAULT 0,   -- crashes and errors; graceful releases don't count
    ADD COLUMN max_attempts         INTEGER NOT NULL DEFAULT 3,
    ADD COLUMN lease_owner          TEXT,
    ADD COLUMN lease_expires_at     TIMESTAMPTZ,
    ADD COLUMN heartbeat_at         TIMESTAMPTZ,
    ADD COLUMN run_after            TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN stop_requested_at    TIMESTAMPTZ,
    ADD COLUMN stop_reason          TEXT,
    ADD COLUMN event_seq            INTEGER NOT NULL DEFAULT 0;

-- The claim query looks for runnable work: queued, or active with an expired lease.
CREATE INDEX sessions_runnable_idx ON sessions (run_after) WHERE status IN ('queued', 'active');
CREATE INDEX sessions_owner_created_at_idx ON sessions (owner_id, created_at DESC);
CREATE INDEX sessions_pdf_filename_lower_idx ON sessions (lower(pdf_filename) text_pattern_ops);

CREATE TABLE session_documents (
    session_id          TEXT PRIMARY KEY REFERENCES sessions (session_id) ON DELETE CASCADE,
    filename            TEXT NOT NULL,
    content_type        TEXT NOT NULL DEFAULT 'application/pdf',
    size_bytes          BIGINT NOT NULL,
    sha256              TEXT NOT NULL,
    page_count          INTEGER NOT NULL,
    chunk_count         INTEGER NOT NULL,
    -- IngestedPage[] once the run has parsed it, so a resumed run (or another process) skips parsing/OCR.
    pages               JSONB,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    bytes_deleted_at    TIMESTAMPTZ          -- set by PDF retention: the bytes are gone, results stay
);
CREATE INDEX session_documents_sha256_idx ON session_documents (sha256);

-- The PDF in chunks: a 100 MB upload is never one 200 MB hex string in a driver's memory.
CREATE TABLE session_document_chunks (
    session_id          TEXT NOT NULL REFERENCES session_documents (session_id) ON DELETE CASCADE,
    chunk_index         INTEGER NOT NULL,
    data                BYTEA NOT NULL,
    PRIMARY KEY (session_id, chunk_index)
);

CREATE TABLE run_checkpoints (
    session_id          TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    unit_key            TEXT NOT NULL,
    attempt             INTEGER NOT NULL,
    prompt_tokens       INTEGER NOT NULL DEFAULT 0,
    completion_tokens   INTEGER NOT NULL DEFAULT 0,
    cost_usd            NUMERIC(14, 6) NOT NULL DEFAULT 0,
    llm_calls           INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, unit_key)
);
