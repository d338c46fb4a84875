/**
 * The one entry point for downloads: format → file name, content type and body.
 * Partial runs (anything not `completed`) say PARTIAL in the file name as well as in the content.
 */
import { AppError } from '../errors.js';
import { buildExportFilename } from './content-disposition.js';
import type { ExportInput } from './export-input.js';
import { isPartialRun } from './export-input.js';
import { writeCsv } from './write-csv.js';
import { writeDocx } from './write-docx.js';
import { writeJson } from './write-json.js';
import { writeMarkdown } from './write-markdown.js';
import { buildXlsxBuffer } from './write-xlsx.js';

export const EXPORT_FORMATS = ['xlsx', 'csv', 'json', 'md', 'docx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export interface ExportFile {
  filename: string;
  contentType: string;
  /** Always a complete Buffer today (see docs/exports.md); typed wider so a writer may stream later. */
  body: Buffer | NodeJS.ReadableStream;
}

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

async function renderBody(format: ExportFormat, input: ExportInput): Promise<Buffer> {
  switch (format) {
    case 'xlsx':
      return buildXlsxBuffer(input);
    case 'csv':
      return writeCsv(input);
    case 'json':
      return writeJson(input);
    case 'md':
      return writeMarkdown(input);
    case 'docx':
      return writeDocx(input);
  }
}

/** `format` is typically the raw `?format=` query value; anything but the five formats is EXPORT_FORMAT_INVALID. */
export async function buildExport(format: string, input: ExportInput): Promise<ExportFile> {
  if (!isExportFormat(format)) {
    throw new AppError('EXPORT_FORMAT_INVALID', `Unknown export format; use one of: ${EXPORT_FORMATS.join(', ')}.`, {
      details: { allowed: EXPORT_FORMATS },
    });
  }
  return {
    filename: buildExportFilename(input.session.documentName, format, isPartialRun(input.session)),
    contentType: EXPORT_CONTENT_TYPES[format],
    body: await renderBody(format, input),
  };
}
