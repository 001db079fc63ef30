import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { loadChatwootDocument } from './openapi-document.js';

/** One request as the checker sees it (body already parsed; multipart: its fields, files left out). */
export interface CheckedRequest {
  method: string;
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  /** The media type of the body, without parameters ('' when there is no body). */
  mediaType: string;
  /** undefined when the request has no body. */
  body: unknown;
}

export interface CheckResult {
  /** The document's operation for this method and path, when there is one. */
  operationId?: string;
  /** What the document does not allow, one plain sentence each ([] when the request is valid). */
  problems: string[];
}

/**
 * The checker itself, run in a worker thread: openapi-backend requires an ES-module-only
 * dependency (@apidevtools/json-schema-ref-parser), which Jest's module system cannot load on
 * Node 20 while plain Node can (`require(esm)`). In the worker, Node loads it natively.
 *
 * Checks: the operation exists; its security (the `api_access_token` header) is present; the
 * body's media type is one the operation takes, or a multipart form (Rails reads forms for any
 * action; the form's fields are checked against the same schema); path, query and body match their
 * schemas (ajv coerces types: ids are typed `string` in places where Chatwoot takes numbers, and
 * query values are strings).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { OpenAPIBackend } = require(workerData.openapiBackend);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const FORM = 'multipart/form-data';
const api = new OpenAPIBackend({
  definition: workerData.document,
  validate: true,
  // Validators are compiled on first use of each operation: the whole document takes seconds.
  quick: true,
  coerceTypes: true,
  ajvOpts: { coerceTypes: true, strict: false, logger: false },
});
const ready = api.init();

function describe(error) {
  const where = (error.instancePath || '').replace(/^\\//, '').replaceAll('/', '.') || 'request';
  const allowed = error.keyword === 'enum' ? ' (' + (error.params.allowedValues || []).join(', ') + ')' : '';
  return where + ' ' + (error.message || 'is invalid') + allowed;
}

function securityProblems(operation, request) {
  const requirements = operation.security || api.definition.security || [];
  if (!requirements.length || requirements.some((r) => Object.keys(r).length === 0)) return [];
  const schemes = (api.definition.components && api.definition.components.securitySchemes) || {};
  const satisfied = requirements.some((requirement) => Object.keys(requirement).every((name) => {
    const scheme = schemes[name];
    return scheme && scheme.type === 'apiKey' && scheme.in === 'header' && !!request.headers[scheme.name.toLowerCase()];
  }));
  return satisfied ? [] : ['header api_access_token (the security the document requires) is missing'];
}

function mediaTypeProblems(operation, request) {
  if (request.body === undefined || request.mediaType === FORM) return [];
  const allowed = Object.keys((operation.requestBody && operation.requestBody.content) || {});
  if (!allowed.length) return ['the operation takes no request body, but one was sent (' + (request.mediaType || 'no content-type') + ')'];
  if (!allowed.includes(request.mediaType)) return ['content-type ' + (request.mediaType || '(none)') + ' is not one the operation takes (' + allowed.join(', ') + ')'];
  return [];
}

function check(request) {
  const input = { method: request.method.toLowerCase(), path: request.path, query: request.query, headers: request.headers, body: request.body };
  const operation = api.matchOperation(input);
  if (!operation) {
    const otherMethod = METHODS.some((method) => api.matchOperation({ ...input, method }));
    return { problems: [otherMethod ? 'the document has no ' + request.method + ' operation on this path' : 'the document has no such path'] };
  }
  const mediaProblems = mediaTypeProblems(operation, request);
  const problems = [...securityProblems(operation, request), ...mediaProblems];
  const result = api.validateRequest(input, operation);
  // A body of the wrong media type is reported as that alone, not also as unreadable JSON.
  const aboutBody = (e) => e.keyword === 'parse' || (e.instancePath || '').startsWith('/requestBody') || (e.params && e.params.missingProperty === 'requestBody');
  for (const error of result.errors || []) if (!(mediaProblems.length && aboutBody(error))) problems.push(describe(error));
  return { operationId: operation.operationId, problems };
}

parentPort.on('message', async ({ id, request }) => {
  try {
    await ready;
    parentPort.postMessage({ id, result: check(request) });
  } catch (error) {
    parentPort.postMessage({ id, result: { problems: ['the fake could not check this request: ' + error.message] } });
  }
});
`;

/** Checks requests against Chatwoot's (patched) OpenAPI document with openapi-backend. */
export class RequestChecker {
  private readonly pending = new Map<number, (result: CheckResult) => void>();
  private nextId = 0;

  private constructor(private readonly worker: Worker) {
    worker.on('message', ({ id, result }: { id: number; result: CheckResult }) => {
      this.pending.get(id)?.(result);
      this.pending.delete(id);
    });
    worker.on('error', (error) => this.failAll(`the checker stopped: ${error.message}`));
    worker.unref();
  }

  static async create(): Promise<RequestChecker> {
    const openapiBackend = createRequire(import.meta.url).resolve('openapi-backend');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { openapiBackend, document: loadChatwootDocument() } });
    return new RequestChecker(worker);
  }

  check(request: CheckedRequest): Promise<CheckResult> {
    const id = ++this.nextId;
    // Headers travel as plain data (an IncomingHttpHeaders object is one already).
    const message = { id, request: { ...request, headers: { ...request.headers } } };
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    this.failAll('the fake Chatwoot is closed');
    await this.worker.terminate();
  }

  private failAll(problem: string): void {
    for (const resolve of this.pending.values()) resolve({ problems: [problem] });
    this.pending.clear();
  }
}
