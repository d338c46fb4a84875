-- Why: each process keeps the logins it has resolved (token → user and role) in memory, so a signed-in read
-- costs no token lookup query (src/auth/login-cache.ts). That is only safe if every process learns at once
-- when a login stops being valid or its user changes: a sign-out or revocation, a password reset, a role or
-- email change, a deleted user — made by the app, the `npm run user` command or an operator's SQL. These
-- triggers announce each such change on the `login_changed` channel with the user's id; sign-ins and failed
-- sign-in counts (other columns) send nothing.

CREATE FUNCTION notify_login_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('login_changed', OLD.user_id);
    IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
        PERFORM pg_notify('login_changed', NEW.user_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_login_changed
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash
          OR OLD.email IS DISTINCT FROM NEW.email
          OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION notify_login_changed();

CREATE TRIGGER users_deleted_login_changed
    AFTER DELETE ON users
    FOR EACH ROW
    EXECUTE FUNCTION notify_login_changed();

CREATE TRIGGER login_sessions_changed
    AFTER UPDATE ON login_sessions
    FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
          OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
    EXECUTE FUNCTION notify_login_changed();

CREATE TRIGGER login_sessions_deleted
    AFTER DELETE ON login_sessions
    FOR EACH ROW
    EXECUTE FUNCTION notify_login_changed();
