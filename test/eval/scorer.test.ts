/** The evaluation scorer on a tiny hand-made set: matching and every metric checked against counts done by hand. */
import { describe, expect, it } from 'vitest';
import {
  checkFloors,
  matchesAccept,
  normalizeForMatch,
  reliability,
  scoreQuestion,
  summarize,
  truthProblems,
  type EngineAnswer,
  type Truth,
} from '../../eval/scorer.js';
import { loadEvalSets, parseEvalSet, toQuestionConfig } from '../../eval/sets.js';
import { comparison, isGood, type QuestionRow } from '../../eval/compare.js';
import { GENERATED_DOCUMENTS, buildGeneratedPdf } from '../../eval/generated-documents.js';
import { testConfig } from '../../src/config.js';
import { ingestPdf } from '../../src/ingest/index.js';
import { loadDefaultConfig } from '../../src/questions/index.js';

const answer = (text: string | null, pages: number[], confidence: number, value: unknown = null): EngineAnswer => ({
  answer: text,
  value,
  pages,
  confidence,
});

describe('eval scorer matching', () => {
  it('normalises case, white space, dashes and quotes before matching', () => {
    expect(normalizeForMatch('  Bids  DUE\u00a0April\u2013 17 \u201cnoon\u201d ')).toBe('bids due april- 17 "noon"');
    expect(matchesAccept('The bid is due  APRIL 17, 2025 at 2 PM', ['april 17, 2025'])).toBe(true);
    expect(matchesAccept('Workers\u2019 Compensation', ["workers' compensation"])).toBe(true);
  });

  it('treats "/source/flags" entries as case-insensitive regexes and other entries as substrings', () => {
    expect(matchesAccept('shall be 6.0 MM thick', ['/6\\.0 ?mm/'])).toBe(true);
    expect(matchesAccept('shall be 6.5 mm thick', ['/6\\.0 ?mm/'])).toBe(false);
    expect(matchesAccept('a/b', ['/'])).toBe(true); // a lone slash is a substring, not an empty regex
    expect(matchesAccept('', ['anything'])).toBe(false);
    expect(matchesAccept('anything', ['   '])).toBe(false);
  });
});

describe('eval scorer metrics', () => {
  // Six questions: 4 answerable, 2 not in the document. Hand counts in the comments.
  const truths: Record<string, Truth> = {
    a: { pages: [3], accept: ['5%'] }, // right page, right answer
    b: { pages: [4, 9], accept: ['120 days'] }, // right page (9), wrong answer
    c: { pages: [2], accept: ['4,500'], reject: ['250,000'] }, // whole table row: accept matches but reject too
    d: { pages: [7], accept: ['one year'] }, // abstained
    e: { not_in_document: true }, // answered anyway: false answer
    f: { not_in_document: true }, // abstained: right
  };
  const answers: Record<string, EngineAnswer> = {
    a: answer('five percent (5%) of the bid', [3], 0.9),
    b: answer('90 days', [1, 9], 0.85),
    c: answer('Flexural Strength 4,500 psi Flexural Modulus 250,000 psi', [2], 0.6),
    d: answer(null, [], 0.1),
    e: answer('$2,000,000', [5], 0.35),
  };
  const scores = Object.entries(truths).map(([id, t]) => scoreQuestion(id, t, answers[id]));

  it('scores each question: page hit needs an answer citing a truth page, answer hit needs accept and no reject', () => {
    const by = Object.fromEntries(scores.map((s) => [s.id, s]));
    expect([by.a?.pageHit, by.a?.answerHit]).toEqual([true, true]);
    expect([by.b?.pageHit, by.b?.answerHit]).toEqual([true, false]);
    expect([by.c?.pageHit, by.c?.answerHit, by.c?.passageHit]).toEqual([true, false, true]);
    expect([by.d?.answered, by.d?.pageHit, by.d?.answerHit]).toEqual([false, false, false]);
    expect([by.e?.answerable, by.e?.answered, by.e?.right]).toEqual([false, true, false]);
    expect([by.f?.answerable, by.f?.answered]).toEqual([false, false]); // missing answer counts as abstained
  });

  it('matches the typed value as well as the answer text', () => {
    expect(
      scoreQuestion('v', { pages: [1], accept: ['2025-04-17'] }, answer('Thursday, April 17', [1], 0.9, '2025-04-17'))
        .answerHit,
    ).toBe(true);
  });

  it('computes the rates from the hand counts', () => {
    const m = summarize(scores);
    expect(m).toMatchObject({
      questions: 6,
      answerable: 4,
      notInDocument: 2,
      answered: 4,
      pageHits: 3,
      answerHits: 1,
      passageHits: 2,
      falseAnswers: 1,
      abstainedAnswerable: 1,
    });
    expect(m.passageHit).toBeCloseTo(2 / 4);
    expect(m.pageHit).toBeCloseTo(3 / 4);
    expect(m.answerHit).toBeCloseTo(1 / 4);
    expect(m.falseAnswerRate).toBeCloseTo(1 / 2);
    expect(m.abstentionRate).toBeCloseTo(1 / 4);
    expect(summarize([]).pageHit).toBeNull();
  });

  it('puts answered questions in confidence bands with the share right, 1.0 in the top band', () => {
    const bands = reliability([...scores, scoreQuestion('g', { pages: [1], accept: ['x'] }, answer('x', [1], 1))]);
    expect(bands.map((b) => [b.band, b.count, b.right])).toEqual([
      ['[0,0.3)', 0, 0],
      ['[0.3,0.5)', 1, 0], // e
      ['[0.5,0.8)', 1, 0], // c
      ['[0.8,1]', 3, 2], // a, b, g
    ]);
    expect(bands[3]?.shareRight).toBeCloseTo(2 / 3);
    expect(bands[0]?.shareRight).toBeNull();
  });

  it('reports floors that are not met and ignores rates without a denominator', () => {
    const m = summarize(scores);
    expect(checkFloors('s', m, { pageHit: 0.7, answerHit: 0.2, falseAnswerRate: 0.5 })).toEqual([]);
    const v = checkFloors('s', m, { pageHit: 0.8, answerHit: 0.3, falseAnswerRate: 0.4 });
    expect(v).toHaveLength(3);
    expect(v[0]).toMatch(/page-hit 75\.0 % < floor 80\.0 %/);
    expect(checkFloors('s', summarize(scores.filter((s) => s.answerable)), { falseAnswerRate: 0 })).toEqual([]);
  });
});

describe('eval sets', () => {
  it('rejects an answerable question without pages and a not-in-document question with accept strings', () => {
    const base = { name: 'x', description: '', document: { generated: 'g' } };
    expect(() => parseEvalSet({ ...base, questions: [{ id: 'q', text: 't', accept: ['a'] }] }, 'x.json')).toThrow(
      /needs pages and accept/,
    );
    expect(() =>
      parseEvalSet({ ...base, questions: [{ id: 'q', text: 't', not_in_document: true, accept: ['a'] }] }, 'x.json'),
    ).toThrow(/no pages or accept/);
    expect(() =>
      parseEvalSet({ ...base, questions: [{ id: 'q', text: 't', pages: [1], accept: ['/(/'] }] }, 'x.json'),
    ).toThrow(/bad regex/);
  });

  it('loads every committed set, each with a known generated document or a corpus file name', async () => {
    const sets = await loadEvalSets();
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) {
      if ('generated' in set.document) expect(Object.keys(GENERATED_DOCUMENTS)).toContain(set.document.generated);
      else expect(set.document.corpus).toMatch(/\.pdf$/);
      expect(toQuestionConfig(set).sections.flatMap((s) => s.questions)).toHaveLength(set.questions.length);
    }
  });

  it('holds every question of the default CIPP checklist, word for word, in the CIPP section set', async () => {
    const sets = await loadEvalSets();
    const cipp = sets.find((s) => s.name === 'cipp-default-checklist');
    const defaults = loadDefaultConfig().sections.flatMap((s) =>
      s.questions.map((q) => ({ section: s.section_id, id: q.id, text: q.text })),
    );
    expect(defaults).toHaveLength(100);
    expect(cipp?.questions.map((q) => ({ section: q.section, id: q.id, text: q.text }))).toEqual(defaults);
  });
});

describe('eval truth check', () => {
  it('flags a truth page where no accept or evidence entry appears, and a page beyond the document', () => {
    const pages = ['Bids are due April 17, 2025.', 'The City will retain 5% of each payment.'];
    expect(truthProblems('q', { pages: [1], accept: ['april 17'] }, pages)).toEqual([]);
    expect(truthProblems('q', { pages: [1, 2], accept: ['april 17'] }, pages)).toEqual([
      'q: no accept entry appears on truth page 2',
    ]);
    expect(truthProblems('q', { pages: [2], accept: ['/^city$/'], evidence: ['the city'] }, pages)).toEqual([]);
    expect(truthProblems('q', { pages: [3], accept: ['x'] }, pages)).toEqual([
      'q: truth page 3 is beyond the document (2 pages)',
    ]);
    expect(truthProblems('q', { not_in_document: true }, pages)).toEqual([]);
  });

  it('finds the truth of every generated set on the pages of its generated PDF', async () => {
    const sets = (await loadEvalSets()).filter((s) => 'generated' in s.document);
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) {
      if (!('generated' in set.document)) continue;
      const doc = await ingestPdf(await buildGeneratedPdf(set.document.generated), testConfig({ OCR: 'off' }).ingest);
      const texts = doc.pages.map((p) => p.text);
      expect(
        set.questions.flatMap((q) => truthProblems(q.id, q, texts)),
        set.name,
      ).toEqual([]);
    }
  }, 180_000);
});

describe('eval comparison with an earlier report', () => {
  const row = (id: string, truth: Truth, a: EngineAnswer): QuestionRow => ({
    ...scoreQuestion(id, truth, a),
    text: `question ${id}`,
    answer: a.answer,
    pages: a.pages,
    truth_pages: truth.pages ?? null,
    accept: truth.accept ?? null,
    not_in_document: truth.not_in_document === true,
    tags: [],
  });
  const t1: Truth = { pages: [1], accept: ['5%'] };
  const t2: Truth = { not_in_document: true };

  it('lists questions that became right and those that broke, with the metric deltas in points', () => {
    const before = [row('a', t1, answer('10%', [1], 0.9)), row('b', t2, answer(null, [], 0))];
    const now = [row('a', t1, answer('5%', [1], 0.9)), row('b', t2, answer('$1,000', [2], 0.8))];
    const lines = comparison({ sets: [{ name: 's', metrics: summarize(before), questions: before }] }, [
      { name: 's', metrics: summarize(now), questions: now },
    ]);
    expect(lines[0]).toBe('s: page-hit +0.0  answer-hit +100.0  false-answer +100.0 points');
    expect(lines.slice(1)).toEqual([
      '  fixed  a      question a  now: "5%"',
      '  BROKEN b      question b  now: "$1,000"',
    ]);
    expect(isGood(now[0] as QuestionRow)).toBe(true);
  });

  it('names a set the earlier report does not have', () => {
    expect(comparison({ sets: [] }, [{ name: 'new', metrics: summarize([]), questions: [] }])).toEqual([
      'new: not in the earlier report',
    ]);
  });
});
