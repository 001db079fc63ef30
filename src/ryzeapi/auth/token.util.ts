import { createHash, randomBytes } from 'node:crypto';

/** Tokens are random and high-entropy, so one SHA-256 is enough to store and look them up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(prefix: 'acc' | 'ins'): string {
  return `ryz_${prefix}_${randomBytes(24).toString('base64url')}`;
}

export { extractToken } from '../../shared/http/extract-token.js';
