import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import {
  MAX_QUESTIONS,
  parseQuestionConfig,
  validateQuestionConfig,
  type ConfigProblem,
} from '../../src/questions/index.js';

function question(id: string, extra: Record<string, unknown> = {}) {
  return { id, text: `Question ${id}?`, required: true, expected_type: 'string', ...extra };
}

function config(sections: unknown[]) {
  return { config_name: 'Test', version: '2', description: 'd', sections };
}

function problemsOf(value: unknown): ConfigProblem[] {
  try {
    parseQuestionConfig(value);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CONFIG_INVALID');
    return ((err as AppError).details as { problems: ConfigProblem[] }).problems;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('parseQuestionConfig', () => {
  it('accepts a valid config from bytes, a JSON string or a parsed value, with only the known fields', () => {
    const value = config([
      {
        section_id: 's1',
        section_name: 'One',
        description: 'x',
        extra: 1,
        questions: [question('Q1', { note: 'ignored' })],
      },
    ]);
    const fromValue = parseQuestionConfig(value);
    expect(fromValue).toEqual({
      config_name: 'Test',
      version: '2',
      description: 'd',
      sections: [
        {
          section_id: 's1',
          section_name: 'One',
          description: 'x',
          questions: [{ id: 'Q1', text: 'Question Q1?', required: true, expected_type: 'string' }],
        },
      ],
    });
    expect(parseQuestionConfig(JSON.stringify(value))).toEqual(fromValue);
    expect(parseQuestionConfig(new TextEncoder().encode(`\uFEFF${JSON.stringify(value)}`))).toEqual(fromValue);
  });

  it('defaults required to false and fills missing names, versions and descriptions', () => {
    const parsed = parseQuestionConfig({
      sections: [
        { section_id: 's', section_name: 'S', questions: [{ id: 'a', text: 'What?', expected_type: 'list' }] },
      ],
    });
    expect(parsed.sections[0]!.questions[0]!.required).toBe(false);
    expect(parsed.sections[0]!.description).toBe('');
    expect(parsed.config_name).toBe('Custom question configuration');
    expect(parsed.version).toBe('1.0');
  });

  it('reports an unknown expected_type with its JSON path and the allowed types', () => {
    const problems = problemsOf(
      config([
        { section_id: 'a', section_name: 'A', questions: [question('Q1')] },
        { section_id: 'b', section_name: 'B', questions: [question('Q2')] },
        {
          section_id: 'c',
          section_name: 'C',
          questions: [
            question('Q3'),
            question('Q4'),
            question('Q5'),
            question('Q6'),
            question('Q7', { expected_type: 'numbr' }),
          ],
        },
      ]),
    );
    expect(problems).toEqual([
      {
        path: 'sections[2].questions[4].expected_type',
        message: 'unknown type "numbr"; expected one of string, number, date, technical_spec, boolean, list',
      },
    ]);
  });

  it('reports every problem in the file at once', () => {
    const problems = problemsOf(
      config([
        {
          section_id: 'a',
          section_name: 'A',
          questions: [question('Q1'), question('Q1'), question('Q2', { text: '  ' })],
        },
        { section_id: 'a', section_name: 'Again', questions: [] },
        { section_id: 'b', section_name: 'B', questions: [question('Q1', { required: 'yes' })] },
      ]),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'sections[0].questions[1].id',
      'sections[0].questions[2].text',
      'sections[1].section_id',
      'sections[1].questions',
      'sections[2].questions[0].id',
      'sections[2].questions[0].required',
    ]);
    expect(problems[0]!.message).toMatch(
      /duplicate question id "Q1" \(first used at sections\[0\]\.questions\[0\]\.id\)/,
    );
    expect(problems[2]!.message).toMatch(/duplicate section id "a"/);
    expect(problems[3]!.message).toMatch(/at least one question/);
  });

  it('rejects a config without sections or with an empty section list', () => {
    expect(problemsOf({ config_name: 'x' })).toEqual([
      { path: 'sections', message: 'is missing; a config needs at least one section' },
    ]);
    expect(problemsOf(config([]))).toEqual([{ path: 'sections', message: 'must contain at least one section' }]);
  });

  it('rejects more than the maximum number of questions', () => {
    const questions = Array.from({ length: MAX_QUESTIONS + 1 }, (_, i) => question(`Q${i}`));
    const problems = problemsOf(config([{ section_id: 's', section_name: 'S', questions }]));
    expect(problems).toEqual([
      { path: 'sections', message: `has ${MAX_QUESTIONS + 1} questions; the maximum is ${MAX_QUESTIONS}` },
    ]);
  });

  it('rejects text that is not JSON, and JSON that is not an object, without crashing', () => {
    const notJson = problemsOf('config_name: yaml?');
    expect(notJson[0]!.path).toBe('(root)');
    expect(notJson[0]!.message).toMatch(/not valid JSON/);
    expect(problemsOf('[1,2]')[0]!.message).toMatch(/must be a JSON object/);
    expect(problemsOf(new Uint8Array([0xff, 0x00, 0x12]))[0]!.message).toMatch(/not valid JSON/);
  });

  it('puts the first problems in the human message and all of them in details', () => {
    const questions = Array.from({ length: 8 }, (_, i) => question(`Q${i}`, { expected_type: 'bogus' }));
    try {
      parseQuestionConfig(config([{ section_id: 's', section_name: 'S', questions }]));
      expect.unreachable();
    } catch (err) {
      const appError = err as AppError;
      expect(appError.message).toMatch(
        /^The question config is not valid: sections\[0\]\.questions\[0\]\.expected_type: unknown type "bogus"/,
      );
      expect(appError.message).toMatch(/and 3 more\.$/);
      expect((appError.details as { problems: unknown[] }).problems).toHaveLength(8);
    }
  });
});

describe('validateQuestionConfig', () => {
  it('returns problems instead of throwing', () => {
    const result = validateQuestionConfig({ sections: 'nope' });
    expect(result.config).toBeNull();
    expect(result.problems).toEqual([{ path: 'sections', message: 'must be an array of sections; got "nope"' }]);
  });
});

describe("the zod schema keeps the hand-written validator's paths and messages", () => {
  it('names the root "(root)" and describes what it got instead of an object', () => {
    expect(validateQuestionConfig(null).problems).toEqual([
      { path: '(root)', message: 'must be a JSON object with a "sections" array; got null' },
    ]);
    expect(validateQuestionConfig('x').problems).toEqual([
      { path: '(root)', message: 'must be a JSON object with a "sections" array; got "x"' },
    ]);
  });

  it('reports one problem per field, with the wrong value described, and null counted as missing', () => {
    const problems = validateQuestionConfig({
      config_name: 7,
      version: [],
      sections: [
        {
          section_id: null,
          section_name: [],
          description: 3,
          questions: [{ id: 'a'.repeat(101), text: 'x'.repeat(2001), required: 'yes', expected_type: 5 }],
        },
        { section_id: 's2', section_name: 'S2', questions: null },
        [],
        {
          section_id: 's3',
          section_name: 'S3',
          questions: [
            null,
            { id: 'q', text: 'T', expected_type: null },
            { id: 'r', text: 'T', expected_type: ' date ' },
          ],
        },
      ],
    }).problems;
    const types = 'string, number, date, technical_spec, boolean, list';
    expect(problems).toEqual([
      { path: 'config_name', message: 'must be a string; got number' },
      { path: 'version', message: 'must be a string; got an array' },
      { path: 'sections[0].section_id', message: 'is missing' },
      { path: 'sections[0].section_name', message: 'must be a string; got an array' },
      { path: 'sections[0].description', message: 'must be a string; got number' },
      { path: 'sections[0].questions[0].id', message: 'is 101 characters; the maximum is 100' },
      { path: 'sections[0].questions[0].text', message: 'is 2001 characters; the maximum is 2000' },
      { path: 'sections[0].questions[0].required', message: 'must be true or false; got "yes"' },
      {
        path: 'sections[0].questions[0].expected_type',
        message: `must be a string; got number; expected one of ${types}`,
      },
      { path: 'sections[1].questions', message: 'must be an array; got null' },
      { path: 'sections[2]', message: 'must be an object; got an array' },
      { path: 'sections[3].questions[0]', message: 'must be an object; got null' },
      { path: 'sections[3].questions[1].expected_type', message: `is missing; expected one of ${types}` },
    ]);
  });

  it('lists the question count after the problems inside the sections, and trims ids before comparing them', () => {
    const questions = Array.from({ length: MAX_QUESTIONS + 1 }, (_, i) => question(i === 1 ? ' Q0 ' : `Q${i}`));
    const problems = validateQuestionConfig(config([{ section_id: 's', section_name: 'S', questions }])).problems;
    expect(problems).toEqual([
      {
        path: 'sections[0].questions[1].id',
        message:
          'duplicate question id "Q0" (first used at sections[0].questions[0].id); question ids must be unique across the file',
      },
      { path: 'sections', message: `has ${MAX_QUESTIONS + 1} questions; the maximum is ${MAX_QUESTIONS}` },
    ]);
  });

  it('keeps a numeric version as a string and trims the expected type', () => {
    const { config: parsed } = validateQuestionConfig({
      version: 3,
      sections: [{ section_id: 's', section_name: 'S', questions: [question('a', { expected_type: ' date ' })] }],
    });
    expect(parsed?.version).toBe('3');
    expect(parsed?.sections[0]!.questions[0]!.expected_type).toBe('date');
  });
});
