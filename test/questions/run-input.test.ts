import { describe, expect, it } from 'vitest';
import {
  MAX_GUARDRAILS_CHARS,
  buildRunInput,
  countQuestions,
  loadDefaultConfig,
  parseQuestionConfig,
  selectSections,
} from '../../src/questions/index.js';

const small = parseQuestionConfig({
  sections: [
    { section_id: 'general', section_name: 'General', questions: [{ id: 'Q1', text: 'A?', expected_type: 'string' }] },
    {
      section_id: 'liner',
      section_name: 'Liner',
      questions: [
        { id: 'Q2', text: 'B?', expected_type: 'number' },
        { id: 'Q3', text: 'C?', expected_type: 'technical_spec' },
      ],
    },
    { section_id: 'bonds', section_name: 'Bonds', questions: [{ id: 'Q4', text: 'D?', expected_type: 'boolean' }] },
  ],
});

describe('loadDefaultConfig', () => {
  it('returns the built-in CIPP config: 10 sections of 10 questions', () => {
    const config = loadDefaultConfig();
    expect(config.config_name).toBe('CIPP Bid Specification Analysis');
    expect(config.sections).toHaveLength(10);
    expect(config.sections.every((s) => s.questions.length === 10)).toBe(true);
  });

  it('returns one shared, deep-frozen instance', () => {
    const config = loadDefaultConfig();
    expect(loadDefaultConfig()).toBe(config);
    expect(Object.isFrozen(config.sections[0]!.questions[0])).toBe(true);
    expect(() => {
      (config.sections as unknown[]).push({});
    }).toThrow(TypeError);
  });
});

describe('selectSections', () => {
  it('enables every section when no selection is given', () => {
    expect(selectSections(small, undefined)).toEqual(['general', 'liner', 'bonds']);
    expect(selectSections(small, null)).toEqual(['general', 'liner', 'bonds']);
    expect(selectSections(small, '  ')).toEqual(['general', 'liner', 'bonds']);
  });

  it('returns the selected ids in config order, without duplicates', () => {
    expect(selectSections(small, ['bonds', 'general', 'bonds'])).toEqual(['general', 'bonds']);
  });

  it('accepts the multipart form value as a JSON array string or a comma-separated list', () => {
    expect(selectSections(small, '["liner","bonds"]')).toEqual(['liner', 'bonds']);
    expect(selectSections(small, 'bonds, liner')).toEqual(['liner', 'bonds']);
  });

  it('rejects unknown ids with SECTIONS_INVALID naming them and the valid ones', () => {
    expect(() => selectSections(small, ['liner', 'warranty'])).toThrow(
      expect.objectContaining({
        code: 'SECTIONS_INVALID',
        message: expect.stringMatching(/"warranty".*general, liner, bonds/),
      }),
    );
  });

  it('rejects an empty selection with SECTIONS_INVALID instead of crashing', () => {
    expect(() => selectSections(small, [])).toThrow(expect.objectContaining({ code: 'SECTIONS_INVALID' }));
    expect(() => selectSections(small, '[]')).toThrow(expect.objectContaining({ code: 'SECTIONS_INVALID' }));
  });

  it('rejects a malformed sections field with SECTIONS_INVALID', () => {
    expect(() => selectSections(small, '["liner"')).toThrow(expect.objectContaining({ code: 'SECTIONS_INVALID' }));
    expect(() => selectSections(small, '[1, 2]')).toThrow(expect.objectContaining({ code: 'SECTIONS_INVALID' }));
  });
});

describe('buildRunInput and countQuestions', () => {
  it('narrows the config to the enabled sections and counts only their questions', () => {
    const input = buildRunInput(small, ['liner', 'bonds'], undefined);
    expect(input.enabledSections).toEqual(['liner', 'bonds']);
    expect(input.config.sections.map((s) => s.section_id)).toEqual(['liner', 'bonds']);
    expect(input.guardrails).toBe('');
    expect(countQuestions(input)).toBe(3);
    expect(countQuestions(buildRunInput(small, undefined, null))).toBe(4);
    expect(countQuestions(buildRunInput(loadDefaultConfig(), undefined, ''))).toBe(100);
  });

  it('trims guardrails and rejects ones over the maximum length with VALIDATION_FAILED', () => {
    expect(buildRunInput(small, undefined, '  only 8-24 inch mains \n').guardrails).toBe('only 8-24 inch mains');
    expect(buildRunInput(small, undefined, 'x'.repeat(MAX_GUARDRAILS_CHARS)).guardrails).toHaveLength(
      MAX_GUARDRAILS_CHARS,
    );
    expect(() => buildRunInput(small, undefined, 'x'.repeat(MAX_GUARDRAILS_CHARS + 1))).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/4,001 characters; the maximum is 4,000/),
      }),
    );
  });

  it('does not change the config it was given', () => {
    const before = JSON.stringify(small);
    buildRunInput(small, ['general'], 'context');
    expect(JSON.stringify(small)).toBe(before);
  });
});
