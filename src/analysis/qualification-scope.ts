/**
 * Experience requirements are a second source of quantities in every specification: "the installer shall have
 * installed not less than 50,000 linear feet of cured-in-place pipe", "successful installation of at least 12,000 feet
 * of 12-inch diameter or larger". Those numbers describe a bidder's past work, not this project: they answer "how much
 * experience must the installer have?" but never "how many linear feet will be lined?" or "what pipe sizes are in the
 * project?". This module tells the two apart, so a value stated for a qualification binds only to a question about
 * qualifications.
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
