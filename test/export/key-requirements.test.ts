import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findKeyRequirements } from '../../src/export/key-requirements.js';
import type { QuestionConfig } from '../../src/questions/types.js';
import { makeFullResult, makeQuestionId } from './result-factory.js';

const defaultConfig = JSON.parse(
  readFileSync(new URL('../../src/questions/cipp_questions_default.json', import.meta.url), 'utf8'),
) as QuestionConfig;

/** A result whose questions are the default CIPP config's, all answered; factory ids map back to config ids. */
function resultWithDefaultQuestions(unanswered: string[] = []) {
  const texts: Record<string, string> = {};
  const configIds: Record<string, string> = {};
  defaultConfig.sections.forEach((section, s) =>
    section.questions.forEach((question, q) => {
      texts[makeQuestionId(s, q)] = question.text;
      configIds[makeQuestionId(s, q)] = question.id;
    }),
  );
  const overrides = Object.fromEntries(
    Object.entries(configIds)
      .filter(([, configId]) => unanswered.includes(configId))
      .map(([factoryId]) => [factoryId, { answer: null }]),
  );
  const result = makeFullResult({
    sections: defaultConfig.sections.length,
    questionsPerSection: 10,
    unansweredEvery: 1_000,
    questionTexts: texts,
    overrides,
  });
  return { result, configIdOf: (factoryId: string) => configIds[factoryId] };
}

describe('key project requirements', () => {
  it('picks the matching question of the default CIPP config for every requirement', () => {
    const { result, configIdOf } = resultWithDefaultQuestions();
    const picked = findKeyRequirements(result).map((row) => [row.label, configIdOf(row.answer.question_id)]);
    expect(picked).toEqual([
      ['Timeline', 'Q2'],
      ['Scope', 'Q3'],
      ['Location', 'Q1'],
      ['Bid deadline', 'Q6'],
      ['Payment', 'Q10'],
      ['Warranty', 'Q61'],
      ['Liquidated damages', 'Q69'],
      ['Bonding', 'Q9'],
      ['Certifications', 'Q94'],
      ['Insurance', 'Q9'],
    ]);
  });

  it('keeps an unanswered best match instead of borrowing a weaker match’s answer', () => {
    const { result, configIdOf } = resultWithDefaultQuestions(['Q2']);
    const timeline = findKeyRequirements(result).find((row) => row.label === 'Timeline');
    expect(configIdOf(timeline!.answer.question_id)).toBe('Q2');
    expect(timeline!.answer.answer).toBeNull();
  });

  it('prefers an answered question among equally good matches', () => {
    const { result, configIdOf } = resultWithDefaultQuestions(['Q9']);
    const bonding = findKeyRequirements(result).find((row) => row.label === 'Bonding');
    expect(configIdOf(bonding!.answer.question_id)).toBe('Q95');
  });

  it('omits requirements that no question asks about', () => {
    const result = makeFullResult({
      sections: 1,
      questionsPerSection: 2,
      questionTexts: { S1Q1: 'What resin type is required?', S1Q2: 'Is insurance required?' },
    });
    expect(findKeyRequirements(result).map((row) => row.label)).toEqual(['Insurance']);
  });
});
