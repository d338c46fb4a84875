/** Comparing an eval run with an earlier report (`npm run eval -- --compare eval/results/baseline.json`). */
import type { Metrics, QuestionScore } from './scorer.js';

/** One question's row in the report: its score, what the engine answered and the truth it was scored against. */
export interface QuestionRow extends QuestionScore {
  text: string;
  answer: string | null;
  pages: number[];
  truth_pages: number[] | null;
  accept: string[] | null;
  not_in_document: boolean;
  tags: string[];
}

/** A question is "good" when an answerable one is an answer-hit, or a not-in-document one was abstained on. */
export const isGood = (r: QuestionRow): boolean => (r.answerable ? r.answerHit : !r.answered);

export interface PreviousReport {
  sets: Array<{ name: string; metrics: Metrics; questions: QuestionRow[] }>;
}

/** Per set: metric deltas against an earlier report, and the questions that turned good or bad. */
export function comparison(
  previous: PreviousReport,
  outcomes: ReadonlyArray<{ name: string; metrics: Metrics; questions: QuestionRow[] }>,
): string[] {
  const out: string[] = [];
  const pts = (now: number | null, then: number | null) =>
    now === null || then === null ? '   -  ' : `${now >= then ? '+' : ''}${((now - then) * 100).toFixed(1)}`;
  for (const o of outcomes) {
    const before = previous.sets.find((s) => s.name === o.name);
    if (!before) {
      out.push(`${o.name}: not in the earlier report`);
      continue;
    }
    const m = o.metrics;
    const b = before.metrics;
    out.push(
      `${o.name}: page-hit ${pts(m.pageHit, b.pageHit)}  answer-hit ${pts(m.answerHit, b.answerHit)}  false-answer ${pts(m.falseAnswerRate, b.falseAnswerRate)} points`,
    );
    const old = new Map(before.questions.map((q) => [q.id, q]));
    for (const r of o.questions) {
      const was = old.get(r.id);
      if (!was || isGood(was) === isGood(r)) continue;
      const answer = r.answer === null ? '(none)' : JSON.stringify(r.answer.replace(/\s+/g, ' ').slice(0, 100));
      out.push(`  ${isGood(r) ? 'fixed ' : 'BROKEN'} ${r.id.padEnd(6)} ${r.text}  now: ${answer}`);
    }
  }
  return out;
}
