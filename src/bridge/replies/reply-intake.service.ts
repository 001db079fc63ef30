import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { secretEquals } from '../../shared/crypto/secret-compare.js';
import { BridgeHttpError } from '../common/bridge-http.error.js';
import { IntegrationsRepository } from '../integrations/integrations.repository.js';
import { CommandDispatcher } from './command.dispatcher.js';
import { CommandsRepository } from './commands.repository.js';
import { ReplyNotesService } from './reply-notes.service.js';
import { ReplyPlanner } from './reply.planner.js';
import { agentReplyOf, type ChatwootWebhookBody } from './webhook-payload.js';
import { signatureProblem } from './webhook-signature.js';

export interface WebhookDelivery {
  integrationId: string;
  secret: string;
  signature?: string;
  timestamp?: string;
  deliveryId?: string;
  rawBody: Buffer;
  body: unknown;
}

export type WebhookAnswer = { status: 'accepted'; commands: number } | { status: 'ignored'; reason: string };

/**
 * Chatwoot's inbox webhook (SPEC 13.4): authenticates the delivery (URL secret, and the signature
 * when the integration has a signing secret), keeps only agents' replies, and stores their `send`
 * commands before answering; the dispatcher sends them.
 */
@Injectable()
export class ReplyIntake {
  private readonly logger = new Logger(ReplyIntake.name);
  /** Compared against when the integration is unknown, so that both failures take the same path. */
  private readonly decoy = randomBytes(32).toString('base64url');

  constructor(
    private readonly integrations: IntegrationsRepository,
    private readonly planner: ReplyPlanner,
    private readonly commands: CommandsRepository,
    private readonly dispatcher: CommandDispatcher,
    private readonly notes: ReplyNotesService,
  ) {}

  async receive(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const integration = await this.integrations.find(delivery.integrationId);
    const secretOk = secretEquals(delivery.secret, integration?.webhookSecret ?? this.decoy);
    if (!integration || !secretOk) throw new NotFoundException();
    if (integration.webhookSigningSecret) {
      const problem = signatureProblem(integration.webhookSigningSecret, delivery, delivery.rawBody);
      if (problem) {
        this.logger.warn({ integrationId: integration.id, deliveryId: delivery.deliveryId, problem }, 'inbox webhook refused: bad signature');
        throw new BridgeHttpError(401, `invalid signature: ${problem}`);
      }
    }
    const body = (typeof delivery.body === 'object' && delivery.body !== null ? delivery.body : {}) as ChatwootWebhookBody;
    const reply = agentReplyOf(body, integration.inboxId, integration.chatwootAccountId);
    if ('ignored' in reply) return { status: 'ignored', reason: reply.ignored };
    const planned = await this.planner.plan(integration, reply);
    const stored = await this.commands.insertNew(integration.id, planned);
    this.logger.log(
      { integrationId: integration.id, deliveryId: delivery.deliveryId, chatwootMessageId: reply.messageId, commands: planned.length, new: stored },
      stored ? 'agent reply stored for WhatsApp' : 'agent reply already stored (duplicate delivery)',
    );
    this.dispatcher.kick(integration.id);
    if (planned.some((c) => c.failure)) void this.notes.flush(integration.id).catch(() => undefined);
    return { status: 'accepted', commands: planned.length };
  }
}
