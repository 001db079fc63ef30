import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOSE } from '../../../../shared/protocol/channel.frames.js';
import { ClusterBus, type ClusterMessage } from '../../../cluster/cluster-bus.js';
import { ClusterPool } from '../../../cluster/cluster-pool.js';
import { NodeRegistry, NODE_TTL_MS } from '../../../cluster/node-registry.js';
import { ChannelHub } from '../channel.hub.js';
import { ChannelCursorsRepository } from '../channel-cursors.repository.js';
import { ChannelOwnersRepository } from './channel-owners.repository.js';

/** How often a takeover looks whether the previous owner's node is still alive. */
const ALIVE_CHECK_MS = 500;

interface Owned {
  connection: string;
  epoch: number;
}

/**
 * One live bridge socket per instance across all nodes. A new connection claims the instance in
 * PostgreSQL (a higher epoch) and tells the others; the node that owned it closes its socket
 * (4409), stores its acks and answers `released`; only then does the new connection say hello and
 * deliver, so two nodes never both deliver an instance's events. A previous owner whose node died
 * is not waited for. Events stored on one node wake the owning node's socket through a
 * notification; after the listener reconnects, every socket reads the outbox again and ownership is
 * checked against the table. On the embedded database (one node) all of this is skipped.
 */
@Injectable()
export class ChannelCluster implements OnModuleInit {
  private readonly logger = new Logger(ChannelCluster.name);
  /** This node's sockets (and handshakes under way), per instance. */
  private readonly owned = new Map<string, Owned>();
  /** The highest epoch announced by another node, per instance: a claim answered after it has lost already. */
  private readonly announced = new Map<string, number>();
  /** Takeovers waiting for the previous node to let go: `${instance}:${epoch}`. */
  private readonly waiting = new Map<string, () => void>();

  constructor(
    private readonly pool: ClusterPool,
    private readonly bus: ClusterBus,
    private readonly nodes: NodeRegistry,
    private readonly owners: ChannelOwnersRepository,
    private readonly hub: ChannelHub,
    private readonly cursors: ChannelCursorsRepository,
  ) {}

  onModuleInit(): void {
    if (!this.pool.clustered) return;
    this.bus.onMessage((message) => void this.onMessage(message));
    this.bus.onReconnected(() => void this.catchUp());
    this.nodes.onFenced(() => {
      this.owned.clear();
      this.hub.closeAll(CLOSE.shutdown, 'node lost its database');
    });
  }

  /**
   * Makes a new connection the instance's only one cluster-wide; resolves with its id once no
   * other node delivers the instance's events any more.
   */
  async acquire(instanceId: string): Promise<string> {
    const connection = randomUUID();
    if (!this.pool.clustered) return connection;
    const { epoch, previousNode } = await this.owners.claim(instanceId, this.pool.nodeId, connection);
    // A newer claim from another node was announced before this one's answer came back: it has lost.
    if ((this.announced.get(instanceId) ?? 0) > epoch) return connection;
    this.owned.set(instanceId, { connection, epoch });
    const remote = previousNode && previousNode !== this.pool.nodeId ? previousNode : null;
    const released = remote ? this.released(instanceId, epoch) : undefined;
    await this.bus.publish({ kind: 'owner', instance: instanceId, epoch, previousNode: remote });
    if (remote) await this.waitForRelease(instanceId, epoch, connection, remote, released!);
    return connection;
  }

  /** Whether `connection` still owns the instance here (a newer one on any node has not taken it). */
  owns(instanceId: string, connection: string): boolean {
    return !this.pool.clustered || this.owned.get(instanceId)?.connection === connection;
  }

  /** A socket of this node closed: its ownership ends (unless a newer connection already took it). */
  closed(instanceId: string, connection: string): void {
    if (!this.pool.clustered || this.owned.get(instanceId)?.connection !== connection) return;
    this.owned.delete(instanceId);
    this.owners.release(instanceId, connection).catch((error) => this.logger.warn({ reason: (error as Error).message, instanceId }, 'releasing a bridge socket ownership failed'));
  }

  /** Events stored for an instance whose socket is not on this node: its owner (if any) reads them. */
  async appendedElsewhere(instanceId: string, seq: number): Promise<void> {
    await this.bus.publish({ kind: 'events', instance: instanceId, seq });
  }

  /** The integration was deleted: its socket is closed with 4410 wherever it is. */
  async deleted(instanceId: string): Promise<void> {
    this.owned.delete(instanceId);
    if (!this.pool.clustered) return;
    await this.owners.forget(instanceId);
    await this.bus.publish({ kind: 'deleted', instance: instanceId });
  }

  private async onMessage(message: ClusterMessage): Promise<void> {
    switch (message.kind) {
      case 'events':
        return this.hub.wake(message.instance, message.seq);
      case 'deleted':
        this.owned.delete(message.instance);
        return this.hub.close(message.instance, CLOSE.deleted, 'integration deleted');
      case 'released':
        return this.waiting.get(`${message.instance}:${message.epoch}`)?.();
      case 'owner': {
        this.announced.set(message.instance, Math.max(message.epoch, this.announced.get(message.instance) ?? 0));
        const mine = this.owned.get(message.instance);
        if (mine && mine.epoch < message.epoch) {
          this.owned.delete(message.instance);
          this.hub.close(message.instance, CLOSE.replaced, 'replaced by a newer connection');
        }
        if (message.previousNode !== this.pool.nodeId) return;
        // Acks received until the close are stored before the new owner reads the cursor.
        await this.hub.acksSettled(message.instance);
        await this.bus.publish({ kind: 'released', instance: message.instance, epoch: message.epoch });
        return;
      }
    }
  }

  private released(instanceId: string, epoch: number): Promise<void> {
    const key = `${instanceId}:${epoch}`;
    return new Promise<void>((resolve) => this.waiting.set(key, resolve)).finally(() => this.waiting.delete(key));
  }

  /** Until the previous node lets go, dies, or a newer connection takes this one's place. */
  private async waitForRelease(instanceId: string, epoch: number, connection: string, node: string, released: Promise<void>): Promise<void> {
    const deadline = Date.now() + NODE_TTL_MS * 2;
    let done = false;
    void released.then(() => (done = true));
    while (!done && this.owns(instanceId, connection) && Date.now() < deadline) {
      await Promise.race([released, new Promise((resolve) => setTimeout(resolve, ALIVE_CHECK_MS))]);
      if (!done && !(await this.nodes.alive(node))) break;
    }
    this.waiting.get(`${instanceId}:${epoch}`)?.();
  }

  /** After notifications may have been lost: every socket reads its outbox, and ownership is checked. */
  private async catchUp(): Promise<void> {
    this.hub.wakeAll();
    try {
      const ids = [...this.owned.keys()];
      const owners = await this.owners.owners(ids);
      for (const id of ids) {
        const mine = this.owned.get(id);
        const owner = owners.get(id);
        if (!mine || owner?.connection === mine.connection) continue;
        if (owner) {
          // Taken while this node could not hear it: the new owner may be waiting for this release.
          this.owned.delete(id);
          this.hub.close(id, CLOSE.replaced, 'replaced by a newer connection');
          await this.hub.acksSettled(id);
          await this.bus.publish({ kind: 'released', instance: id, epoch: owner.epoch });
        } else if (!(await this.cursors.cursor(id))) {
          this.owned.delete(id);
          this.hub.close(id, CLOSE.deleted, 'integration deleted');
        }
      }
    } catch (error) {
      this.logger.error({ err: error }, 'checking bridge socket ownership after a reconnect failed');
    }
  }
}
