import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EngineEvents } from '../../engine/engine-events.js';
import type { EngineEvent } from '../../engine/engine.types.js';
import { isGroupJid } from '../../engine/jid.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { ChannelHub } from './channel.hub.js';
import { OutboxRepository } from './outbox.repository.js';

const BATCH = 1000;

interface Pending {
  event: EngineEvent;
  done: { resolve: () => void; reject: (error: unknown) => void };
}

function isGroupEvent({ event, data }: EngineEvent): boolean {
  if (event === 'message.exchange') return data.message.chat.type === 'group' || isGroupJid(data.message.chat.jid);
  if (event === 'message.status') return isGroupJid(data.chat_jid);
  return false;
}

/**
 * Appends engine events of instances with an integration to their outbox, in publication order.
 * Events that arrive while a write is under way are written together in the next one (group
 * commit), so the rate follows the database's batch speed rather than its round-trip time.
 */
@Injectable()
export class OutboxAppender implements OnModuleInit, OnApplicationShutdown {
  private readonly queues = new Map<string, Pending[]>();
  private readonly flushing = new Map<string, Promise<void>>();
  /** Per instance: whether it has an integration and whether it ignores groups (null: none). */
  private readonly settings = new Map<string, Promise<{ ignoreGroups: boolean } | null>>();
  private unsubscribe?: () => void;

  constructor(
    private readonly events: EngineEvents,
    private readonly outbox: OutboxRepository,
    private readonly hub: ChannelHub,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((event) => this.enqueue(event));
  }

  /** After the HTTP server and the sockets are closed (no new events), before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.allSettled([...this.flushing.values()]);
  }

  /** Instances whose events are being appended. */
  get writesPending(): number {
    return this.flushing.size;
  }

  /** Call after an integration is created, changed or removed. */
  invalidate(instanceId: string): void {
    this.settings.delete(instanceId);
  }

  /** Resolves when the event is stored (or known not to be wanted). Order is fixed synchronously. */
  enqueue(event: EngineEvent): Promise<void> {
    const id = event.instance.id;
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(id) ?? [];
      queue.push({ event, done: { resolve, reject } });
      this.queues.set(id, queue);
      if (!this.flushing.has(id)) this.flushing.set(id, this.drain(id));
    });
  }

  private async drain(instanceId: string): Promise<void> {
    try {
      for (let queue = this.queues.get(instanceId); queue?.length; queue = this.queues.get(instanceId)) {
        const batch = queue.splice(0, BATCH);
        try {
          const wanted = await this.filter(instanceId, batch);
          const stored = wanted.length ? await this.outbox.append(instanceId, wanted.map((p) => ({ event: p.event.event, data: p.event.data }))) : [];
          if (stored.length) {
            this.metrics.eventsAppended(batch[0].event.instance.name, stored.length);
            this.hub.appended(instanceId, stored);
          }
          batch.forEach((p) => p.done.resolve());
        } catch (error) {
          batch.forEach((p) => p.done.reject(error));
        }
      }
    } finally {
      this.queues.delete(instanceId);
      this.flushing.delete(instanceId);
    }
  }

  private async filter(instanceId: string, batch: Pending[]): Promise<Pending[]> {
    let settings = this.settings.get(instanceId);
    if (!settings) {
      settings = this.outbox.cursor(instanceId).then((c) => (c ? { ignoreGroups: c.ignoreGroups } : null));
      this.settings.set(instanceId, settings);
      settings.catch(() => this.settings.delete(instanceId));
    }
    const current = await settings;
    if (!current) return [];
    return current.ignoreGroups ? batch.filter((p) => !isGroupEvent(p.event)) : batch;
  }
}
