import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ActivateRequest, ActivateResponse, IntegrationStatusResponse } from '../../shared/protocol/integrations.api.js';
import { KeyedMutex } from '../../shared/concurrency/keyed-mutex.js';
import { BridgeHttpError } from '../common/bridge-http.error.js';
import { RyzeApiChannel } from '../channel/ryzeapi.channel.js';
import { ChatwootClient } from '../chatwoot/chatwoot.client.js';
import { ChatwootError } from '../chatwoot/chatwoot.error.js';
import type { ChatwootAccount, ChatwootInbox } from '../chatwoot/chatwoot.types.js';
import { BridgeAppConfig } from '../config/bridge-config.js';
import { ChatsRepository } from '../relay/chats.repository.js';
import { Integration } from './integration.entity.js';
import { IntegrationsRepository } from './integrations.repository.js';

/** Section 8 of the contract, from the bridge's side: activate, status, delete. */
@Injectable()
export class IntegrationsService {
  private readonly logger = new Logger(IntegrationsService.name);
  /** One activation or deletion at a time per integration id / instance. */
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly config: BridgeAppConfig,
    private readonly repository: IntegrationsRepository,
    private readonly chatwoot: ChatwootClient,
    private readonly channel: RyzeApiChannel,
    private readonly chats: ChatsRepository,
  ) {}

  activate(request: ActivateRequest): Promise<{ created: boolean; body: ActivateResponse }> {
    return this.mutex.run(request.integration_id ?? `instance:${request.instance}`, () => this.doActivate(request));
  }

  private async doActivate(request: ActivateRequest): Promise<{ created: boolean; body: ActivateResponse }> {
    const existing = request.integration_id ? await this.repository.find(request.integration_id) : null;
    const acc: ChatwootAccount = { baseUrl: request.chatwoot.base_url, accountId: request.chatwoot.account_id, apiToken: request.chatwoot.api_token };
    const id = existing?.id ?? `int_${randomBytes(12).toString('hex')}`;
    const webhookSecret = existing?.webhookSecret ?? randomBytes(32).toString('base64url');
    const webhookUrl = `${this.config.publicUrl}/v1/chatwoot/webhook/${id}/${webhookSecret}`;
    const name = request.chatwoot.inbox_name;
    let inbox: ChatwootInbox;
    try {
      const inboxes = await this.chatwoot.listInboxes(acc); // the token and the account, before anything changes
      inbox = await this.upsertInbox(acc, inboxes.find((inbox) => existing?.inboxId && inbox.id === existing.inboxId), name, webhookUrl);
    } catch (error) {
      throw this.toHttpError(error);
    }
    const inboxId = inbox.id;
    // Settings and token are replaced only now that Chatwoot accepted them.
    const integration = Object.assign(existing ?? new Integration(), {
      id,
      instance: request.instance,
      ryzeapiBaseUrl: request.ryzeapi.base_url,
      ryzeapiWsUrl: request.ryzeapi.ws_url,
      chatwootBaseUrl: acc.baseUrl,
      chatwootAccountId: acc.accountId,
      chatwootApiToken: acc.apiToken,
      inboxId,
      inboxName: name,
      signMessages: request.options.sign_messages,
      ignoreGroups: request.options.ignore_groups,
      startAsPending: request.options.start_as_pending,
      reopenResolved: request.options.reopen_resolved,
      webhookSecret,
      // Chatwoot 4.13+ signs the inbox's webhooks with the secret its inbox answer carries; older ones do not sign.
      webhookSigningSecret: typeof inbox.secret === 'string' && inbox.secret ? inbox.secret : null,
      problem: '' as const,
      lastError: '',
    });
    if (existing && existing.inboxId !== inboxId) await this.chats.forgetAll(id);
    const saved = await this.repository.save(integration);
    await this.channel.open(saved);
    this.logger.log({ integrationId: id, instance: request.instance, inboxId }, existing ? 'integration updated' : 'integration created');
    return { created: !existing, body: { integration_id: id, status: 'active', inbox_id: inboxId } };
  }

  /**
   * A new integration always gets its own inbox; an existing one is updated in place, or recreated
   * when Chatwoot no longer has it (not in the account's inboxes, or a 404 on update).
   */
  private async upsertInbox(acc: ChatwootAccount, current: ChatwootInbox | undefined, name: string, webhookUrl: string): Promise<ChatwootInbox> {
    if (current) {
      try {
        const updated = await this.chatwoot.updateInbox(acc, current.id, name, webhookUrl, current.enable_auto_assignment ?? true);
        return { ...current, ...updated, id: current.id };
      } catch (error) {
        if (!(error instanceof ChatwootError) || error.status !== 404) throw error;
      }
    }
    return this.chatwoot.createInbox(acc, name, webhookUrl);
  }

  async status(id: string): Promise<IntegrationStatusResponse> {
    const integration = await this.find(id);
    const live = this.channel.state(id);
    const body = (status: IntegrationStatusResponse['status'], lastError: string): IntegrationStatusResponse => ({
      integration_id: id,
      status,
      inbox_id: integration.inboxId,
      last_error: lastError,
    });
    if (integration.problem) return body('error', integration.lastError);
    if (live.outage) return body('error', live.outage);
    if (!live.open) return body('paused', live.down);
    return body('active', integration.lastError);
  }

  /** Deletes the inbox (a 404 counts as done; other failures are logged), closes the socket, forgets everything. */
  remove(id: string): Promise<void> {
    return this.mutex.run(id, async () => {
      const integration = await this.find(id);
      await this.channel.close(id);
      if (integration.inboxId) {
        try {
          await this.chatwoot.deleteInbox({ baseUrl: integration.chatwootBaseUrl, accountId: integration.chatwootAccountId, apiToken: integration.chatwootApiToken }, integration.inboxId);
        } catch (error) {
          if (!(error instanceof ChatwootError && error.status === 404)) {
            this.logger.warn({ integrationId: id, inboxId: integration.inboxId, reason: (error as Error).message }, 'could not delete the Chatwoot inbox; deleting the integration anyway');
          }
        }
      }
      await this.chats.forgetAll(id);
      await this.repository.remove(id);
      this.logger.log({ integrationId: id }, 'integration deleted');
    });
  }

  private async find(id: string): Promise<Integration> {
    const integration = await this.repository.find(id);
    if (!integration) throw new BridgeHttpError(404, 'integration not found');
    return integration;
  }

  /** SPEC 13.2's error rows: Chatwoot's 401/403/404/422 as themselves, the rest as 502. */
  private toHttpError(error: unknown): Error {
    if (!(error instanceof ChatwootError)) return error as Error;
    const chatwoot = { status: error.status, detail: error.detail };
    const messages: Record<number, string> = {
      401: 'Chatwoot rejected the API token',
      403: 'Chatwoot denied the request: the token needs administrator access to the account',
      404: 'Chatwoot account or endpoint not found',
      422: 'Chatwoot rejected the request as invalid',
    };
    if (messages[error.status]) return new BridgeHttpError(error.status, messages[error.status], chatwoot);
    return new BridgeHttpError(502, error.status ? `Chatwoot failed (HTTP ${error.status})` : 'Chatwoot is unreachable', chatwoot);
  }
}
