import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIDENCE_BANDS } from '../../src/analysis/confidence-bands.js';

describe('confidence bands', () => {
  it('are the same cut points in the UI colour bands as in the calibration', async () => {
    const view = await readFile(new URL('../../src/web/public/results-view.js', import.meta.url), 'utf8');
    expect(Number(/const CONFIDENCE_HIGH = ([\d.]+);/.exec(view)?.[1])).toBe(CONFIDENCE_BANDS.high);
    expect(Number(/const CONFIDENCE_MEDIUM = ([\d.]+);/.exec(view)?.[1])).toBe(CONFIDENCE_BANDS.medium);
  });
});
