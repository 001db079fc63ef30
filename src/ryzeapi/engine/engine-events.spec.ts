import { describe, expect, it } from '@jest/globals';
import { EngineEvents } from './engine-events.js';
import type { EngineEvent } from './engine.types.js';

const event = { instance: { id: 'i1', name: 'sales' }, event: 'instance.state', data: { state: 'open' } } as unknown as EngineEvent;

describe('EngineEvents', () => {
  it('resolves once its one subscriber has taken the events, and rejects when it fails (thrown or rejected)', async () => {
    const events = new EngineEvents();
    let taken: EngineEvent[] = [];
    let release!: () => void;
    const off = events.subscribe((e) => new Promise<void>((resolve) => ((taken = e), (release = resolve))));
    let resolved = false;
    const published = events.publish(event).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect([taken, resolved]).toEqual([[event], false]);
    release();
    await published;
    expect(resolved).toBe(true);
    off();

    const offThrow = events.subscribe(() => {
      throw new Error('database down');
    });
    await expect(events.publish(event)).rejects.toThrow('an event subscriber failed');
    offThrow();
    events.subscribe(() => Promise.reject(new Error('database down')));
    await expect(events.publish(event)).rejects.toThrow('an event subscriber failed');
  });

  it('with several subscribers waits for all, and rejects when any fails', async () => {
    const events = new EngineEvents();
    const calls: string[] = [];
    events.subscribe(() => void calls.push('a'));
    const offB = events.subscribe(async () => void calls.push('b'));
    await events.publish(event);
    expect(calls).toEqual(['a', 'b']);
    offB();
    events.subscribe(() => Promise.reject(new Error('no')));
    await expect(events.publish(event)).rejects.toBeInstanceOf(AggregateError);
    expect(calls).toEqual(['a', 'b', 'a']);
  });

  it('with no subscriber resolves at once', async () => {
    await expect(new EngineEvents().publish(event)).resolves.toBeUndefined();
  });
});
