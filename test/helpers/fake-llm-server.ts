/**
 * A fake OpenAI-compatible chat-completions server on 127.0.0.1 (random port) that tests script.
 *
 * const fake = await startFakeLlmServer({ handler: createPlantedAnswerHandler({ Q1: 'Liner thickness shall be 6.0 mm.'
 * }) });
 *   const config = { ...testConfig().analysis.llm, baseUrl: fake.url, apiKey: null };
 *   ... run ...
 *   fake.requests      // every request: parsed body, headers, timing, what it was charged
 *   fake.totals        // tokens "charged" (only for 200 replies actually sent), in-flight high-water mark
 *   fake.enqueue({ status: 429, headers: { 'retry-after': '1' } })   // scripted replies go before the handler
 *   fake.setHandler((req) => ({ content: '{"answers":[]}' }))
 *   await fake.close()
 *
 * Replies: `{content}` (a 200 chat completion with usage), `{status, json|text, headers}` (anything else),
 * either with `delayMs` (a slow server; a client that hangs up stops the wait and is not charged), or
 * `{hang: true}` (never answers until the client gives up or the server closes).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestBody {
  model?: string;
  messages?: Array<{ role: string; content: string }>;
  temperature?: number;
  response_format?: { type: string };
  [key: string]: unknown;
}

export interface RecordedRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or null when it was not JSON. */
  body: ChatRequestBody | null;
  receivedAt: number;
  /** When the reply was sent or the client hung up; null while in flight. */
  endedAt: number | null;
  status: number | null;
  /** True when the client closed the connection before a reply was sent. */
  clientAborted: boolean;
  /** Tokens reported in `usage` of a 200 reply that reached the client; null when nothing was charged. */
  charged: { prompt_tokens: number; completion_tokens: number } | null;
}

export type FakeReply =
  | {
      content: string;
      usage?: { prompt_tokens?: number; completion_tokens?: number };
      /** Leave `usage` out of the reply (some local servers do). */
      omitUsage?: boolean;
      model?: string;
      delayMs?: number;
    }
  | { status: number; json?: unknown; text?: string; headers?: Record<string, string>; delayMs?: number }
  | { hang: true };

export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeTotals {
  requests: number;
  /** 200 chat completions that reached the client (each one "billed"). */
  completions: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  inFlight: number;
  maxInFlight: number;
}

export interface FakeLlmServer {
  /** Base URL to put in LLM_BASE_URL, e.g. http://127.0.0.1:39123/v1 */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly totals: FakeTotals;
  setHandler(handler: FakeHandler): void;
  /** Replies used, in order, before the handler is consulted. */
  enqueue(...replies: FakeReply[]): void;
  /** Resolves once at least `count` requests have arrived (rejects after timeoutMs). */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Forget recorded requests and totals (the handler and queue are kept). */
  reset(): void;
  close(): Promise<void>;
}

/** Tokens the fake "charges" when a reply gives none: ~4 characters per token, like OpenAI's tokenizers on prose. */
export function countFakeTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Everything the fake needs to read a prompt built by src/analysis/llm/prompt.ts. */
export interface ReadPrompt {
  system: string;
  user: string;
  guardrails: string | null;
  questions: Array<{ id: string; expected_type: string; text: string }>;
  excerpts: Array<{ index: number; pages: number[]; text: string; context: string | null }>;
}

function parsePageLabel(label: string): number[] {
  const pages: number[] = [];
  for (const part of label.replace(/^pages?\s+/, '').split(',')) {
    const [a, b] = part.trim().split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    if (b === undefined || Number.isNaN(b)) pages.push(a);
    else for (let p = a; p <= b; p++) pages.push(p);
  }
  return pages;
}

/** Splits a recorded prompt into its questions, excerpts (with page labels) and user context. */
export function readPrompt(request: RecordedRequest): ReadPrompt {
  const messages = request.body?.messages ?? [];
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  const guardrails = /<user_context>\n([\s\S]*?)\n<\/user_context>/.exec(user)?.[1] ?? null;
  const questions = [...user.matchAll(/^- (\S+) \(expected: (\w+)\): (.*)$/gm)].map((m) => ({
    id: m[1] as string,
    expected_type: m[2] as string,
    text: m[3] as string,
  }));
  const excerpts: ReadPrompt['excerpts'] = [];
  const headers = [...user.matchAll(/^\[Excerpt (\d+) \| (pages? [^\]]+)\]$/gm)];
  headers.forEach((m, i) => {
    const start = (m.index ?? 0) + m[0].length + 1;
    const next = headers[i + 1];
    const end = next
      ? (next.index ?? user.length)
      : user.indexOf('\n\nAnswer the ', start) >= 0
        ? user.indexOf('\n\nAnswer the ', start)
        : user.length;
    let text = user.slice(start, end).trim();
    // The optional "§ headings · page role" line under the header is context, not excerpt text.
    const context = /^§ (.*)\n/.exec(text);
    if (context !== null) text = text.slice(context[0].length).trim();
    excerpts.push({ index: Number(m[1]), pages: parsePageLabel(m[2] as string), text, context: context?.[1] ?? null });
  });
  return { system, user, guardrails, questions, excerpts };
}

/** A 200 reply whose content is the answers JSON the prompt asks for. */
export function answersReply(
  answers: Array<{
    question_id: string;
    answer: string | null;
    quote?: string | null;
    pages?: number[];
    confidence?: number;
  }>,
): FakeReply {
  return {
    content: JSON.stringify({
      answers: answers.map((a) => ({
        question_id: a.question_id,
        answer: a.answer,
        quote: a.quote ?? null,
        pages: a.pages ?? [],
        confidence: a.confidence ?? (a.answer === null ? 0 : 0.9),
      })),
    }),
  };
}

/**
 * A handler that behaves like a careful model: for each question in the prompt, if its planted sentence is in
 * one of the excerpts shown, it answers with that sentence as the quote and the excerpt's pages; otherwise null.
 */
export function createPlantedAnswerHandler(planted: Record<string, string>): FakeHandler {
  const squash = (text: string) => text.replace(/\s+/g, ' ');
  return (request) => {
    const prompt = readPrompt(request);
    return answersReply(
      prompt.questions.map((q) => {
        const sentence = planted[q.id];
        // Whitespace-insensitive, as a model reads: page text in the sweep keeps the PDF's line breaks.
        const excerpt = sentence ? prompt.excerpts.find((e) => squash(e.text).includes(squash(sentence))) : undefined;
        if (!sentence || !excerpt) return { question_id: q.id, answer: null };
        return { question_id: q.id, answer: sentence, quote: sentence, pages: excerpt.pages, confidence: 0.9 };
      }),
    );
  };
}

const defaultHandler: FakeHandler = (request) =>
  answersReply(readPrompt(request).questions.map((q) => ({ question_id: q.id, answer: null })));

export async function startFakeLlmServer(
  options: { handler?: FakeHandler; replies?: FakeReply[] } = {},
): Promise<FakeLlmServer> {
  let handler = options.handler ?? defaultHandler;
  const queue: FakeReply[] = [...(options.replies ?? [])];
  const requests: RecordedRequest[] = [];
  const totals: FakeTotals = {
    requests: 0,
    completions: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
  const waiters: Array<{ count: number; resolve: () => void }> = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void serve(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): Promise<void> {
    let body: ChatRequestBody | null = null;
    try {
      body = JSON.parse(rawBody) as ChatRequestBody;
    } catch {
      body = null;
    }
    const record: RecordedRequest = {
      index: requests.length,
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      rawBody,
      body,
      receivedAt: Date.now(),
      endedAt: null,
      status: null,
      clientAborted: false,
      charged: null,
    };
    requests.push(record);
    totals.requests += 1;
    totals.inFlight += 1;
    totals.maxInFlight = Math.max(totals.maxInFlight, totals.inFlight);
    for (const w of [...waiters]) {
      if (requests.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
    let finished = false;
    const finish = (aborted: boolean) => {
      if (finished) return;
      finished = true;
      record.endedAt = Date.now();
      record.clientAborted = aborted;
      totals.inFlight -= 1;
    };
    res.on('close', () => finish(!res.writableFinished));

    if (req.method !== 'POST' || !(req.url ?? '').endsWith('/chat/completions')) {
      record.status = 404;
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }

    let reply: FakeReply;
    try {
      reply = queue.length > 0 ? (queue.shift() as FakeReply) : await handler(record);
    } catch (err) {
      reply = { status: 500, json: { error: { message: `fake handler threw: ${(err as Error).message}` } } };
    }
    if ('hang' in reply) return; // the client's timeout/abort or close() ends it
    if (reply.delayMs && reply.delayMs > 0) {
      const delay = reply.delayMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (res.destroyed || finished) return; // the client hung up: nothing sent, nothing charged

    if ('content' in reply) {
      const promptText = (body?.messages ?? []).map((m) => m.content).join('\n');
      const usage = {
        prompt_tokens: reply.usage?.prompt_tokens ?? countFakeTokens(promptText),
        completion_tokens: reply.usage?.completion_tokens ?? countFakeTokens(reply.content),
      };
      const payload = {
        id: `chatcmpl-fake-${record.index}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: reply.model ?? body?.model ?? 'fake-model',
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: 'stop' }],
        ...(reply.omitUsage
          ? {}
          : { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }),
      };
      record.status = 200;
      record.charged = usage;
      totals.completions += 1;
      totals.prompt_tokens += usage.prompt_tokens;
      totals.completion_tokens += usage.completion_tokens;
      totals.total_tokens += usage.prompt_tokens + usage.completion_tokens;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      return;
    }
    record.status = reply.status;
    const text = reply.text ?? JSON.stringify(reply.json ?? { error: { message: `fake status ${reply.status}` } });
    res
      .writeHead(reply.status, {
        'content-type': reply.text !== undefined ? 'text/plain' : 'application/json',
        ...(reply.headers ?? {}),
      })
      .end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    totals,
    setHandler(next) {
      handler = next;
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    waitForRequests(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(`fake LLM server: expected ${count} requests within ${timeoutMs} ms, got ${requests.length}`),
          );
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    reset() {
      requests.length = 0;
      Object.assign(totals, {
        requests: 0,
        completions: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
        maxInFlight: totals.inFlight,
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
