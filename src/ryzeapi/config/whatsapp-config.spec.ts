import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../shared/config/config.error.js';
import { loadConfig } from './app-config.js';

const KEYS = `k1:${Buffer.alloc(32, 1).toString('base64')}`;

function variableOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).variable;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('WHATSAPP_ENGINE and the Baileys settings', () => {
  it('defaults to the sandbox, which needs no key', () => {
    expect(loadConfig({}).whatsapp.engine).toBe('sandbox');
    expect(loadConfig({ WHATSAPP_ENGINE: 'sandbox' }).whatsapp.engine).toBe('sandbox');
  });

  it('takes baileys with ENCRYPTION_KEYS, and refuses it without, naming the variable to set', () => {
    expect(loadConfig({ WHATSAPP_ENGINE: 'baileys', ENCRYPTION_KEYS: KEYS }).whatsapp).toEqual({
      engine: 'baileys', webSocketUrl: undefined, connectTimeoutMs: 60_000, reconnectBaseMs: 1000, reconnectMaxMs: 60_000, mediaMaxBytes: 100 * 1024 * 1024,
    });
    expect(() => loadConfig({ WHATSAPP_ENGINE: 'baileys' })).toThrow(
      'invalid configuration: ENCRYPTION_KEYS is required with WHATSAPP_ENGINE=baileys (WhatsApp sessions are stored encrypted)',
    );
  });

  it.each([
    [{ WHATSAPP_ENGINE: 'whatsmeow' }, 'WHATSAPP_ENGINE'],
    [{ WHATSAPP_ENGINE: 'baileys', ENCRYPTION_KEYS: KEYS, WHATSAPP_WS_URL: 'http://web.whatsapp.com' }, 'WHATSAPP_WS_URL'],
    [{ WHATSAPP_CONNECT_TIMEOUT_MS: '60001' }, 'WHATSAPP_CONNECT_TIMEOUT_MS'],
    [{ WHATSAPP_RECONNECT_BASE_MS: '0' }, 'WHATSAPP_RECONNECT_BASE_MS'],
    [{ MEDIA_MAX_BYTES: 'lots' }, 'MEDIA_MAX_BYTES'],
  ])('refuses %j, naming %s', (env, variable) => {
    expect(variableOf(env)).toBe(variable);
  });
});
