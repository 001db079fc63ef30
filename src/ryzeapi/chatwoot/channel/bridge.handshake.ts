import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { bearerMatches } from '../../../shared/crypto/secret-compare.js';
import type { BridgeConfig } from '../../config/app-config.js';
import type { InstanceRef } from '../../engine/engine.types.js';
import { InstancesService } from '../../instances/instances.service.js';
import { BRIDGE_CONFIG } from '../chatwoot.tokens.js';
import type { UpgradeCheck, UpgradeVerdict } from './channel-ws.adapter.js';
import { ChannelHub } from './channel.hub.js';
import { ChannelCluster } from './cluster/channel-cluster.js';
import { ChannelCursorsRepository, type ChannelCursor } from './channel-cursors.repository.js';

/** A handshake that passed: the socket it becomes is the instance's, from this cursor on. */
export interface AcceptedBridge {
  instance: InstanceRef;
  cursor: ChannelCursor;
  /** This connection's id in the cluster's ownership. */
  connectionId: string;
}

const refuse = (status: number, message: string): UpgradeVerdict => ({ accept: false, status, message });

/**
 * What `/ws/chatwoot/:instance` checks before the upgrade: the bridge token (401), the instance
 * and its integration (404), the service not shutting down (503). A handshake that passes makes
 * the connection the instance's only one on all nodes; the gateway takes it over by its request.
 */
@Injectable()
export class BridgeHandshake implements UpgradeCheck, BeforeApplicationShutdown {
  private readonly accepted = new WeakMap<IncomingMessage, AcceptedBridge>();
  private stopping = false;

  constructor(
    @Inject(BRIDGE_CONFIG) private readonly bridge: BridgeConfig,
    private readonly instances: InstancesService,
    private readonly cursors: ChannelCursorsRepository,
    private readonly hub: ChannelHub,
    private readonly cluster: ChannelCluster,
  ) {}

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async check(request: IncomingMessage, params: Record<string, string>): Promise<UpgradeVerdict> {
    if (!bearerMatches(request.headers.authorization, this.bridge.token)) return refuse(401, 'invalid bridge token');
    const instance = await this.instances.findByName(params.instance);
    if (!instance) return refuse(404, 'instance not found');
    if (!(await this.cursors.cursor(instance.id))) return refuse(404, 'no chatwoot integration for this instance');
    if (this.stopping) return refuse(503, 'server shutting down');
    // This connection becomes the instance's only one on all nodes; another node's socket is closed first.
    const connectionId = await this.cluster.acquire(instance.id);
    // Acks of the previous socket still being written must land first, or hello would report a stale cursor.
    await this.hub.acksSettled(instance.id);
    const cursor = await this.cursors.cursor(instance.id);
    if (!cursor) {
      this.cluster.closed(instance.id, connectionId);
      return refuse(404, 'no chatwoot integration for this instance');
    }
    this.accepted.set(request, { instance: { id: instance.id, name: instance.name }, cursor, connectionId });
    return { accept: true };
  }

  /** The handshake of this upgrade request, once (the gateway's new socket takes it). */
  take(request: IncomingMessage): AcceptedBridge | undefined {
    const accepted = this.accepted.get(request);
    this.accepted.delete(request);
    return accepted;
  }
}
