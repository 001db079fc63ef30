import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ClusterBus } from './cluster-bus.js';
import type { ClusterPool } from './cluster-pool.js';
import { NODE_HEARTBEAT_MS, NODE_TTL_MS, NodeRegistry } from './node-registry.js';
import type { NodesRepository } from './nodes.repository.js';

/** The heartbeats table, with a switch that makes every write fail (the database away). */
class FakeNodes {
  beats: [string, number | null][] = [];
  removed: string[] = [];
  down = false;

  async beat(nodeId: string, listenerPid: number | null): Promise<void> {
    if (this.down) throw new Error('connection refused');
    this.beats.push([nodeId, listenerPid]);
  }

  async remove(nodeId: string): Promise<void> {
    this.removed.push(nodeId);
  }

  async alive(nodeId: string, ttlMs: number): Promise<boolean> {
    return nodeId === 'other' && ttlMs === NODE_TTL_MS;
  }
}

function setup(clustered = true) {
  const nodes = new FakeNodes();
  const pool = { clustered, nodeId: 'n1' } as ClusterPool;
  const bus = { listenerPid: 4242 } as ClusterBus;
  const registry = new NodeRegistry(pool, bus, nodes as unknown as NodesRepository);
  let fenced = 0;
  registry.onFenced(() => fenced++);
  return { registry, nodes, fenced: () => fenced };
}

describe('NodeRegistry', () => {
  // The failures below are logged on purpose; keep the test output to the results.
  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => void jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void jest.useRealTimers());

  it('beats at start and every heartbeat interval, naming its listening session; removes its row at shutdown', async () => {
    const { registry, nodes } = setup();
    await registry.onApplicationBootstrap();
    expect(nodes.beats).toEqual([['n1', 4242]]);
    await jest.advanceTimersByTimeAsync(NODE_HEARTBEAT_MS * 3);
    expect(nodes.beats).toHaveLength(4);
    await registry.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(NODE_HEARTBEAT_MS * 3);
    expect([nodes.beats.length, nodes.removed]).toEqual([4, ['n1']]);
  });

  it('fences this node once its heartbeat has failed for more than half the TTL, not before', async () => {
    const { registry, nodes, fenced } = setup();
    await registry.onApplicationBootstrap();
    nodes.down = true;
    const beatsWithin = Math.floor(NODE_TTL_MS / 2 / NODE_HEARTBEAT_MS);
    await jest.advanceTimersByTimeAsync(beatsWithin * NODE_HEARTBEAT_MS);
    expect(fenced()).toBe(0);
    await jest.advanceTimersByTimeAsync(NODE_HEARTBEAT_MS);
    expect(fenced()).toBe(1);
    await registry.onApplicationShutdown();
  });

  it('a heartbeat that succeeds again starts the count anew', async () => {
    const { registry, nodes, fenced } = setup();
    await registry.onApplicationBootstrap();
    for (let i = 0; i < 3; i++) {
      nodes.down = true;
      await jest.advanceTimersByTimeAsync(NODE_TTL_MS / 2 - NODE_HEARTBEAT_MS);
      nodes.down = false;
      await jest.advanceTimersByTimeAsync(NODE_HEARTBEAT_MS);
    }
    expect(fenced()).toBe(0);
    await registry.onApplicationShutdown();
  });

  it('on the embedded database (one node) nothing is written', async () => {
    const { registry, nodes } = setup(false);
    await registry.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(NODE_TTL_MS);
    await registry.onApplicationShutdown();
    expect([nodes.beats, nodes.removed]).toEqual([[], []]);
  });

  it('asks whether another node is alive with the node TTL', async () => {
    const { registry } = setup();
    expect([await registry.alive('other'), await registry.alive('gone')]).toEqual([true, false]);
  });
});
