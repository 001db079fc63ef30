import { HttpException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { secretEquals } from '../../shared/crypto/secret-compare.js';
import { BridgeHttpError } from '../common/bridge-http.error.js';
import { IntegrationsRepository } from '../integrations/integrations.repository.js';
import { BridgeMetrics, type WebhookOutcome } from '../metrics/bridge-metrics.service.js';
import { CommandDispatcher } from './command.dispatcher.js';
import { CommandsRepository } from './commands.repository.js';
import { ConversationStatusService, type StatusAnswer } from './conversation-status.service.js';
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

export type WebhookAnswer = { status: 'accepted'; commands: number } | { status: 'ignored'; reason: string } | StatusAnswer;

/**
 * Chatwoot's inbox webhook (SPEC 13.4): authenticates the delivery (URL secret, and the signature
 * when the integration has a signing secret), keeps agents' replies and stores their `send` commands
 * before answering (the dispatcher sends them); hands conversation status changes to the relay's records.
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
    private readonly statuses: ConversationStatusService,
    private readonly metrics: BridgeMetrics,
  ) {}

  /** Answers the delivery and counts its outcome (refused: wrong secret or signature; failed: the bridge's own error). */
  async receive(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    try {
      const [outcome, answer] = await this.handle(delivery);
      this.metrics.webhook(outcome);
      return answer;
    } catch (error) {
      this.metrics.webhook(error instanceof HttpException && error.getStatus() < 500 ? 'refused' : 'failed');
      throw error;
    }
  }

  private async handle(delivery: WebhookDelivery): Promise<[WebhookOutcome, WebhookAnswer]> {
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
    if (body.event === 'conversation_status_changed') {
      const answer = await this.statuses.apply(integration, body, delivery.deliveryId);
      return [answer.status, answer];
    }
    const reply = agentReplyOf(body, integration.inboxId, integration.chatwootAccountId);
    if ('ignored' in reply) return ['ignored', { status: 'ignored', reason: reply.ignored }];
    const planned = await this.planner.plan(integration, reply);
    const stored = await this.commands.insertNew(integration.id, planned);
    this.logger.log(
      { integrationId: integration.id, deliveryId: delivery.deliveryId, chatwootMessageId: reply.messageId, commands: planned.length, new: stored },
      stored ? 'agent reply stored for WhatsApp' : 'agent reply already stored (duplicate delivery)',
    );
    this.dispatcher.kick(integration.id);
    if (planned.some((c) => c.failure)) void this.notes.flush(integration.id).catch(() => undefined);
    return [stored || !planned.length ? 'accepted' : 'duplicate', { status: 'accepted', commands: planned.length }];
  }
}
