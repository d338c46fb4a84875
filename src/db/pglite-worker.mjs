// Worker-thread entry that owns the embedded PGlite database (PostgreSQL compiled to WASM). PGlite executes
// every statement synchronously in WASM on the thread that calls it, and serialises parameters (a document's
// pages as JSONB, its bytes) there too: on the server's thread, storing a 250-page document held the event
// loop for ~2.5 s. Here it holds only this thread. pglite-thread-database.ts is the main-thread side, behind the
// same Database interface as the in-process implementation.
//
// Plain JavaScript so it needs no TypeScript loader (from the sources and from the build alike).
//
//   parent → { id, op: 'open', dataDir, loadDataDir }            → { id, result: null }
//            { id, op: 'query', sql, params, tx }                → { id, result: { rows, rowCount } }
//            { id, op: 'exec', sql, tx }                         → { id, result: null }
//            { id, op: 'begin' }                                 → { id, result: txId }   (once inside it)
//            { id, op: 'end', tx, commit }                       → { id, result: null }   (committed / rolled back)
//            { id, op: 'listen' | 'unlisten', channel }          → { id, result: null }
//            { id, op: 'dump' }                                  → { id, result: Blob }
//            { id, op: 'close' }                                 → { id, result: null }
//   worker → { id, error: { message, name, code, detail, ... } } instead of a result
//            { type: 'notification', channel, payload }
import { Blob } from 'node:buffer';
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** @type {PGlite | null} */
let pglite = null;
let nextTx = 1;
/** @type {Map<number, { tx: any, commit: () => void, rollback: () => void, done: Promise<void> }>} */
const transactions = new Map();
/** @type {Map<string, () => Promise<void>>} */
const listening = new Map();

// Fields of a PostgreSQL error worth keeping across the thread boundary (retry decisions, logs).
const ERROR_FIELDS = ['code', 'detail', 'hint', 'severity', 'schema', 'table', 'column', 'constraint', 'position'];

function serializeError(err) {
  const out = { name: err?.name ?? 'Error', message: err?.message ?? String(err) };
  for (const field of ERROR_FIELDS) if (err?.[field] !== undefined) out[field] = err[field];
  return out;
}

async function runQuery(target, sql, params) {
  const r = await target.query(sql, params);
  // PGlite reports affectedRows 0 for SELECT; pg reports rows matched. Take whichever says more.
  return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
}

function target(txId) {
  if (txId === undefined || txId === null) return pglite;
  const t = transactions.get(txId);
  if (!t) throw new Error(`transaction ${txId} is not open`);
  return t.tx;
}

/** Open a transaction and keep it open until the parent ends it (the parent runs its statements meanwhile). */
function begin() {
  return new Promise((resolveBegin, rejectBegin) => {
    let entered = false;
    /** @type {Promise<void>} */
    let done;
    done = pglite
      .transaction(
        (tx) =>
          new Promise((commit, rollback) => {
            entered = true;
            const txId = nextTx++;
            // `done` is read when the parent ends the transaction (assigned by then: the callback runs later).
            transactions.set(txId, {
              tx,
              commit,
              rollback,
              get done() {
                return done;
              },
            });
            resolveBegin(txId);
          }),
      )
      .then(
        () => undefined,
        (err) => {
          if (!entered) rejectBegin(err);
          // A rollback the parent asked for rejects here on purpose; other failures reach the parent through 'end'.
          return err?.rolledBackOnPurpose ? undefined : Promise.reject(err);
        },
      );
    void done.catch(() => undefined);
  });
}

async function end(txId, commit) {
  const t = transactions.get(txId);
  if (!t) throw new Error(`transaction ${txId} is not open`);
  transactions.delete(txId);
  if (commit) {
    t.commit();
  } else {
    const reason = new Error('rolled back');
    reason.rolledBackOnPurpose = true;
    t.rollback(reason);
  }
  await t.done;
}

async function handle(msg) {
  switch (msg.op) {
    case 'open': {
      const loadDataDir = msg.loadDataDir ? new Blob([msg.loadDataDir]) : undefined;
      pglite = new PGlite({ dataDir: msg.dataDir, loadDataDir });
      await pglite.waitReady;
      return null;
    }
    case 'query':
      return runQuery(target(msg.tx), msg.sql, msg.params);
    case 'exec':
      await target(msg.tx).exec(msg.sql);
      return null;
    case 'begin':
      return begin();
    case 'end':
      await end(msg.tx, msg.commit);
      return null;
    case 'listen': {
      if (!listening.has(msg.channel)) {
        const unsubscribe = await pglite.listen(msg.channel, (payload) =>
          parentPort.postMessage({ type: 'notification', channel: msg.channel, payload }),
        );
        listening.set(msg.channel, unsubscribe);
      }
      return null;
    }
    case 'unlisten': {
      const unsubscribe = listening.get(msg.channel);
      listening.delete(msg.channel);
      if (unsubscribe) await unsubscribe();
      return null;
    }
    case 'dump':
      return new Uint8Array(await (await pglite.dumpDataDir('none')).arrayBuffer());
    case 'close':
      if (pglite && !pglite.closed) await pglite.close();
      return null;
    default:
      throw new Error(`unknown operation ${msg.op}`);
  }
}

parentPort.on('message', (msg) => {
  handle(msg).then(
    (result) => parentPort.postMessage({ id: msg.id, result }),
    (err) => parentPort.postMessage({ id: msg.id, error: serializeError(err) }),
  );
});
