/**
 * Worker-thread entry: runs `runAnalysis` / `estimateRun` from src/analysis unchanged, with every callback
 * turned into a message to the main thread and awaited there (checkpoints stay durable before the pipeline
 * goes on). The llm engine plans and estimates here but answers through the main thread, where its network
 * calls share the process-wide concurrency limit; the extractive engine answers here.
 *
 * One job at a time per thread; the thread is reused for the next job (its input is our own parsed pages,
 * not untrusted bytes, and starting a thread with the TypeScript loader costs ~0.5 s).
 */
import { parentPort } from 'node:worker_threads';
import { createEngineFactory } from '../analysis/create-engine.js';
import { estimateRun, runAnalysis } from '../analysis/index.js';
import type { AnalysisEngine } from '../analysis/engine.js';
import type { EngineName } from '../analysis/types.js';
import { deserializeError, serializeError, type EngineSettings, type FromWorker, type ToWorker } from './protocol.js';

if (!parentPort) throw new Error('analysis-worker.ts must run in a worker thread');
const port = parentPort;

let nextCallId = 1;
const pendingCalls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const aborts = new Map<number, AbortController>();

function send(msg: FromWorker): void {
  port.postMessage(msg);
}

/** Ask the main thread to do something for job `jobId` and wait for its reply. */
function call(build: (callId: number) => FromWorker): Promise<unknown> {
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    pendingCalls.set(callId, { resolve, reject });
    send(build(callId));
  });
}

/**
 * Engines for a job. The llm engine's answerUnit is a network call: it is made by the main thread's engine
 * (process-wide LLM concurrency limit, aborted there by the run's own signal).
 */
function engineFactory(settings: EngineSettings, jobId: number): (name: EngineName) => AnalysisEngine {
  const create = createEngineFactory(settings);
  return (name) => {
    const engine = create(name);
    if (name !== 'llm') return engine;
    return {
      name: engine.name,
      model: engine.model,
      planUnits: (args) => engine.planUnits(args),
      estimateUnit: (unit) => engine.estimateUnit(unit),
      answerUnit: (unit, ctx) =>
        call((callId) => ({
          type: 'answer-unit',
          jobId,
          callId,
          engine: name,
          unit,
          guardrails: ctx.guardrails,
        })) as ReturnType<AnalysisEngine['answerUnit']>,
    };
  };
}

async function runJob(msg: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const controller = new AbortController();
  aborts.set(msg.jobId, controller);
  const { jobId, options } = msg;
  try {
    const outcome = await runAnalysis(
      {
        documentName: options.documentName,
        pages: options.pages,
        input: options.input,
        engine: options.engine,
        thorough: options.thorough,
        signal: controller.signal,
        completedUnits: new Set(options.completedUnits),
        priorAnswers: new Map(options.priorAnswers),
        priorUsage: options.priorUsage,
        maxCostUsd: options.maxCostUsd,
        startedAt: options.startedAt,
        onEvent: async (event) => {
          await call((callId) => ({ type: 'event', jobId, callId, event }));
        },
        onCheckpoint: async (checkpoint) => {
          await call((callId) => ({ type: 'checkpoint', jobId, callId, checkpoint }));
        },
      },
      { createEngine: engineFactory(msg.settings, jobId), unitConcurrency: options.unitConcurrency },
    );
    send({ type: 'done', jobId, outcome });
  } catch (err) {
    send({ type: 'failed', jobId, error: serializeError(err) });
  } finally {
    aborts.delete(jobId);
  }
}

function estimateJob(msg: Extract<ToWorker, { type: 'estimate' }>): void {
  try {
    send({
      type: 'done',
      jobId: msg.jobId,
      outcome: estimateRun(msg.args, { createEngine: createEngineFactory(msg.settings) }),
    });
  } catch (err) {
    send({ type: 'failed', jobId: msg.jobId, error: serializeError(err) });
  }
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'run':
      void runJob(msg);
      break;
    case 'estimate':
      estimateJob(msg);
      break;
    case 'abort':
      aborts.get(msg.jobId)?.abort(new Error('run stopped'));
      break;
    case 'reply': {
      const pending = pendingCalls.get(msg.callId);
      if (!pending) break;
      pendingCalls.delete(msg.callId);
      if (msg.error) pending.reject(deserializeError(msg.error));
      else pending.resolve(msg.value);
      break;
    }
  }
});
send({ type: 'ready' });
