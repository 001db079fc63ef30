import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { DataSource } from 'typeorm';
import { FakeBridge } from '../support/fake-bridge.js';
import { request, type ApiResponse, type RequestOptions } from '../support/http.js';
import { startApp, TEST_KEY, type TestApp } from '../support/test-app.js';

/**
 * Runs the OpenAPI document served at /docs-json against the service: every documented status of
 * every operation is reached by a real request, and every response (status, documented headers,
 * body) must be valid against the document. A status the document does not list for the operation,
 * or a body property it does not name, fails the test.
 */

/** Response schemas are checked closed: a property the document does not name is a failure. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  Object.values(schema).forEach(closeObjects);
}

type Schema = Record<string, unknown>;
interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: Schema }>; headers?: Record<string, { required?: boolean; schema: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * The document's schemas compiled by ajv (openapi-backend's validator; its router cannot be loaded
 * by Jest in ESM mode). `$ref`s are resolved within the document.
 */
class DocumentValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  /** Header values are strings on the wire: coerced to the documented type before validation. */
  private readonly headerAjv = new Ajv({ strict: false, coerceTypes: true });
  private readonly cache = new Map<Schema, ValidateFunction>();
  private readonly routes: { method: string; pattern: RegExp; operation: Operation; path: string }[] = [];

  constructor(document: Document) {
    addFormats.default(this.ajv);
    const checked = structuredClone(document);
    closeObjects(checked);
    this.ajv.addSchema({ $id: 'doc', components: checked.components });
    this.headerAjv.addSchema({ $id: 'doc', components: checked.components });
    for (const [path, item] of Object.entries(checked.paths)) {
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, operation] of Object.entries(item)) this.routes.push({ method: method.toUpperCase(), pattern, operation, path });
    }
  }

  match(method: string, path: string) {
    return this.routes.find((r) => r.method === method && r.pattern.test(path.split('?')[0]!));
  }

  compile(schema: Schema, ajv = this.ajv): ValidateFunction {
    let validate = this.cache.get(schema);
    if (!validate) {
      validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')));
      this.cache.set(schema, validate);
    }
    return validate;
  }

  component(name: string): ValidateFunction {
    return this.ajv.compile({ $ref: `doc#/components/schemas/${name}` });
  }

  /** What is wrong with a response, by the document: nothing when []. */
  check(operation: Operation, status: number, headers: Headers, body: unknown): string[] {
    const documented = operation.responses[String(status)];
    if (!documented) return [`status ${status} not documented`];
    const problems: string[] = [];
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) problems.push('no response schema');
    else if (!this.compile(schema)(body)) problems.push(`body: ${this.ajv.errorsText(this.compile(schema).errors)}`);
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`header ${name} missing`);
        continue;
      }
      const validate = this.compile({ type: 'object', properties: { value: header.schema } }, this.headerAjv);
      if (!validate({ value })) problems.push(`header ${name}: ${this.headerAjv.errorsText(validate.errors)}`);
    }
    return problems;
  }
}

/** fetch refuses TRACE (and CONNECT): a plain node:http request. */
function rawRequest(url: string, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }>((resolve, reject) => {
    const req = httpRequest(url + path, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the OpenAPI document describes the service', () => {
  let document: Document;
  let validator: DocumentValidator;
  /** `<operationId> <status>` of every response seen. */
  const reached = new Set<string>();
  const failures: string[] = [];

  /** Sends a request and checks its response against the document; returns it for the test's own expectations. */
  async function call(t: TestApp, method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    const res = await request(t.url, method, path, body, options);
    const route = validator.match(method, path);
    if (!route) throw new Error(`${method} ${path} matches no documented operation`);
    const problems = validator.check(route.operation, res.status, res.headers, res.body);
    if (problems.length) failures.push(`${method} ${route.path} → ${res.status}: ${problems.join('; ')} in ${res.text.slice(0, 300)}`);
    else reached.add(`${route.operation.operationId} ${res.status}`);
    return res;
  }

  /** call(), expecting the given status. */
  async function expectStatus(t: TestApp, status: number, method: string, path: string, body?: unknown, options: RequestOptions = {}) {
    const res = await call(t, method, path, body, options);
    expect([method, path, res.status]).toEqual([method, path, status]);
    return res;
  }

  /** A validator of one of the document's schema components, its $refs resolved within the document. */
  const componentValidator = (name: string) => validator.component(name);

  const big = () => JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) });

  describe('with the Chatwoot module on', () => {
    let bridge: FakeBridge;
    let t: TestApp;
    let account: string;
    let connToken: string;
    const settings = { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'cw-api-token-openapi-1' };

    beforeAll(async () => {
      bridge = await new FakeBridge().start();
      t = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: TEST_KEY, BRIDGE_ACTIVATE_TIMEOUT_MS: '300' });
      account = await t.newAccount();
      const served = await request(t.url, 'GET', '/docs-json');
      expect(served.status).toBe(200);
      document = served.body;
      validator = new DocumentValidator(document);
    });
    afterAll(async () => {
      await t.close();
      await bridge.stop();
    });

    it('documents the error envelope once, as a reusable schema', () => {
      const refs = new Set<string>();
      for (const item of Object.values(document.paths)) {
        for (const operation of Object.values(item)) {
          for (const [status, response] of Object.entries(operation.responses ?? {})) {
            if (Number(status) >= 400) refs.add((response as any).content?.['application/json']?.schema?.$ref);
          }
        }
      }
      expect([...refs]).toHaveLength(1);
      const validate = componentValidator([...refs][0]!.split('/').pop()!);
      expect(validate({ success: false, error: { message: 'instance not found' } })).toBe(true);
      expect(validate({ success: true, error: { message: 'x' } })).toBe(false);
      expect(validate({ success: false, error: {} })).toBe(false);
    });

    it('states the validation rules as schema constraints', () => {
      const schemas = document.components.schemas as Record<string, any>;
      const accountId = schemas.ChatwootSettingsDto.properties.chatwootAccountId;
      expect(accountId).toMatchObject({ type: 'integer', minimum: 1, maximum: 2_147_483_647 });
      expect(schemas.CreateInstanceDto.properties.chatwootAccountId).toMatchObject({ type: 'integer', minimum: 1, maximum: 2_147_483_647 });
      expect(schemas.ChatwootSettingsDto.properties.chatwootBaseUrl).toMatchObject({ type: 'string', format: 'uri', pattern: '^(http|https)://', maxLength: 2048 });
      expect(schemas.CreateInstanceDto.properties.name).toMatchObject({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', minLength: 1, maxLength: 64 });
      expect(schemas.MediaDto.properties.type.enum).toEqual(['image', 'video', 'audio', 'document']);
      expect(schemas.SendTextDto.properties.message).toMatchObject({ minLength: 1, maxLength: 65536 });
      expect(schemas.ChatwootSettingsDto.properties.chatwootApiToken).toMatchObject({ minLength: 1, maxLength: 512 });
      // The service refuses unknown properties, and the sandbox receive needs text or media.
      expect(schemas.ChatwootSettingsDto.additionalProperties).toBe(false);
      const validateReceive = componentValidator('ReceiveMessageDto');
      expect(validateReceive({ from: '5511999999999', text: 'Oi' })).toBe(true);
      expect(validateReceive({ from: '5511999999999', media: { type: 'image', url: 'https://example.com/a.png' } })).toBe(true);
      expect(validateReceive({ from: '5511999999999' })).toBe(false);
    });

    it('answers every documented status of the instance, message and sandbox routes, each as documented', async () => {
      const none: RequestOptions = {};
      const acc: RequestOptions = { token: account };
      await expectStatus(t, 200, 'GET', '/health');
      await expectStatus(t, 200, 'GET', '/health/live');
      await expectStatus(t, 200, 'GET', '/health/ready');

      const created = await expectStatus(t, 201, 'POST', '/api/instance/new', { name: 'conn' }, acc);
      connToken = created.body.instance.token;
      await expectStatus(t, 201, 'POST', '/api/instance/new', { name: 'idle' }, acc);
      await expectStatus(t, 201, 'POST', '/api/instance/new', { name: 'inline', chatwootEnabled: true, ...settings }, acc);
      await expectStatus(t, 400, 'POST', '/api/instance/new', { name: 'bad name!' }, acc);
      await expectStatus(t, 401, 'POST', '/api/instance/new', { name: 'x' }, none);
      await expectStatus(t, 409, 'POST', '/api/instance/new', { name: 'conn' }, acc);
      await expectStatus(t, 413, 'POST', '/api/instance/new', undefined, { ...acc, raw: big() });

      await expectStatus(t, 200, 'GET', '/api/instance/list', undefined, acc);
      await expectStatus(t, 200, 'GET', '/api/instance/list', undefined, { token: connToken });
      await expectStatus(t, 401, 'GET', '/api/instance/list', undefined, none);

      const own: RequestOptions = { token: connToken };
      for (const [method, route] of [['GET', 'connect'], ['DELETE', 'logout']] as const) {
        await expectStatus(t, 401, method, `/api/instance/${route}/idle`, undefined, none);
        await expectStatus(t, 403, method, `/api/instance/${route}/idle`, undefined, own);
        await expectStatus(t, 404, method, `/api/instance/${route}/missing`, undefined, acc);
      }
      await expectStatus(t, 200, 'DELETE', '/api/instance/logout/idle', undefined, acc);
      await expectStatus(t, 200, 'GET', '/api/instance/connect/conn', undefined, own);

      await expectStatus(t, 201, 'POST', '/api/instance/new', { name: 'doomed' }, acc);
      await expectStatus(t, 401, 'DELETE', '/api/instance/delete/doomed', undefined, none);
      await expectStatus(t, 401, 'DELETE', '/api/instance/delete/conn', undefined, own);
      await expectStatus(t, 404, 'DELETE', '/api/instance/delete/missing', undefined, acc);
      await expectStatus(t, 200, 'DELETE', '/api/instance/delete/doomed', undefined, acc);

      const text = { number: '5511999999999', message: 'Olá' };
      const media = { number: '5511999999999', media: { type: 'image', url: 'https://example.com/a.png', caption: 'a' } };
      const receive = { from: '5511988887777', name: 'Maria', text: 'Oi' };
      const receiveMedia = { from: '5511988887777', group: { jid: '120363000000000000@g.us', name: 'Time' }, media: { type: 'document', url: 'https://example.com/a.pdf', file_name: 'a.pdf' } };
      for (const [path, good, other, bad] of [
        ['/api/message/text', text, text, { number: 'nope', message: '' }],
        ['/api/message/media', media, media, { number: '5511999999999', media: { type: 'gif', url: 'x' } }],
        ['/api/sandbox/receive', receive, receiveMedia, { from: '5511988887777' }],
      ] as const) {
        await expectStatus(t, 201, 'POST', `${path}/conn`, good, own);
        await expectStatus(t, 201, 'POST', `${path}/conn`, other, acc);
        await expectStatus(t, 400, 'POST', `${path}/conn`, bad, own);
        await expectStatus(t, 400, 'POST', `${path}/conn`, undefined, { ...own, raw: '{"broken"' });
        await expectStatus(t, 401, 'POST', `${path}/conn`, good, none);
        await expectStatus(t, 403, 'POST', `${path}/idle`, good, own);
        await expectStatus(t, 404, 'POST', `${path}/missing`, good, acc);
        await expectStatus(t, 413, 'POST', `${path}/conn`, undefined, { ...own, raw: big() });
        await expectStatus(t, 503, 'POST', `${path}/idle`, good, acc);
      }
      const sent = await expectStatus(t, 200, 'GET', '/api/sandbox/sent/conn', undefined, own);
      expect(sent.body.data.length).toBeGreaterThanOrEqual(4);
      await expectStatus(t, 401, 'GET', '/api/sandbox/sent/conn', undefined, none);
      await expectStatus(t, 403, 'GET', '/api/sandbox/sent/idle', undefined, own);
      await expectStatus(t, 404, 'GET', '/api/sandbox/sent/missing', undefined, acc);
      expect(failures.splice(0)).toEqual([]);
    });

    it('answers every documented status of the Chatwoot routes, each as documented', async () => {
      const acc: RequestOptions = { token: account };
      const own: RequestOptions = { token: connToken };
      await expectStatus(t, 404, 'GET', '/api/chatwoot/list/conn', undefined, own);
      await expectStatus(t, 404, 'DELETE', '/api/chatwoot/delete/conn', undefined, own);
      await expectStatus(t, 201, 'POST', '/api/chatwoot/set/conn', settings, own);
      await expectStatus(t, 201, 'POST', '/api/chatwoot/set/conn', { ...settings, inboxName: 'Suporte', signMessages: true }, acc);
      await expectStatus(t, 200, 'GET', '/api/chatwoot/list/conn', undefined, own);
      bridge.fail('status', { kind: 'http', status: 500 });
      await expectStatus(t, 200, 'GET', '/api/chatwoot/list/conn', undefined, acc);
      for (const [method, path] of [['POST', '/api/chatwoot/set'], ['GET', '/api/chatwoot/list'], ['DELETE', '/api/chatwoot/delete']] as const) {
        const body = method === 'POST' ? settings : undefined;
        await expectStatus(t, 401, method, `${path}/conn`, body, {});
        await expectStatus(t, 403, method, `${path}/idle`, body, own);
        await expectStatus(t, 404, method, `${path}/missing`, body, acc);
      }
      await expectStatus(t, 400, 'POST', '/api/chatwoot/set/conn', { ...settings, chatwootAccountId: 0 }, own);
      await expectStatus(t, 413, 'POST', '/api/chatwoot/set/conn', undefined, { ...own, raw: big() });
      const chatwootSays = (status: number) => ({ kind: 'http' as const, status, body: { error: { message: 'no', chatwoot_status: status, detail: 'Chatwoot says no' } } });
      for (const [chatwootStatus, status] of [[401, 401], [403, 403], [404, 400], [422, 400]]) {
        bridge.fail('activate', chatwootSays(chatwootStatus));
        await expectStatus(t, status, 'POST', '/api/chatwoot/set/conn', settings, own);
      }
      bridge.fail('activate', { kind: 'http', status: 500, body: { error: { message: 'boom' } } });
      await expectStatus(t, 502, 'POST', '/api/chatwoot/set/conn', settings, own);
      bridge.fail('activate', { kind: 'hang' });
      await expectStatus(t, 504, 'POST', '/api/chatwoot/set/conn', settings, own);
      await expectStatus(t, 200, 'DELETE', '/api/chatwoot/delete/conn', undefined, own);
      expect(failures.splice(0)).toEqual([]);
    });

    it('answers 400 to a path parameter that is not valid %-encoding, on every route that takes one', async () => {
      for (const [path, item] of Object.entries(document.paths)) {
        if (!path.includes('{instance}')) continue;
        for (const method of Object.keys(item)) {
          await expectStatus(t, 400, method.toUpperCase(), path.replace('{instance}', '%E0'), undefined, { token: account });
        }
      }
      expect(failures.splice(0)).toEqual([]);
    });

    it('answers an unsupported method on a known path with 405 and Allow, and an unknown path with 404', async () => {
      const isEnvelope = componentValidator('ApiError');
      const trace = await rawRequest(t.url, 'TRACE', '/health');
      expect([trace.status, trace.headers.allow]).toEqual([405, 'GET, HEAD']);
      expect(isEnvelope(trace.body)).toBe(true);
      expect(trace.headers['x-ratelimit-limit']).toBeDefined();
      const post = await request(t.url, 'POST', '/health', {});
      expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
      const del = await request(t.url, 'PUT', '/api/chatwoot/list/conn', undefined, { token: account });
      expect([del.status, del.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
      const set = await request(t.url, 'GET', '/api/chatwoot/set/conn', undefined, { token: account });
      expect([set.status, set.headers.get('allow')]).toEqual([405, 'POST']);
      const docs = await request(t.url, 'DELETE', '/docs-json');
      expect([docs.status, docs.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
      for (const [method, path] of [['TRACE', '/nope'], ['GET', '/api/chatwoot/list/conn/extra'], ['TRACE', '/api/instance']]) {
        const res = await rawRequest(t.url, method, path, { token: account });
        expect([method, path, res.status, res.headers.allow]).toEqual([method, path, 404, undefined]);
        expect(isEnvelope(res.body)).toBe(true);
      }
    });
  });

  describe('with the Chatwoot module off, one request a minute, and a failing database', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startApp({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_INSTANCE_NEW_PER_MINUTE: '1' });
    });
    afterAll(() => t.close());

    it('answers 503 on the Chatwoot routes, whatever the method', async () => {
      for (const [method, path] of [['POST', '/api/chatwoot/set/conn'], ['GET', '/api/chatwoot/list/conn'], ['DELETE', '/api/chatwoot/delete/conn']]) {
        await expectStatus(t, 503, method, path, method === 'POST' ? {} : undefined, { token: await t.newAccount() });
      }
      const trace = await rawRequest(t.url, 'TRACE', '/api/chatwoot/list/conn', { token: await t.newAccount() });
      expect([trace.status, trace.headers.allow]).toEqual([503, undefined]);
      expect(failures.splice(0)).toEqual([]);
    });

    it('answers GET /health and GET /health/ready 503 when the database does not answer', async () => {
      await t.app.get(DataSource).destroy();
      await expectStatus(t, 503, 'GET', '/health');
      // A token of its own: one request a minute per client, and /health took this address's.
      await expectStatus(t, 503, 'GET', '/health/ready', undefined, { token: 'readiness-probe-of-its-own' });
      expect(failures.splice(0)).toEqual([]);
    });

    it('answers 429 on every operation once the limit is used', async () => {
      await expectStatus(t, 429, 'GET', '/health');
      for (const [path, item] of Object.entries(document.paths)) {
        for (const method of Object.keys(item as object)) {
          if (path === '/health') continue;
          const concrete = path.replace('{instance}', 'conn');
          const options = { token: `rate-limited-${method}-${concrete}` };
          await request(t.url, method.toUpperCase(), concrete, undefined, options);
          await expectStatus(t, 429, method.toUpperCase(), concrete, undefined, options);
        }
      }
      expect(failures.splice(0)).toEqual([]);
    });
  });

  it('reached every status the document lists for every operation', () => {
    const listed: string[] = [];
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) {
        for (const status of Object.keys(operation.responses ?? {})) listed.push(`${operation.operationId} ${status}`);
      }
    }
    expect(listed.filter((entry) => !reached.has(entry))).toEqual([]);
    // What each operation answers must be more than its 2xx: at least 429 and, with a token, 401.
    expect([...reached].filter((entry) => entry.endsWith(' 429')).length).toBe(Object.values(document.paths).flatMap((i) => Object.keys(i as object)).length);
  });
});
