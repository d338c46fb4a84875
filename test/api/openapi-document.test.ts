/**
 * /api/openapi.json is generated from the routes' zod schemas: every /api route the app serves is in it, with
 * its success reply and the `{success:false, error, code}` error shape described.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

type Operation = {
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
  requestBody?: unknown;
};

/**
 * Every `METHOD /path` the app routes, read from Fastify's own route table: `printRoutes()` draws a tree whose
 * lines each add a segment to their parent's path (`├── api/documents (POST)` then `│   └── /:id (GET, HEAD)`).
 */
function servedApiRoutes(app: TestApp['app']): string[] {
  const routes = new Set<string>();
  const pathAtDepth: string[] = []; // the full path of the last line seen at each depth
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─\s]*)(\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const full = `${pathAtDepth[depth - 1] ?? ''}${m[2]!}`.replace(/\/{2,}/g, '/');
    pathAtDepth[depth] = full;
    for (const method of m[3]!.split(',').map((x) => x.trim())) {
      if (full.startsWith('/api/') && method !== 'HEAD' && method !== 'OPTIONS') routes.add(`${method} ${full}`);
    }
  }
  return [...routes].sort();
}

describeEachDatabase('route schemas', ({ db }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(db());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every /api route the app serves, each with a success reply schema and the error shape', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json() as {
      paths: Record<string, Record<string, Operation>>;
      components?: { schemas?: Record<string, unknown> };
    };

    const documented: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue; // /health and /ready are for load balancers
      for (const [method, operation] of Object.entries(operations)) {
        documented.push(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
        const responses = operation.responses ?? {};
        const success = Object.entries(responses).filter(([code]) => /^2\d\d$/.test(code));
        expect(success.length, `${method} ${path} documents a success reply`).toBeGreaterThan(0);
        for (const [code, response] of success) {
          const schemas = Object.values(response.content ?? {}).map((c) => c.schema);
          expect(schemas.length, `${method} ${path} ${code} has a schema`).toBeGreaterThan(0);
          for (const schema of schemas)
            expect(
              schema && Object.keys(schema).length,
              `${method} ${path} ${code} schema is not empty`,
            ).toBeGreaterThan(0);
        }
        for (const range of ['4XX', '5XX']) {
          const schema = responses[range]?.content?.['application/json']?.schema;
          expect(schema, `${method} ${path} ${range}`).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
    // The document itself is hidden; everything else the app serves under /api is described.
    const served = servedApiRoutes(t.app).filter((route) => route !== 'GET /api/openapi.json');
    expect(served.length).toBeGreaterThan(20);
    expect(documented.sort()).toEqual(served);

    const error = doc.components?.schemas?.Error as { properties?: Record<string, unknown>; required?: string[] };
    expect(error.required).toEqual(expect.arrayContaining(['success', 'error', 'code']));
    expect(error.properties?.code).toMatchObject({
      enum: expect.arrayContaining(['VALIDATION_FAILED', 'SESSION_NOT_FOUND', 'CONFIG_INVALID']),
    });
  });

  it("describes the original front end's fields in the replies it reads", async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const reply = (path: string, method: string, code: string) =>
      doc.paths[path][method].responses[code].content['application/json'].schema;
    const resolve = (schema: { $ref?: string }) =>
      schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema;
    expect(Object.keys(reply('/api/upload', 'post', '200').properties)).toEqual(
      expect.arrayContaining(['success', 'filepath', 'filename']),
    );
    const legacy = reply('/api/admin/sessions', 'get', '200');
    expect(Object.keys(legacy.properties.summary.properties)).toEqual([
      'total_sessions',
      'active_count',
      'completed_count',
      'partial_count',
      'failed_count',
    ]);
    const item = resolve(legacy.properties.sessions.properties.completed.items);
    expect(Object.keys(item.properties)).toEqual(
      expect.arrayContaining(['session_id', 'status', 'pdf_filename', 'pdf_path', 'stopped_at']),
    );
    // Open shapes say so: fields beyond the listed ones are part of the reply.
    expect(legacy.additionalProperties).toEqual({});
    expect(reply('/api/config/questions', 'get', '200').properties.config.properties.totalQuestions).toMatchObject({
      type: 'number',
    });
  });

  it('refuses a request its schema rejects with 400 VALIDATION_FAILED, naming the field', async () => {
    for (const url of [
      '/api/admin/analyses?limit=201',
      '/api/admin/analyses?offset=-1',
      '/api/admin/stats?days=abc',
      '/api/events/x?last_index=-2',
    ]) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(400);
      expect(r.json()).toMatchObject({
        success: false,
        code: 'VALIDATION_FAILED',
        error: expect.stringMatching(/^Invalid request: querystring\/\w+ /),
      });
      expect(r.json().details[0]).toMatchObject({
        instancePath: expect.stringMatching(/^\/(limit|offset|days|last_index)$/),
        message: expect.any(String),
      });
    }
    const badJson = await t.app.inject({
      method: 'POST',
      url: '/api/estimate',
      payload: { document_id: 'x', engine: 'gpt-magic' },
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({
      success: false,
      code: 'VALIDATION_FAILED',
      error: expect.stringContaining('body/engine'),
    });
    const noConfig = await t.app.inject({ method: 'POST', url: '/api/config/validate', payload: {} });
    expect(noConfig.statusCode).toBe(400);
    expect(noConfig.json()).toMatchObject({
      success: false,
      code: 'VALIDATION_FAILED',
      error: expect.stringContaining('body/config is required'),
    });
  });

  it('applies schema defaults and coerces query numbers', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/admin/analyses?limit=7' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ success: true, limit: 7, offset: 0 });
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/stats' })).json().days).toBe(30);
  });
});
