import { ConfigError } from '../../shared/config/config.error.js';
import { int, type EncryptionKey, type Env } from '../../shared/config/env.js';

export type WhatsAppEngineName = 'sandbox' | 'baileys';
const ENGINES: WhatsAppEngineName[] = ['sandbox', 'baileys'];

export interface WhatsAppConfig {
  engine: WhatsAppEngineName;
  /** Baileys only: WhatsApp Web's socket address (a test points it at a closed port). */
  webSocketUrl?: string;
  /** How long `connect` waits for a QR, a pairing code or the connection before answering 502. */
  connectTimeoutMs: number;
  /** Reconnect backoff after a transient close: base, doubled per attempt, capped. */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Largest media file GET /api/media serves. */
  mediaMaxBytes: number;
}

/** WHATSAPP_* variables; the Baileys engine stores sessions encrypted, so it needs ENCRYPTION_KEYS. */
export function loadWhatsAppConfig(env: Env, encryptionKeys: EncryptionKey[]): WhatsAppConfig {
  const engine = (env.WHATSAPP_ENGINE?.trim() || 'sandbox') as WhatsAppEngineName;
  if (!ENGINES.includes(engine)) throw new ConfigError('WHATSAPP_ENGINE', `must be one of ${ENGINES.join(', ')}`);
  if (engine === 'baileys' && encryptionKeys.length === 0) {
    throw new ConfigError(
      'ENCRYPTION_KEYS',
      'is required with WHATSAPP_ENGINE=baileys (WhatsApp sessions are stored encrypted): ' +
        'set it to <kid>:<base64 of 32 bytes>, e.g. k1:$(openssl rand -base64 32)',
    );
  }
  const webSocketUrl = env.WHATSAPP_WS_URL?.trim() || undefined;
  if (webSocketUrl && !/^wss?:\/\/[^\s]+$/.test(webSocketUrl)) throw new ConfigError('WHATSAPP_WS_URL', 'must be a ws:// or wss:// URL');
  return {
    engine,
    webSocketUrl,
    connectTimeoutMs: int(env, 'WHATSAPP_CONNECT_TIMEOUT_MS', 60_000, 100, 60_000),
    reconnectBaseMs: int(env, 'WHATSAPP_RECONNECT_BASE_MS', 1000, 1),
    reconnectMaxMs: int(env, 'WHATSAPP_RECONNECT_MAX_MS', 60_000, 1),
    mediaMaxBytes: int(env, 'MEDIA_MAX_BYTES', 100 * 1024 * 1024, 1),
  };
}
