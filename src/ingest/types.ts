/** The shape of an ingested document: what every later stage (analysis, storage, UI) reads. */
import type { PageStructure } from './page-structure.js';

export interface IngestedPage {
  /** 1-based physical page number: the page the user's PDF viewer shows when asked for page N. */
  pageNumber: number;
  /** Printed page label where the PDF defines page labels (e.g. "iii", "A-4"), else null. */
  label: string | null;
  /**
   * Full page text in reading order, normalised (ligatures expanded, hyphenated line breaks joined). Lines separated by
   * "\n".
   */
  text: string;
  /** Lines of `text` identified as repeated running headers/footers (present on many pages). */
  boilerplateLines: string[];
  /** True when the text came from OCR (no usable text layer). Answers from such pages carry lower confidence. */
  ocr: boolean;
  /** Mean OCR word confidence 0..1 for OCR'd pages, else null. */
  ocrConfidence: number | null;
  /**
   * Headings, list items, table rows and the page's role (page-structure.ts). Absent on pages stored by
   * versions before it existed: the analysis derives it from `text` then.
   */
  structure?: PageStructure;
}

export interface IngestedDocument {
  pageCount: number;
  pages: IngestedPage[];
  /** Pages whose text came from OCR. */
  ocrPages: number[];
  timings: { parseMs: number; ocrMs: number; totalMs: number };
}
