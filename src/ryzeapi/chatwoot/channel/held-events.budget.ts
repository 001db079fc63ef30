import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';

/**
 * The node's memory for events stored while their socket's window was full, kept to be sent from
 * memory once acks make room (counted in characters of their JSON). Events beyond it are not kept:
 * they are read back from the outbox, which costs a read per page instead of nothing.
 */
@Injectable()
export class HeldEventsBudget {
  private used = 0;
  readonly limit: number;

  constructor(@Inject(AppConfig) config: Pick<AppConfig, 'channel'>) {
    this.limit = config.channel.heldMemoryBytes;
  }

  /** False (and nothing taken) when `bytes` more would pass the limit. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }

  get bytes(): number {
    return this.used;
  }
}
