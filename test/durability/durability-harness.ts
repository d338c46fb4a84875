/**
 * Shared pieces of the durability suite: a planted-answer spec (PDF + small question config) whose every
 * question has exactly one right answer, an HTTP client with a timeout and one retry (node:cluster can
 * strand a connection on a recycled worker), an analysis starter, an SSE reader, bounded waiting, and a
 * cleanup stack so every process and database a test starts is ended even when an assertion fails.
 */
import http from 'node:http';
import pg from 'pg';
import { expect } from 'vitest';
import type { QuestionConfig } from '../../src/questions/types.js';
import {
  createPlantedAnswerHandler,
  readPrompt,
  type FakeHandler,
  type FakeLlmServer,
  type RecordedRequest,
} from '../helpers/fake-llm-server.js';
import { createTextPdf } from '../helpers/pdf-factory.js';
import { startServerProcess } from '../helpers/processes.js';

/** Run cleanups newest first; one failing cleanup does not skip the others. */
export class CleanupStack {
  private readonly fns: Array<() => unknown> = [];
  add(fn: () => unknown): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    while (this.fns.length > 0) {
      const fn = this.fns.pop() as () => unknown;
      try {
        await fn();
      } catch (err) {
        console.warn(`cleanup failed: ${(err as Error).message}`);
      }
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll until fn returns a truthy value; throws after timeoutMs with `what` in the message. */
export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
      );
    await sleep(intervalMs);
  }
}

export interface JsonResponse<T> {
  status: number;
  body: T;
  /** 1 when the first try hung or was reset and the retry answered. */
  retries: number;
  /** Why the first try failed, when it did. */
  firstError: string | null;
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  return [e.name, e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
}

/** One request on a connection of its own (node:http without an agent), closed afterwards. */
function requestOnNewConnection(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = typeof init.body === 'string' ? init.body : undefined;
    const req = http.request(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers as http.OutgoingHttpHeaders | undefined,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A request with a timeout and one retry on a network error (never on an HTTP status). The first try uses
 * fetch's pooled keep-alive connections, like a real client; a retry goes out on a new connection, as a
 * browser's does: a server closing idle keep-alive connections (a worker being recycled) can close several
 * pooled ones at once, and retrying on another of them would only meet the same fate.
 */
export async function requestJson<T>(
  url: string,
  init: RequestInit = {},
  options: { timeoutMs?: number; retries?: number } = {},
): Promise<JsonResponse<T>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retries = options.retries ?? 1;
  let lastError: unknown = null;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      const res =
        attempt === 0
          ? await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }).then(async (r) => ({
              status: r.status,
              text: await r.text(),
            }))
          : await requestOnNewConnection(url, init, timeoutMs);
      const firstError = attempt > 0 ? describeError(lastError) : null;
      return { status: res.status, body: (res.text ? JSON.parse(res.text) : null) as T, retries: attempt, firstError };
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`${init.method ?? 'GET'} ${url} failed ${retries + 1} times: ${(lastError as Error).message}`);
}

/** POST /api/analyze; resolves with the session id (throws unless 202). */
export async function startAnalysis(
  baseUrl: string,
  pdf: Uint8Array,
  filename: string,
  fields: { engine?: 'extractive' | 'llm'; config?: QuestionConfig; sections?: string[] } = {},
): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), filename);
  if (fields.engine) form.append('engine', fields.engine);
  if (fields.config)
    form.append('config', new Blob([JSON.stringify(fields.config)], { type: 'application/json' }), 'config.json');
  if (fields.sections) form.append('sections', JSON.stringify(fields.sections));
  const res = await requestJson<{ success: boolean; session_id?: string }>(
    `${baseUrl}/api/analyze`,
    { method: 'POST', body: form },
    { timeoutMs: 30_000, retries: 0 },
  );
  if (res.status !== 202 || !res.body.session_id)
    throw new Error(`analyze answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.session_id;
}

export interface ProgressEvent {
  event: string;
  index: number;
  timestamp: string;
  [key: string]: unknown;
}

export interface EventsBody {
  success: boolean;
  status: string;
  events: ProgressEvent[];
  last_index: number;
}

export interface LegacyQuestion {
  question_id: string;
  question: string;
  answer: string | null;
  page_citations: number[];
  confidence: number;
  footnote: string | null;
}

export interface ResultsBody {
  success: boolean;
  status: string;
  partial: boolean;
  result: {
    sections: Array<{ section_id: string; section_name: string; description: string; questions: LegacyQuestion[] }>;
    document_name: string;
    total_pages: number;
    questions_answered: number;
    total_questions: number;
    metadata: {
      started_at: string;
      completed_at: string | null;
      total_tokens: number;
      estimated_cost: number | string;
    };
  };
  statistics: {
    processing_time: number;
    total_tokens: number;
    estimated_cost: string;
    questions_answered: number;
    total_questions: number;
    average_confidence: string;
  };
  session: { total_tokens: number; questions_answered: number; status: string };
}

/** Every question of a legacy result, in order. */
export function questionsOf(result: ResultsBody['result']): LegacyQuestion[] {
  return result.sections.flatMap((s) => s.questions);
}

/** Read all events of a session through the polling API, following last_index. */
export async function readAllEvents(baseUrl: string, sessionId: string): Promise<ProgressEvent[]> {
  const all: ProgressEvent[] = [];
  let last = 0;
  for (;;) {
    const r = await requestJson<EventsBody>(`${baseUrl}/api/events/${sessionId}?last_index=${last}`);
    if (r.status !== 200) throw new Error(`events answered ${r.status}`);
    if (r.body.events.length === 0) return all;
    all.push(...r.body.events);
    last = r.body.last_index;
  }
}

/**
 * Follow GET /api/progress/:id until the server ends the stream; `onEvent` sees each event as it arrives.
 * Resolves with every event received and whether the stream ended by itself (not by our timeout).
 */
export async function readSse(
  url: string,
  onEvent: (e: ProgressEvent) => void,
  timeoutMs: number,
): Promise<{ events: ProgressEvent[]; endedByServer: boolean }> {
  const events: ProgressEvent[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    if (res.status !== 200 || !res.body) throw new Error(`progress stream answered ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice('data: '.length))
          .join('\n');
        if (!data) continue;
        const e = JSON.parse(data) as ProgressEvent;
        events.push(e);
        onEvent(e);
      }
    }
    return { events, endedByServer: true };
  } catch (err) {
    if (controller.signal.aborted) return { events, endedByServer: false };
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Indexes strictly increasing, hence no duplicates. */
export function isStrictlyIncreasing(indexes: number[]): boolean {
  return indexes.every((v, i) => i === 0 || v > (indexes[i - 1] as number));
}

// ---- a spec whose answers are known ----

// Every question is about its own distinctively named sewer main, so retrieval finds exactly its page.
const SUBJECTS = [
  ['liner thickness', 'The minimum liner thickness for the {name} trunk main shall be {n}.5 mm.'],
  ['resin type', 'The resin type for the {name} trunk main shall be vinyl ester grade {n}.'],
  ['bid bond', 'A bid bond of {n} percent shall accompany the {name} trunk main proposal.'],
  ['warranty period', 'The warranty period for the {name} trunk main shall be {n} years from final acceptance.'],
  ['liquidated damages', 'Liquidated damages for the {name} trunk main shall be {n}00 dollars per calendar day.'],
] as const;
const MAIN_NAMES = (
  'alder birch cedar dogwood elm fir ginkgo hazel juniper larch maple oak pine rowan spruce teak walnut willow ' +
  'yew aspen beech cypress holly laurel magnolia poplar redwood sequoia sycamore tamarack acacia banyan catalpa ' +
  'hemlock hickory locust mulberry olive persimmon quince sassafras tupelo'
).split(' ');

const FILLER = [
  'The Contractor shall keep the work site clean and orderly at all times during construction activities.',
  'Traffic control shall follow the approved plan and the local permit conditions for lane closures.',
  'Bypass pumping shall maintain sewer flow during all lining and reinstatement operations.',
];

export interface PlantedSpec {
  config: QuestionConfig;
  /** question id → the one sentence that answers it. */
  planted: Record<string, string>;
  /** section_name → section_id, to count LLM calls per section from the prompts. */
  sectionIdsByName: Map<string, string>;
  pdf: Uint8Array;
  totalQuestions: number;
}

/**
 * `sectionCount` sections × `questionsPerSection` questions; every question's answer is planted on its own
 * page of a (sectionCount × questionsPerSection)-page PDF, among filler.
 */
export async function createPlantedSpec(sectionCount: number, questionsPerSection: number): Promise<PlantedSpec> {
  const planted: Record<string, string> = {};
  const pages: string[] = [];
  const sections: QuestionConfig['sections'] = [];
  const sectionIdsByName = new Map<string, string>();
  for (let s = 1; s <= sectionCount; s++) {
    const questions: QuestionConfig['sections'][number]['questions'] = [];
    for (let q = 1; q <= questionsPerSection; q++) {
      const id = `S${s}Q${q}`;
      const index = (s - 1) * questionsPerSection + (q - 1);
      const name = MAIN_NAMES[index];
      if (name === undefined) throw new Error(`createPlantedSpec: at most ${MAIN_NAMES.length} questions`);
      const [subject, template] = SUBJECTS[index % SUBJECTS.length] as readonly [string, string];
      const sentence = template.replace('{name}', name).replace('{n}', String(s * 10 + q));
      planted[id] = sentence;
      questions.push({
        id,
        text: `What is the ${subject} for the ${name} trunk main?`,
        required: true,
        expected_type: 'string',
      });
      pages.push([FILLER[0], sentence, FILLER[(s + q) % FILLER.length]].join('\n'));
    }
    const sectionName = `Durability Section ${s}`;
    sectionIdsByName.set(sectionName, `section_${s}`);
    sections.push({
      section_id: `section_${s}`,
      section_name: sectionName,
      description: `Requirements group ${s}`,
      questions,
    });
  }
  const config: QuestionConfig = {
    config_name: 'Durability test config',
    version: '1',
    description: 'Planted answers',
    sections,
  };
  return {
    config,
    planted,
    sectionIdsByName,
    pdf: await createTextPdf(pages),
    totalQuestions: sectionCount * questionsPerSection,
  };
}

/** The planted-answer model, answering each call after `delayMs`. */
export function createSlowPlantedHandler(planted: Record<string, string>, delayMs: number): FakeHandler {
  const inner = createPlantedAnswerHandler(planted);
  return async (request) => {
    const reply = await inner(request);
    return { ...reply, delayMs };
  };
}

/** The section a recorded chat request was about (its prompt names it), or null. */
export function sectionOfRequest(request: RecordedRequest): string | null {
  const m = /^Section: (.+?)(?: \(|$)/m.exec(readPrompt(request).user);
  return m ? (m[1] as string) : null;
}

/** Number of LLM calls per section name. */
export function countCallsBySection(requests: readonly RecordedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const name = sectionOfRequest(r);
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

type ServerProcess = Awaited<ReturnType<typeof startServerProcess>>;

/**
 * Two independent server processes on one PostgreSQL database (started together: start-up dominates these
 * tests' time), killed by the cleanup stack, plus a direct client to look at the database.
 */
export async function startServerPair(
  env: NodeJS.ProcessEnv,
  databaseUrl: string,
  cleanup: CleanupStack,
): Promise<{ servers: [ServerProcess, ServerProcess]; admin: pg.Client }> {
  const servers = await Promise.all([startServerProcess(env, 90_000), startServerProcess(env, 90_000)]);
  for (const s of servers) {
    cleanup.add(async () => {
      s.kill('SIGKILL');
      await s.exited;
    });
  }
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  cleanup.add(() => admin.end());
  return { servers, admin };
}

/** Which of the servers holds the run's lease now, and the other one. */
export async function leaseHolder(
  admin: pg.Client,
  sessionId: string,
  servers: readonly ServerProcess[],
): Promise<{ owner: ServerProcess; other: ServerProcess; attempt: number }> {
  const row = (
    await admin.query<{ lease_owner: string | null; attempt: number }>(
      'SELECT lease_owner, attempt FROM sessions WHERE session_id = $1',
      [sessionId],
    )
  ).rows[0];
  const owner = servers.find((s) => row?.lease_owner?.includes(`:${s.proc.pid}:`));
  const other = servers.find((s) => s !== owner);
  if (!owner || !other) throw new Error(`no server owns the run (lease_owner ${row?.lease_owner})`);
  return { owner, other, attempt: row!.attempt };
}

/**
 * A stopped run's in-flight LLM call was hung up on, never paid for, and nothing followed it. `boundMs` is a
 * bound for a busy machine, not a speed claim: give the call a delay far longer than it, so that the call
 * ending at all can only be the stop's doing.
 */
export async function expectCallAbandoned(
  fake: FakeLlmServer,
  inFlight: RecordedRequest,
  boundMs: number,
): Promise<void> {
  await waitFor(async () => inFlight.endedAt !== null, 'the in-flight LLM request to end', boundMs, 20);
  expect(inFlight.clientAborted).toBe(true);
  expect(inFlight.charged).toBeNull();
  expect(fake.requests).toHaveLength(inFlight.index + 1); // no further call after the stop
}

/**
 * After POST /api/stop: the run ends `status` (read through `baseUrl`). The endpoint itself waits up to 2 s for
 * the run to end and otherwise answers while the run winds down; on a busy machine that can happen, so the
 * final state is awaited rather than required of the stop's answer.
 */
export async function waitForFinalStatus(baseUrl: string, id: string, boundMs: number): Promise<ResultsBody> {
  return waitFor(
    async () => {
      const r = await requestJson<ResultsBody>(`${baseUrl}/api/results/${id}`);
      return r.status === 200 && ['completed', 'partial', 'failed'].includes(r.body.status) ? r.body : null;
    },
    `session ${id} to end`,
    boundMs,
  );
}
