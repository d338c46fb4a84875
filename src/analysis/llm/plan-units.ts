/**
 * How the llm engine splits a run into calls.
 *
 * Retrieval-first (default): per section, only the passages retrieval ranked highest for that section's
 * questions are sent, deduplicated, in document order; a section whose evidence does not fit the prompt-token
 * budget is split into several units, each carrying its own questions' passages. This is what makes a
 * 1,500-page spec affordable: cost follows the number of questions, not the number of pages.
 *
 * Thorough (opt-in): the old system's sweep — every 3-page window × every section — for users who want
 * exhaustiveness over cost.
 *
 * Unit keys are deterministic (same document, config and options → same keys): a resumed run skips the
 * units it already paid for.
 */
import { createHash } from 'node:crypto';
import type { PlanArgs, Passage, RetrievedPassage, WorkUnit } from '../engine.js';
import { structureOf } from '../outline.js';
import type { Question, Section } from '../../questions/types.js';
import type { IngestedPage } from '../../ingest/types.js';
import { SYSTEM_PROMPT, formatExcerpt } from './prompt.js';
import { TOKENS_PER_MESSAGE_OVERHEAD, estimateTokens } from './token-estimate.js';

/** Passages sent per question: retrieval's top few. Measured by bench/llm-tokens.bench.ts (100 pages, 100 questions):
 *  on the shared synthetic spec 2 already shows every planted page; on the paraphrased stress spec 4 shows 78 %
 *  at 7.5 % of the sweep's tokens, 5 shows 84 % at 9 %, and 6 starts splitting sections into more calls. */
export const DEFAULT_PASSAGES_PER_QUESTION = 4;
/** Pages per window in thorough mode: the old system's window size, so results are comparable. */
export const SWEEP_WINDOW_PAGES = 3;
/** Tokens kept free in every retrieval unit for the user's guardrails, which are not known at planning time. */
export const GUARDRAILS_RESERVE_TOKENS = 300;

export interface RetrievalPlanOptions {
  /** Soft ceiling on a unit's prompt tokens (LLM_PROMPT_TOKEN_BUDGET). */
  promptTokenBudget: number;
  passagesPerQuestion?: number;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Prompt tokens of everything in a unit except its questions and excerpts. */
function sectionOverheadTokens(section: Section): number {
  const header = `Section: ${section.section_name} (${section.description})\n\nQuestions:\n\nExcerpts:\n\nAnswer the N question(s) above from these excerpts. Reply with the JSON object only.`;
  return (
    estimateTokens(SYSTEM_PROMPT) + estimateTokens(header) + 2 * TOKENS_PER_MESSAGE_OVERHEAD + GUARDRAILS_RESERVE_TOKENS
  );
}

function questionLineTokens(q: Question): number {
  return estimateTokens(`- ${q.id} (expected: ${q.expected_type}): ${q.text}\n`);
}

/** An excerpt's tokens, numbered as if it were excerpt 100 (the header is a few tokens either way). */
function passageTokens(p: Passage): number {
  return estimateTokens(formatExcerpt(p, 100)) + 1;
}

interface Batch {
  questions: Question[];
  passageIds: Set<string>;
  retrieved: Record<string, RetrievedPassage[]>;
  tokens: number;
}

/** Retrieval-first plan: one or more units per section, each under the prompt-token budget where possible. */
export function planRetrievalUnits(args: PlanArgs, options: RetrievalPlanOptions): WorkUnit[] {
  const perQuestion = options.passagesPerQuestion ?? DEFAULT_PASSAGES_PER_QUESTION;
  const budget = options.promptTokenBudget;
  const byId = new Map<string, Passage>();
  const docOrder = new Map<string, number>();
  args.passages.forEach((p, i) => docOrder.set(p.id, i));
  const units: WorkUnit[] = [];

  for (const section of args.sections) {
    const overhead = sectionOverheadTokens(section);
    const batches: Batch[] = [];
    const newBatch = (): Batch => ({ questions: [], passageIds: new Set(), retrieved: {}, tokens: overhead });
    let current = newBatch();

    for (const question of section.questions) {
      let top = (args.retrieved.get(question.id) ?? []).slice(0, perQuestion);
      for (const r of top) byId.set(r.passage.id, r.passage);
      const lineTokens = questionLineTokens(question);
      const addedTokens = (batch: Batch, list: RetrievedPassage[]) =>
        lineTokens +
        list.filter((r) => !batch.passageIds.has(r.passage.id)).reduce((sum, r) => sum + passageTokens(r.passage), 0);

      if (current.questions.length > 0 && current.tokens + addedTokens(current, top) > budget) {
        batches.push(current);
        current = newBatch();
      }
      // A question whose own evidence overflows an empty unit keeps its best passages only (at least one).
      while (top.length > 1 && current.tokens + addedTokens(current, top) > budget) top = top.slice(0, -1);

      current.tokens += addedTokens(current, top);
      current.questions.push(question);
      current.retrieved[question.id] = top;
      for (const r of top) current.passageIds.add(r.passage.id);
    }
    if (current.questions.length > 0) batches.push(current);

    // A section where retrieval found nothing for any question would be a paid call that can only say "not found".
    const withEvidence = batches.filter((b) => b.passageIds.size > 0);
    withEvidence.forEach((batch, index) => {
      const passages = [...batch.passageIds]
        .map((id) => byId.get(id) as Passage)
        .sort(
          (a, b) =>
            (docOrder.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (docOrder.get(b.id) ?? Number.MAX_SAFE_INTEGER) ||
            (a.pages[0] ?? 0) - (b.pages[0] ?? 0),
        );
      const questionIds = batch.questions.map((q) => q.id);
      units.push({
        key: `llm:${section.section_id}:${index + 1}:${shortHash(questionIds.join('\u0000'))}`,
        section,
        questions: batch.questions,
        passages,
        retrieved: batch.retrieved,
      });
    });
  }
  return units;
}

/** A page's text without its running headers/footers (they cost tokens in every window and answer nothing). */
function pageBodyText(page: IngestedPage): string {
  if (page.boilerplateLines.length === 0) return page.text;
  const boilerplate = new Set(page.boilerplateLines.map((l) => l.trim()));
  return page.text
    .split('\n')
    .filter((line) => !boilerplate.has(line.trim()))
    .join('\n');
}

/**
 * Thorough plan: every 3-page window × every section, window by window (the order progress events report).
 * Like the old system, a window's evidence is its pages' own text, one excerpt per page, so each excerpt's
 * page label is exact. (The run's passages are not used here: on sparse pages one passage can span many
 * pages, which would blur the windows.)
 */
export function planSweepUnits(args: PlanArgs): WorkUnit[] {
  const pages = [...args.pages].sort((a, b) => a.pageNumber - b.pageNumber);
  const units: WorkUnit[] = [];
  for (let i = 0; i < pages.length; i += SWEEP_WINDOW_PAGES) {
    const window = pages.slice(i, i + SWEEP_WINDOW_PAGES);
    const passages: Passage[] = window
      .map((page): Passage => ({
        id: `page-${page.pageNumber}`,
        pages: [page.pageNumber],
        text: pageBodyText(page),
        ocr: page.ocr,
        role: structureOf(page).role,
      }))
      // A blank page ("This page intentionally left blank") answers nothing and costs tokens.
      .filter((p) => p.text.trim() !== '' && p.role !== 'blank');
    if (passages.length === 0) continue; // blank pages: nothing to ask about
    const windowPages = window.map((p) => p.pageNumber);
    for (const section of args.sections) {
      units.push({
        key: `sweep:${section.section_id}:${windowPages[0]}`,
        section,
        questions: section.questions,
        passages,
        retrieved: Object.fromEntries(section.questions.map((q) => [q.id, [] as RetrievedPassage[]])),
        windowPages,
      });
    }
  }
  return units;
}
