/**
 * Two kinds of question whose answer has a shape the expected types do not capture, and whose best-covered sentence
 * often lacks it: "Who should questions be sent to?" wants a person to contact (a name, an address to write to), and a
 * sentence that repeats "questions" and "RFP Authority" without naming anyone does not answer it; "How often are
 * progress payments made?" wants an interval ("once each month", "every 50 feet"), and a sentence about final payment
 * does not answer it. The engine lowers the score of sentences that lack the asked shape, so one that has it wins.
 */

export type AnswerShape = 'contact' | 'frequency';

const WHO = /\b(?:who|whom)\b/i;
const CONTACT_TOPIC =
  /\b(?:contact(?:s|ed)?|inquir\w*|enquir\w*|questions?|clarifications?|authority|representative|coordinator|(?:sent|directed|addressed|submitted|emailed)\s+to)\b/i;
const NAME_OF_CONTACT = /\bname of the (?:contact|person|representative|coordinator|project manager)\b/i;
const FREQUENCY_QUESTION = /^\s*how (?:often|frequently)\b|\bfrequency\b|\bat what intervals?\b/i;

/** The shape the question's answer must have, or null when it asks for none of these. */
export function askedShape(questionText: string): AnswerShape | null {
  if (FREQUENCY_QUESTION.test(questionText)) return 'frequency';
  if ((WHO.test(questionText) && CONTACT_TOPIC.test(questionText)) || NAME_OF_CONTACT.test(questionText))
    return 'contact';
  return null;
}

const EMAIL = /\b[\w.+-]+@[\w-]+\.[\w.]+\b/;
const PHONE = /\(?\d{3}\)?[\s.\-–]?\d{3}[\s.\-–]\d{4}\b/;
const NAME = "[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?";
/** "Attention: Jane Roe", "Attn: Jane Roe", "RFP Authority: Jane Roe", "Contact Person: Jane Roe". */
const LABELLED_NAME = new RegExp(
  `\\b(?:Attention|Attn\\.?|Contact(?: Person)?|Authority|Representative)\\s*:?\\s*${NAME}\\s+${NAME}`,
);
/** "Jane Roe, P.E.", "Mr. Roe", "Dr. Jane Roe". */
const TITLED_NAME = new RegExp(
  `\\b${NAME}\\s+(?:[A-Z]\\.\\s+)?${NAME},?\\s+(?:P\\.\\s?E\\.|P\\.\\s?Eng\\.?|Ph\\.\\s?D\\.?|R\\.A\\.)|\\b(?:Mr|Ms|Mrs|Dr)\\.\\s+${NAME}`,
);
const INTERVAL =
  /\b(?:every|each|once|twice|daily|weekly|biweekly|bi-weekly|monthly|semi-?monthly|quarterly|annually|yearly|hourly|intervals?)\b|\bper\s+(?:day|week|month|year|shift|hour)\b/i;

/** Whether the text has the asked shape (always true for a question that asks for none). */
export function holdsShape(text: string, shape: AnswerShape | null): boolean {
  switch (shape) {
    case null:
      return true;
    case 'contact':
      return EMAIL.test(text) || PHONE.test(text) || LABELLED_NAME.test(text) || TITLED_NAME.test(text);
    case 'frequency':
      return INTERVAL.test(text);
  }
}

/** Words that only say an interval is asked ("how often", "frequency"): not the topic a sentence must cover. */
const FREQUENCY_WORDS = ['often', 'frequently', 'frequency', 'interval', 'intervals'];

/** The question's words that name the shape of its answer rather than its topic. */
export function shapeFormWords(questionText: string): string[] {
  return askedShape(questionText) === 'frequency' ? FREQUENCY_WORDS : [];
}
