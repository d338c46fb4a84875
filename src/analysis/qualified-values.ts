/**
 * Several values in one sentence, each stated "for" something ("0.013 for the host pipe and no greater than
 * 0.011 for the new liner"; "a 50 year life for the main hall and a 20 year life for the annex"): the answer is
 * the clause whose "for ..." names what the question names and no other clause's does.
 */
import { tokenize } from './tokenize.js';

/** Clause breaks between coordinated values: "; ", ", " and " and ". */
const CLAUSE_BREAK = /;\s+|,\s+(?:and\s+|or\s+)?|\s+(?:and|or|while|whereas)\s+/;
/** A value and, after it, what it is for. */
const VALUE_FOR = /\d[^]*?\bfor\s+(.+)$/i;

/** The clause stating the value for the question's own subject; null when the sentence does not read so. */
export function clauseForQualifier(sentence: string, questionText: string): string | null {
  const clauses = sentence
    .split(CLAUSE_BREAK)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  const qualified = clauses
    .map((text) => ({ text, purpose: VALUE_FOR.exec(text)?.[1] }))
    .filter((c): c is { text: string; purpose: string } => c.purpose !== undefined);
  if (qualified.length < 2) return null;
  const asked = new Set(tokenize(questionText));
  const tails = qualified.map((c) => new Set(tokenize(c.purpose)));
  const matching = qualified.filter((_, i) => {
    const others = new Set(tails.flatMap((t, j) => (j === i ? [] : [...t])));
    return [...(tails[i] as Set<string>)].some((t) => asked.has(t) && !others.has(t));
  });
  return matching.length === 1 ? (matching[0] as { text: string }).text.replace(/[.;,]$/, '') : null;
}
