import { describe, expect, it } from '@jest/globals';
import { FixedWindowLimiter } from './fixed-window.limiter.js';

describe('FixedWindowLimiter', () => {
  const T0 = 1_700_000_000_000;

  it('allows `limit` takes per window, then refuses until the window ends', () => {
    const limiter = new FixedWindowLimiter(3, 60_000);
    expect([0, 1, 2, 3].map((i) => limiter.take('a', T0 + i))).toEqual([
      { allowed: true, remaining: 2, resetAt: T0 + 60_000 },
      { allowed: true, remaining: 1, resetAt: T0 + 60_000 },
      { allowed: true, remaining: 0, resetAt: T0 + 60_000 },
      { allowed: false, remaining: 0, resetAt: T0 + 60_000 },
    ]);
    expect(limiter.take('a', T0 + 59_999).allowed).toBe(false);
  });

  it('opens a new window at resetAt', () => {
    const limiter = new FixedWindowLimiter(1, 60_000);
    expect(limiter.take('a', T0).allowed).toBe(true);
    expect(limiter.take('a', T0 + 30_000).allowed).toBe(false);
    expect(limiter.take('a', T0 + 60_000)).toEqual({ allowed: true, remaining: 0, resetAt: T0 + 120_000 });
    expect(limiter.take('a', T0 + 60_001).allowed).toBe(false);
  });

  it('counts each key on its own', () => {
    const limiter = new FixedWindowLimiter(1, 60_000);
    expect(limiter.take('a', T0).allowed).toBe(true);
    expect(limiter.take('a', T0).allowed).toBe(false);
    expect(limiter.take('b', T0 + 10)).toEqual({ allowed: true, remaining: 0, resetAt: T0 + 60_010 });
  });

  it('forgets expired windows, so a returning key starts afresh', () => {
    const limiter = new FixedWindowLimiter(2, 1_000);
    limiter.take('a', T0);
    limiter.take('a', T0);
    // Much later, another key triggers the sweep; 'a' then starts a full window.
    limiter.take('b', T0 + 10_000);
    expect(limiter.take('a', T0 + 10_001)).toEqual({ allowed: true, remaining: 1, resetAt: T0 + 11_001 });
  });
});
