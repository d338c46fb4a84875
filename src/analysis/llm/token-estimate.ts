/**
 * Token counts before a call is made (planning, preflight estimates, the budget cap). We carry no tokenizer:
 * OpenAI-family tokenizers average ~4 characters per token on English prose, but specification text is dense
 * with numbers, units, section symbols and standard designations ("ASTM F1216-22") that split into more
 * tokens, so we divide by less than 4 and round up — estimates should err on the expensive side.
 */

/** Characters per token assumed by the estimator (conservative: real English prose is ~4). */
export const CHARS_PER_TOKEN = 3.5;

/** Tokens a chat API adds around every message (role markers, separators). */
export const TOKENS_PER_MESSAGE_OVERHEAD = 4;

/** Estimated tokens of a piece of text; rounds up so that a sum of estimates never undercounts. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Estimated prompt tokens of a list of chat messages. */
export function estimateMessagesTokens(messages: ReadonlyArray<{ content: string }>): number {
  let total = 0;
  for (const m of messages) total += estimateTokens(m.content) + TOKENS_PER_MESSAGE_OVERHEAD;
  return total;
}
