/**
 * A time of day cut from its clause at a sentence split ("... no later than 2:00 p.m." / "(Mountain Standard
 * Time) on April 2, 2026"): the abbreviation's dot, or a line end after it, reads as a sentence end. The
 * sentence that continues it is read together with the one ending in the time, so the answer holds both.
 */

/** A sentence ending in a time of day written with a.m./p.m. ("2:00 p.m.", "11 a.m.", "2:30:00 PM"). */
const ENDS_IN_TIME = /\b\d{1,2}(?::\d{2}){0,2}\s*(?:[ap]\.\s?m\.?|[AP]M)\s*$/;
/** A sentence that cannot start one: a lower-case word, a bracket, or a word going on with the time's clause. */
const CONTINUES =
  /^(?:[(“"[]|[a-z]|(?:Local|Standard|Prevailing|Daylight|Mountain|Pacific|Eastern|Central|Atlantic)\b)/;

interface Joinable {
  text: string;
  pages: number[];
  spans?: unknown[];
}

/** Whether `next` continues the time of day `previous` ends with. */
export function continuesTimeOfDay(previous: string, next: string): boolean {
  return ENDS_IN_TIME.test(previous.trimEnd()) && CONTINUES.test(next.trimStart());
}

/** `current` read with the sentence before it when that one ends in a time `current` continues; else undefined. */
export function joinTimeContinuation<T extends Joinable>(previous: T | undefined, current: T): T | undefined {
  if (previous === undefined || !continuesTimeOfDay(previous.text, current.text)) return undefined;
  const pages = [...new Set([...previous.pages, ...current.pages])].sort((a, b) => a - b);
  const spans =
    previous.spans === undefined || current.spans === undefined ? undefined : [...previous.spans, ...current.spans];
  return { ...current, text: `${previous.text.trimEnd()} ${current.text.trimStart()}`, pages, spans };
}
