import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { REDACTED, scrubSecrets } from './secret-scrubber.js';

const SECRET = 'cw_Tok3n-with/plus+and=sign';
const percentAll = (text: string, hexCase: 'lower' | 'upper') =>
  [...Buffer.from(text)].map((b) => `%${hexCase === 'upper' ? b.toString(16).toUpperCase() : b.toString(16)}`).join('');

describe('scrubSecrets', () => {
  it.each([
    ['as is', SECRET],
    ['upper-cased', SECRET.toUpperCase()],
    ['lower-cased', SECRET.toLowerCase()],
    ['URL-encoded (encodeURIComponent)', encodeURIComponent(SECRET)],
    ['every byte percent-encoded, lower-case hex', percentAll(SECRET, 'lower')],
    ['every byte percent-encoded, upper-case hex', percentAll(SECRET, 'upper')],
    ['some characters percent-encoded', `%63w_T%6Fk3n%2Dwith%2fplus%2Band%3Dsign`],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64 without padding', Buffer.from(SECRET).toString('base64').replace(/=+$/, '')],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
    ['base64, percent-encoded as in a URL', encodeURIComponent(Buffer.from(SECRET).toString('base64'))],
    ['hex', Buffer.from(SECRET).toString('hex')],
    ['hex, upper-case', Buffer.from(SECRET).toString('hex').toUpperCase()],
  ])('removes the secret %s, leaving the text around it', (_form, encoded) => {
    expect(scrubSecrets(`Detail: rejected ${encoded} (401)`, [SECRET])).toBe(`Detail: rejected ${REDACTED} (401)`);
  });

  it('removes the raw, base64 and upper-cased forms of one detail at once (the adversarial run\'s 422)', () => {
    const detail = `rejected ${SECRET} / ${Buffer.from(SECRET).toString('base64')} / ${SECRET.toUpperCase()}`;
    expect(scrubSecrets(detail, [SECRET])).toBe(`rejected ${REDACTED} / ${REDACTED} / ${REDACTED}`);
  });

  it.each([0, 1, 2])('removes the secret inside a longer base64 text, at byte offset %i modulo 3', (offset) => {
    for (const prefixLength of [offset, offset + 3, offset + 30]) {
      const prefix = randomBytes(prefixLength);
      const suffix = randomBytes(7);
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.concat([prefix, Buffer.from(SECRET), suffix]).toString(encoding);
        const out = scrubSecrets(encoded, [SECRET]);
        expect(out).toContain(REDACTED);
        // What is left is the neighbours' characters, plus at most one shared character at each edge.
        const left = out.replace(REDACTED, '').replace(/=+$/, '').length;
        expect(left).toBeLessThanOrEqual(Math.ceil((8 * prefixLength) / 6) + Math.ceil((8 * suffix.length) / 6) + 2);
      }
    }
  });

  it('removes every secret, a longer one containing a shorter one whole', () => {
    const short = 'bridge-secret';
    const long = 'bridge-secret-and-more';
    expect(scrubSecrets(`a ${long} b ${short} c`, [short, long])).toBe(`a ${REDACTED} b ${REDACTED} c`);
  });

  it('treats the characters of a secret literally, not as a pattern', () => {
    const secret = 'a.b*c+d?e(f)[g]$^|\\h';
    expect(scrubSecrets('aXb*c+d?e(f)[g]$^|\\h', [secret])).toBe('aXb*c+d?e(f)[g]$^|\\h');
    expect(scrubSecrets(`x ${secret} y`, [secret])).toBe(`x ${REDACTED} y`);
  });

  it('handles a secret with characters outside ASCII, also percent-encoded', () => {
    const secret = 'clé-secrète-ü';
    expect(scrubSecrets(`1 ${secret} 2 ${encodeURIComponent(secret)} 3 ${encodeURIComponent(secret.toUpperCase())}`, [secret]))
      .toBe(`1 ${REDACTED} 2 ${REDACTED} 3 ${REDACTED}`);
  });

  it('leaves a text without the secret unchanged, and ignores empty or missing secrets', () => {
    const text = 'Chatwoot returned 401 Unauthorized; dGVzdA== 74657374';
    expect(scrubSecrets(text, [SECRET, '', undefined, null])).toBe(text);
    expect(scrubSecrets(text, [])).toBe(text);
  });

  it('does not match the encodings of a short secret, which could occur by chance', () => {
    // "test" is dGVzdA== in base64 and 74657374 in hex: a secret this short is matched as itself only.
    expect(scrubSecrets('dGVzdA== 74657374 TEST', ['test'])).toBe(`dGVzdA== 74657374 ${REDACTED}`);
  });
});
