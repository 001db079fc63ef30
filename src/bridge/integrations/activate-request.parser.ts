import type { ActivateRequest } from '../../shared/protocol/integrations.api.js';
import { BridgeHttpError } from '../common/bridge-http.error.js';

const MAX_INT4 = 2_147_483_647;
const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUrl = (v: unknown, protocols: string[]) => {
  if (typeof v !== 'string' || v.length > 2048) return false;
  try {
    return protocols.includes(new URL(v).protocol);
  } catch {
    return false;
  }
};
const isText = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

/** Checks an activation body (SPEC section 8); 400 naming the first problem. */
export function parseActivateRequest(body: unknown): ActivateRequest {
  const fail = (what: string) => new BridgeHttpError(400, `invalid body: ${what}`);
  if (!isObject(body)) throw fail('expected a JSON object');
  const { instance, integration_id, ryzeapi, chatwoot, options } = body;
  if (!isText(instance, 64)) throw fail('instance must be a non-empty string');
  if (integration_id !== null && integration_id !== undefined && !isText(integration_id, 64)) throw fail('integration_id must be a string or null');
  if (!isObject(ryzeapi) || !isUrl(ryzeapi.base_url, ['http:', 'https:']) || !isUrl(ryzeapi.ws_url, ['ws:', 'wss:'])) {
    throw fail('ryzeapi.base_url must be an http(s) URL and ryzeapi.ws_url a ws(s) URL');
  }
  if (!isObject(chatwoot)) throw fail('chatwoot must be an object');
  if (!isUrl(chatwoot.base_url, ['http:', 'https:'])) throw fail('chatwoot.base_url must be an absolute http(s) URL');
  if (!Number.isInteger(chatwoot.account_id) || chatwoot.account_id < 1 || chatwoot.account_id > MAX_INT4) throw fail('chatwoot.account_id must be a positive integer');
  if (!isText(chatwoot.api_token, 4096)) throw fail('chatwoot.api_token must be a non-empty string');
  if (chatwoot.inbox_name !== undefined && !isText(chatwoot.inbox_name, 255)) throw fail('chatwoot.inbox_name must be a string of 1 to 255 characters');
  const opts = isObject(options) ? options : {};
  const flag = (name: string) => {
    if (opts[name] !== undefined && typeof opts[name] !== 'boolean') throw fail(`options.${name} must be a boolean`);
    return opts[name] === true;
  };
  return {
    instance,
    integration_id: integration_id ?? null,
    ryzeapi: { base_url: ryzeapi.base_url, ws_url: ryzeapi.ws_url },
    chatwoot: {
      base_url: chatwoot.base_url.trim().replace(/\/+$/, ''),
      account_id: chatwoot.account_id,
      api_token: chatwoot.api_token,
      inbox_name: chatwoot.inbox_name ?? instance,
    },
    options: {
      sign_messages: flag('sign_messages'),
      ignore_groups: flag('ignore_groups'),
      start_as_pending: flag('start_as_pending'),
      reopen_resolved: flag('reopen_resolved'),
    },
  };
}
