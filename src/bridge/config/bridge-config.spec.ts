import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../shared/config/config.error.js';
import { loadBridgeConfig } from './bridge-config.js';

const KEY = `k1:${Buffer.alloc(32, 3).toString('base64')}`;
const REQUIRED = { BRIDGE_TOKEN: 'service-token', ENCRYPTION_KEYS: KEY };

/** The variable loadBridgeConfig names for this environment (fails the test when it accepts it). */
function rejected(env: Record<string, string>): string {
  try {
    loadBridgeConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).variable;
  }
  throw new Error(`loadBridgeConfig accepted ${JSON.stringify(env)}`);
}

describe('loadBridgeConfig (SPEC 13.1)', () => {
  it('has the documented defaults', () => {
    const config = loadBridgeConfig(REQUIRED);
    expect(config).toMatchObject({
      port: 8090,
      publicUrl: 'http://localhost:8090',
      token: 'service-token',
      databaseUrl: undefined,
      dataDir: './data-bridge',
      logLevel: 'info',
      chatwoot: { timeoutMs: 15_000, maxInFlight: 16 },
    });
    expect(config.encryptionKeys).toHaveLength(1);
  });

  it('reads every variable', () => {
    const config = loadBridgeConfig({
      ...REQUIRED,
      PORT: '9000',
      PUBLIC_URL: 'https://bridge.example.com/',
      DATABASE_URL: 'postgres://db/x',
      DATA_DIR: '/var/bridge',
      LOG_LEVEL: 'debug',
      CHATWOOT_TIMEOUT_MS: '5000',
      CHATWOOT_MAX_IN_FLIGHT: '4',
    });
    expect(config).toMatchObject({
      port: 9000,
      publicUrl: 'https://bridge.example.com',
      databaseUrl: 'postgres://db/x',
      dataDir: '/var/bridge',
      logLevel: 'debug',
      chatwoot: { timeoutMs: 5000, maxInFlight: 4 },
    });
  });

  it('stops at start naming the variable that is missing or bad', () => {
    expect(rejected({ ENCRYPTION_KEYS: KEY })).toBe('BRIDGE_TOKEN');
    expect(rejected({ BRIDGE_TOKEN: 't' })).toBe('ENCRYPTION_KEYS');
    expect(rejected({ ...REQUIRED, ENCRYPTION_KEYS: 'k1:short' })).toBe('ENCRYPTION_KEYS');
    expect(rejected({ ...REQUIRED, PORT: 'eighty' })).toBe('PORT');
    expect(rejected({ ...REQUIRED, PUBLIC_URL: 'bridge.example.com' })).toBe('PUBLIC_URL');
    expect(rejected({ ...REQUIRED, LOG_LEVEL: 'loud' })).toBe('LOG_LEVEL');
    expect(rejected({ ...REQUIRED, CHATWOOT_TIMEOUT_MS: '0' })).toBe('CHATWOOT_TIMEOUT_MS');
    expect(rejected({ ...REQUIRED, CHATWOOT_MAX_IN_FLIGHT: '-1' })).toBe('CHATWOOT_MAX_IN_FLIGHT');
  });
});
