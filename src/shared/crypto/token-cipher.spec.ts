import { describe, expect, it } from '@jest/globals';
import type { EncryptionKey } from '../config/env.js';
import { encryptedTransformer, useEncryptionKeys } from './encrypted.transformer.js';
import { TokenCipher, TokenDecryptionError } from './token-cipher.js';

const key = (id: string, fill: number): EncryptionKey => ({ id, key: Buffer.alloc(32, fill) });
const k1 = key('k1', 1);
const k2 = key('k2', 2);
const TOKEN = 'cw-unit-token-8f2c9d';

/** Flips one bit in the given part (2 iv, 3 tag, 4 ciphertext) of a stored value. */
function tamper(stored: string, part: number): string {
  const parts = stored.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[bytes.length - 1] ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

function decryptError(cipher: TokenCipher, stored: string): unknown {
  try {
    cipher.decrypt(stored);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('TokenCipher', () => {
  it('stores v1.<kid>.<iv>.<tag>.<ciphertext> under the first key, without the plaintext', () => {
    const stored = new TokenCipher([k1, k2]).encrypt(TOKEN);
    expect(stored.startsWith('v1.k1.')).toBe(true);
    const [, , iv, tag, ciphertext] = stored.split('.');
    expect(stored.split('.')).toHaveLength(5);
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength(Buffer.byteLength(TOKEN));
    expect(stored).not.toContain(TOKEN);
    expect(stored).not.toContain(Buffer.from(TOKEN).toString('base64url'));
  });

  it('uses a fresh IV each time: the same token gives different values, both decrypting', () => {
    const cipher = new TokenCipher([k1]);
    const [a, b] = [cipher.encrypt(TOKEN), cipher.encrypt(TOKEN)];
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect([cipher.decrypt(a), cipher.decrypt(b)]).toEqual([TOKEN, TOKEN]);
  });

  it('round-trips any text, empty and non-ASCII included', () => {
    const cipher = new TokenCipher([k1]);
    for (const text of ['', 'ção 😀 token', 'x'.repeat(512)]) expect(cipher.decrypt(cipher.encrypt(text))).toBe(text);
  });

  it.each([
    ['the IV', 2],
    ['the tag', 3],
    ['the ciphertext', 4],
  ])('throws TokenDecryptionError when %s is tampered with', (_part, part) => {
    const cipher = new TokenCipher([k1]);
    const error = decryptError(cipher, tamper(cipher.encrypt(TOKEN), part));
    expect(error).toBeInstanceOf(TokenDecryptionError);
    expect((error as Error).message).toBe('stored token cannot be decrypted: authentication tag mismatch (tampered value or wrong key)');
  });

  it('throws when the tag is truncated, though GCM can check a shorter tag', () => {
    const cipher = new TokenCipher([k1]);
    const parts = cipher.encrypt(TOKEN).split('.');
    parts[3] = Buffer.from(parts[3], 'base64url').subarray(0, 4).toString('base64url');
    expect(decryptError(cipher, parts.join('.'))).toBeInstanceOf(TokenDecryptionError);
  });

  it('throws when a value is relabelled with another configured key id', () => {
    const stored = new TokenCipher([k1]).encrypt(TOKEN);
    const relabelled = stored.replace(/^v1\.k1\./, 'v1.k2.');
    expect(decryptError(new TokenCipher([k1, k2]), relabelled)).toBeInstanceOf(TokenDecryptionError);
  });

  it('throws naming the key id when it is not configured', () => {
    const stored = new TokenCipher([k1]).encrypt(TOKEN);
    const error = decryptError(new TokenCipher([k2]), stored);
    expect(error).toBeInstanceOf(TokenDecryptionError);
    expect((error as Error).message).toBe('stored token cannot be decrypted: key "k1" is not in ENCRYPTION_KEYS');
  });

  it('throws on values that are not in its format', () => {
    const cipher = new TokenCipher([k1]);
    const stored = cipher.encrypt(TOKEN);
    for (const value of [TOKEN, '', stored.replace(/^v1/, 'v2'), stored.split('.').slice(0, 4).join('.'), `${stored}.extra`]) {
      const error = decryptError(cipher, value);
      expect([value, error instanceof TokenDecryptionError && error.message]).toEqual([value, 'stored token cannot be decrypted: unknown format']);
    }
  });

  it('decrypts a value written under k1 once ENCRYPTION_KEYS is k2,k1, and writes new ones under k2', () => {
    const old = new TokenCipher([k1]).encrypt(TOKEN);
    const rotated = new TokenCipher([k2, k1]);
    expect(rotated.decrypt(old)).toBe(TOKEN);
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.keyIdOf(old)).toBe('k1');
    const fresh = rotated.encrypt(TOKEN);
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect(new TokenCipher([k2]).decrypt(fresh)).toBe(TOKEN);
  });

  it('refuses to work without a key', () => {
    expect(() => new TokenCipher([])).toThrow('no encryption key configured: set ENCRYPTION_KEYS');
  });
});

describe('encryptedTransformer', () => {
  it('encrypts on write and decrypts on read with the keys it was given, passing null through', () => {
    useEncryptionKeys([k2, k1]);
    const stored = encryptedTransformer.to(TOKEN) as string;
    expect(stored.startsWith('v1.k2.')).toBe(true);
    expect(encryptedTransformer.from(stored)).toBe(TOKEN);
    expect(encryptedTransformer.from(new TokenCipher([k1]).encrypt(TOKEN))).toBe(TOKEN);
    expect(encryptedTransformer.to(null)).toBeNull();
    expect(encryptedTransformer.from(null)).toBeNull();
    expect(() => encryptedTransformer.from(tamper(stored, 4))).toThrow(TokenDecryptionError);
  });
});
