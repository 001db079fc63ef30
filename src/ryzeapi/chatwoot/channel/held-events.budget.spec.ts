import { describe, expect, it } from '@jest/globals';
import { HeldEventsBudget } from './held-events.budget.js';

const budget = (heldMemoryBytes: number) => new HeldEventsBudget({ channel: { heldMemoryBytes } } as never);

describe('HeldEventsBudget', () => {
  it("takes up to the node's limit, refuses beyond it without taking anything, and takes again once released", () => {
    const node = budget(400);
    expect(node.take(60, 0)).toBe(true);
    expect(node.take(60, 0)).toBe(true);
    expect(node.take(60, 0)).toBe(true);
    expect(node.take(60, 0)).toBe(true);
    expect(node.take(60, 0)).toBe(true);
    expect(node.take(60, 0)).toBe(true);
    expect(node.take(60, 0)).toBe(false);
    expect(node.bytes).toBe(360);
    expect(node.take(40, 0)).toBe(true);
    node.release(100);
    expect(node.take(50, 0)).toBe(true);
    expect(node.bytes).toBe(350);
  });

  it('gives one socket a quarter of the limit at most', () => {
    const node = budget(400);
    expect(node.perSocket).toBe(100);
    expect(node.take(100, 0)).toBe(true);
    expect(node.take(1, 100)).toBe(false);
    expect(node.take(100, 0)).toBe(true);
    expect(node.bytes).toBe(200);
  });

  it('with a limit of 0 holds nothing', () => {
    const node = budget(0);
    expect(node.take(1, 0)).toBe(false);
    expect(node.take(0, 0)).toBe(true);
  });
});
