-- Why: reviewers accept, edit, reject or reset the machine's answers (issue 15). Every action is a new row
-- (append-only audit: who, when, what), so two reviewers editing at once never lose an edit silently and
-- the machine's stored answer is never overwritten; results overlay a question's latest row at read time
-- (src/sessions/review-overlay.ts). `reset` means "no review". Rows go with their session (ON DELETE CASCADE).

CREATE TABLE answer_reviews (
  review_id      BIGSERIAL PRIMARY KEY,
  session_id     TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
  question_id    TEXT NOT NULL,
  action         TEXT NOT NULL CHECK (action IN ('accept', 'edit', 'reject', 'reset')),
  answer         TEXT,
  pages          INTEGER[],
  note           TEXT,
  verified       BOOLEAN,        -- edit: the edited quote/answer text was found on its pages
  reviewer_id    TEXT,
  reviewer_email TEXT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX answer_reviews_session_question_idx ON answer_reviews (session_id, question_id, review_id);
