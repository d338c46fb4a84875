/**
 * A value can set the scope of a rule rather than state what the rule requires: "(for Bid Security amounts less than
 * or equal to $15,000)", "on contracts exceeding $100,000", "15% for net increases of more than $50,000". Such a
 * threshold says when something applies; it is never the amount asked for ("What is the bid bond amount?"). The
 * engine blanks thresholds out before asking whether a sentence holds a value of the asked kind, so a sentence whose
 * only amount is a threshold reads as naming the topic without the asked value (and abstains).
 */
import { findQuantities } from './extract-value.js';

/** The thing a threshold measures, then its comparison: "amounts less than or equal to", "contracts exceeding". */
const THRESHOLD_LEAD =
  /\b(?:amounts?|values?|contracts?|subcontracts?|bids?|prices?|costs?|increases?|decreases?|changes?|change orders?|orders?|purchases?|projects?|claims?|work)\s+(?:\w+\s+){0,2}?(?:(?:of\s+)?(?:less|more|greater|lower|higher)\s+than(?:\s+or\s+equal\s+to)?|in\s+excess\s+of|exceeding|that\s+exceeds?|over|under|below|above|up\s+to)\s*$/i;
/** A requirement, not a scope: "in an amount not less than 10 percent", "no more than $5,000". */
const REQUIREMENT = /\b(?:not|no)\s+(?:less|more|greater|lower|higher)\s+than(?:\s+or\s+equal\s+to)?\s*$/i;

/** A question about the limit itself ("the maximum amount that may be paid by certified check"). */
const ASKS_LIMIT = /\b(?:maximum|minimum|max|min|limits?|threshold|ceiling|cap|up to|at most|at least|exceed\w*)\b/i;

/**
 * The text with every threshold value replaced by spaces (same length, so indexes still line up); unchanged when the
 * question asks for a limit, which a threshold states.
 */
export function withoutThresholds(text: string, questionText: string): string {
  if (ASKS_LIMIT.test(questionText)) return text;
  let out = text;
  for (const q of findQuantities(text).reverse()) {
    const before = text.slice(Math.max(0, q.index - 60), q.index);
    if (!THRESHOLD_LEAD.test(before) || REQUIREMENT.test(before)) continue;
    out = `${out.slice(0, q.index)}${' '.repeat(q.raw.length)}${out.slice(q.index + q.raw.length)}`;
  }
  return out;
}
