import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config/env.js';

const VERSION = 'v1';
const AAD = Buffer.from('chatwoot_integrations.chatwoot_api_token');
const TAG_BYTES = 16;

export class TokenDecryptionError extends Error {
  constructor(reason: string) {
    super(`stored token cannot be decrypted: ${reason}`);
    this.name = 'TokenDecryptionError';
  }
}

/**
 * AES-256-GCM with a fresh 12-byte IV per value; stored as `v1.<kid>.<iv>.<tag>.<ciphertext>`
 * (base64url). The first key encrypts; any configured key decrypts, found by its id.
 */
export class TokenCipher {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('no encryption key configured: set ENCRYPTION_KEYS');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.keys[0].id;
  }

  encrypt(plain: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(AAD);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, id, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  decrypt(stored: string): string {
    const parts = stored.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new TokenDecryptionError('unknown format');
    const [, kid, iv, tag, ciphertext] = parts;
    const key = this.byId.get(kid);
    if (!key) throw new TokenDecryptionError(`key "${kid}" is not in ENCRYPTION_KEYS`);
    try {
      // A fixed tag length: GCM would otherwise accept a truncated tag (down to 4 bytes) as valid.
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES }).setAAD(AAD);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError('authentication tag mismatch (tampered value or wrong key)');
    }
  }

  keyIdOf(stored: string): string | undefined {
    return stored.split('.')[1];
  }
}
