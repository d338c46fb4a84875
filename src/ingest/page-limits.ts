/** The page-count rule shared by inspectPdf and ingestPdf. */
import { AppError } from '../errors.js';

export function checkPageCount(pageCount: number, maxPages: number): void {
  if (pageCount < 1) throw new AppError('PDF_INVALID', 'The PDF has no pages.');
  if (pageCount > maxPages) {
    throw new AppError('PDF_TOO_MANY_PAGES', `The PDF has ${pageCount} pages; the maximum is ${maxPages} (MAX_PAGES).`);
  }
}
