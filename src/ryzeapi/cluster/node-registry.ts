import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClusterBus } from './cluster-bus.js';
import { ClusterPool } from './cluster-pool.js';
import { NodesRepository } from './nodes.repository.js';

export const NODE_HEARTBEAT_MS = 2000;
/** A node whose heartbeat is older than this is dead: what it owned may be taken. */
export const NODE_TTL_MS = 10_000;

/**
 * This node's heartbeat in `ryzeapi_nodes`. Another node is alive while its heartbeat is fresh and
 * its listening session still exists (a killed process's session ends at once, so a SIGKILL is
 * seen within a round trip, not a TTL). A node that cannot write its heartbeat for half the TTL
 * stops serving what it owns (`onFenced`), since the others will soon take it.
 */
@Injectable()
export class NodeRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NodeRegistry.name);
  private readonly fencedHandlers: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private lastBeat = Date.now();

  constructor(
    private readonly pool: ClusterPool,
    private readonly bus: ClusterBus,
    private readonly nodes: NodesRepository,
  ) {}

  onFenced(handler: () => void): void {
    this.fencedHandlers.push(handler);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.pool.clustered) return;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), NODE_HEARTBEAT_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.pool.clustered) await this.nodes.remove(this.pool.nodeId).catch(() => undefined);
  }

  alive(nodeId: string): Promise<boolean> {
    return this.nodes.alive(nodeId, NODE_TTL_MS);
  }

  private async beat(): Promise<void> {
    try {
      await this.nodes.beat(this.pool.nodeId, this.bus.listenerPid ?? null);
      this.lastBeat = Date.now();
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'node heartbeat failed');
      if (Date.now() - this.lastBeat > NODE_TTL_MS / 2) {
        this.logger.error('no heartbeat for half the node TTL: closing this node\'s bridge sockets');
        this.fencedHandlers.forEach((handler) => handler());
      }
    }
  }
}
