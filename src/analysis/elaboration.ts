/**
 * Specifications often state a requirement in two sentences: the first names the subject, the next gives its value
 * ("C. The Contractor shall furnish logs of measurements of the inside dimensions of the sewers. For every 50-foot
 * length of sewer, at least one measurement shall be taken."; "Progress Payments. Contractor shall submit an
 * application for payment once each month."). Read alone, the first has the question's words but not the asked
 * value and the second the value but few of the words, so neither answers. A sentence holding the asked value is
 * therefore credited with the question's words of the sentence before it in the same paragraph, when that one lacks
 * the value.
 */

interface Readable {
  text: string;
  headingPath?: string;
  heading?: boolean;
  tableRow?: boolean;
}

/** A sentence that opens a new paragraph or list item ("D. ...", "2. ...", "1.04 ...", "(b) ...", "• ..."). */
const OPENS_ITEM =
  /^\s*(?:[A-Z][.)]\s|\.\d{1,2}\s|\d{1,2}[.)]\s|\d+(?:\.\d+)+\s|\([a-z0-9]{1,3}\)\s|[•\u2022▪·*\-–]\s)/;
/** Two sentences read together stay a short passage. */
const MAX_JOINED_WORDS = 90;

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/**
 * The text of `current` read with the sentence before it, when `current` holds the asked value, the sentence before
 * does not, and both are one paragraph; else undefined. Only the question's coverage is read from it: the value, the
 * subject binding and the quote stay `current`'s own.
 */
export function elaborationOf(
  previous: Readable | undefined,
  current: Readable,
  holdsAsked: (text: string) => boolean,
): string | undefined {
  if (previous === undefined || previous.heading === true || current.heading === true) return undefined;
  if (previous.tableRow === true || current.tableRow === true) return undefined;
  if ((previous.headingPath ?? '') !== (current.headingPath ?? '') || OPENS_ITEM.test(current.text)) return undefined;
  if (countWords(previous.text) + countWords(current.text) > MAX_JOINED_WORDS) return undefined;
  if (!holdsAsked(current.text) || holdsAsked(previous.text)) return undefined;
  return `${previous.text.trimEnd()} ${current.text.trimStart()}`;
}
