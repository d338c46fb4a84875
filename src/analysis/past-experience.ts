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

/*
 * Stricter, for valued questions: a sentence stating a qualification at all ("successful installation of at least
 * 12,000 feet of 12-inch diameter or larger", or any sentence under a "Qualifications" article) binds only to a
 * question about who may bid, never to one about this project's quantities or sizes ("What pipe sizes are included in
 * the project?").
 */

/** Words of a sentence (or its article title) that state a past-work requirement. */
const QUALIFICATION_STATEMENT =
  /\b(?:experience[ds]?|qualifications?|qualified|commercially proven|successful(?:ly)?\s+(?:installed|installation|completed)|(?:has|have|had)\s+(?:successfully\s+)?(?:installed|completed|performed)|similar projects?|references?|track record|prior projects?|past projects?)\b/i;

/** Words of a question that ask about a bidder's qualifications rather than the project itself. */
const QUALIFICATION_QUESTION =
  /\b(?:experience[ds]?|qualif\w*|prequalif\w*|proven|installed|completed|similar|references?|track record|past|prior|previous|history|demonstrate\w*|bidder|installer|contractor|subcontractor|manufacturer|firm|personnel|superintendent|foreman|staff)\b/i;

/**
 * True when the sentence (read with its article title) states a qualification requirement and the question asks
 * about the project, not about who may bid: the sentence's values are about something else.
 */
export function statesQualificationOnly(questionText: string, sentence: string, articleTitle: string): boolean {
  if (QUALIFICATION_QUESTION.test(questionText)) return false;
  return QUALIFICATION_STATEMENT.test(sentence) || QUALIFICATION_STATEMENT.test(articleTitle);
}
