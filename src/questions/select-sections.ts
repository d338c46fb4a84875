/** Which sections of a config a run analyses. */
import { AppError } from '../errors.js';
import type { QuestionConfig } from './types.js';

/**
 * Enabled section ids, in config order. `undefined`/`null`/blank = all sections. Accepts an array of ids or
 * the multipart form value: a JSON array string (`'["general_info","bonding"]'`) or a comma-separated list.
 * Unknown ids and an empty selection are SECTIONS_INVALID, naming the problem and the valid ids.
 */
export function selectSections(
  config: QuestionConfig,
  sectionIds: readonly string[] | string | null | undefined,
): string[] {
  const known = config.sections.map((s) => s.section_id);
  if (sectionIds === undefined || sectionIds === null) return known;
  const requested = typeof sectionIds === 'string' ? parseSectionList(sectionIds) : [...sectionIds];
  if (requested === null) return known;

  if (requested.some((id) => typeof id !== 'string')) {
    throw new AppError('SECTIONS_INVALID', 'The section selection must be a list of section ids (strings).');
  }
  const wanted = new Set(requested.map((id) => id.trim()).filter((id) => id.length > 0));
  if (wanted.size === 0) {
    throw new AppError('SECTIONS_INVALID', `No sections were selected; choose at least one of: ${known.join(', ')}.`);
  }
  const unknown = [...wanted].filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new AppError(
      'SECTIONS_INVALID',
      `Unknown section id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')}; this config has: ${known.join(', ')}.`,
      { details: { unknown, known } },
    );
  }
  return known.filter((id) => wanted.has(id));
}

/** null = "no selection given" (blank field). */
function parseSectionList(raw: string): string[] | null {
  const text = raw.trim();
  if (text.length === 0) return null;
  if (!text.startsWith('[')) return text.split(',');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('SECTIONS_INVALID', 'The "sections" field is not a valid JSON array of section ids.');
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string')) {
    throw new AppError('SECTIONS_INVALID', 'The "sections" field must be a JSON array of section ids (strings).');
  }
  return parsed as string[];
}
