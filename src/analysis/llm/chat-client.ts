/**
 * An OpenAI-compatible chat-completions client (OpenAI, Azure OpenAI through a compatible gateway, Ollama,
 * vLLM, LM Studio...) on the `openai` SDK, with `p-limit` as the process-wide concurrency limit. The SDK does
 * the HTTP: URL, auth, JSON, per-attempt timeout, abort, typed errors with status and headers. This module owns
 * the policy around it — which failures to retry, how long to wait (Retry-After, backoff: `backoff.ts`), the
 * JSON-mode fallback — and reports the tokens each answered call was billed for. It knows nothing about
 * questions or answers.
 *
 * Why the SDK's own retries are off (`maxRetries: 0`): it sleeps out any Retry-After however long (a 600 s
 * header would hold a stopped run for ten minutes) and its sleep ignores the abort signal; a stop must end a
 * call at once, and a wait is capped at MAX_RETRY_WAIT_MS.
 *
 * Usage accounting: a call is billed when a response arrives with `usage`; failed attempts that produced no
 * response cost nothing and are not counted. A response that arrives but later turns out unusable is still
 * counted by the caller — it was paid for.
 */
import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { DEFAULT_RETRY_BASE_DELAY_MS, computeRetryDelayMs, parseRetryAfterMs, sleep } from './backoff.js';
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
  /**
   * Ask for `response_format: {type: 'json_object'}` (default true); dropped automatically if the server rejects it.
   */
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
  concurrencyLimit?: LimitFunction;
  /** Structured logger (pino-like). Never receives prompts, document text or the API key. */
  log?: { warn: (obj: Record<string, unknown>, msg: string) => void };
}

/** HTTP statuses worth another attempt: request timeout, conflict, rate limit and every server error. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const MAX_ERROR_DETAIL_CHARS = 300; // enough for a provider's error message, never a whole HTML error page

/**
 * Endpoints (base URL + model) that rejected `response_format`: later calls skip it instead of paying a 400 each time.
 */
const jsonModeUnsupported = new Set<string>();

const sharedLimits = new Map<string, LimitFunction>();

/**
 * One limit on concurrent LLM calls for the whole process: several runs (RUN_CONCURRENCY) share one API account
 * and its rate limits, so the limit cannot live inside a run. Same base URL and size → the same limit.
 */
export function getSharedConcurrencyLimit(baseUrl: string, size: number): LimitFunction {
  const key = `${baseUrl}#${size}`;
  let limit = sharedLimits.get(key);
  if (!limit) {
    limit = pLimit(size);
    sharedLimits.set(key, limit);
  }
  return limit;
}

/** Removes anything that looks like an API key from text we are about to put in an error or a log. */
export function redactSecrets(text: string, apiKey: string | null): string {
  let out = text;
  if (apiKey) out = out.split(apiKey).join('***');
  return out.replace(/\b(sk|rk|pk)-[A-Za-z0-9_*-]{6,}/g, '$1-***').replace(/Bearer\s+\S+/gi, 'Bearer ***');
}

/**
 * The provider's own words from an error reply (`{error: {message}}`, `{error: "..."}` or plain text), redacted and
 * short.
 */
function describeApiError(err: APIError, apiKey: string | null): string {
  const body = err.error as { message?: unknown } | string | undefined;
  let message: string;
  if (typeof body === 'string') message = body;
  else if (body && typeof body.message === 'string') message = body.message;
  else message = err.message.replace(/^\d{3} /, '').replace(/^status code \(no body\)$/, '');
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

/** The SDK returns the server's JSON unchecked: compatible servers differ, so read it defensively. */
function readContent(body: unknown): { content: string; finishReason: string | null } {
  const choice = (body as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }> } | null)
    ?.choices?.[0];
  const raw = choice?.message?.content;
  let content = '';
  if (typeof raw === 'string') content = raw;
  else if (Array.isArray(raw)) {
    // Some gateways return content parts: [{type: 'text', text: '...'}].
    content = raw.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return { content, finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null };
}

/** Retry-After in ms from an SDK error's headers: `retry-after-ms` (OpenAI's) first, then `Retry-After`. */
function retryAfterOf(err: APIError): number | null {
  const ms = err.headers?.get('retry-after-ms') ?? null;
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  return parseRetryAfterMs(err.headers?.get('retry-after') ?? null);
}

export function createChatClient(config: LlmConfig, options: ChatClientOptions = {}): ChatClient {
  const limit = options.concurrencyLimit ?? getSharedConcurrencyLimit(config.baseUrl, config.concurrency);
  const retryBaseDelayMs = options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
  const endpointKey = `${config.baseUrl}|${config.model}`;

  const openai = new OpenAI({
    baseURL: config.baseUrl.replace(/\/+$/, ''),
    // Local servers (Ollama, vLLM) need no key. The SDK insists on one, so it gets a placeholder and the header
    // is removed (a null header means "omit"): a "Bearer ..." they never asked for would only confuse their logs.
    apiKey: config.apiKey ?? 'no-key',
    ...(config.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    // Everything explicit, so OPENAI_* variables in the environment never change what is sent.
    adminAPIKey: null,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: config.timeoutMs,
    logLevel: 'off',
  });

  async function attemptOnce(
    jsonMode: boolean,
    messages: ChatMessage[],
    maxTokens: number | undefined,
    signal: AbortSignal | undefined,
  ) {
    // One controller per attempt, aborted by the per-call timeout or by the caller's signal; the timeout covers
    // the body too (the SDK's own stops at the headers). Not AbortSignal.any: on Node 20 it leaks every composite
    // into a long-lived source signal, and a run's signal lives for thousands of calls.
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, config.timeoutMs);
    const onCallerAbort = () => attempt.abort();
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (signal?.aborted) attempt.abort(); // aborted between taking the slot and getting here
    const promptEstimate = estimateMessagesTokens(messages);
    let body: unknown;
    try {
      body = await openai.chat.completions.create(
        {
          model: config.model,
          messages,
          temperature: 0,
          ...(jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
          ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
        },
        { signal: attempt.signal },
      );
    } catch (err) {
      return classifyFailure(err, { callerAborted: signal?.aborted === true, timedOut });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
    if (typeof body !== 'object' || body === null) {
      // A 200 whose body is not JSON came from a proxy or a broken server, not from the model: nothing was billed we
      // could see.
      return {
        kind: 'retryable',
        reason: 'response body is not JSON',
        status: 200,
        retryAfterMs: null,
      } satisfies AttemptOutcome;
    }
    const { content, finishReason } = readContent(body);
    const usage = readUsage(body);
    const reported = (body as { model?: unknown }).model;
    return {
      kind: 'ok',
      completion: {
        content,
        finishReason,
        model: typeof reported === 'string' ? reported : config.model,
        usage: usage
          ? { ...usage, estimated: false }
          : { prompt_tokens: promptEstimate, completion_tokens: estimateTokens(content), estimated: true },
      },
    } satisfies AttemptOutcome;
  }

  function classifyFailure(err: unknown, state: { callerAborted: boolean; timedOut: boolean }): AttemptOutcome {
    if (state.callerAborted) throw new AppError('RUN_ABORTED');
    if (state.timedOut || err instanceof APIConnectionTimeoutError) {
      return { kind: 'retryable', reason: `timed out after ${config.timeoutMs} ms`, status: null, retryAfterMs: null };
    }
    if (err instanceof SyntaxError)
      return { kind: 'retryable', reason: 'response body is not JSON', status: 200, retryAfterMs: null };
    if (err instanceof APIError && typeof err.status === 'number') {
      const detail = describeApiError(err, config.apiKey);
      if (err.status === 400) return { kind: 'bad-request', detail };
      if (isRetryableStatus(err.status)) {
        return {
          kind: 'retryable',
          reason: `HTTP ${err.status}${detail ? `: ${detail}` : ''}`,
          status: err.status,
          retryAfterMs: retryAfterOf(err),
        };
      }
      return { kind: 'fatal', status: err.status, detail };
    }
    // Connection errors: the SDK wraps fetch's TypeError, whose cause carries the system code (ECONNREFUSED...).
    const cause =
      err instanceof Error ? (err.cause as { cause?: { code?: unknown }; code?: unknown } | undefined) : undefined;
    const code = cause?.cause?.code ?? cause?.code;
    const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : 'unknown error';
    return {
      kind: 'retryable',
      reason: `network error (${redactSecrets(reason, config.apiKey)})`,
      status: null,
      retryAfterMs: null,
    };
  }

  /**
   * Run one attempt in a concurrency slot; an abort while queued ends the wait at once (the slot, when it comes, is
   * passed on).
   */
  function inSlot<T>(fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (!signal) return limit(fn);
    if (signal.aborted) return Promise.reject(new AppError('RUN_ABORTED'));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new AppError('RUN_ABORTED'));
      signal.addEventListener('abort', onAbort, { once: true });
      limit(() => (signal.aborted ? Promise.reject(new AppError('RUN_ABORTED')) : fn()))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async function complete(messages: ChatMessage[], opts: CompleteOptions = {}): Promise<ChatCompletion> {
    const signal = opts.signal;
    let jsonMode = (opts.jsonMode ?? true) && !jsonModeUnsupported.has(endpointKey);
    let triedWithoutJsonMode = false;
    let attempts = 0;
    let retriesUsed = 0;

    for (;;) {
      if (signal?.aborted) throw new AppError('RUN_ABORTED');
      const outcome = await inSlot(() => {
        attempts += 1;
        return attemptOnce(jsonMode, messages, opts.maxTokens, signal);
      }, signal);

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
          options.log?.warn(
            { baseUrl: config.baseUrl, model: config.model },
            'llm endpoint rejected response_format; retrying without JSON mode',
          );
          continue;
        }
        throw new AppError(
          'LLM_REQUEST_FAILED',
          `The language model rejected the request (HTTP 400)${outcome.detail ? `: ${outcome.detail}` : ''}`,
          {
            details: { status: 400, attempts },
          },
        );
      }
      if (outcome.kind === 'fatal') {
        throw new AppError(
          'LLM_REQUEST_FAILED',
          `The language model rejected the request (HTTP ${outcome.status})${outcome.detail ? `: ${outcome.detail}` : ''}`,
          {
            details: { status: outcome.status, attempts },
          },
        );
      }
      if (retriesUsed >= config.maxRetries) {
        throw new AppError(
          'LLM_REQUEST_FAILED',
          `The language model could not be reached after ${attempts} attempt(s): ${outcome.reason}`,
          {
            details: { status: outcome.status, attempts },
          },
        );
      }
      const delayMs = computeRetryDelayMs(retriesUsed, {
        retryAfterMs: outcome.retryAfterMs,
        baseDelayMs: retryBaseDelayMs,
      });
      options.log?.warn(
        { baseUrl: config.baseUrl, model: config.model, attempt: attempts, status: outcome.status, delayMs },
        `llm call failed (${outcome.reason}); retrying`,
      );
      retriesUsed += 1;
      await sleep(delayMs, signal);
    }
  }

  return { model: config.model, baseUrl: config.baseUrl, complete };
}
