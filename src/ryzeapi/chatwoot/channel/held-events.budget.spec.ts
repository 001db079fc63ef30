import { describe, expect, it } from '@jest/globals';
import { HeldEventsBudget } from './held-events.budget.js';

describe('HeldEventsBudget', () => {
  it('takes up to its limit, refuses beyond it without taking anything, and takes again once released', () => {
    const budget = new HeldEventsBudget({ channel: { heldMemoryBytes: 100 } } as never);
    expect(budget.take(60)).toBe(true);
    expect(budget.take(50)).toBe(false);
    expect(budget.bytes).toBe(60);
    expect(budget.take(40)).toBe(true);
    budget.release(60);
    expect(budget.take(50)).toBe(true);
    expect(budget.bytes).toBe(90);
  });

  it('with a limit of 0 holds nothing', () => {
    const budget = new HeldEventsBudget({ channel: { heldMemoryBytes: 0 } } as never);
    expect(budget.take(1)).toBe(false);
    expect(budget.take(0)).toBe(true);
  });
});
