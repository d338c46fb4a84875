/**
 * JSON: the full result plus the session metadata a reader needs to judge it (status, PARTIAL, failure reason).
 * The session owner is left out on purpose: exported files travel beyond the people who can see the session.
 */
import type { FullResult } from '../analysis/types.js';
import type { ExportInput, SessionStatus } from './export-input.js';
import { describeRunStatus, isPartialRun } from './export-input.js';
import { answerStatusOf } from '../analysis/build-result.js';

export interface JsonExport {
  session: {
    id: string;
    status: SessionStatus;
    status_label: string;
    document_name: string;
    created_at: string;
    completed_at: string | null;
    engine: string;
    model: string | null;
    error: string | null;
  };
  partial: boolean;
  result: FullResult;
}

export function buildJsonExport(input: ExportInput): JsonExport {
  const { session, result } = input;
  return {
    session: {
      id: session.id,
      status: session.status,
      status_label: describeRunStatus(input),
      document_name: session.documentName,
      created_at: session.createdAt.toISOString(),
      completed_at: session.completedAt ? session.completedAt.toISOString() : null,
      engine: session.engine,
      model: session.model,
      error: session.error,
    },
    partial: isPartialRun(session),
    // answer_status on every question, also for results stored before the field existed.
    result: {
      ...result,
      sections: result.sections.map((s) => ({
        ...s,
        answers: s.answers.map((a) => ({ ...a, answer_status: answerStatusOf(a) })),
      })),
    },
  };
}

export function writeJson(input: ExportInput): Buffer {
  return Buffer.from(`${JSON.stringify(buildJsonExport(input), null, 2)}\n`, 'utf8');
}
