import { ConfigError } from '../../shared/config/config.error.js';
import { int, parseEncryptionKeys, trimSlash, url, type EncryptionKey, type Env } from '../../shared/config/env.js';

/** Everything the bridge reads from its environment (SPEC 13.1), parsed and validated once at start. */
export class BridgeAppConfig {
  port: number;
  /** The URL Chatwoot uses to reach the bridge's webhooks. */
  publicUrl: string;
  /** BRIDGE_TOKEN: RyzeAPI's calls carry it, and the bridge's sockets to RyzeAPI present it. */
  token: string;
  databaseUrl?: string;
  dataDir: string;
  encryptionKeys: EncryptionKey[];
  logLevel: string;
  /** GET /metrics: open, or behind METRICS_TOKEN. */
  metrics: { token?: string };
  chatwoot: {
    timeoutMs: number;
    /** Calls in flight per Chatwoot installation (base URL). */
    maxInFlight: number;
    /** Largest media file downloaded and uploaded to Chatwoot. */
    maxMediaBytes: number;
  };
  channel: {
    /** Reconnect delays: min(maxMs, initialMs * 2^attempt), times a random factor in [0.5, 1). */
    backoffInitialMs: number;
    backoffMaxMs: number;
    /** Retry delays of an event that Chatwoot could not take (outage, 5xx, 429 without Retry-After). */
    retryInitialMs: number;
    retryMaxMs: number;
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadBridgeConfig(env: Env = process.env): BridgeAppConfig {
  const port = int(env, 'PORT', 8090, 0, 65535);
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const token = env.BRIDGE_TOKEN?.trim();
  if (!token) throw new ConfigError('BRIDGE_TOKEN', 'is required: the same service token RyzeAPI has');
  const encryptionKeys = parseEncryptionKeys(env.ENCRYPTION_KEYS);
  if (encryptionKeys.length === 0) {
    throw new ConfigError('ENCRYPTION_KEYS', 'is required: set it to <kid>:<base64 of 32 bytes>, e.g. k1:$(openssl rand -base64 32)');
  }
  return {
    port,
    publicUrl: trimSlash(url(env, 'PUBLIC_URL') ?? `http://localhost:${port}`),
    token,
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    dataDir: env.DATA_DIR?.trim() || './data-bridge',
    encryptionKeys,
    logLevel,
    metrics: { token: env.METRICS_TOKEN?.trim() || undefined },
    chatwoot: {
      timeoutMs: int(env, 'CHATWOOT_TIMEOUT_MS', 15_000, 1),
      maxInFlight: int(env, 'CHATWOOT_MAX_IN_FLIGHT', 16, 1, 1000),
      maxMediaBytes: int(env, 'CHATWOOT_MAX_MEDIA_BYTES', 40 * 1024 * 1024, 1),
    },
    channel: {
      backoffInitialMs: int(env, 'RYZEAPI_BACKOFF_INITIAL_MS', 500, 1),
      backoffMaxMs: int(env, 'RYZEAPI_BACKOFF_MAX_MS', 30_000, 1),
      retryInitialMs: int(env, 'CHATWOOT_RETRY_INITIAL_MS', 1000, 1),
      retryMaxMs: int(env, 'CHATWOOT_RETRY_MAX_MS', 60_000, 1),
    },
  };
}
