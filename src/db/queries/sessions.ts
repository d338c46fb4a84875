/** SQL for the sessions table. Rows are mapped to camelCase objects at this boundary. */
import type { Queryable } from '../database.js';
import type { Fence } from '../fence.js';
import type { QuestionConfig } from '../../questions/types.js';
import type { Usage } from '../../analysis/types.js';

export const SESSION_STATUSES = ['queued', 'active', 'completed', 'partial', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const TERMINAL_STATUSES: readonly SessionStatus[] = ['completed', 'partial', 'failed'];

export interface Session {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  status: SessionStatus;
  pdfFilename: string;
  totalPages: number | null;
  totalQuestions: number | null;
  questionsAnswered: number;
  processingTime: number | null;
  totalTokens: number;
  promptTokens: number;
  completionTokens: number;
  llmCalls: number;
  estimatedCost: number;
  errorMessage: string | null;
  completedAt: Date | null;
  startedAt: Date | null;
  engine: 'extractive' | 'llm';
  model: string | null;
  thorough: boolean;
  configName: string | null;
  enabledSections: string[];
  guardrails: string;
  ownerId: string | null;
  attempt: number;
  maxAttempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  heartbeatAt: Date | null;
  stopRequestedAt: Date | null;
  stopReason: string | null;
  /** The plan's storage reference to the stored PDF, e.g. `db:session_documents/<id>`. */
  pdfPath: string | null;
  /** The plan's storage reference to the question config used, e.g. `db:sessions/<id>/question_config`. */
  configPath: string | null;
  /** The owner's email when the session was created (null in single-user AUTH=off mode). */
  userEmail: string | null;
  /** Mean confidence (0..1) of the answered questions, written when the run ends. */
  averageConfidence: number | null;
  /** The pass the row is running or last ran: 1 = the original run, 2+ = re-runs (src/jobs/passes.ts). */
  currentPass: number;
}

// Every column but the (large) question config.
export const SESSION_COLUMNS = `session_id, created_at, updated_at, status, pdf_filename, total_pages, total_questions,
  questions_answered, processing_time, total_tokens, prompt_tokens, completion_tokens, llm_calls, estimated_cost,
  error_message, completed_at, started_at, engine, model, thorough, config_name, enabled_sections, guardrails,
  owner_id, attempt, max_attempts, lease_owner, lease_expires_at, heartbeat_at, stop_requested_at, stop_reason,
  pdf_path, config_path, user_email, average_confidence, current_pass`;

export type SessionDbRow = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

export function mapSession(r: SessionDbRow): Session {
  return {
    id: r.session_id as string,
    createdAt: new Date(r.created_at as string),
    updatedAt: new Date(r.updated_at as string),
    status: r.status as SessionStatus,
    pdfFilename: r.pdf_filename as string,
    totalPages: numOrNull(r.total_pages),
    totalQuestions: numOrNull(r.total_questions),
    questionsAnswered: num(r.questions_answered),
    processingTime: numOrNull(r.processing_time),
    totalTokens: num(r.total_tokens),
    promptTokens: num(r.prompt_tokens),
    completionTokens: num(r.completion_tokens),
    llmCalls: num(r.llm_calls),
    estimatedCost: num(r.estimated_cost),
    errorMessage: (r.error_message as string | null) ?? null,
    completedAt: dateOrNull(r.completed_at),
    startedAt: dateOrNull(r.started_at),
    engine: r.engine as 'extractive' | 'llm',
    model: (r.model as string | null) ?? null,
    thorough: Boolean(r.thorough),
    configName: (r.config_name as string | null) ?? null,
    enabledSections: (r.enabled_sections as string[] | null) ?? [],
    guardrails: (r.guardrails as string | null) ?? '',
    ownerId: (r.owner_id as string | null) ?? null,
    attempt: num(r.attempt),
    maxAttempts: num(r.max_attempts),
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseExpiresAt: dateOrNull(r.lease_expires_at),
    heartbeatAt: dateOrNull(r.heartbeat_at),
    stopRequestedAt: dateOrNull(r.stop_requested_at),
    stopReason: (r.stop_reason as string | null) ?? null,
    pdfPath: (r.pdf_path as string | null) ?? null,
    configPath: (r.config_path as string | null) ?? null,
    userEmail: (r.user_email as string | null) ?? null,
    averageConfidence: numOrNull(r.average_confidence),
    currentPass: num(r.current_pass) || 1,
  };
}

export interface InsertSessionInput {
  id: string;
  pdfFilename: string;
  engine: 'extractive' | 'llm';
  model: string | null;
  thorough: boolean;
  config: QuestionConfig;
  enabledSections: string[];
  guardrails: string;
  ownerId: string | null;
  totalPages: number | null;
  totalQuestions: number;
  maxAttempts: number;
  status?: SessionStatus;
  createdAt?: Date;
}

/** The plan's pdf_path: the session's PDF is stored with it (session_documents), in the same transaction. */
export const sessionPdfPath = (id: string): string => `db:session_documents/${id}`;
/** The plan's config_path: the question config is stored in the session row itself. */
export const sessionConfigPath = (id: string): string => `db:sessions/${id}/question_config`;

export async function insertSession(q: Queryable, s: InsertSessionInput): Promise<Session> {
  // pdf_path / config_path / user_email are the plan's columns: references to what is stored with the session,
  // and the owner's email as it is now (a later change of address does not rewrite history).
  const r = await q.query<SessionDbRow>(
    `INSERT INTO sessions (session_id, status, pdf_filename, engine, model, thorough, config_name, question_config,
       enabled_sections, guardrails, owner_id, total_pages, total_questions, max_attempts, created_at, updated_at,
       pdf_path, config_path, user_email)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, COALESCE($15, now()), COALESCE($15, now()),
       $16, $17, (SELECT email FROM users WHERE user_id = $11))
     RETURNING ${SESSION_COLUMNS}`,
    [
      s.id,
      s.status ?? 'queued',
      s.pdfFilename,
      s.engine,
      s.model,
      s.thorough,
      s.config.config_name,
      JSON.stringify(s.config),
      s.enabledSections,
      s.guardrails,
      s.ownerId,
      s.totalPages,
      s.totalQuestions,
      s.maxAttempts,
      s.createdAt ?? null,
      sessionPdfPath(s.id),
      sessionConfigPath(s.id),
    ],
  );
  return mapSession(r.rows[0]!);
}

export async function selectSession(q: Queryable, id: string): Promise<Session | null> {
  const r = await q.query<SessionDbRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id = $1`, [id]);
  return r.rows[0] ? mapSession(r.rows[0]) : null;
}

export async function selectQuestionConfig(q: Queryable, id: string): Promise<QuestionConfig | null> {
  const r = await q.query<{ question_config: QuestionConfig | null }>(
    'SELECT question_config FROM sessions WHERE session_id = $1',
    [id],
  );
  return r.rows[0]?.question_config ?? null;
}

/** Replace the session's question config (a re-run that rewords questions; the pass event keeps the old wording). */
export async function updateQuestionConfig(q: Queryable, id: string, config: QuestionConfig): Promise<void> {
  await q.query('UPDATE sessions SET question_config = $2, updated_at = now() WHERE session_id = $1', [
    id,
    JSON.stringify(config),
  ]);
}

/** Completion statistics written with a status change. Only given fields change. */
export interface SessionStats {
  questionsAnswered?: number;
  totalQuestions?: number;
  totalPages?: number;
  processingTime?: number;
  totalTokens?: number;
  promptTokens?: number;
  completionTokens?: number;
  llmCalls?: number;
  estimatedCost?: number;
  /** Mean confidence (0..1) of the answered questions (the plan's average_confidence). */
  averageConfidence?: number;
  errorMessage?: string | null;
  /** Why a run stopped early (e.g. 'budget'), written with the result; unchanged when undefined. */
  stopReason?: string;
}

export async function updateSessionStatus(
  q: Queryable,
  id: string,
  status: SessionStatus,
  stats: SessionStats = {},
  fence?: Fence,
): Promise<Session | null> {
  const terminal = TERMINAL_STATUSES.includes(status);
  const r = await q.query<SessionDbRow>(
    `UPDATE sessions SET
       status = $2,
       updated_at = now(),
       questions_answered = COALESCE($3, questions_answered),
       total_questions = COALESCE($4, total_questions),
       total_pages = COALESCE($5, total_pages),
       processing_time = COALESCE($6, processing_time),
       total_tokens = COALESCE($7, total_tokens),
       prompt_tokens = COALESCE($8, prompt_tokens),
       completion_tokens = COALESCE($9, completion_tokens),
       llm_calls = COALESCE($10, llm_calls),
       estimated_cost = COALESCE($11, estimated_cost),
       error_message = CASE WHEN $12::boolean THEN $13 ELSE error_message END,
       completed_at = CASE WHEN $14::boolean THEN COALESCE(completed_at, now()) ELSE completed_at END,
       started_at = CASE WHEN $2 = 'active' THEN COALESCE(started_at, now()) ELSE started_at END,
       lease_owner = CASE WHEN $14::boolean THEN NULL ELSE lease_owner END,
       lease_expires_at = CASE WHEN $14::boolean THEN NULL ELSE lease_expires_at END,
       stop_reason = COALESCE($15::text, stop_reason),
       average_confidence = COALESCE($16::numeric, average_confidence)
     WHERE session_id = $1 ${fence ? 'AND attempt = $17' : ''}
     RETURNING ${SESSION_COLUMNS}`,
    [
      id,
      status,
      stats.questionsAnswered ?? null,
      stats.totalQuestions ?? null,
      stats.totalPages ?? null,
      stats.processingTime ?? null,
      stats.totalTokens ?? null,
      stats.promptTokens ?? null,
      stats.completionTokens ?? null,
      stats.llmCalls ?? null,
      stats.estimatedCost ?? null,
      stats.errorMessage !== undefined,
      stats.errorMessage ?? null,
      terminal,
      stats.stopReason ?? null,
      stats.averageConfidence === undefined ? null : Math.min(1, Math.max(0, stats.averageConfidence)),
      ...(fence ? [fence.attempt] : []),
    ],
  );
  return r.rows[0] ? mapSession(r.rows[0]) : null;
}

export interface ListSessionsQuery {
  status?: SessionStatus;
  /** Case-insensitive substring of the PDF file name. */
  q?: string;
  ownerId?: string;
  limit: number;
  offset: number;
}

export async function selectSessions(
  db: Queryable,
  query: ListSessionsQuery,
): Promise<{ sessions: Session[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    params.push(query.status);
    where.push(`status = $${params.length}`);
  }
  if (query.ownerId) {
    params.push(query.ownerId);
    where.push(`owner_id = $${params.length}`);
  }
  if (query.q) {
    params.push(`%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`lower(pdf_filename) LIKE $${params.length}`);
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const countParams = [...params];
  params.push(query.limit, query.offset);
  const [rows, count] = await Promise.all([
    db.query<SessionDbRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions ${whereSql}
       ORDER BY created_at DESC, session_id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM sessions ${whereSql}`, countParams),
  ]);
  return { sessions: rows.rows.map(mapSession), total: count.rows[0]?.total ?? 0 };
}

export async function deleteSession(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query('DELETE FROM sessions WHERE session_id = $1', [id]);
  return r.rowCount > 0;
}

// SET list adding a unit's usage ($2 prompt, $3 completion tokens, $4 cost, $5 LLM calls) to the totals.
const ADD_USAGE = `prompt_tokens = prompt_tokens + $2, completion_tokens = completion_tokens + $3,
  total_tokens = total_tokens + $2 + $3, estimated_cost = estimated_cost + $4, llm_calls = llm_calls + $5`;
const usageParams = (id: string, u: Usage) => [id, u.prompt_tokens, u.completion_tokens, u.cost_usd, u.llm_calls];

/** Add a unit's paid usage to the session's totals (a failed LLM unit: it is retried, but its calls were billed). */
export async function addSessionUsage(q: Queryable, id: string, usage: Usage): Promise<void> {
  await q.query(`UPDATE sessions SET ${ADD_USAGE} WHERE session_id = $1`, usageParams(id, usage));
}

/** Add a checkpointed unit's usage to the session's totals and recount its answered questions. */
export async function addCheckpointToSession(q: Queryable, id: string, usage: Usage): Promise<void> {
  await q.query(
    `UPDATE sessions SET ${ADD_USAGE},
       questions_answered = (SELECT count(*) FROM accumulated_answers WHERE session_id = $1 AND answer IS NOT NULL),
       updated_at = now()
     WHERE session_id = $1`,
    usageParams(id, usage),
  );
}

/** The page count of the session's document, once it has been parsed. */
export async function updateSessionTotalPages(q: Queryable, id: string, totalPages: number): Promise<void> {
  await q.query('UPDATE sessions SET total_pages = $2 WHERE session_id = $1', [id, totalPages]);
}
