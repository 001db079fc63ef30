import { describe, expect, it } from '@jest/globals';
import { parseEncryptionKeys } from '../../shared/config/env.js';
import { loadConfig } from './app-config.js';
import { ConfigError } from '../../shared/config/config.error.js';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');
const ENABLED = { BRIDGE_URL: 'http://bridge:9000', BRIDGE_TOKEN: 'service-token' };

/** The ConfigError loadConfig throws for this environment (fails the test when none is thrown). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has the documented defaults and the module off', () => {
    expect(loadConfig({})).toEqual({
      nodeId: expect.stringMatching(/^[A-Za-z0-9_.-]+-[0-9a-f]{8}$/),
      port: 8080,
      baseUrl: 'http://localhost:8080',
      databaseUrl: undefined,
      dataDir: './data',
      logLevel: 'info',
      bootstrapAccountToken: undefined,
      firstAccountTokenFile: 'data/first-account-token',
      encryptionKeys: [],
      rateLimit: { perMinute: 100, instanceNewPerMinute: 20, invalidTokensPerMinute: 30 },
      bridge: undefined,
      channel: { heartbeatMs: 30_000, window: 1000, maxFrameBytes: 1024 * 1024, maxBufferedBytes: 4 * 1024 * 1024, stallTimeoutMs: 10_000, heldMemoryBytes: 64 * 1024 * 1024, retentionMaxEvents: 100_000, retentionMaxAgeMs: 168 * 3_600_000 },
      whatsapp: { engine: 'sandbox', webSocketUrl: undefined, connectTimeoutMs: 60_000, reconnectBaseMs: 1000, reconnectMaxMs: 60_000, mediaMaxBytes: 100 * 1024 * 1024 },
      metrics: { token: undefined, perInstance: false },
    });
    expect(loadConfig({ METRICS_TOKEN: ' scrape-token ', METRICS_PER_INSTANCE: 'TRUE' }).metrics).toEqual({ token: 'scrape-token', perInstance: true });
  });

  it('derives BASE_URL from PORT, and BRIDGE_INTERNAL_RYZEAPI_URL from BASE_URL, without trailing slashes', () => {
    expect(loadConfig({ PORT: '3000' }).baseUrl).toBe('http://localhost:3000');
    const config = loadConfig({ ...ENABLED, BASE_URL: 'https://api.example.com/', ENCRYPTION_KEYS: `k1:${KEY_A}` });
    expect(config.baseUrl).toBe('https://api.example.com');
    expect(config.bridge).toEqual({
      url: 'http://bridge:9000',
      token: 'service-token',
      internalRyzeApiUrl: 'https://api.example.com',
      timeouts: { activateMs: 60_000, statusMs: 10_000, deleteMs: 30_000 },
    });
  });

  it('enables the module only when BRIDGE_URL and BRIDGE_TOKEN are both set', () => {
    expect(loadConfig({}).bridge).toBeUndefined();
    expect(loadConfig({ BRIDGE_URL: ' ', BRIDGE_TOKEN: '' }).bridge).toBeUndefined();
    expect(loadConfig({ ...ENABLED, ENCRYPTION_KEYS: `k1:${KEY_A}` }).bridge?.url).toBe('http://bridge:9000');
  });

  it.each([
    ['BRIDGE_TOKEN', 'BRIDGE_URL', { BRIDGE_URL: 'http://bridge:9000' }],
    ['BRIDGE_TOKEN', 'BRIDGE_URL', { ...ENABLED, BRIDGE_TOKEN: '  ' }],
    ['BRIDGE_URL', 'BRIDGE_TOKEN', { BRIDGE_TOKEN: 'service-token' }],
  ])('refuses half a bridge configuration, naming the missing %s', (missing, set, env) => {
    const error = configError({ ENCRYPTION_KEYS: `k1:${KEY_A}`, ...env });
    expect(error.variable).toBe(missing);
    expect(error.message).toBe(
      `invalid configuration: ${missing} is required when ${set} is set: set both to enable the Chatwoot module, or neither to leave it off`,
    );
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['BASE_URL', 'not a url'],
    ['BASE_URL', 'ftp://example.com'],
    ['LOG_LEVEL', 'verbose'],
    ['RATE_LIMIT_PER_MINUTE', '0'],
    ['RATE_LIMIT_INSTANCE_NEW_PER_MINUTE', '1.5'],
    ['BRIDGE_HEARTBEAT_MS', '999'],
    ['BRIDGE_WINDOW', 'many'],
    ['BRIDGE_MAX_FRAME_BYTES', '10'],
    ['BRIDGE_MAX_BUFFERED_BYTES', '65535'],
    ['BRIDGE_MAX_BUFFERED_BYTES', '4MB'],
    ['BRIDGE_STALL_TIMEOUT_MS', '99'],
    ['ENCRYPTION_KEYS', 'k1'],
    ['METRICS_PER_INSTANCE', 'yes'],
  ])('refuses %s=%s with a ConfigError naming it', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toMatch(new RegExp(`^invalid configuration: ${name} `));
  });

  it.each([
    ['BRIDGE_URL', { BRIDGE_URL: 'bridge:9000' }],
    ['BRIDGE_INTERNAL_RYZEAPI_URL', { BRIDGE_INTERNAL_RYZEAPI_URL: 'nope' }],
    ['BRIDGE_ACTIVATE_TIMEOUT_MS', { BRIDGE_ACTIVATE_TIMEOUT_MS: '0' }],
  ])('checks %s when the module is enabled', (name, env) => {
    expect(configError({ ...ENABLED, ENCRYPTION_KEYS: `k1:${KEY_A}`, ...env }).variable).toBe(name);
  });

  it('refuses to enable the module without ENCRYPTION_KEYS, saying which variable to set', () => {
    const error = configError(ENABLED);
    expect(error.variable).toBe('ENCRYPTION_KEYS');
    expect(error.message).toMatch(/^invalid configuration: ENCRYPTION_KEYS is required when the Chatwoot module is enabled/);
  });
});

describe('parseEncryptionKeys', () => {
  it('reads a list: the first key encrypts, every key is kept in order', () => {
    expect(parseEncryptionKeys(` k2:${KEY_B} , k1:${KEY_A}`)).toEqual([
      { id: 'k2', key: Buffer.alloc(32, 2) },
      { id: 'k1', key: Buffer.alloc(32, 1) },
    ]);
    expect(parseEncryptionKeys(undefined)).toEqual([]);
    expect(parseEncryptionKeys('  ')).toEqual([]);
  });

  it.each([
    ['a key of 16 bytes', `k1:${Buffer.alloc(16).toString('base64')}`],
    ['a key of 33 bytes', `k1:${Buffer.alloc(33).toString('base64')}`],
    ['no key id', `:${KEY_A}`],
    ['no separator', KEY_A],
    ['a key id with a space', `my key:${KEY_A}`],
    ['an empty entry', `k1:${KEY_A},`],
  ])('refuses %s', (_, raw) => {
    expect(() => parseEncryptionKeys(raw)).toThrow(
      'invalid configuration: ENCRYPTION_KEYS must be <kid>:<base64 of 32 bytes>[,<kid>:<base64>...] with kid of 1 to 32 of A-Z a-z 0-9 _ -',
    );
  });

  it('refuses the same key id twice', () => {
    expect(() => parseEncryptionKeys(`k1:${KEY_A},k1:${KEY_B}`)).toThrow('invalid configuration: ENCRYPTION_KEYS has the same key id twice');
  });

  it('takes NODE_ID, or makes one up per start, and refuses a malformed one', () => {
    expect(loadConfig({ NODE_ID: 'api-1' }).nodeId).toBe('api-1');
    expect(loadConfig({}).nodeId).not.toBe(loadConfig({}).nodeId);
    expect(() => loadConfig({ NODE_ID: 'no spaces' })).toThrow(/NODE_ID must be 1 to 64 of/);
  });
});
