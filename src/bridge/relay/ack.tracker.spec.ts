import { describe, expect, it } from '@jest/globals';
import { AckTracker } from './ack.tracker.js';

describe('AckTracker', () => {
  it('moves the floor only over a contiguous run of finished seqs', () => {
    const t = new AckTracker();
    t.acknowledged(10);
    for (const seq of [11, 12, 13, 14]) expect(t.begin(seq)).toBe(true);
    expect(t.finish(13)).toBe(10);
    expect(t.finish(11)).toBe(11);
    expect(t.finish(12)).toBe(13);
    expect(t.finish(14)).toBe(14);
  });

  it('runs a seq once: not while in progress, not once done, not at or below the acknowledged floor', () => {
    const t = new AckTracker();
    t.acknowledged(5);
    expect(t.begin(5)).toBe(false);
    expect(t.begin(6)).toBe(true);
    expect(t.begin(6)).toBe(false);
    t.finish(6);
    expect(t.begin(6)).toBe(false);
    expect(t.begin(8)).toBe(true);
    t.finish(8);
    expect(t.begin(8)).toBe(false);
    expect(t.done).toBe(6);
  });

  it('lets an abandoned seq run again (shutdown mid-write)', () => {
    const t = new AckTracker();
    expect(t.begin(1)).toBe(true);
    t.abandon(1);
    expect(t.done).toBe(0);
    expect(t.begin(1)).toBe(true);
  });

  it('takes a higher acknowledged cursor from RyzeAPI and forgets what it covers', () => {
    const t = new AckTracker();
    t.begin(1);
    t.begin(3);
    t.finish(3);
    t.acknowledged(2);
    expect(t.done).toBe(3);
  });
});
