import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { WhatsAppEngine } from '../../engine/whatsapp-engine.port.js';
import { OutboxAppender } from './outbox.appender.js';
import { CommandLedgerRepository } from './command-ledger.repository.js';

/**
 * A bridge command's result is stored in the same write as its send's events. A command left
 * without a result whose message went out (the engine has it) was cut off by a crash after the
 * send and before its events were stored: at start, its events are derived again from the
 * engine's record and stored with the result, once (the append skips a command whose result is
 * already there). A command whose message never went out keeps its claim: a retry is answered
 * "interrupted", as before.
 */
@Injectable()
export class SendRecovery implements OnApplicationBootstrap {
  private readonly logger = new Logger(SendRecovery.name);

  constructor(
    private readonly ledger: CommandLedgerRepository,
    private readonly engine: WhatsAppEngine,
    private readonly appender: OutboxAppender,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      for (const { instance, commandId } of await this.ledger.unfinished()) {
        const events = await this.engine.replaySend(instance, commandId);
        if (!events) continue;
        await this.appender.enqueue(events);
        this.logger.warn({ instance: instance.name, commandId }, 'stored the events of a send cut off by a restart');
      }
    } catch (error) {
      this.logger.error({ err: error }, 'recovering interrupted sends failed');
    }
  }
}
