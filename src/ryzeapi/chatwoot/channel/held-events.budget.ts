import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';

/**
 * The node's memory for events stored while their socket's window was full, kept to be sent from
 * memory once acks make room. Events beyond it are not kept: they are read back from the outbox,
 * which costs a read per page instead of nothing. One socket may take a quarter of it at most, so
 * that a bridge which stopped acking leaves the rest to the others.
 */
@Injectable()
export class HeldEventsBudget {
  private used = 0;
  readonly limit: number;
  readonly perSocket: number;

  constructor(@Inject(AppConfig) config: Pick<AppConfig, 'channel'>) {
    this.limit = config.channel.heldMemoryBytes;
    this.perSocket = Math.floor(this.limit / 4);
  }

  /** False (and nothing taken) when `bytes` more would pass the node's limit, or the socket's share (it holds `socketHeld`). */
  take(bytes: number, socketHeld: number): boolean {
    if (this.used + bytes > this.limit || socketHeld + bytes > this.perSocket) return false;
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
