import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ChannelHub } from '../chatwoot/channel/channel.hub.js';
import { OutboxAppender } from '../chatwoot/channel/outbox.appender.js';

export type AppState = 'starting' | 'ready' | 'stopping';

/** What a shutdown has to finish, measured as it begins. */
export interface DrainWork {
  /** Bridge sockets, closed with 1001. */
  bridge_sockets: number;
  /** Instances whose last acks were still being stored. */
  ack_writes: number;
  /** Instances whose events were still being appended to the outbox. */
  event_writes: number;
}

/**
 * Where the service is in its life, for readiness: `ready` once every module has started (the root
 * module's hooks run last), `stopping` from the moment a shutdown begins.
 */
@Injectable()
export class AppLifecycle implements OnApplicationBootstrap {
  state: AppState = 'starting';

  constructor(private readonly moduleRef: ModuleRef) {}

  onApplicationBootstrap(): void {
    this.state = 'ready';
  }

  /** Marks the service not ready and reports what remains to drain. */
  beginShutdown(): DrainWork {
    this.state = 'stopping';
    const hub = this.optional(ChannelHub);
    const appender = this.optional(OutboxAppender);
    return { bridge_sockets: hub?.size ?? 0, ack_writes: hub?.ackWritesPending ?? 0, event_writes: appender?.writesPending ?? 0 };
  }

  /** Providers of the Chatwoot module, absent when it is off. */
  private optional<T>(type: new (...args: never[]) => T): T | undefined {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return undefined;
    }
  }
}
