import { Injectable, Logger } from '@nestjs/common';
import { CLOSE } from '../../../shared/protocol/channel.frames.js';
import { ChannelHub } from './channel.hub.js';
import { ChannelCluster } from './cluster/channel-cluster.js';
import { OutboxAppender } from './outbox.appender.js';
import { OutboxEventsRepository } from './outbox-events.repository.js';

/** What the integration's API needs from the bridge channel, and nothing of its internals. */
@Injectable()
export class ChannelControl {
  private readonly logger = new Logger(ChannelControl.name);

  constructor(
    private readonly hub: ChannelHub,
    private readonly appender: OutboxAppender,
    private readonly outbox: OutboxEventsRepository,
    private readonly cluster: ChannelCluster,
  ) {}

  /** Whether the instance's bridge socket is open on this node. */
  isConnected(instanceId: string): boolean {
    return this.hub.isConnected(instanceId);
  }

  /** Events stored and not yet acknowledged by the bridge. */
  pending(instanceId: string): Promise<number> {
    return this.outbox.pending(instanceId);
  }

  /** The stored integration changed (its options among them): the next events read it again. */
  integrationChanged(instanceId: string): void {
    this.appender.invalidate(instanceId);
  }

  /** The integration is gone: its socket closes with 4404 here and, through the cluster, on every node. */
  async integrationDeleted(instanceId: string): Promise<void> {
    this.appender.invalidate(instanceId);
    this.hub.close(instanceId, CLOSE.deleted, 'integration deleted');
    await this.cluster.deleted(instanceId).catch((error) =>
      // Another node's socket then sees it at its listener's next reconnect, or when the bridge reconnects.
      this.logger.warn({ reason: (error as Error).message, instanceId }, 'telling the other nodes of the deletion failed'),
    );
  }
}
