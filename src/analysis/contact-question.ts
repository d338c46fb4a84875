/**
 * "Who is the contact for inquiries?" / "Who should questions be sent to?" asks for a person to reach. The article
 * on inquiries repeats the question's words in every sentence ("The RFP Authority may decline to respond to
 * questions received after the deadline"); the one that answers names the person with a way to reach them (an
 * e-mail address or a telephone number).
 */

/** A who-question about a person to reach: a contact, an authority or manager, where questions or inquiries go. */
const CONTACT_QUESTION =
  /^\s*(?:who|to\s+whom)\b.*\b(?:contact|authority|representative|inquir\w*|enquir\w*|questions?|officer|manager|administrator|coordinator|agent|sent|directed|addressed)\b/i;
/** A way to reach someone: an e-mail address or a North American style telephone number. */
const REACH = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/;
const REACH_ALL = new RegExp(REACH.source, 'g');

/** Whether the question asks who to contact (see above). */
export function asksContact(questionText: string): boolean {
  return CONTACT_QUESTION.test(questionText);
}

/** Whether the sentence gives a way to reach someone (an e-mail address or a telephone number). */
export function statesContact(text: string): boolean {
  return REACH.test(text);
}

/** The text without its e-mail addresses and telephone numbers: a contact block's digits are no table cells. */
export function withoutContactDetails(text: string): string {
  return text.replace(REACH_ALL, ' ');
}
