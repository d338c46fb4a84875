import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChatClient } from '../../../src/analysis/llm/chat-client.js';
import { AppError } from '../../../src/errors.js';
import { type FakeLlmServer, startFakeLlmServer } from '../../helpers/fake-llm-server.js';
import { llmTestConfig } from './llm-test-config.js';
import { HUNG_MS, STOPPED_WITHIN_MS, settleWithin } from '../../helpers/bounded-wait.js';

const MESSAGES = [
  { role: 'system' as const, content: 'Reply with JSON.' },
  { role: 'user' as const, content: 'What is the liner thickness?' },
];
const OK = { content: '{"answers":[]}', usage: { prompt_tokens: 120, completion_tokens: 8 } };

async function captureError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('chat client', () => {
  let fake: FakeLlmServer;
  beforeEach(async () => {
    fake = await startFakeLlmServer();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('posts a temperature-0 JSON-mode chat completion with the bearer key and returns content and usage', async () => {
    fake.enqueue(OK);
    const client = createChatClient(
      llmTestConfig(fake.url, { apiKey: 'sk-test-secret-123456', model: 'gpt-4.1-mini' }),
    );
    const completion = await client.complete(MESSAGES);

    expect(completion).toMatchObject({
      content: '{"answers":[]}',
      attempts: 1,
      usage: { prompt_tokens: 120, completion_tokens: 8, estimated: false },
    });
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-test-secret-123456');
    expect(request?.body).toMatchObject({
      model: 'gpt-4.1-mini',
      temperature: 0,
      response_format: { type: 'json_object' },
      messages: MESSAGES,
    });
  });

  it('reaches a compatible server under any base URL path, with or without a trailing slash', async () => {
    fake.enqueue(OK, OK);
    const gateway = fake.url.replace(/\/v1$/, '/gateway/openai/v1');
    await createChatClient(llmTestConfig(gateway)).complete(MESSAGES);
    await createChatClient(llmTestConfig(`${gateway}/`)).complete(MESSAGES);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/gateway/openai/v1/chat/completions',
      '/gateway/openai/v1/chat/completions',
    ]);
  });

  it('sends only what the config says, whatever OPENAI_* variables the environment holds', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPENAI_API_KEY: 'sk-from-env-0000000',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      OPENAI_ORG_ID: 'org-env',
      OPENAI_PROJECT_ID: 'proj-env',
    });
    try {
      fake.enqueue(OK);
      await createChatClient(llmTestConfig(fake.url)).complete(MESSAGES);
    } finally {
      for (const key of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    const headers = fake.requests[0]?.headers ?? {};
    expect(headers.authorization).toBeUndefined();
    expect(headers['openai-organization']).toBeUndefined();
    expect(headers['openai-project']).toBeUndefined();
  });

  it('sends no Authorization header when no key is configured (local servers)', async () => {
    fake.enqueue(OK);
    await createChatClient(llmTestConfig(fake.url)).complete(MESSAGES);
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('estimates usage when the server reports none', async () => {
    fake.enqueue({ content: '{"answers":[]}', omitUsage: true });
    const completion = await createChatClient(llmTestConfig(fake.url)).complete(MESSAGES);
    expect(completion.usage.estimated).toBe(true);
    expect(completion.usage.prompt_tokens).toBeGreaterThan(10);
    expect(completion.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('retries once without response_format when the server rejects it with 400, and remembers', async () => {
    fake.enqueue(
      { status: 400, json: { error: { message: 'Unrecognized request argument supplied: response_format' } } },
      OK,
      OK,
    );
    const config = llmTestConfig(fake.url, { maxRetries: 0, model: 'json-mode-less-model' });
    const completion = await createChatClient(config).complete(MESSAGES);
    expect(completion.attempts).toBe(2);
    expect(fake.requests[0]?.body?.response_format).toEqual({ type: 'json_object' });
    expect(fake.requests[1]?.body?.response_format).toBeUndefined();

    await createChatClient(config).complete(MESSAGES);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[2]?.body?.response_format).toBeUndefined();
  });

  it('honours Retry-After on 429 before trying again', async () => {
    fake.enqueue(
      { status: 429, headers: { 'retry-after': '1' }, json: { error: { message: 'Rate limit reached' } } },
      OK,
    );
    const completion = await createChatClient(llmTestConfig(fake.url, { maxRetries: 1 }), {
      retryBaseDelayMs: 1,
    }).complete(MESSAGES);
    expect(completion.attempts).toBe(2);
    const gap = (fake.requests[1]?.receivedAt ?? 0) - (fake.requests[0]?.endedAt ?? 0);
    expect(gap).toBeGreaterThanOrEqual(950);
    // A bound for a busy machine, not a speed claim: it only rules out reading the header as something far longer.
    expect(gap).toBeLessThan(30_000);
  });

  it('retries a 500 and succeeds, counting only the answered call', async () => {
    fake.enqueue({ status: 500 }, { status: 503 }, OK);
    const completion = await createChatClient(llmTestConfig(fake.url, { maxRetries: 3 }), {
      retryBaseDelayMs: 5,
    }).complete(MESSAGES);
    expect(completion.attempts).toBe(3);
    expect(completion.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 8 });
    expect(fake.totals.completions).toBe(1);
  });

  it('retries a 200 whose body is not JSON (a proxy page), without counting it as an answer', async () => {
    fake.enqueue({ status: 200, text: '<html>Bad gateway</html>' }, OK);
    const completion = await createChatClient(llmTestConfig(fake.url, { maxRetries: 1 }), {
      retryBaseDelayMs: 5,
    }).complete(MESSAGES);
    expect(completion).toMatchObject({ attempts: 2, usage: { prompt_tokens: 120, completion_tokens: 8 } });
  });

  it('fails with LLM_REQUEST_FAILED after maxRetries when the server keeps failing', async () => {
    fake.setHandler(() => ({ status: 500, json: { error: { message: 'The server had an error' } } }));
    const err = await captureError(
      createChatClient(llmTestConfig(fake.url, { maxRetries: 2 }), { retryBaseDelayMs: 5 }).complete(MESSAGES),
    );
    expect(err.code).toBe('LLM_REQUEST_FAILED');
    expect(err.details).toMatchObject({ status: 500, attempts: 3 });
    expect(fake.requests).toHaveLength(3);
  });

  it('retries a refused connection and then fails with LLM_REQUEST_FAILED', async () => {
    const gone = await startFakeLlmServer();
    await gone.close();
    const err = await captureError(
      createChatClient(llmTestConfig(gone.url, { maxRetries: 2 }), { retryBaseDelayMs: 5 }).complete(MESSAGES),
    );
    expect(err.code).toBe('LLM_REQUEST_FAILED');
    expect(err.message).toMatch(/3 attempt\(s\): network error \(ECONNREFUSED\)/);
  });

  it('does not retry a 401 and never puts the API key in the error', async () => {
    const key = 'sk-proj-SuperSecretKey987654321';
    fake.enqueue({ status: 401, json: { error: { message: `Incorrect API key provided: ${key}.` } } });
    const err = await captureError(
      createChatClient(llmTestConfig(fake.url, { apiKey: key, maxRetries: 3 })).complete(MESSAGES),
    );
    expect(err.code).toBe('LLM_REQUEST_FAILED');
    expect(err.details).toMatchObject({ status: 401 });
    expect(err.message).toContain('401');
    expect(err.message).not.toContain('SuperSecretKey');
    expect(JSON.stringify(err.details)).not.toContain('SuperSecretKey');
    expect(fake.requests).toHaveLength(1);
  });

  it('treats a timeout as a retryable failure', async () => {
    fake.enqueue({ hang: true }, OK);
    const started = Date.now();
    const completion = await createChatClient(llmTestConfig(fake.url, { timeoutMs: 300, maxRetries: 1 }), {
      retryBaseDelayMs: 5,
    }).complete(MESSAGES);
    expect(completion.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(fake.requests[0]?.clientAborted).toBe(true);
  });

  it('fails with LLM_REQUEST_FAILED when every attempt times out', async () => {
    fake.setHandler(() => ({ hang: true }));
    const err = await captureError(
      createChatClient(llmTestConfig(fake.url, { timeoutMs: 200, maxRetries: 1 }), { retryBaseDelayMs: 5 }).complete(
        MESSAGES,
      ),
    );
    expect(err.code).toBe('LLM_REQUEST_FAILED');
    expect(err.message).toMatch(/timed out after 200 ms/);
    expect(fake.requests).toHaveLength(2);
  });

  it('ends a call when aborted, with RUN_ABORTED, instead of waiting for the server', async () => {
    fake.setHandler(() => ({ hang: true }));
    const controller = new AbortController();
    // The call would otherwise last until its timeout, far beyond the bound below.
    const call = captureError(
      createChatClient(llmTestConfig(fake.url, { timeoutMs: HUNG_MS })).complete(MESSAGES, {
        signal: controller.signal,
      }),
    );
    await fake.waitForRequests(1);
    controller.abort();
    const err = await settleWithin(call, STOPPED_WITHIN_MS, 'the aborted call to end');
    expect(err.code).toBe('RUN_ABORTED');
    expect(fake.requests).toHaveLength(1);
  });

  it('does not sleep out a long Retry-After once aborted', async () => {
    // 600 s, capped by the client at MAX_RETRY_WAIT_MS (60 s): far beyond the bound below.
    fake.enqueue({ status: 429, headers: { 'retry-after': '600' } });
    const controller = new AbortController();
    const call = captureError(
      createChatClient(llmTestConfig(fake.url, { maxRetries: 3 })).complete(MESSAGES, { signal: controller.signal }),
    );
    await fake.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    expect((await settleWithin(call, STOPPED_WITHIN_MS, 'the aborted wait to end')).code).toBe('RUN_ABORTED');
    expect(fake.requests).toHaveLength(1);
  });

  it('shares one concurrency limit between clients of the same endpoint', async () => {
    // Each reply is held long enough that the two calls let through together are in flight at once even when a
    // busy machine stalls between sending them.
    fake.setHandler(() => ({ ...OK, delayMs: 1_000 }));
    const config = llmTestConfig(fake.url, { concurrency: 2 });
    // Five calls from three separate clients, as if from three runs in the same process.
    const clients = [createChatClient(config), createChatClient(config), createChatClient(config)];
    await Promise.all([0, 1, 2, 3, 4].map((i) => clients[i % 3]?.complete(MESSAGES)));
    expect(fake.totals.completions).toBe(5);
    expect(fake.totals.maxInFlight).toBe(2);
  });

  it('gives up a queued call when aborted while waiting for a slot', async () => {
    fake.setHandler(() => ({ ...OK, delayMs: 400 }));
    const config = llmTestConfig(fake.url, { concurrency: 1 });
    const first = createChatClient(config).complete(MESSAGES);
    await fake.waitForRequests(1);
    const controller = new AbortController();
    const queued = captureError(createChatClient(config).complete(MESSAGES, { signal: controller.signal }));
    controller.abort();
    expect((await queued).code).toBe('RUN_ABORTED');
    await first;
    expect(fake.requests).toHaveLength(1);
  });
});
