-- Why: a finished session's result is served from each process's memory (src/db/result-cache.ts) without
-- asking the database on every request, which halved read throughput under load. That is only safe if every
-- process learns at once when a finished session changes (deleted by an admin or by retention, resumed,
-- re-stamped). Rows that are not finished are never trusted from memory, so only changes to finished rows
-- are announced; a run's many progress updates send nothing.

CREATE FUNCTION notify_finished_session_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('session_changed', OLD.session_id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_finished_changed
    AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW
    WHEN (OLD.status IN ('completed', 'partial', 'failed'))
    EXECUTE FUNCTION notify_finished_session_changed();
