-- Why: bid documents and their analyses are confidential. Users with roles, salted scrypt password hashes,
-- brute-force lockout state, and login sessions stored in the database (they survive restarts, work across
-- processes, expire, and can be revoked). Only a hash of each login token is stored.

CREATE TABLE users (
    user_id             TEXT PRIMARY KEY,
    email               TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    role                TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        TIMESTAMPTZ,
    last_login_at       TIMESTAMPTZ
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE login_sessions (
    token_hash          TEXT PRIMARY KEY,             -- sha256 of the bearer/cookie token
    user_id             TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at          TIMESTAMPTZ NOT NULL,
    revoked_at          TIMESTAMPTZ,
    last_seen_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_agent          TEXT
);
CREATE INDEX login_sessions_user_idx ON login_sessions (user_id);
CREATE INDEX login_sessions_expires_idx ON login_sessions (expires_at);
