/**
 * "On what basis will the contract be awarded?" asks about an act (the award). A sentence on the same subject that
 * does not name the act ("Contract will be on a Lump Sum ... basis") states something else of it, however well it
 * repeats the question's rarer words; "The Contract will be awarded to the lowest responsible bidder" states it.
 */
import { tokenize } from './tokenize.js';

/** A question ending in a passive act: "... be awarded?", "... to be reinstated?", "... been completed?". */
const FINAL_ACT = /\b(?:be|been)\s+([a-z]+(?:ed|en|wn|id|lt|ne))\s*\?*\s*$/i;

/** The stems of the act a question ends with, or null when it ends with none. */
export function askedAct(questionText: string): Set<string> | null {
  const m = FINAL_ACT.exec(questionText);
  if (m === null) return null;
  const stems = tokenize(m[1] as string);
  return stems.length === 0 ? null : new Set(stems);
}

/** Whether the sentence's tokens name the act. */
export function namesAct(tokens: ReadonlySet<string>, act: ReadonlySet<string>): boolean {
  return [...act].some((t) => tokens.has(t));
}
