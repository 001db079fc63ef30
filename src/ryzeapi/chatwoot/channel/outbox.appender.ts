import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EngineEvents } from '../../engine/engine-events.js';
import type { EngineEvent } from '../../engine/engine.types.js';
import { isGroupJid } from '../../../shared/protocol/jid.js';
import { DeadlineWait } from '../../../shared/timing/deadline-wait.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { ChannelHub } from './channel.hub.js';
import { ChannelCluster } from './cluster/channel-cluster.js';
import { ChannelCursorsRepository } from './channel-cursors.repository.js';
import { OutboxEventsRepository, type CommandSent, type OutboxEvent } from './outbox-events.repository.js';

const BATCH = 1000;
/**
 * At most one write per instance every APPEND_INTERVAL_MS (unless a full batch waits): at a steady
 * rate, events arriving just after a write wait a few milliseconds and are stored together, instead
 * of one statement each. The first event after a quiet spell is written at once. When events come
 * several per interval, the write is started by the first one arriving after the interval, and the
 * timer (APPEND_GRACE_MS later) only serves the last of a burst; a publisher that awaits each event
 * before the next (one per write) is served by the timer, at the interval.
 */
export const APPEND_INTERVAL_MS = 10;
const APPEND_GRACE_MS = 2;

/** One publication: the events one engine action produced, stored in one write. */
interface Pending {
  events: EngineEvent[];
  sent?: CommandSent;
  done: { resolve: () => void; reject: (error: unknown) => void };
}

function isGroupEvent({ event, data }: EngineEvent): boolean {
  if (event === 'message.exchange') return data.message.chat.type === 'group' || isGroupJid(data.message.chat.jid);
  if (event === 'message.status') return isGroupJid(data.chat_jid);
  return false;
}

/** Whole publications, up to about BATCH events: a publication is never split across writes. */
function takeBatch(queue: Pending[]): Pending[] {
  let taken = 0;
  let events = 0;
  while (taken < queue.length && (taken === 0 || events + queue[taken].events.length <= BATCH)) events += queue[taken++].events.length;
  return queue.splice(0, taken);
}

/**
 * The send a bridge command made, when these events are its echo and statuses. Its result is stored
 * with them: at start, a command without a result whose message went out is known to have lost its
 * events (SendRecovery).
 */
function commandSend(events: EngineEvent[]): CommandSent | undefined {
  for (const e of events) {
    if (e.event === 'message.exchange' && e.data.command_id && e.data.message.direction === 'outgoing') {
      return { command: e.data.command_id, messageId: e.data.message.id };
    }
  }
  return undefined;
}

/**
 * Appends engine events of instances with an integration to their outbox, in publication order.
 * Events that arrive while a write is under way, or within APPEND_INTERVAL_MS of the previous write,
 * are written together in the next one (group commit), so the rate follows the database's batch
 * speed rather than its round-trip time, and a steady trickle costs a statement per few events.
 */
@Injectable()
export class OutboxAppender implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxAppender.name);
  private readonly queues = new Map<string, Pending[]>();
  private readonly flushing = new Map<string, Promise<void>>();
  /** When each instance's last write started (performance.now()), and how many publications it took. */
  private readonly lastWrite = new Map<string, { at: number; publications: number }>();
  /** Instances waiting for their interval to pass before the next write. */
  private readonly waits = new Map<string, DeadlineWait>();
  /** Per instance: whether it has an integration and whether it ignores groups (null: none). */
  private readonly settings = new Map<string, Promise<{ ignoreGroups: boolean } | null>>();
  private unsubscribe?: () => void;

  constructor(
    private readonly events: EngineEvents,
    private readonly outbox: OutboxEventsRepository,
    private readonly cursors: ChannelCursorsRepository,
    private readonly hub: ChannelHub,
    private readonly metrics: Metrics,
    private readonly cluster: ChannelCluster,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((events) => this.enqueue(events));
  }

  /** After the HTTP server and the sockets are closed (no new events), before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.allSettled([...this.flushing.values()]);
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Instances whose events are being appended. */
  get writesPending(): number {
    return this.flushing.size;
  }

  /** Call after an integration is created, changed or removed. */
  invalidate(instanceId: string): void {
    this.settings.delete(instanceId);
  }

  /**
   * Resolves when the events (of one instance, from one engine action) are stored, all in the same
   * write, or known not to be wanted. Order is fixed synchronously.
   */
  enqueue(events: EngineEvent[]): Promise<void> {
    if (!events.length) return Promise.resolve();
    const id = events[0].instance.id;
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(id) ?? [];
      queue.push({ events, sent: commandSend(events), done: { resolve, reject } });
      this.queues.set(id, queue);
      if (!this.flushing.has(id)) this.flushing.set(id, this.drain(id));
      else this.waits.get(id)?.poke();
    });
  }

  private async drain(instanceId: string): Promise<void> {
    try {
      for (let queue = this.queues.get(instanceId); queue?.length; queue = this.queues.get(instanceId)) {
        const last = this.lastWrite.get(instanceId);
        const due = (last?.at ?? -Infinity) + APPEND_INTERVAL_MS;
        if (due > performance.now() && queue.reduce((n, p) => n + p.events.length, 0) < BATCH) {
          await this.waitUntil(instanceId, due, last!.publications > 1 ? APPEND_GRACE_MS : 0);
        }
        const at = performance.now();
        const batch = takeBatch(queue);
        this.lastWrite.set(instanceId, { at, publications: batch.length });
        try {
          const wanted = await this.filter(instanceId, batch);
          const stored = wanted
            ? await this.outbox.append(
                instanceId,
                wanted.flatMap((p) => p.events.map((e) => ({ event: e.event, data: e.data, command: p.sent?.command }))),
                wanted.flatMap((p) => (p.sent ? [p.sent] : [])),
              )
            : [];
          if (stored.length) this.metrics.eventsAppended(batch[0].events[0].instance.name, stored.length);
          // After this turn's microtasks, which send the next write when one follows at once: the
          // publishers refill the queue and the frames go out while the database works.
          setImmediate(() => {
            batch.forEach((p) => p.done.resolve());
            if (stored.length) this.deliver(instanceId, stored);
          });
        } catch (error) {
          batch.forEach((p) => p.done.reject(error));
        }
      }
    } finally {
      this.queues.delete(instanceId);
      this.flushing.delete(instanceId);
    }
  }

  private async waitUntil(instanceId: string, due: number, graceMs: number): Promise<void> {
    const wait = new DeadlineWait(due, graceMs);
    this.waits.set(instanceId, wait);
    await wait.done;
    this.waits.delete(instanceId);
  }

  /** Stored events to their socket, here or on another node. Never throws (it runs on its own, in a setImmediate). */
  private deliver(instanceId: string, stored: OutboxEvent[]): void {
    try {
      if (!this.hub.appended(instanceId, stored)) this.wakeElsewhere(instanceId, stored[stored.length - 1].seq);
    } catch (error) {
      // Stored all the same: the socket reads them from the outbox.
      this.logger.error({ err: error, instanceId }, 'handing stored events to their socket failed');
      this.hub.wake(instanceId, stored[stored.length - 1].seq);
    }
  }

  private wakeElsewhere(instanceId: string, seq: number): void {
    this.cluster.appendedElsewhere(instanceId, seq).catch((error) =>
      // The other node still reads them: at its next ack, or when its listener reconnects.
      this.logger.warn({ reason: (error as Error).message, instanceId }, 'notifying the other nodes of new events failed'),
    );
  }

  /** The batch's events as they are to be stored, or null when the instance has no integration. */
  private async filter(instanceId: string, batch: Pending[]): Promise<Pending[] | null> {
    let settings = this.settings.get(instanceId);
    if (!settings) {
      settings = this.cursors.cursor(instanceId).then((c) => (c ? { ignoreGroups: c.ignoreGroups } : null));
      this.settings.set(instanceId, settings);
      settings.catch(() => this.settings.delete(instanceId));
    }
    const current = await settings;
    if (!current) return null;
    return current.ignoreGroups ? batch.map((p) => ({ ...p, events: p.events.filter((e) => !isGroupEvent(e)) })) : batch;
  }
}
