/**
 * Evaluation sets (eval/sets/*.json): questions an estimator would ask about one document, with truth read
 * from the document's page text. See docs/evaluation.md for how to write and add them.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EXPECTED_TYPES, type QuestionConfig } from '../src/questions/types.js';
import { createExtractiveEngine } from '../src/analysis/engines/extractive-engine.js';
import { runAnalysis } from '../src/analysis/run-analysis.js';
import type { IngestedPage } from '../src/ingest/types.js';

/**
 * Failure classes from issue 13, for per-class numbers: identity (owner, project title, contract number: title
 * page and notice), date-role (which of several dates), table-value (one cell or clause among neighbouring values),
 * near-miss (not in the document, but the document names the topic with another attribute), lead-in-list (the
 * answer is the list a lead-in sentence introduces), addendum (a later addendum changes the value).
 */
export const TAGS = ['identity', 'date-role', 'table-value', 'near-miss', 'lead-in-list', 'addendum'] as const;

export const SETS_DIR = fileURLToPath(new URL('./sets/', import.meta.url));

const questionSchema = z
  .object({
    id: z.string().min(1),
    /** Section id in the question config the engine is given (default "eval"). */
    section: z.string().min(1).optional(),
    text: z.string().min(1),
    expected_type: z.enum(EXPECTED_TYPES).default('string'),
    /** Failure classes this question probes (see TAGS); `npm run eval` prints metrics per tag. */
    tags: z.array(z.enum(TAGS)).optional(),
    pages: z.array(z.number().int().positive()).optional(),
    accept: z.array(z.string().min(1)).optional(),
    reject: z.array(z.string().min(1)).optional(),
    evidence: z.array(z.string().min(1)).optional(),
    not_in_document: z.boolean().optional(),
    note: z.string().optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.not_in_document === true) {
      if (q.pages?.length || q.accept?.length)
        ctx.addIssue({ code: 'custom', message: `${q.id}: a not-in-document question has no pages or accept` });
    } else if (!q.pages?.length || !q.accept?.length) {
      ctx.addIssue({
        code: 'custom',
        message: `${q.id}: an answerable question needs pages and accept (or not_in_document: true)`,
      });
    }
    for (const entry of [...(q.accept ?? []), ...(q.reject ?? []), ...(q.evidence ?? [])]) {
      const re = /^\/(.+)\/([a-z]*)$/s.exec(entry);
      if (re) {
        try {
          new RegExp(re[1] as string, re[2]);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `${q.id}: bad regex ${entry}: ${(e as Error).message}` });
        }
      }
    }
  });

const setSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    /**
     * A corpus file name (looked up in ../shared/corpus) or the name of a generated document
     * (eval/generated-documents.ts).
     */
    document: z.union([
      z.object({ corpus: z.string().min(1) }).strict(),
      z.object({ generated: z.string().min(1) }).strict(),
    ]),
    /** Section names for the question config (section id -> name); optional. */
    sections: z.record(z.string(), z.string()).optional(),
    questions: z.array(questionSchema).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    for (const q of s.questions) {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', message: `duplicate question id ${q.id}` });
      seen.add(q.id);
    }
  });

export type EvalQuestion = z.infer<typeof questionSchema>;
export type EvalSet = z.infer<typeof setSchema>;

export function parseEvalSet(json: unknown, source: string): EvalSet {
  const parsed = setSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

export async function loadEvalSets(dir = SETS_DIR): Promise<EvalSet[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => parseEvalSet(JSON.parse(await readFile(path.join(dir, f), 'utf8')), f)));
}

/** The question config handed to the engine: one section per `section` value, in first-seen order. */
export function toQuestionConfig(set: EvalSet): QuestionConfig {
  const sections = new Map<string, QuestionConfig['sections'][number]>();
  for (const q of set.questions) {
    const id = q.section ?? 'eval';
    let section = sections.get(id);
    if (!section) {
      section = { section_id: id, section_name: set.sections?.[id] ?? id, description: '', questions: [] };
      sections.set(id, section);
    }
    section.questions.push({ id: q.id, text: q.text, required: true, expected_type: q.expected_type });
  }
  return {
    config_name: `eval-${set.name}`,
    version: '1',
    description: set.description,
    sections: [...sections.values()],
  };
}

export function documentLabel(set: EvalSet): string {
  return 'corpus' in set.document ? set.document.corpus : `generated:${set.document.generated}`;
}

/** Every question of the set answered by the offline engine over the document's pages, as a user's run would. */
export async function analyseEvalSet(set: EvalSet, pages: IngestedPage[]) {
  const config = toQuestionConfig(set);
  return runAnalysis(
    {
      documentName: documentLabel(set),
      pages,
      input: { config, enabledSections: config.sections.map((s) => s.section_id), guardrails: '' },
      engine: 'extractive',
    },
    { createEngine: () => createExtractiveEngine() },
  );
}
