-- Why: the analyzer page used to send the whole PDF with every estimate (each section tick or guardrails
-- keystroke) and again to start the run, and every request parsed it anew. A document is now uploaded once
-- (POST /api/documents), validated and parsed once, and estimates and analyses refer to it by id.
-- Documents belong to their uploader, are deduplicated per owner by content hash, and expire after 24 h
-- unless an analysis used them. An analysis copies the bytes and page text into its own session_documents
-- row, so a session never depends on a document row (existing sessions are untouched).

CREATE TABLE documents (
    document_id         TEXT PRIMARY KEY,                  -- 144 random bits, base64url, like session ids
    owner_id            TEXT REFERENCES users (user_id) ON DELETE CASCADE,  -- NULL in single-user AUTH=off mode
    filename            TEXT NOT NULL,
    sha256              TEXT NOT NULL,
    size_bytes          BIGINT NOT NULL,
    page_count          INTEGER NOT NULL,
    ocr_pages           INTEGER NOT NULL DEFAULT 0,        -- pages without a usable text layer (read by OCR in the run)
    chunk_count         INTEGER NOT NULL,
    pages               JSONB,                             -- IngestedPage[]; NULL when OCR will read the document
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at          TIMESTAMPTZ NOT NULL,
    used_at             TIMESTAMPTZ                        -- first analysis that used it; used documents do not expire
);
-- One document per owner and content: the same bytes uploaded twice are the same document.
CREATE UNIQUE INDEX documents_owner_sha256_key ON documents ((coalesce(owner_id, '')), sha256);
-- Maintenance finds expired, unused documents.
CREATE INDEX documents_expires_at_idx ON documents (expires_at) WHERE used_at IS NULL;

-- The PDF in 1 MiB chunks, as for sessions: a 100 MB upload is never one 200 MB hex string in a driver.
CREATE TABLE document_chunks (
    document_id         TEXT NOT NULL REFERENCES documents (document_id) ON DELETE CASCADE,
    chunk_index         INTEGER NOT NULL,
    data                BYTEA NOT NULL,
    PRIMARY KEY (document_id, chunk_index)
);
