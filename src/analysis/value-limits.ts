/**
 * Words of a question that say what kind of limit or obligation is asked ("the maximum length", "is the visit
 * mandatory", "which resins are allowed") are matched by the ways specs state one: "shall not be more than ten (10)
 * pages", "an optional site visit", "the resin shall be polyester". Counting them as topic words that a sentence must
 * repeat word for word leaves the sentence that states the limit under the coverage bar.
 */

interface LimitWord {
  /** The question's word (whole word, any case). */
  question: RegExp;
  /** Its stems as tokenize.ts makes them: the coverage concept it forms. */
  stems: string[];
  /** The pseudo-token a sentence stating such a limit carries (never a real token: real ones have no "^"). */
  token: string;
  /** How a spec states it. */
  stated: RegExp;
}

const LIMIT_WORDS: LimitWord[] = [
  {
    question: /\b(?:maximum|max)\b/i,
    stems: ['maximum', 'max'],
    token: '^maximum',
    stated:
      /\b(?:max(?:imum)?|(?:not|never) (?:to )?exceed(?:ing)?|(?:not|no) (?:be )?(?:more|greater|longer|larger|higher|thicker|wider) than|(?<!(?:not|no) (?:be )?)less than|up to|at most|or less|limited to|(?:under|below) \$?\d)/i,
  },
  {
    question: /\b(?:minimum|min)\b/i,
    stems: ['minimum', 'min'],
    token: '^minimum',
    stated:
      /\b(?:min(?:imum)?|at least|(?:not|no) (?:be )?(?:less|fewer|shorter|smaller|lower|thinner) than|or more|or greater|or longer)\b/i,
  },
  {
    // "How often are progress payments made?" is answered by "once each month".
    question: /\b(?:how often|how frequently|frequency)\b/i,
    stems: ['often', 'frequent', 'frequency'],
    token: '^frequency',
    stated:
      /\b(?:monthly|weekly|daily|annually|yearly|quarterly|hourly|biweekly|(?:once|twice) (?:a|an|each|every|per)|(?:each|every|per) (?:calendar )?(?:month|week|day|year|quarter|shift)|every \d+|every (?:two|three|four|six))\b/i,
  },
  {
    // "Is the site visit mandatory?" is answered as well by "an optional site visit".
    question: /\b(?:mandatory|compulsory|obligatory|optional)\b/i,
    stems: ['mandatory', 'compulsory', 'obligatory', 'optional'],
    token: '^mandatory',
    stated: /\b(?:mandatory|compulsory|obligatory|optional|voluntary|(?:is|are|not) required)\b/i,
  },
  {
    // "Which resin types are allowed?": a spec names what is allowed by requiring it, or by letting it be used. Only
    // said of the subject: "the maximum allowable ovality" asks for a limit (the word before it), not what is allowed.
    question: /\b(?:is|are|be)\s+(?:allowed|permitted|allowable|permissible|acceptable)\b/i,
    stems: ['allow', 'permit', 'allowabl', 'permissibl', 'acceptabl'],
    token: '^allowed',
    stated:
      /\b(?:allow(?:ed|able)?|permit(?:ted)?|permissible|acceptable|accepted|approved|may be|shall be|must be|only)\b/i,
  },
  {
    // "Who should questions be sent to?": specs say how they travel ("emailed to", "directed to", "submitted to").
    question: /\b(?:sent|send|directed|addressed|e-?mailed|forwarded)\b/i,
    stems: ['sent', 'send', 'direct', 'address', 'email', 'mail', 'forward'],
    token: '^sent',
    stated:
      /\b(?:sent|send|directed|addressed|e-?mailed|mailed|forwarded|delivered|submitted|faxed|referred)\s+(?:in writing\s+)?(?:to|via|by)\b/i,
  },
];

/** The pseudo-tokens of the limits a sentence states ("not more than" → "^maximum"). */
export function statedLimitTokens(text: string): string[] {
  return LIMIT_WORDS.filter((w) => w.stated.test(text)).map((w) => w.token);
}

/** For each limit word of the question: its stems and the pseudo-token that stands in for them. */
export function askedLimits(questionText: string): Array<{ stems: string[]; token: string }> {
  return LIMIT_WORDS.filter((w) => w.question.test(questionText)).map(({ stems, token }) => ({ stems, token }));
}
