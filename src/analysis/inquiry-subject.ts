/**
 * A sentence whose subject is the bidders' questions about a topic ("Questions regarding the bid bond shall be
 * directed to the Engineer", "Inquiries about pipe sizes received after May 2 will not be answered") states how
 * questions are handled, not anything of the topic: the topic's words are the object of "questions about". It
 * answers only a question about the questions themselves (a deadline for inquiries, where to send them).
 */

/** The sentence opens with bidders' questions about something: "Questions about", "All inquiries regarding". */
const OPENS_WITH_INQUIRY =
  /^\s*(?:(?:all|any)\s+)?(?:questions?|inquiries|inquiry|enquiries|enquiry|requests?\s+for\s+(?:information|clarification|interpretation)|RFIs?)\s+(?:about|regarding|concerning|on|as\s+to|related\s+to|relating\s+to|pertaining\s+to|with\s+respect\s+to|in\s+regard\s+to)\b/i;
/** The question is itself about questions, inquiries or clarifications. */
const ASKS_OF_INQUIRIES =
  /\b(?:questions?|inquir\w*|enquir\w*|RFIs?|requests?\s+for\s+(?:information|clarification|interpretation)|clarifications?|interpretations?)\b/i;

/** Whether the sentence is about questions on the topic rather than the topic, for a question not about inquiries. */
export function statesInquiryHandling(questionText: string, text: string): boolean {
  return OPENS_WITH_INQUIRY.test(text) && !ASKS_OF_INQUIRIES.test(questionText);
}
