/**
 * A bidder's past experience is stated with the same quantities as the project's own scope: "The installer shall
 * have installed not less than 50,000 linear feet of cured-in-place pipe during the last five years" repeats "linear
 * feet" and "sewers" of "How many linear feet of sewer will be lined?", but its value measures past work, not this
 * work ("The work consists of lining approximately 4,200 linear feet"). Unless the question asks about experience,
 * such a sentence does not state what was asked.
 */

/** Past work required of a bidder: "shall have installed at least ...", "during the last five years". */
const PERFECT_WORK =
  /\b(?:shall|must|should|will)\s+have\s+(?:successfully\s+|satisfactorily\s+)?(?:installed|completed|performed|constructed|placed|lined|rehabilitated|undertaken|executed|managed)\b/i;
/** A minimum amount of it ("shall have completed all Work by May 1" is a deadline, not experience). */
const MINIMUM = /\b(?:not\s+less\s+than|at\s+least|a\s+minimum\s+of|minimum\s+of)\b/i;
const PAST_WINDOW =
  /\b(?:during|in|within|over)\s+the\s+(?:last|past|previous|preceding)\s+(?:[a-z]+\s+)?(?:\(\d+\)\s+)?(?:years?|months?)\b/i;
/** A question about experience or qualifications, where past work is the answer. */
const ASKS_EXPERIENCE =
  /\b(?:experience[ds]?|qualifications?|qualified|qualify|track\s+record|references?|previous|past|prior|completed|history)\b/i;

/** Whether the question asks about the bidder's experience or qualifications (see above). */
export function asksExperience(questionText: string): boolean {
  return ASKS_EXPERIENCE.test(questionText);
}

/** Whether the sentence states past work required of a bidder (see above). */
export function statesPastWork(text: string): boolean {
  return PAST_WINDOW.test(text) || (PERFECT_WORK.test(text) && MINIMUM.test(text));
}
