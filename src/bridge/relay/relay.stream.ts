import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventFrame } from '../../shared/protocol/channel.frames.js';
import { backoffDelay } from '../common/backoff.js';
import { ChatwootError } from '../chatwoot/chatwoot.error.js';
import type { Integration } from '../integrations/integration.entity.js';
import { AckTracker } from './ack.tracker.js';
import { InboxGoneError } from './conversation.resolver.js';

/** What a stream needs from the rest of the bridge. */
export interface StreamDeps {
  /** Processes one event; resolves once it is written to Chatwoot or deliberately skipped. */
  handle(integration: Integration, frame: EventFrame): Promise<unknown>;
  ack(seq: number): void;
  /** A condition the operator must fix, persisted with its text; ('', '') once it is gone. */
  problem(kind: Integration['problem'], lastError: string): Promise<void>;
  /** An event skipped as poison. */
  skipped(lastError: string): Promise<void>;
  retry: { initialMs: number; maxMs: number };
}

const ACK_EVERY = 100;
const ACK_DELAY_MS = 20;

/**
 * The events of one integration on their way to Chatwoot (SPEC 13.3): one queue per chat, in seq
 * order, chats in parallel; failures retried with backoff in place (nothing acked meanwhile), a
 * 4xx poison message skipped; and cumulative acks once every event up to a seq is done.
 * It outlives reconnects: redelivered events already done or in progress are not run again.
 */
export class RelayStream {
  private readonly logger = new Logger(RelayStream.name);
  private readonly tracker = new AckTracker();
  private readonly chats = new Map<string, Promise<void>>();
  private lastDelivered = -1;
  private ackTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly stopping = new AbortController();
  /** Chatwoot is down or slow for this integration: what the status reports meanwhile. */
  outage = '';
  private problemRecorded = false;

  constructor(
    public integration: Integration,
    private readonly deps: StreamDeps,
  ) {}

  hello(lastAckedSeq: number): void {
    this.tracker.acknowledged(lastAckedSeq);
    this.lastDelivered = lastAckedSeq;
  }

  push(frame: EventFrame): void {
    if (this.stopped) return;
    // A jump in seq: RyzeAPI's retention dropped those events; they will never come.
    for (let gone = this.lastDelivered + 1; this.lastDelivered >= 0 && gone < frame.seq; gone++) {
      if (this.tracker.begin(gone)) this.tracker.finish(gone);
    }
    this.lastDelivered = Math.max(this.lastDelivered, frame.seq);
    if (!this.tracker.begin(frame.seq)) return this.scheduleAck();
    const key = chatKey(frame);
    const previous = this.chats.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.process(frame));
    this.chats.set(key, next);
    void next.then(() => {
      if (this.chats.get(key) === next) this.chats.delete(key);
    });
  }

  /** Stops taking events and waits (bounded) for those in progress. */
  async stop(waitMs = 5000): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.ackTimer);
    const timer = sleep(waitMs, undefined, { ref: false });
    await Promise.race([Promise.allSettled([...this.chats.values()]), timer]);
  }

  private async process(frame: EventFrame): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) return this.tracker.abandon(frame.seq);
      try {
        await this.deps.handle(this.integration, frame);
        this.outage = '';
        // Cleared by the stream that recorded it: an activation may have raced with that record.
        if (this.problemRecorded || this.integration.problem) await this.deps.problem('', '');
        this.problemRecorded = false;
        break;
      } catch (error) {
        if (this.stopped) return this.tracker.abandon(frame.seq);
        if (await this.poison(frame, error)) break;
        if (attempt === 0) this.logger.warn({ integrationId: this.integration.id, seq: frame.seq, err: error }, 'event not written yet; retrying');
        const wait = backoffDelay(attempt, this.deps.retry.initialMs, this.deps.retry.maxMs);
        await sleep(wait, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
    this.tracker.finish(frame.seq);
    this.scheduleAck();
  }

  /** Classifies a failure: true when the event is skipped for good, false to retry it. */
  private async poison(frame: EventFrame, error: unknown): Promise<boolean> {
    const where = `Chatwoot at ${this.integration.chatwootBaseUrl}`;
    try {
      if (error instanceof InboxGoneError) {
        this.problemRecorded = true;
        await this.deps.problem('inbox', `the Chatwoot inbox ${this.integration.inboxId} was deleted: run POST /api/chatwoot/set again to create a new one (events wait meanwhile)`);
        return false;
      }
      if (error instanceof ChatwootError && error.credentials) {
        this.problemRecorded = true;
        await this.deps.problem('token', `${where} rejected the API token (HTTP ${error.status}: ${error.detail}): set a valid administrator token with POST /api/chatwoot/set (events wait meanwhile)`);
        return false;
      }
      if (error instanceof ChatwootError && !error.transient) {
        const what = frame.event === 'message.exchange' ? `message ${frame.data.message.id}` : frame.event;
        await this.deps.skipped(`event ${frame.seq} (${what}) skipped: ${where} refused it with HTTP ${error.status}: ${error.detail}`);
        return true;
      }
    } catch (recording) {
      this.logger.warn({ err: recording, integrationId: this.integration.id }, 'could not record an integration error');
      return false;
    }
    this.outage =
      error instanceof ChatwootError
        ? `${where} is unavailable (${error.status ? `HTTP ${error.status}` : 'unreachable'}: ${error.detail}); retrying`
        : `writing to Chatwoot failed (${(error as Error)?.message ?? error}); retrying`;
    return false;
  }

  /** Acks are coalesced (every 100 events or 20 ms); the connection drops those that add nothing. */
  private scheduleAck(): void {
    if (this.stopped) return;
    if (this.tracker.done - this.flushedAt >= ACK_EVERY) return this.flush();
    this.ackTimer ??= setTimeout(() => this.flush(), ACK_DELAY_MS);
  }

  private flushedAt = 0;

  private flush(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.flushedAt = this.tracker.done;
    this.deps.ack(this.tracker.done);
  }
}

/** Events of one chat share a queue; instance events have their own. */
function chatKey(frame: EventFrame): string {
  switch (frame.event) {
    case 'message.exchange':
      return frame.data.message?.chat?.jid ?? '';
    case 'message.status':
      return frame.data.chat_jid ?? '';
    default:
      return '';
  }
}
