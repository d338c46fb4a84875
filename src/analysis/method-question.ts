/**
 * "How are proposals to be submitted?" asks for a means (by email, online via a portal, in PDF format), not for
 * anything said of submitted proposals. Every sentence of the submission article repeats "proposals" and
 * "submitted" ("All Proposals submitted will become the property of the Owner", "a submitted Bid may be revised by
 * uploading ..."), so coverage cannot tell them apart; the one that answers names a means for the asked act
 * itself: right after its verb ("submitted online via ...", "submit their Proposal in PDF format") or as the
 * act's own verb ("Proposals shall be emailed to ...").
 */
import { tokenize } from './tokenize.js';

/** "How are/is/do/should/must ..." (not "how many/much/long/often/soon": those ask for a value). */
const METHOD_QUESTION = /^\s*how\s+(?:is|are|was|were|do|does|did|shall|should|must|will|would|can|could|may|to)\b/i;
/**
 * A means: a channel or a form ("by email", "via ShareFile", "online", "electronically", "in PDF format", "in a
 * sealed envelope", "by uploading"). "By following the instructions in ..." points elsewhere, "by the deadline" is a
 * time and "by a Bidder" an agent: none names one.
 */
const MEANS =
  /^(?:by\s+(?:e-?mail|mail|post|courier|fax|facsimile|hand|messenger|electronic|registered|certified|(?!(?:following|referring|complying)\b)[a-z]+ing\b)|(?:via|through|using)\s+(?!(?:the\s+)?(?:deadline|date|time|closing|end|\d))|online\b|electronically\b|e-?mail\b|in\s+(?:an?\s+|the\s+)?(?:pdf|electronic|digital|hard[- ]?cop(?:y|ies)|paper|person|writing|sealed|separate(?:ly)?\s+sealed|original)\b)/i;
/** A means as the act's own verb ("Proposals shall be emailed to", "Bids must be uploaded to"). */
const MEANS_PREDICATE =
  /\b(?:be|is|are)\s+(?:e-?mailed|mailed|uploaded|faxed|couriered|hand[- ]delivered|posted\s+(?:to|on)|sent\s+(?:by|via|electronically))\b/i;
/** Words between the asked verb and its means ("submit their Proposal in PDF format"). */
const MAX_GAP_WORDS = 3;
/** Auxiliaries and question words: never the asked act. */
const NOT_VERBS = new Set(['how', 'is', 'are', 'was', 'were', 'do', 'does', 'did', 'shall', 'should', 'must', 'will']);

/**
 * The stems of the asked act's verb for a method question ("How are bids to be submitted?" → submit), or null
 * when the question asks no method. The act is the question's last word, or a participle in it ("How should
 * proposals be delivered to the Town?").
 */
export function askedMethodVerbs(questionText: string): Set<string> | null {
  if (!METHOD_QUESTION.test(questionText)) return null;
  const words = questionText
    .replace(/[?.!]+\s*$/, '')
    .split(/\s+/)
    .map((w) => w.replace(/[^A-Za-z-]/g, '').toLowerCase())
    .filter((w) => w !== '' && !NOT_VERBS.has(w));
  const verbs = words.filter((w, i) => i === words.length - 1 || /(?:ed|en)$/.test(w));
  const stems = new Set(verbs.flatMap((w) => tokenize(w)));
  return stems.size === 0 ? null : stems;
}

/** Whether the sentence names a means for the asked act (`verbs` from askedMethodVerbs). */
export function statesMeans(text: string, verbs: ReadonlySet<string>): boolean {
  if (MEANS_PREDICATE.test(text)) return true;
  const words = text.split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const word = (words[i] as string).replace(/[^A-Za-z-]/g, '');
    if (word === '' || !tokenize(word).some((t) => verbs.has(t))) continue;
    for (let j = i + 1; j <= i + 1 + MAX_GAP_WORDS && j < words.length; j++)
      if (MEANS.test(words.slice(j, j + 3).join(' '))) return true;
  }
  return false;
}
