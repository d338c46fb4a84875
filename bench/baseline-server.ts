/**
 * The old design as a baseline for bench/http-results.bench.ts: results kept in an in-memory map, served
 * by a bare Fastify app (same framework, no database, no plugins, no logging) as ready-encoded bytes with
 * a strong ETag. Run as its own process:
 *
 *   BODY_FILE=/tmp/body.json SESSION_ID=abc PORT=8123 npx tsx bench/baseline-server.ts
 *
 * It answers GET /api/results/:id with exactly the bytes in BODY_FILE and prints "listening <port>".
 * With STRINGIFY_PER_REQUEST=1 it keeps the result as a parsed object instead and JSON.stringify-s it on
 * every request, as the old design (a Python dict serialised per request) did.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const bodyFile = process.env.BODY_FILE;
const sessionId = process.env.SESSION_ID;
if (!bodyFile || !sessionId) {
  console.error('BODY_FILE and SESSION_ID are required');
  process.exit(2);
}
const body = readFileSync(bodyFile);
const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
const results = new Map<string, { body: Buffer; etag: string }>([[sessionId, { body, etag }]]);
const dict = new Map<string, { result: unknown; etag: string }>([
  [sessionId, { result: JSON.parse(body.toString('utf8')) as unknown, etag }],
]);

const app = Fastify({ logger: false });
if (process.env.STRINGIFY_PER_REQUEST === '1') {
  app.get<{ Params: { id: string } }>('/api/results/:id', async (request, reply) => {
    const entry = dict.get(request.params.id);
    if (!entry) return reply.code(404).send({ success: false, error: 'Session not found', code: 'SESSION_NOT_FOUND' });
    reply.header('ETag', entry.etag).header('Cache-Control', 'private, no-cache');
    if (request.headers['if-none-match'] === entry.etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(entry.result));
  });
} else
  app.get<{ Params: { id: string } }>('/api/results/:id', async (request, reply) => {
    const entry = results.get(request.params.id);
    if (!entry) return reply.code(404).send({ success: false, error: 'Session not found', code: 'SESSION_NOT_FOUND' });
    reply.header('ETag', entry.etag).header('Cache-Control', 'private, no-cache');
    if (request.headers['if-none-match'] === entry.etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(entry.body);
  });

const port = Number(process.env.PORT ?? 0);
await app.listen({ host: '127.0.0.1', port });
console.log(`listening ${(app.server.address() as { port: number }).port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
