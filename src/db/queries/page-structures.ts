/**
 * Page structure (src/ingest/page-structure.ts) is stored beside the page text, not inside it: the
 * `page_structure` column holds one structure per page in page order (null for a page without one) and
 * `structure_version` the algorithm version that computed them. Writers split pages into the two columns;
 * readers join them back, dropping structures of another version (the analysis then computes them from the
 * text, as for rows stored before structure existed).
 */
import type { IngestedPage } from '../../ingest/types.js';
import { STRUCTURE_VERSION, type PageStructure } from '../../ingest/page-structure.js';

export interface SplitPages {
  /** The pages without their structure (JSON for the `pages` column). */
  pagesJson: string;
  /** Structures in page order (JSON for the `page_structure` column), null when no page has one. */
  structureJson: string | null;
  /** STRUCTURE_VERSION when structures are stored, else null. */
  version: number | null;
}

export function splitPageStructures(pages: IngestedPage[]): SplitPages {
  const bare = pages.map(({ structure: _structure, ...page }) => page);
  const structures = pages.map((p) => p.structure ?? null);
  const any = structures.some((s) => s !== null);
  return {
    pagesJson: JSON.stringify(bare),
    structureJson: any ? JSON.stringify(structures) : null,
    version: any ? STRUCTURE_VERSION : null,
  };
}

/**
 * Pages with their stored structures when those are of the current version. A structure left inside a page
 * object (written before the column existed, and not moved by the migration) is never trusted.
 */
export function joinPageStructures(
  pages: IngestedPage[] | null,
  structures: Array<PageStructure | null> | null,
  version: number | null,
): IngestedPage[] | null {
  if (pages === null) return null;
  const current = version === STRUCTURE_VERSION && Array.isArray(structures) && structures.length === pages.length;
  return pages.map((page, i) => {
    const { structure: _embedded, ...rest } = page;
    const stored = current ? (structures[i] ?? null) : null;
    return stored === null ? rest : { ...rest, structure: stored };
  });
}

interface StructureRow {
  pages: IngestedPage[] | null;
  page_structure: Array<PageStructure | null> | null;
  structure_version: number | null;
}

export function pagesOfRow(row: StructureRow | undefined): IngestedPage[] | null {
  return row === undefined ? null : joinPageStructures(row.pages, row.page_structure, row.structure_version);
}
