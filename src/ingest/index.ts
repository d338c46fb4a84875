/** Public API of src/ingest: other modules import from here, not from the files behind it. */
export { ingestPdf } from './ingest-pdf.js';
export { inspectPdf } from './inspect-pdf.js';
export { ingestOptionsFromConfig } from './ingest-options.js';
export type { IngestOptions } from './ingest-options.js';
export type { IngestedDocument, IngestedPage } from './types.js';
export { buildPageStructure, classifyHeading } from './page-structure.js';
export type { PageRole, PageHeading, PageStructure, LineHints } from './page-structure.js';
