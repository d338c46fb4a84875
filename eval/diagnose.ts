/**
 * `npx tsx eval/diagnose.ts [SET[,SET]]`: every answerable question the engine misses, with where retrieval ranked a
 * truth page (of 60 passages), the engine's best three readings (score, coverage, type and attribute found, the
 * subject-binding rule a reading fails) and the passages. A working tool for reading failures, not part of CI.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setExtractiveTrace, type ExtractiveTrace } from '../src/analysis/engines/extractive-engine.js';
import { prepareDocument, retrieveForSections } from '../src/analysis/run-analysis.js';
import { testConfig } from '../src/config.js';
import { ingestPdf } from '../src/ingest/index.js';
import { buildGeneratedPdf } from './generated-documents.js';
import { scoreQuestion } from './scorer.js';
import { analyseEvalSet, loadEvalSets, toQuestionConfig } from './sets.js';

const only = process.argv[2];
const corpusDir = process.env.CORPUS_DIR ?? path.resolve('../shared/corpus');
const allSets = await loadEvalSets();
const unknown = (only ?? '').split(',').filter((n) => n !== '' && !allSets.some((s) => s.name === n));
if (unknown.length > 0) {
  process.stderr.write(`error: unknown set ${unknown.join(', ')} (known: ${allSets.map((s) => s.name).join(', ')})\n`);
  process.exit(2);
}
const sets = allSets.filter((s) => !only || only.split(',').includes(s.name));
const traces = new Map<string, Parameters<ExtractiveTrace>[0]>();
setExtractiveTrace((e) => traces.set(e.question.id, e));
const ingestConfig = testConfig({ OCR: 'off' }).ingest;
for (const set of sets) {
  traces.clear();
  const file = 'corpus' in set.document ? path.join(corpusDir, set.document.corpus) : null;
  if (file !== null && !existsSync(file)) {
    process.stdout.write(`NOTICE: skipping set ${set.name}: ${file} not found (set CORPUS_DIR)\n`);
    continue;
  }
  const bytes =
    file !== null
      ? new Uint8Array(await readFile(file))
      : await buildGeneratedPdf((set.document as { generated: string }).generated);
  const pages = (await ingestPdf(bytes, ingestConfig)).pages;
  const config = toQuestionConfig(set);
  const prepared = prepareDocument(pages);
  const deep = retrieveForSections(prepared.index, config.sections, 60, prepared.fields);
  const outcome = await analyseEvalSet(set, pages);
  const answers = new Map(outcome.result.sections.flatMap((s) => s.answers).map((a) => [a.question_id, a]));
  for (const q of set.questions) {
    const a = answers.get(q.id);
    if (q.not_in_document && (a?.answer ?? null) === null) continue;
    const sc = scoreQuestion(q.id, q, a);
    if (!q.not_in_document && sc.pageHit && sc.answerHit) continue;
    const truth = new Set(q.pages ?? []);
    const ranked = deep.get(q.id) ?? [];
    const rank = ranked.findIndex((r) => r.passage.pages.some((p) => truth.has(p)));
    const kind = q.not_in_document ? 'FALSE' : !sc.answered ? 'ABSTAIN' : !sc.pageHit ? 'WRONGPAGE' : 'WRONGVALUE';
    console.log(`${set.name}\t${q.id}\t${kind}\trank=${rank}\tconf=${(a?.confidence ?? 0).toFixed(2)}\t${q.text}`);
    if (a?.answer) console.log(`    answer p${a.pages.join(',')}: ${a.answer.slice(0, 160)}`);
    console.log(`    truth p${[...truth].join(',')}: ${(JSON.stringify(q.accept) ?? 'not in document').slice(0, 120)}`);
    if (rank >= 0)
      console.log(`    truth passage r${rank}: ${ranked[rank]?.passage.text ?? ''.replace(/\s+/g, ' ').slice(0, 220)}`);
    const t = traces.get(q.id);
    if (t) {
      console.log(`    TRACE attr=${t.intent.attribute} conf=${t.confidence.toFixed(2)}`);
      for (const s of t.scored.slice(0, 3))
        console.log(
          `      s=${s.score.toFixed(2)} cov=${s.coverage.toFixed(2)} tf=${s.typeFactor.toFixed(2)} attr=${s.attributeFound} unb=${s.unbound} tm=${s.value.typeMatched} p${s.pages.join(',')}: ${s.text.replace(/\s+/g, ' ').slice(0, 150)}`,
        );
    } else console.log('    TRACE none (title/fact or no concepts)');
    const top = ranked[0];
    if (top && rank !== 0)
      console.log(
        `    top passage p${top.passage.pages.join(',')}: ${top.passage.text.replace(/\s+/g, ' ').slice(0, 160)}`,
      );
  }
}
