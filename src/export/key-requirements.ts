/**
 * The "key project requirements" block of the executive summary: the answers an estimator looks for first,
 * found by matching question texts (configs differ, so there are no fixed question ids to rely on).
 */
import type { FullResult, QuestionAnswer } from '../analysis/types.js';
import { isAnswered } from './export-model.js';

interface RequirementRule {
  label: string;
  /**
   * Patterns from most to least specific. Only the most specific pattern that matches any question is used,
   * so a vague match elsewhere ("...related to schedule?") never stands in for the real question.
   */
  patterns: RegExp[];
}

const REQUIREMENT_RULES: RequirementRule[] = [
  {
    label: 'Timeline',
    patterns: [
      /\btimeline\b|\b(project|contract|total) (duration|time)\b|\b(time of completion|completion date)\b/i,
      /\b(schedule|calendar days|working days)\b/i,
    ],
  },
  { label: 'Scope', patterns: [/\bscope\b/i, /\b(linear footage|total length|quantit(y|ies))\b/i] },
  { label: 'Location', patterns: [/\blocation\b/i, /\b(address|city|county|project site)\b/i] },
  {
    label: 'Bid deadline',
    patterns: [/\bdeadlines?\b/i, /\b(bid opening|bids? (are )?due|due date|submission date)\b/i],
  },
  { label: 'Payment', patterns: [/\bpayment terms\b/i, /\b(payments?|retainage)\b/i] },
  { label: 'Warranty', patterns: [/\bwarranty (period|duration|term)\b/i, /\b(warrant(y|ies)|guarantee)\b/i] },
  { label: 'Liquidated damages', patterns: [/\bliquidated damages\b/i] },
  { label: 'Bonding', patterns: [/\bbond(s|ing)?\b/i] },
  {
    label: 'Certifications',
    patterns: [
      /\b(licens\w*|certifications?)\b.*\bcontractor\b|\bcontractor\b.*\b(licens\w*|certifications?)\b/i,
      /\b(certif\w*|licens\w*)\b/i,
    ],
  },
  { label: 'Insurance', patterns: [/\binsurance\b/i] },
];

export interface KeyRequirement {
  label: string;
  /** The question the row is taken from: the first answered one among the best matches, else the first match. */
  answer: QuestionAnswer;
}

/** Rows for each requirement some question matches; requirements no question asks about are omitted. */
export function findKeyRequirements(result: FullResult): KeyRequirement[] {
  const answers = result.sections.flatMap((section) => section.answers);
  const rows: KeyRequirement[] = [];
  for (const rule of REQUIREMENT_RULES) {
    for (const pattern of rule.patterns) {
      const matches = answers.filter((answer) => pattern.test(answer.question));
      const chosen = matches.find(isAnswered) ?? matches[0];
      if (chosen) {
        rows.push({ label: rule.label, answer: chosen });
        break;
      }
    }
  }
  return rows;
}
