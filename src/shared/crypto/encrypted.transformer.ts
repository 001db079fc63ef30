import type { ValueTransformer } from 'typeorm';
import type { EncryptionKey } from '../config/env.js';
import { TokenCipher } from './token-cipher.js';

/**
 * TypeORM builds transformers when entity classes load, before configuration exists, so the keys
 * are handed to this holder once at start (ChatwootModule, or the keys:rotate command).
 */
let cipher: TokenCipher | undefined;

export function useEncryptionKeys(keys: EncryptionKey[]): TokenCipher {
  cipher = new TokenCipher(keys);
  return cipher;
}

function active(): TokenCipher {
  if (!cipher) throw new Error('no encryption key configured: set ENCRYPTION_KEYS');
  return cipher;
}

export const encryptedTransformer: ValueTransformer = {
  to: (value: string | null | undefined) => (value == null ? value : active().encrypt(value)),
  from: (value: string | null) => (value == null ? value : active().decrypt(value)),
};
