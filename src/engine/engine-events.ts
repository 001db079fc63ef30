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

  async publish(event: EngineEvent): Promise<void> {
    const results = await Promise.allSettled([...this.handlers].map((handler) => handler(event)));
    for (const result of results) {
      if (result.status === 'rejected') {
        this.logger.error({ err: result.reason, event: event.event, instance: event.instance.name }, 'event subscriber failed');
      }
    }
  }
}
