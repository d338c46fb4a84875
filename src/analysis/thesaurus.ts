/**
 * Loads thesaurus.json once (read with the file system, like the default question config, so no JSON-module loader is
 * needed).
 */
import { readFileSync } from 'node:fs';

export interface Thesaurus {
  words: Record<string, string>;
  phrases: Record<string, string[]>;
  expansions: Record<string, string[]>;
}

function load(): Thesaurus {
  const raw = JSON.parse(readFileSync(new URL('./thesaurus.json', import.meta.url), 'utf8')) as Partial<Thesaurus>;
  return { words: raw.words ?? {}, phrases: raw.phrases ?? {}, expansions: raw.expansions ?? {} };
}

export const THESAURUS: Thesaurus = load();
