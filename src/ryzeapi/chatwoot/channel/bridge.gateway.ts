import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, OnGatewayConnection, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CLOSE, type AckFrame } from '../../../shared/protocol/channel.frames.js';
import type { BridgeConnection } from './bridge.connection.js';
import { BridgeConnectionFactory } from './bridge-connection.factory.js';
import { BridgeHandshake } from './bridge.handshake.js';
import type { InvalidMessage, SendMessage } from './bridge-message.parser.js';
import { ChannelHub } from './channel.hub.js';
import { ChannelCluster } from './cluster/channel-cluster.js';
import { ChannelCursorsRepository } from './channel-cursors.repository.js';

export const BRIDGE_PATH = '/ws/chatwoot/:instance';

/**
 * The bridge channel at /ws/chatwoot/:instance (the ChannelWsAdapter routes it and runs
 * BridgeHandshake before the upgrade). A new socket becomes its instance's connection in the hub;
 * its frames come to the handlers by `type`. The handlers answer through the connection (never by
 * returning a frame): its writes count towards the socket's backpressure.
 */
@WebSocketGateway({ path: BRIDGE_PATH })
export class BridgeGateway implements OnGatewayConnection<WebSocket>, BeforeApplicationShutdown {
  private readonly logger = new Logger(BridgeGateway.name);
  private readonly connections = new WeakMap<WebSocket, BridgeConnection>();

  constructor(
    private readonly handshake: BridgeHandshake,
    private readonly factory: BridgeConnectionFactory,
    private readonly hub: ChannelHub,
    private readonly cluster: ChannelCluster,
    private readonly cursors: ChannelCursorsRepository,
  ) {}

  handleConnection(ws: WebSocket, request: IncomingMessage): void {
    const accepted = this.handshake.take(request);
    // First: an 'error' event without a listener (a frame over the size limit, say) would throw.
    ws.on('error', (error) => this.logger.warn({ instance: accepted?.instance.name, reason: error.message }, 'bridge socket error'));
    if (!accepted) return ws.close(1011, 'internal error');
    const { instance, cursor, connectionId } = accepted;
    ws.on('close', () => this.cluster.closed(instance.id, connectionId));
    // A newer connection (on any node) took the instance while this handshake was under way.
    if (!this.cluster.owns(instance.id, connectionId)) return ws.close(CLOSE.replaced, 'replaced by a newer connection');
    const connection = this.factory.create(ws, accepted);
    this.connections.set(ws, connection);
    ws.on('close', (code) => this.logger.log({ instance: instance.name, code }, 'bridge disconnected'));
    this.hub.add(instance.id, connection);
    this.logger.log({ instance: instance.name, lastAckedSeq: cursor.lastAckedSeq }, 'bridge connected');
    // An integration deleted while this handshake was under way closed no socket: look again.
    void this.cursors.cursor(instance.id).then(
      (current) => current || connection.close(CLOSE.deleted, 'integration deleted'),
      () => undefined,
    );
  }

  @SubscribeMessage('ack')
  onAck(@ConnectedSocket() ws: WebSocket, @MessageBody() frame: AckFrame): void {
    this.reading(ws)?.ack(frame.seq);
  }

  @SubscribeMessage('send')
  onSend(@ConnectedSocket() ws: WebSocket, @MessageBody() frame: SendMessage): void {
    this.reading(ws)?.send(frame.command, frame.bytes);
  }

  @SubscribeMessage('invalid')
  onInvalid(@ConnectedSocket() ws: WebSocket, @MessageBody() frame: InvalidMessage): void {
    this.reading(ws)?.invalid(frame.message, frame.commandId);
  }

  /** Acks still waiting for their coalesced write are stored here: the database may close in the next phase. */
  async beforeApplicationShutdown(): Promise<void> {
    this.hub.closeAll(CLOSE.shutdown, 'server shutting down');
    await this.hub.acksSettled();
  }

  /** The socket's connection, unless it was closed for not reading (what it still sends is dropped). */
  private reading(ws: WebSocket): BridgeConnection | undefined {
    const connection = this.connections.get(ws);
    return connection?.reading ? connection : undefined;
  }
}
