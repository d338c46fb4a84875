/**
 * What LLM tokens cost. Prices are USD per 1M tokens (the unit every provider publishes), kept in one
 * built-in table and overridable per deployment with LLM_PRICES (Config['analysis']['llm']['prices']).
 * A model we have no price for costs 0 but is flagged `priced: false`, so the UI can say "unknown price"
 * instead of claiming the run was free.
 */

export interface ModelPrice {
  /** USD per 1M prompt (input) tokens. */
  input: number;
  /** USD per 1M completion (output) tokens. */
  output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

export interface PriceLookup extends ModelPrice {
  /** False when neither the built-in table nor LLM_PRICES knows the model: the cost shown is 0 but unknown. */
  priced: boolean;
  /** The table entry that matched (e.g. "gpt-4o-mini" for "gpt-4o-mini-2024-07-18"), null when unpriced. */
  matched: string | null;
}

const TOKENS_PER_PRICE_UNIT = 1_000_000; // prices are quoted per 1M tokens

/** Public list prices (USD per 1M tokens, standard tier) at the time of writing; LLM_PRICES overrides any entry. */
export const BUILT_IN_PRICES: PriceTable = Object.freeze({
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10.0 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1': { input: 2.0, output: 8.0 },
  'gpt-4-turbo': { input: 10.0, output: 30.0 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'o3-mini': { input: 1.1, output: 4.4 },
});

/** Model names as providers spell them: case varies and routers prefix a provider ("openai/gpt-4o"). */
function normaliseModelName(model: string): string {
  const lower = model.trim().toLowerCase();
  const slash = lower.lastIndexOf('/');
  return slash >= 0 ? lower.slice(slash + 1) : lower;
}

function findEntry(table: PriceTable, model: string): { name: string; price: ModelPrice } | null {
  const name = normaliseModelName(model);
  const entries = Object.entries(table).map(([k, v]) => [normaliseModelName(k), v, k] as const);
  const exact = entries.find(([k]) => k === name);
  if (exact) return { name: exact[2], price: exact[1] };
  // Dated snapshots ("gpt-4o-mini-2024-07-18") cost what their family costs. The longest family name wins,
  // so "gpt-4o-mini-…" matches gpt-4o-mini, not gpt-4o.
  let best: (typeof entries)[number] | null = null;
  for (const entry of entries) {
    if (name.startsWith(`${entry[0]}-`) && (best === null || entry[0].length > best[0].length)) best = entry;
  }
  return best ? { name: best[2], price: best[1] } : null;
}

/** The price of a model: LLM_PRICES first (a deployment knows its own contract), then the built-in table. */
export function lookupPrice(model: string, overrides: PriceTable = {}): PriceLookup {
  const found = findEntry(overrides, model) ?? findEntry(BUILT_IN_PRICES, model);
  if (!found) return { input: 0, output: 0, priced: false, matched: null };
  return { input: found.price.input, output: found.price.output, priced: true, matched: found.name };
}

/** USD cost of a call (or a sum of calls) with this model. Unknown models cost 0 with `priced: false`. */
export function costOf(
  model: string,
  usage: { prompt_tokens: number; completion_tokens: number },
  overrides: PriceTable = {},
): { cost_usd: number; priced: boolean } {
  const price = lookupPrice(model, overrides);
  const cost = (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / TOKENS_PER_PRICE_UNIT;
  return { cost_usd: cost, priced: price.priced };
}
