import { describe, expect, it } from '@jest/globals';
import { DeadlineWait } from './deadline-wait.js';

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('DeadlineWait', () => {
  it('a poke before the deadline does not end it', async () => {
    const wait = new DeadlineWait(performance.now() + 50, 50);
    wait.poke();
    expect(await settled(wait.done)).toBe(false);
    wait.end();
  });

  it('a poke after the deadline ends it, before its timer', async () => {
    const wait = new DeadlineWait(performance.now() + 5, 1000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await settled(wait.done)).toBe(false);
    const poked = performance.now();
    wait.poke();
    expect(await settled(wait.done)).toBe(true);
    expect(performance.now() - poked).toBeLessThan(500);
  });

  it('with no poke, its timer ends it the grace after the deadline (not at the deadline)', async () => {
    const wait = new DeadlineWait(performance.now() + 20, 40);
    await new Promise((resolve) => setTimeout(resolve, 35));
    expect(await settled(wait.done)).toBe(false);
    await wait.done;
  });

  it('end() ends it at once', async () => {
    const wait = new DeadlineWait(performance.now() + 10_000, 0);
    wait.end();
    expect(await settled(wait.done)).toBe(true);
  });
});
