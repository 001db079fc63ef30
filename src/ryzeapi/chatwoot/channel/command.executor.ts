import { Injectable, Logger } from '@nestjs/common';
import type { InstanceRef } from '../../engine/engine.types.js';
import { SendRefusedError, WhatsAppEngine } from '../../engine/whatsapp-engine.port.js';
import type { ResultFrame, SendCommand } from '../../../shared/protocol/channel.frames.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { CommandLedgerRepository } from './command-ledger.repository.js';

/**
 * Executes the bridge's `send` commands at most once per id: the id is claimed durably before the
 * message goes to the engine, and the first result is stored and repeated for any later copy.
 */
@Injectable()
export class CommandExecutor {
  private readonly logger = new Logger(CommandExecutor.name);
  private readonly inFlight = new Map<string, Promise<ResultFrame>>();

  constructor(
    private readonly ledger: CommandLedgerRepository,
    private readonly engine: WhatsAppEngine,
    private readonly metrics: Metrics,
  ) {}

  execute(instance: InstanceRef, command: SendCommand, signMessages: boolean): Promise<ResultFrame> {
    const key = `${instance.id}\u0000${command.id}`;
    const running = this.inFlight.get(key);
    if (running) {
      this.metrics.command('duplicate');
      return running;
    }
    const result = this.run(instance, command, signMessages).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, result);
    return result;
  }

  private async run(instance: InstanceRef, command: SendCommand, signMessages: boolean): Promise<ResultFrame> {
    const claim = await this.ledger.claim(instance.id, command.id);
    if (!claim.claimed) {
      this.metrics.command('duplicate');
      return (claim.result as ResultFrame | null) ?? {
        type: 'result', id: command.id, ok: false,
        error: 'command was interrupted before its outcome was recorded; not executed again',
      };
    }
    const sign = (text: string | undefined) =>
      signMessages && command.senderName && text !== undefined ? `*${command.senderName}*:\n${text}` : text;
    let messageId: string;
    try {
      ({ messageId } = await this.engine.send(instance, {
        to: command.to,
        text: sign(command.text),
        media: command.media && { ...command.media, caption: sign(command.media.caption) },
        replyTo: command.replyTo,
        source: 'chatwoot',
        commandId: command.id,
      }));
    } catch (error) {
      // Nothing reached WhatsApp: the claim is released so that a retry with this id may run.
      if (!(error instanceof SendRefusedError)) this.logger.error({ err: error, instance: instance.name }, 'send command failed');
      await this.ledger.release(instance.id, command.id).catch(() => undefined);
      this.metrics.command('failed');
      return { type: 'result', id: command.id, ok: false, error: error instanceof SendRefusedError ? error.message : 'send failed' };
    }
    // Sent: the claim stays whatever happens next, so a retry can never send it again.
    this.metrics.command('sent');
    const result: ResultFrame = { type: 'result', id: command.id, ok: true, message_id: messageId };
    await this.ledger.complete(instance.id, command.id, result).catch((error) =>
      this.logger.error({ err: error, instance: instance.name }, 'storing a command result failed; a retry will get "interrupted"'),
    );
    return result;
  }
}
