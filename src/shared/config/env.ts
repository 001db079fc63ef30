import { ConfigError } from './config.error.js';

/** Environment parsing shared by both applications: each value checked, each failure naming its variable. */
export type Env = Record<string, string | undefined>;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export function parseEncryptionKeys(raw: string | undefined): EncryptionKey[] {
  if (!raw?.trim()) return [];
  const keys = raw.split(',').map((part) => {
    const sep = part.indexOf(':');
    const id = part.slice(0, sep).trim();
    const key = Buffer.from(part.slice(sep + 1).trim(), 'base64');
    if (sep < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
      throw new ConfigError(
        'ENCRYPTION_KEYS',
        'must be <kid>:<base64 of 32 bytes>[,<kid>:<base64>...] with kid of 1 to 32 of A-Z a-z 0-9 _ -',
      );
    }
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new ConfigError('ENCRYPTION_KEYS', 'has the same key id twice');
  }
  return keys;
}

export function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, 'must be true or false');
}

export function url(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return raw;
  } catch {
    // reported below
  }
  throw new ConfigError(name, 'must be an absolute http(s) URL');
}

export function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
