import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, buildExport } from '../../src/export/build-export.js';
import type { SessionStatus } from '../../src/export/export-input.js';
import { AppError } from '../../src/errors.js';
import { makeExportInput } from './result-factory.js';

describe('buildExport', () => {
  it.each(EXPORT_FORMATS)('returns a named, typed, non-empty %s file', async (format) => {
    const file = await buildExport(format, makeExportInput());
    expect(file.filename).toBe(`Penhold RFP - analysis.${format}`);
    expect(file.contentType.length).toBeGreaterThan(0);
    expect(Buffer.isBuffer(file.body) && file.body.length > 0).toBe(true);
  });

  it.each<SessionStatus>(['queued', 'active', 'partial', 'failed'])(
    'labels the file name of a %s run PARTIAL',
    async (status) => {
      const file = await buildExport('csv', makeExportInput({ status }));
      expect(file.filename).toBe('Penhold RFP - analysis - PARTIAL.csv');
    },
  );

  it('rejects an unknown format with EXPORT_FORMAT_INVALID', async () => {
    for (const format of ['pdf', 'XLSX', '', '../xlsx', 'excel']) {
      const error: unknown = await buildExport(format, makeExportInput()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('EXPORT_FORMAT_INVALID');
      expect((error as AppError).status).toBe(400);
    }
  });

  it('exports a run with no sections and no answers yet', async () => {
    const input = makeExportInput({ status: 'queued', sections: 0 });
    for (const format of EXPORT_FORMATS) {
      const file = await buildExport(format, input);
      expect(Buffer.isBuffer(file.body) && file.body.length > 0).toBe(true);
    }
  });
});
