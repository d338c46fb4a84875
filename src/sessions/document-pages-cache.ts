/**
 * Stored documents' page text, kept in process after the first read. The analyzer page asks for an estimate on
 * every form change (debounced), each one by document id; without this every estimate read the document's whole
 * page text (megabytes for a long manual) from the database. A document's pages never change once stored, so a
 * cached copy is never stale; callers still check the document's row (owner, expiry) on every request, so access
 * control does not depend on what is cached here.
 */
import { LRUCache } from 'lru-cache';
import type { IngestedPage } from '../ingest/types.js';

// Enough for a dozen long manuals at once; a 1,500-page document is ~6 MB of text (UTF-16 in memory: ×2).
const MAX_CACHED_BYTES = 64 * 1024 * 1024;

function pagesSize(pages: IngestedPage[]): number {
  let chars = 0;
  for (const page of pages) chars += page.text.length + 64;
  return Math.max(1, chars * 2);
}

const cache = new LRUCache<string, IngestedPage[]>({ maxSize: MAX_CACHED_BYTES, sizeCalculation: pagesSize });
let hits = 0;
let misses = 0;

/** The document's pages from memory, or from `load` (once per document while it stays cached). */
export async function cachedDocumentPages(
  documentId: string,
  load: () => Promise<IngestedPage[] | null>,
): Promise<IngestedPage[] | null> {
  const known = cache.get(documentId);
  if (known) {
    hits += 1;
    return known;
  }
  misses += 1;
  const pages = await load();
  // Documents stored without page text (none today, but the column is nullable) are simply not cached.
  if (pages && pages.length > 0) cache.set(documentId, pages);
  return pages;
}

/** For tests and metrics: reads served from memory and from the database since start. */
export function documentPagesCacheStats(): { hits: number; misses: number; bytes: number; entries: number } {
  return { hits, misses, bytes: cache.calculatedSize, entries: cache.size };
}
