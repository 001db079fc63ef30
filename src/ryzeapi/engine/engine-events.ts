import { Injectable, Logger } from '@nestjs/common';
import type { EngineEvent } from './engine.types.js';

/** One publication: the events one engine action produced, taken (and stored) as one unit. */
export type EngineEventHandler = (events: EngineEvent[]) => Promise<void> | void;

/**
 * The one place engine events are published inside the service. `publish` resolves once every
 * subscriber has taken the events (for the Chatwoot module: stored durably, all of them in one
 * write), so an engine can acknowledge an inbound message only when it is safe.
 */
@Injectable()
export class EngineEvents {
  private readonly logger = new Logger(EngineEvents.name);
  private readonly handlers = new Set<EngineEventHandler>();

  subscribe(handler: EngineEventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * Publishes what one engine action produced (a send's echo and its statuses go together, so a
   * crash cannot store some of them without the others). Rejects when a subscriber could not take
   * them, so the engine does not acknowledge them.
   */
  async publish(...events: EngineEvent[]): Promise<void> {
    // One subscriber (the Chatwoot module) is the common case: awaited directly, without a settle-all.
    if (this.handlers.size === 1) {
      const [handler] = this.handlers;
      try {
        return await handler(events);
      } catch (error) {
        return this.failed(events, [error]);
      }
    }
    const results = await Promise.allSettled([...this.handlers].map(async (handler) => handler(events)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failures.length) this.failed(events, failures);
  }

  private failed(events: EngineEvent[], failures: unknown[]): never {
    this.logger.error({ err: failures[0], event: events.map((e) => e.event).join(','), instance: events[0]?.instance.name }, 'event subscriber failed');
    throw new AggregateError(failures, 'an event subscriber failed');
  }
}
