/** Public surface of the export module: what the HTTP route (and scripts) call. */
export { buildExport, isExportFormat, EXPORT_FORMATS, EXPORT_CONTENT_TYPES } from './build-export.js';
export type { ExportFile, ExportFormat } from './build-export.js';
export { contentDisposition, buildExportFilename } from './content-disposition.js';
export type { ExportInput, ExportSession, SessionStatus } from './export-input.js';
export { isPartialRun } from './export-input.js';
export { writeXlsx } from './write-xlsx.js';
