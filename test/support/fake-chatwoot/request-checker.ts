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
 * The checker itself, run in a worker thread (its source is this function's text): openapi-backend requires an ES-module-only
 * dependency (@apidevtools/json-schema-ref-parser), which Jest's module system cannot load on
 * Node 20 while plain Node can (`require(esm)`). In the worker, Node loads it natively.
 *
 * Checks: the operation exists; its security (the `api_access_token` header) is present; the
 * body's media type is one the operation takes, or a multipart form (Rails reads forms for any
 * action; the form's fields are checked against the same schema); path, query and body match their
 * schemas (ajv coerces types: ids are typed `string` in places where Chatwoot takes numbers, and
 * query values are strings).
 */
function checkerWorker(require: (id: string) => any): void {
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
  // Loading the library and document is most of the start: the fake waits for it.
  void ready.then(() => parentPort.postMessage({ ready: true }));

  // openapi-backend's own matchOperation compiles every path template on every call; this list is
  // compiled once. Paths with fewer templated segments come first (`/contacts/search` before
  // `/contacts/{id}`), as openapi-backend orders them.
  let routes: { operation: any; params: number; pattern: RegExp }[] | undefined;
  const compileRoutes = () =>
    api
      .getOperations()
      .map((operation: any) => ({
        operation,
        params: (operation.path.match(/{/g) ?? []).length,
        pattern: new RegExp(`^${operation.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/{[^}]+}/g, '[^/]+')}$`),
      }))
      .sort((a: { params: number }, b: { params: number }) => a.params - b.params);
  const match = (method: string, path: string) => {
    routes ??= compileRoutes();
    const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
    return routes!.find((r) => r.operation.method === method && r.pattern.test(trimmed))?.operation;
  };

  const describe = (error: any): string => {
    const where = (error.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.') || 'request';
    const allowed = error.keyword === 'enum' ? ` (${(error.params?.allowedValues ?? []).join(', ')})` : '';
    return `${where} ${error.message ?? 'is invalid'}${allowed}`;
  };

  const securityProblems = (operation: any, request: CheckedRequest): string[] => {
    const requirements: Record<string, string[]>[] = operation.security ?? api.definition.security ?? [];
    if (!requirements.length || requirements.some((r) => Object.keys(r).length === 0)) return [];
    const schemes = api.definition.components?.securitySchemes ?? {};
    const satisfied = requirements.some((requirement) =>
      Object.keys(requirement).every((name) => {
        const scheme = schemes[name];
        return scheme?.type === 'apiKey' && scheme.in === 'header' && !!request.headers[scheme.name.toLowerCase()];
      }),
    );
    return satisfied ? [] : ['header api_access_token (the security the document requires) is missing'];
  };

  const mediaTypeProblems = (operation: any, request: CheckedRequest): string[] => {
    if (request.body === undefined || request.mediaType === FORM) return [];
    const allowed = Object.keys(operation.requestBody?.content ?? {});
    if (!allowed.length) return [`the operation takes no request body, but one was sent (${request.mediaType || 'no content-type'})`];
    if (!allowed.includes(request.mediaType)) return [`content-type ${request.mediaType || '(none)'} is not one the operation takes (${allowed.join(', ')})`];
    return [];
  };

  const check = (request: CheckedRequest): CheckResult => {
    const input = { method: request.method.toLowerCase(), path: request.path, query: request.query, headers: request.headers, body: request.body };
    const operation = match(input.method, input.path);
    if (!operation) {
      const otherMethod = METHODS.some((method) => match(method, input.path));
      return { problems: [otherMethod ? `the document has no ${request.method} operation on this path` : 'the document has no such path'] };
    }
    const mediaProblems = mediaTypeProblems(operation, request);
    const problems = [...securityProblems(operation, request), ...mediaProblems];
    const result = api.validateRequest(input, operation);
    // A body of the wrong media type is reported as that alone, not also as unreadable JSON.
    const aboutBody = (e: any) => e.keyword === 'parse' || (e.instancePath ?? '').startsWith('/requestBody') || e.params?.missingProperty === 'requestBody';
    for (const error of result.errors ?? []) if (!(mediaProblems.length && aboutBody(error))) problems.push(describe(error));
    return { operationId: operation.operationId, problems };
  };

  parentPort.on('message', async ({ id, request }: { id: number; request: CheckedRequest }) => {
    try {
      await ready;
      parentPort.postMessage({ id, result: check(request) });
    } catch (error) {
      parentPort.postMessage({ id, result: { problems: [`the fake could not check this request: ${(error as Error).message}`] } });
    }
  });
}

/** How long an unused checker stays up, so that fakes started one after another share it. */
const IDLE_MS = 2000;

/**
 * Checks requests against Chatwoot's (patched) OpenAPI document with openapi-backend. One worker
 * serves every fake of the process (loading the library and document takes most of a second);
 * it stops once no fake has used it for a moment.
 */
export class RequestChecker {
  private static shared?: RequestChecker;
  private readonly pending = new Map<number, (result: CheckResult) => void>();
  private nextId = 0;
  private users = 0;
  private idleTimer?: NodeJS.Timeout;
  /** Set when the worker stopped: every later check reports it instead of waiting forever. */
  private stopped?: string;
  private readonly ready: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.ready = new Promise((resolve) => {
      worker.on('message', (message: { ready?: true; id: number; result: CheckResult }) => {
        if (message.ready) return resolve();
        this.pending.get(message.id)?.(message.result);
        this.pending.delete(message.id);
      });
      worker.on('exit', () => resolve());
    });
    worker.on('error', (error) => this.stop(`the checker stopped: ${error.message}`));
    worker.on('exit', () => this.stop('the checker stopped'));
  }

  /** The process's checker, started when needed; resolves once it can check. Pair with release(). */
  static async acquire(): Promise<RequestChecker> {
    let checker = RequestChecker.shared;
    if (!checker || checker.stopped) {
      const openapiBackend = createRequire(import.meta.url).resolve('openapi-backend');
      const worker = new Worker(`(${checkerWorker.toString()})(require)`, { eval: true, workerData: { openapiBackend, document: loadChatwootDocument() } });
      checker = RequestChecker.shared = new RequestChecker(worker);
    }
    checker.users++;
    clearTimeout(checker.idleTimer);
    // Referenced while a fake uses it, so that a process waiting on it does not exit.
    checker.worker.ref();
    await checker.ready;
    return checker;
  }

  release(): void {
    if (--this.users > 0) return;
    this.worker.unref();
    this.idleTimer = setTimeout(() => {
      if (this.users > 0) return;
      if (RequestChecker.shared === this) RequestChecker.shared = undefined;
      this.stop('the checker was stopped');
      void this.worker.terminate();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  check(request: CheckedRequest): Promise<CheckResult> {
    if (this.stopped) return Promise.resolve({ problems: [this.stopped] });
    const id = ++this.nextId;
    // Headers travel as plain data (an IncomingHttpHeaders object is one already).
    const message = { id, request: { ...request, headers: { ...request.headers } } };
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage(message);
    });
  }

  private stop(problem: string): void {
    this.stopped ??= problem;
    for (const resolve of this.pending.values()) resolve({ problems: [problem] });
    this.pending.clear();
  }
}
