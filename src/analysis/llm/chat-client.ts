/**
 * A small OpenAI-compatible chat-completions client over Node's global fetch (OpenAI, Azure OpenAI through a
 * compatible gateway, Ollama, vLLM, LM Studio...). It owns the transport policy — one shared concurrency
 * limit, a per-call timeout, retries with backoff, Retry-After, the JSON-mode fallback — and reports the
 * tokens each answered call was billed for. It knows nothing about questions or answers.
 *
 * Usage accounting: a call is billed when a response arrives with `usage`; failed attempts that produced no
 * response cost nothing and are not counted. A response that arrives but later turns out unusable is still
 * counted by the caller — it was paid for.
 */
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { DEFAULT_RETRY_BASE_DELAY_MS, computeRetryDelayMs, parseRetryAfterMs, sleep } from './backoff.js';
import { type ConcurrencyLimit, getSharedConcurrencyLimit } from './concurrency-limit.js';
import { estimateMessagesTokens, estimateTokens } from './token-estimate.js';

export type LlmConfig = Config['analysis']['llm'];

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** True when the server sent no `usage` (some local servers) and the counts are our estimate. */
  estimated: boolean;
}

export interface ChatCompletion {
  content: string;
  usage: ChatUsage;
  /** The model the server says answered (may be a dated snapshot of the configured one). */
  model: string;
  finishReason: string | null;
  /** HTTP requests made for this completion, including failed attempts. */
  attempts: number;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  /** Ask for `response_format: {type: 'json_object'}` (default true); dropped automatically if the server rejects it. */
  jsonMode?: boolean;
  /** Upper bound on completion tokens (max_tokens); omitted when undefined. */
  maxTokens?: number;
}

export interface ChatClient {
  readonly model: string;
  readonly baseUrl: string;
  complete(messages: ChatMessage[], options?: CompleteOptions): Promise<ChatCompletion>;
}

export interface ChatClientOptions {
  /** First backoff step when the server gives no Retry-After (tests shorten it). */
  retryBaseDelayMs?: number;
  /** Override the process-wide limit (tests); by default the limit shared by every client of this endpoint. */
  concurrencyLimit?: ConcurrencyLimit;
  /** Structured logger (pino-like). Never receives prompts, document text or the API key. */
  log?: { warn: (obj: Record<string, unknown>, msg: string) => void };
}

/** HTTP statuses worth another attempt: request timeout, conflict, rate limit and every server error. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const MAX_ERROR_DETAIL_CHARS = 300; // enough for a provider's error message, never a whole HTML error page

/** Endpoints (base URL + model) that rejected `response_format`: later calls skip it instead of paying a 400 each time. */
const jsonModeUnsupported = new Set<string>();

/** Removes anything that looks like an API key from text we are about to put in an error or a log. */
export function redactSecrets(text: string, apiKey: string | null): string {
  let out = text;
  if (apiKey) out = out.split(apiKey).join('***');
  return out.replace(/\b(sk|rk|pk)-[A-Za-z0-9_*-]{6,}/g, '$1-***').replace(/Bearer\s+\S+/gi, 'Bearer ***');
}

function describeErrorBody(text: string, apiKey: string | null): string {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
    else if (parsed.error && typeof parsed.error.message === 'string') message = parsed.error.message;
    else if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the raw text
  }
  message = redactSecrets(message.replace(/\s+/g, ' ').trim(), apiKey);
  return message.length > MAX_ERROR_DETAIL_CHARS ? `${message.slice(0, MAX_ERROR_DETAIL_CHARS)}…` : message;
}

type AttemptOutcome =
  | { kind: 'ok'; completion: Omit<ChatCompletion, 'attempts'> }
  | { kind: 'retryable'; reason: string; status: number | null; retryAfterMs: number | null }
  | { kind: 'bad-request'; detail: string }
  | { kind: 'fatal'; status: number; detail: string };

function readUsage(body: unknown): { prompt_tokens: number; completion_tokens: number } | null {
  const usage = (body as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
  if (!usage) return null;
  const p = Number(usage.prompt_tokens);
  const c = Number(usage.completion_tokens);
  if (!Number.isFinite(p) || !Number.isFinite(c) || p < 0 || c < 0) return null;
  return { prompt_tokens: Math.round(p), completion_tokens: Math.round(c) };
}

function readContent(body: unknown): { content: string; finishReason: string | null } {
  const choice = (body as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }> } | null)?.choices?.[0];
  const raw = choice?.message?.content;
  let content = '';
  if (typeof raw === 'string') content = raw;
  else if (Array.isArray(raw)) {
    // Some gateways return content parts: [{type: 'text', text: '...'}].
    content = raw.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return { content, finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null };
}

export function createChatClient(config: LlmConfig, options: ChatClientOptions = {}): ChatClient {
  const url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const limit = options.concurrencyLimit ?? getSharedConcurrencyLimit(config.baseUrl, config.concurrency);
  const retryBaseDelayMs = options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
  const endpointKey = `${config.baseUrl}|${config.model}`;

  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  // Local servers (Ollama, vLLM) need no key; sending "Bearer null" would only confuse their logs.
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;

  async function attemptOnce(body: string, promptEstimate: number, signal: AbortSignal | undefined): Promise<AttemptOutcome> {
    // One controller per attempt, aborted by the per-call timeout or by the caller's signal. (Not
    // AbortSignal.any: on Node 20 it leaks every composite into a long-lived source signal, and a run's
    // signal lives for thousands of calls.)
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, config.timeoutMs);
    const onCallerAbort = () => attempt.abort();
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (signal?.aborted) attempt.abort(); // aborted between taking the slot and getting here
    let status: number;
    let text: string;
    let retryAfterHeader: string | null;
    let retryAfterMsHeader: string | null;
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: attempt.signal });
      status = res.status;
      retryAfterHeader = res.headers.get('retry-after');
      retryAfterMsHeader = res.headers.get('retry-after-ms');
      text = await res.text(); // still under the attempt's signal: a slow body is cut by the timeout or the stop
    } catch (err) {
      if (signal?.aborted) throw new AppError('RUN_ABORTED');
      if (timedOut) return { kind: 'retryable', reason: `timed out after ${config.timeoutMs} ms`, status: null, retryAfterMs: null };
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : 'unknown error';
      return { kind: 'retryable', reason: `network error (${redactSecrets(reason, config.apiKey)})`, status: null, retryAfterMs: null };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }

    if (status >= 200 && status < 300) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // A 200 whose body is not JSON came from a proxy or a broken server, not from the model: nothing was billed we could see.
        return { kind: 'retryable', reason: 'response body is not JSON', status, retryAfterMs: null };
      }
      const { content, finishReason } = readContent(parsed);
      const usage = readUsage(parsed);
      const reported = (parsed as { model?: unknown } | null)?.model;
      const model = typeof reported === 'string' ? reported : config.model;
      return {
        kind: 'ok',
        completion: {
          content,
          finishReason,
          model,
          usage: usage
            ? { ...usage, estimated: false }
            : { prompt_tokens: promptEstimate, completion_tokens: estimateTokens(content), estimated: true },
        },
      };
    }
    const detail = describeErrorBody(text, config.apiKey);
    if (status === 400) return { kind: 'bad-request', detail };
    if (isRetryableStatus(status)) {
      const retryAfterMs = retryAfterMsHeader !== null && /^\d+(\.\d+)?$/.test(retryAfterMsHeader.trim())
        ? Math.round(Number(retryAfterMsHeader))
        : parseRetryAfterMs(retryAfterHeader);
      return { kind: 'retryable', reason: `HTTP ${status}${detail ? `: ${detail}` : ''}`, status, retryAfterMs };
    }
    return { kind: 'fatal', status, detail };
  }

  async function complete(messages: ChatMessage[], opts: CompleteOptions = {}): Promise<ChatCompletion> {
    const signal = opts.signal;
    let jsonMode = (opts.jsonMode ?? true) && !jsonModeUnsupported.has(endpointKey);
    let triedWithoutJsonMode = false;
    const promptEstimate = estimateMessagesTokens(messages);
    let attempts = 0;
    let retriesUsed = 0;

    for (;;) {
      if (signal?.aborted) throw new AppError('RUN_ABORTED');
      const body = JSON.stringify({
        model: config.model,
        messages,
        temperature: 0,
        ...(jsonMode ? { response_format: { type: 'json_object' } } : {}),
        ...(opts.maxTokens !== undefined ? { max_tokens: opts.maxTokens } : {}),
      });
      const release = await limit.acquire(signal);
      let outcome: AttemptOutcome;
      try {
        attempts += 1;
        outcome = await attemptOnce(body, promptEstimate, signal);
      } finally {
        release();
      }

      if (outcome.kind === 'ok') {
        if (triedWithoutJsonMode) jsonModeUnsupported.add(endpointKey);
        return { ...outcome.completion, attempts };
      }
      if (outcome.kind === 'bad-request') {
        // Older local servers reject response_format with a 400: the prompt already demands JSON, so try once
        // without it. This retry is not a failure of the endpoint, so it does not use up maxRetries.
        if (jsonMode && !triedWithoutJsonMode) {
          jsonMode = false;
          triedWithoutJsonMode = true;
          options.log?.warn({ baseUrl: config.baseUrl, model: config.model }, 'llm endpoint rejected response_format; retrying without JSON mode');
          continue;
        }
        throw new AppError('LLM_REQUEST_FAILED', `The language model rejected the request (HTTP 400)${outcome.detail ? `: ${outcome.detail}` : ''}`, {
          details: { status: 400, attempts },
        });
      }
      if (outcome.kind === 'fatal') {
        throw new AppError('LLM_REQUEST_FAILED', `The language model rejected the request (HTTP ${outcome.status})${outcome.detail ? `: ${outcome.detail}` : ''}`, {
          details: { status: outcome.status, attempts },
        });
      }
      if (retriesUsed >= config.maxRetries) {
        throw new AppError('LLM_REQUEST_FAILED', `The language model could not be reached after ${attempts} attempt(s): ${outcome.reason}`, {
          details: { status: outcome.status, attempts },
        });
      }
      const delayMs = computeRetryDelayMs(retriesUsed, { retryAfterMs: outcome.retryAfterMs, baseDelayMs: retryBaseDelayMs });
      options.log?.warn({ baseUrl: config.baseUrl, model: config.model, attempt: attempts, status: outcome.status, delayMs }, `llm call failed (${outcome.reason}); retrying`);
      retriesUsed += 1;
      await sleep(delayMs, signal);
    }
  }

  return { model: config.model, baseUrl: config.baseUrl, complete };
}
