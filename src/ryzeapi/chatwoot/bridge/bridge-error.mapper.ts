import { HttpException } from '@nestjs/common';
import { AxiosError } from 'axios';
import { scrubSecrets } from '../../../shared/text/secret-scrubber.js';
import type { BridgeErrorBody } from '../../../shared/protocol/integrations.api.js';

/** What the caller submitted, to name it in messages and to scrub its secret from them. */
export interface ActivationContext {
  chatwootBaseUrl: string;
  chatwootAccountId: number;
  secrets: string[];
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED']);

/** Turns any failed bridge call into the error table of SPEC section 4. */
export function mapActivationError(error: unknown, ctx: ActivationContext): HttpException {
  const fail = (status: number, message: string) => new HttpException(scrubSecrets(message, ctx.secrets), status);
  if (!(error instanceof AxiosError)) {
    return fail(502, `integration gateway error (HTTP 0). Detail: ${(error as Error)?.message ?? 'unknown error'}`);
  }
  const response = error.response;
  if (!response) {
    if (TIMEOUT_CODES.has(error.code ?? '')) return fail(504, 'integration gateway timed out');
    return fail(502, `integration gateway unavailable. Detail: ${error.code ?? error.message}`);
  }
  const body = (typeof response.data === 'object' && response.data ? response.data : {}) as Partial<BridgeErrorBody>;
  const chatwootStatus = body.error?.chatwoot_status;
  // Scrubbed before it is cut, so that a secret straddling the cut cannot survive in part.
  const rawDetail = body.error?.detail || body.error?.message || (typeof response.data === 'string' && response.data) || response.statusText || 'no detail';
  const detail = scrubSecrets(String(rawDetail), ctx.secrets).slice(0, 500);
  const { chatwootBaseUrl: url, chatwootAccountId: id } = ctx;

  if (typeof chatwootStatus !== 'number') {
    if (response.status === 401 || response.status === 403) {
      return fail(502, 'integration gateway rejected the service token — verify BRIDGE_TOKEN');
    }
    return fail(502, `integration gateway error (HTTP ${response.status}). Detail: ${detail}`);
  }
  switch (chatwootStatus) {
    case 401:
      return fail(401, `Chatwoot rejected the API token — verify chatwootApiToken. Detail: ${detail}`);
    case 403:
      return fail(403, `Chatwoot denied the request — verify the API token has admin scope on account ${id}. Detail: ${detail}`);
    case 404:
      return fail(400, `Chatwoot account or endpoint not found — verify chatwootBaseUrl (${url}) and chatwootAccountId (${id}). Detail: ${detail}`);
    case 422:
      return fail(400, `Chatwoot rejected the request as invalid — verify inboxName and the integration settings. Detail: ${detail}`);
    case 0:
      return fail(502, `Chatwoot is unreachable at ${url} — verify chatwootBaseUrl. Detail: ${detail}`);
    default:
      return fail(502, `integration gateway error (HTTP ${response.status}). Detail: ${detail}`);
  }
}
