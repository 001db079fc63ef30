import { Injectable, Logger } from '@nestjs/common';
import type { EngineEvent } from './engine.types.js';

export type EngineEventHandler = (event: EngineEvent) => Promise<void> | void;

/**
 * The one place engine events are published inside the service. `publish` resolves once every
 * subscriber has taken the event (for the Chatwoot module: stored durably), so an engine can
 * acknowledge an inbound message only when it is safe.
 */
@Injectable()
export class EngineEvents {
  private readonly logger = new Logger(EngineEvents.name);
  private readonly handlers = new Set<EngineEventHandler>();

  subscribe(handler: EngineEventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Rejects when a subscriber could not take the event, so the engine does not acknowledge it. */
  async publish(event: EngineEvent): Promise<void> {
    const results = await Promise.allSettled([...this.handlers].map(async (handler) => handler(event)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failures.length === 0) return;
    this.logger.error({ err: failures[0], event: event.event, instance: event.instance.name }, 'event subscriber failed');
    throw new AggregateError(failures, 'an event subscriber failed');
  }
}
