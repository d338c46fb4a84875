/** What a session (analysis) and its result look like on the wire: one shape for every route that shows one. */
import type { Session, SessionStatus } from '../db/queries/sessions.js';
import type { SessionResult } from '../sessions/load-session-result.js';
import { legacyWithVariants } from '../analysis/build-result.js';

export function sessionSummary(s: Session) {
  return {
    session_id: s.id,
    document_name: s.pdfFilename,
    status: s.status,
    created_at: s.createdAt.toISOString(),
    started_at: s.startedAt?.toISOString() ?? null,
    completed_at: s.completedAt?.toISOString() ?? null,
    engine: s.engine,
    model: s.model,
    thorough: s.thorough,
    error: s.errorMessage,
    total_pages: s.totalPages,
    total_questions: s.totalQuestions,
    questions_answered: s.questionsAnswered,
    processing_time: s.processingTime,
    total_tokens: s.totalTokens,
    estimated_cost: s.estimatedCost,
    enabled_sections: s.enabledSections,
    guardrails: s.guardrails,
    stop_reason: s.stopReason,
    owner: s.ownerId,
    // 1 = the original run; 2+ = a re-run of some questions (POST /api/rerun/:id).
    pass: s.currentPass,
  };
}

/** GET /api/results/:id. */
export function sessionResultBody(r: SessionResult) {
  return {
    success: true,
    status: r.session.status,
    partial: r.partial,
    result: legacyWithVariants(r.full, r.legacy),
    statistics: r.statistics,
    session: sessionSummary(r.session),
  };
}

/**
 * A session as admins see it (list rows and detail): the summary plus the plan's column name for the file (admin
 * scripts read `pdf_filename`) and the owner's email (sessions.user_email, recorded when the session was created;
 * null in AUTH=off mode). Only admins see other people's email addresses.
 */
export function adminListItem(s: Session) {
  return { ...sessionSummary(s), pdf_filename: s.pdfFilename, owner_email: s.userEmail };
}

/**
 * The old admin list shape (grouped), kept for existing scripts and the original admin page (admin_sessions.html):
 * `summary` + `sessions: {active, completed, partial, failed}` (queued runs count as active), items with the plan's
 * pdf_path and a stopped_at for stopped runs. The earlier `*_sessions` keys stay for scripts that read them.
 */
export function legacyAdminList(sessions: readonly Session[], totals: Record<string, number>) {
  const item = (s: Session) => ({
    ...adminListItem(s),
    pdf_path: s.pdfPath,
    stopped_at: s.status === 'partial' ? ((s.stopRequestedAt ?? s.completedAt)?.toISOString() ?? null) : null,
  });
  const group = (...st: SessionStatus[]) => sessions.filter((s) => st.includes(s.status)).map(item);
  const grouped = {
    active: group('queued', 'active'),
    completed: group('completed'),
    partial: group('partial'),
    failed: group('failed'),
  };
  const count = (status: string) => totals[status] ?? 0;
  return {
    success: true,
    summary: {
      total_sessions: count('sessions'),
      active_count: count('queued') + count('active'),
      completed_count: count('completed'),
      partial_count: count('partial'),
      failed_count: count('failed'),
    },
    sessions: grouped,
    active_sessions: grouped.active,
    completed_sessions: grouped.completed,
    partial_sessions: grouped.partial,
    failed_sessions: grouped.failed,
  };
}
