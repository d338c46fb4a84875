/**
 * "What documents are required before substantial performance?" asks for the things themselves, and specs list
 * them under a lead-in that names them: "... until the following documents have been received by the Owner: 1.
 * Occupancy Permit 2. ...". Sentences around it repeat the question's words ("At substantial performance, each
 * consultant shall perform a site visit ...") without listing any. A lead-in naming the asked things, read with
 * its items, is the answer. A lead-in may also end in a period ("shall deliver the following signed documents to
 * the City." then "1. Contract Agreement ...").
 */
import { tokenize } from './tokenize.js';

/** "What documents are/must/shall ...": the plural noun the question asks for (one word before it allowed). */
const ASKED_THINGS =
  /^\s*what\s+(?:[a-z-]+\s+)?([a-z-]{3,}s)\s+(?:are|is|must|shall|should|will|need|have|has|do|does|may|can)\b/i;
/** "the following ..." announcing items. */
const FOLLOWING = /\bthe\s+following\b/i;
/** The first item of a list: "1.", "a)", "A.", "(i)" or a bullet. */
const ITEM_START = /^\s*(?:\(?(?:\d{1,2}|[a-zA-Z]|[ivx]{1,4})[.)]\s|[•\u2022▪·*\-–]\s)/;

/** The stems of the things a "What <things> are ..." question asks for; null for any other question. */
export function askedThings(questionText: string): Set<string> | null {
  const m = ASKED_THINGS.exec(questionText);
  if (m === null) return null;
  const stems = tokenize(m[1] as string);
  return stems.length === 0 ? null : new Set(stems);
}

/** Whether a sentence ending in a period announces the list that follows it ("... the following documents."). */
export function announcesItems(text: string, next: string | undefined): boolean {
  return next !== undefined && /\.\s*$/.test(text) && FOLLOWING.test(text) && ITEM_START.test(next);
}

/** Whether a lead-in names the asked things ("the following documents" for "What documents ..."). */
export function leadInNamesThings(leadIn: string, things: ReadonlySet<string>): boolean {
  return tokenize(leadIn).some((t) => things.has(t));
}
