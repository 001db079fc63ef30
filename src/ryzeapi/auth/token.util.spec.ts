import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { extractToken, generateToken, hashToken } from './token.util.js';

const req = (headers: Record<string, string> = {}, query: Record<string, unknown> = {}) => ({ headers, query }) as Parameters<typeof extractToken>[0];

describe('hashToken', () => {
  it('is the hex SHA-256 of the token', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('ryz_acc_x')).toBe(createHash('sha256').update('ryz_acc_x').digest('hex'));
    expect(hashToken('ryz_acc_x')).not.toBe(hashToken('ryz_acc_y'));
  });
});

describe('generateToken', () => {
  it('makes a prefixed, URL-safe token, different each time', () => {
    expect(generateToken('acc')).toMatch(/^ryz_acc_[A-Za-z0-9_-]{32}$/);
    expect(generateToken('ins')).toMatch(/^ryz_ins_[A-Za-z0-9_-]{32}$/);
    expect(generateToken('acc')).not.toBe(generateToken('acc'));
  });
});

describe('extractToken', () => {
  it('reads the `token` header, then Authorization: Bearer, then ?token=', () => {
    const all = { token: 'from-header', authorization: 'Bearer from-bearer' };
    expect(extractToken(req(all, { token: 'from-query' }))).toBe('from-header');
    expect(extractToken(req({ authorization: 'Bearer from-bearer' }, { token: 'from-query' }))).toBe('from-bearer');
    expect(extractToken(req({}, { token: 'from-query' }))).toBe('from-query');
  });

  it('trims, accepts any case of "bearer", and skips blank values', () => {
    expect(extractToken(req({ token: '  spaced  ' }))).toBe('spaced');
    expect(extractToken(req({ authorization: 'bearer   lower ' }))).toBe('lower');
    expect(extractToken(req({ token: '   ', authorization: 'Bearer next' }))).toBe('next');
    expect(extractToken(req({}, { token: ' ' }))).toBeUndefined();
  });

  it('finds nothing without a token, in another Authorization scheme, or in a repeated query value', () => {
    expect(extractToken(req())).toBeUndefined();
    expect(extractToken(req({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeUndefined();
    expect(extractToken(req({ authorization: 'Bearer' }))).toBeUndefined();
    expect(extractToken(req({}, { token: ['a', 'b'] }))).toBeUndefined();
  });
});
