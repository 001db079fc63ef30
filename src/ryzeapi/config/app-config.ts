import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../shared/config/config.error.js';
import { bool, int, parseEncryptionKeys, trimSlash, url, type Env } from '../../shared/config/env.js';
import { loadWhatsAppConfig, type WhatsAppConfig } from './whatsapp-config.js';

import type { EncryptionKey } from '../../shared/config/env.js';
export type { EncryptionKey };

export interface BridgeConfig {
  url: string;
  token: string;
  internalRyzeApiUrl: string;
  timeouts: { activateMs: number; statusMs: number; deleteMs: number };
}

export interface ChannelConfig {
  heartbeatMs: number;
  window: number;
  maxFrameBytes: number;
  /** Unsent bytes per socket (ws's buffer and our queued commands) past which its reading stops. */
  maxBufferedBytes: number;
  /** How long a socket may stay over maxBufferedBytes without draining before it is closed (1008). */
  stallTimeoutMs: number;
  /** Memory of this node for events waiting for their socket's window, kept to be sent without a read. */
  heldMemoryBytes: number;
  retentionMaxEvents: number;
  retentionMaxAgeMs: number;
}

/** Everything the service reads from its environment, parsed and validated once at start. */
export class AppConfig {
  /** This process among the nodes sharing one PostgreSQL (NODE_ID, or generated at start). */
  nodeId: string;
  port: number;
  baseUrl: string;
  databaseUrl?: string;
  dataDir: string;
  logLevel: string;
  bootstrapAccountToken?: string;
  /** Where the first account's TokenAccount is written on an empty database (without BOOTSTRAP_ACCOUNT_TOKEN). */
  firstAccountTokenFile: string;
  encryptionKeys: EncryptionKey[];
  /** Per token; and, for unknown tokens, per client address (a random token must not mean a fresh budget). */
  rateLimit: { perMinute: number; instanceNewPerMinute: number; invalidTokensPerMinute: number };
  /** Present only when BRIDGE_URL and BRIDGE_TOKEN are both set: the Chatwoot module is enabled. */
  bridge?: BridgeConfig;
  channel: ChannelConfig;
  whatsapp: WhatsAppConfig;
  /** GET /metrics: open, or behind a token; per-instance labels only when asked for. */
  metrics: { token?: string; perInstance: boolean };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): AppConfig {
  const port = int(env, 'PORT', 8080, 0, 65535);
  const baseUrl = trimSlash(url(env, 'BASE_URL') ?? `http://localhost:${port}`);
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const bridgeUrl = env.BRIDGE_URL?.trim();
  const bridgeToken = env.BRIDGE_TOKEN?.trim();
  if (!bridgeUrl !== !bridgeToken) {
    const [missing, set] = bridgeUrl ? ['BRIDGE_TOKEN', 'BRIDGE_URL'] : ['BRIDGE_URL', 'BRIDGE_TOKEN'];
    throw new ConfigError(missing, `is required when ${set} is set: set both to enable the Chatwoot module, or neither to leave it off`);
  }
  const encryptionKeys = parseEncryptionKeys(env.ENCRYPTION_KEYS);
  const bridge: BridgeConfig | undefined =
    bridgeUrl && bridgeToken
      ? {
          url: trimSlash(url(env, 'BRIDGE_URL')!),
          token: bridgeToken,
          internalRyzeApiUrl: trimSlash(url(env, 'BRIDGE_INTERNAL_RYZEAPI_URL') ?? baseUrl),
          timeouts: {
            activateMs: int(env, 'BRIDGE_ACTIVATE_TIMEOUT_MS', 60_000, 1),
            statusMs: int(env, 'BRIDGE_STATUS_TIMEOUT_MS', 10_000, 1),
            deleteMs: int(env, 'BRIDGE_DELETE_TIMEOUT_MS', 30_000, 1),
          },
        }
      : undefined;
  if (bridge && encryptionKeys.length === 0) {
    throw new ConfigError(
      'ENCRYPTION_KEYS',
      'is required when the Chatwoot module is enabled (BRIDGE_URL and BRIDGE_TOKEN are set): ' +
        'set it to <kid>:<base64 of 32 bytes>, e.g. k1:$(openssl rand -base64 32)',
    );
  }
  const dataDir = env.DATA_DIR?.trim() || './data';
  return {
    nodeId: nodeId(env),
    port,
    baseUrl,
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    dataDir,
    logLevel,
    bootstrapAccountToken: env.BOOTSTRAP_ACCOUNT_TOKEN?.trim() || undefined,
    firstAccountTokenFile: env.FIRST_ACCOUNT_TOKEN_FILE?.trim() || join(dataDir, 'first-account-token'),
    encryptionKeys,
    rateLimit: {
      perMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 100, 1),
      instanceNewPerMinute: int(env, 'RATE_LIMIT_INSTANCE_NEW_PER_MINUTE', 20, 1),
      invalidTokensPerMinute: int(env, 'RATE_LIMIT_INVALID_TOKENS_PER_MINUTE', 30, 1),
    },
    bridge,
    channel: {
      heartbeatMs: int(env, 'BRIDGE_HEARTBEAT_MS', 30_000, 1000),
      window: int(env, 'BRIDGE_WINDOW', 1000, 1),
      maxFrameBytes: int(env, 'BRIDGE_MAX_FRAME_BYTES', 1024 * 1024, 1024),
      maxBufferedBytes: int(env, 'BRIDGE_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 64 * 1024),
      stallTimeoutMs: int(env, 'BRIDGE_STALL_TIMEOUT_MS', 10_000, 100),
      heldMemoryBytes: int(env, 'BRIDGE_HELD_MEMORY_BYTES', 64 * 1024 * 1024, 0),
      retentionMaxEvents: int(env, 'BRIDGE_RETENTION_MAX_EVENTS', 100_000, 1),
      retentionMaxAgeMs: int(env, 'BRIDGE_RETENTION_MAX_AGE_HOURS', 168, 1) * 3_600_000,
    },
    whatsapp: loadWhatsAppConfig(env, encryptionKeys),
    metrics: { token: env.METRICS_TOKEN?.trim() || undefined, perInstance: bool(env, 'METRICS_PER_INSTANCE', false) },
  };
}

const NODE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

function nodeId(env: Env): string {
  const given = env.NODE_ID?.trim();
  if (given && !NODE_ID.test(given)) throw new ConfigError('NODE_ID', 'must be 1 to 64 of A-Z a-z 0-9 _ . -');
  return given || `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 48)}-${randomBytes(4).toString('hex')}`;
}
