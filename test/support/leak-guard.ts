/**
 * Secret leak guard, loaded for every test file through `setupFilesAfterEnv` (jest.config.js).
 * Secrets are registered as they appear: startApp registers BRIDGE_TOKEN, BOOTSTRAP_ACCOUNT_TOKEN,
 * the ENCRYPTION_KEYS and every newAccount() token; http.ts registers every TokenInstance it sees
 * created and every `chatwootApiToken` it sends. Tests register other secrets they use themselves.
 * After the file's tests, every captured log line and response body is scanned and the file fails
 * if a secret shows up anywhere.
 *
 * The one allowed place: the TokenInstance in the 201 answer of POST /api/instance/new that created
 * it. http.ts records that body with the token blanked (see `recordResponseBody`), so the token is
 * still caught if it appears anywhere else, in that body or any other.
 *
 * A secret is found in every form the service's scrubber removes (any letter case, percent-encoded,
 * hex, base64, base64url), so an encoded leak fails the file too.
 *
 * This module owns the captured arrays (re-exported by http.ts and test-app.ts) so that it stays
 * free of app imports (the scrubber is a pure function): it is loaded for unit tests too.
 */
import { scrubSecrets } from '../../src/shared/text/secret-scrubber.js';

/** Every log line of every app started by the current test file. */
export const capturedLogs: string[] = [];
/** Every response body seen by the current test file. */
export const capturedBodies: string[] = [];

const secrets = new Set<string>();

/** Shorter values could match by chance (and '' would match everything): they are not tracked. */
export const MIN_SECRET_LENGTH = 8;

export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function registeredSecrets(): ReadonlySet<string> {
  return secrets;
}

const INSTANCE_TOKEN_SHOWN = '[TokenInstance shown once]';

/**
 * Records a response body for the scan. A 201 of POST /api/instance/new is recorded with its
 * `instance.token` blanked (and that token registered as a secret): that is where it must appear.
 */
export function recordResponseBody(method: string, path: string, status: number, text: string): void {
  if (method === 'POST' && path.split('?')[0] === '/api/instance/new' && status === 201) {
    try {
      const body = JSON.parse(text);
      if (typeof body?.instance?.token === 'string') {
        registerSecret(body.instance.token);
        body.instance.token = INSTANCE_TOKEN_SHOWN;
        capturedBodies.push(JSON.stringify(body));
        return;
      }
    } catch {
      // not JSON: recorded as is below
    }
  }
  capturedBodies.push(text);
}

export interface Leak {
  /** The secret's first characters only, so the report does not spread it further. */
  secret: string;
  where: string;
}

/** Every (secret, place) pair where a secret occurs in one of the sources. */
export function findLeaks(secretValues: Iterable<string>, sources: Record<string, readonly string[]>): Leak[] {
  const leaks: Leak[] = [];
  for (const secret of secretValues) {
    for (const [name, texts] of Object.entries(sources)) {
      texts.forEach((text, index) => {
        const masked = scrubSecrets(text, [secret], MASK);
        if (masked !== text) leaks.push({ secret: `${secret.slice(0, 6)}…`, where: `${name}[${index}]: ${excerpt(masked)}` });
      });
    }
  }
  return leaks;
}

const MASK = '<SECRET>';

/** Up to 80 characters either side of the first occurrence, in a text where every occurrence is masked. */
function excerpt(masked: string): string {
  const at = masked.indexOf(MASK);
  return masked.slice(Math.max(0, at - 80), at + MASK.length + 80);
}

/** Throws, listing every leak, when a secret occurs in the sources (by default: this file's captures). */
export function assertNoLeaks(
  sources: Record<string, readonly string[]> = { log: capturedLogs, responseBody: capturedBodies },
  secretValues: Iterable<string> = secrets,
): void {
  const leaks = findLeaks(secretValues, sources);
  if (leaks.length) {
    throw new Error(`secret leak guard: ${leaks.length} leak(s)\n${leaks.map((l) => `  ${l.secret} in ${l.where}`).join('\n')}`);
  }
}

// Jest's global rather than an import of @jest/globals (which throws outside Jest): http.ts and
// test-app.ts import this module, and tools or benchmarks may import them outside a test run.
(globalThis as { afterAll?: (fn: () => void) => void }).afterAll?.(() => assertNoLeaks());
