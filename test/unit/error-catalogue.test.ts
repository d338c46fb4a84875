import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors.js';

describe('error catalogue', () => {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]));

  it('documents every code in docs/errors.md with its HTTP status', () => {
    for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
      expect(rows.get(code), code).toBe(status);
    }
  });

  it('documents no code that does not exist', () => {
    for (const code of rows.keys()) expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
  });
});
