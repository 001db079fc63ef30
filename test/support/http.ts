import { recordResponseBody, registerSecret } from './leak-guard.js';

/** Every response body seen by the tests of this file, scanned for secrets by leak-guard.ts. */
export { capturedBodies } from './leak-guard.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** Sent as is (for malformed JSON); otherwise `body` is JSON-encoded. */
  raw?: string;
}

/** A small client for the service's REST API over real HTTP. */
export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  registerSecret((body as { chatwootApiToken?: string } | undefined)?.chatwootApiToken);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.token = options.token;
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, body: payload });
  const text = await res.text();
  recordResponseBody(method, path, res.status, text);
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the test sees the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const api = (baseUrl: string, token?: string) => ({
  get: <T = any>(path: string, options: RequestOptions = {}) => request<T>(baseUrl, 'GET', path, undefined, { token, ...options }),
  post: <T = any>(path: string, body?: unknown, options: RequestOptions = {}) => request<T>(baseUrl, 'POST', path, body, { token, ...options }),
  delete: <T = any>(path: string, options: RequestOptions = {}) => request<T>(baseUrl, 'DELETE', path, undefined, { token, ...options }),
});
