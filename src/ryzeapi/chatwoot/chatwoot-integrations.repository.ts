import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ChatwootIntegration } from './chatwoot-integration.entity.js';

export type IntegrationSettings = Pick<
  ChatwootIntegration,
  | 'bridgeIntegrationId' | 'chatwootBaseUrl' | 'chatwootAccountId' | 'chatwootApiToken' | 'chatwootInboxId'
  | 'chatwootInboxName' | 'signMessages' | 'ignoreGroups' | 'startAsPending' | 'reopenResolved' | 'status' | 'lastError'
>;

/** Stored Chatwoot integrations; the API token goes through the entity's encrypting transformer. */
@Injectable()
export class ChatwootIntegrationsRepository {
  constructor(@InjectRepository(ChatwootIntegration) private readonly repo: Repository<ChatwootIntegration>) {}

  find(instanceId: string): Promise<ChatwootIntegration | null> {
    return this.repo.findOneBy({ instanceId });
  }

  /** The decrypted Chatwoot API token, for scrubbing texts only: never returned or logged. */
  async apiToken(instanceId: string): Promise<string | undefined> {
    const row = await this.repo.findOne({ where: { instanceId }, select: { instanceId: true, chatwootApiToken: true } });
    return row?.chatwootApiToken;
  }

  async save(instanceId: string, settings: IntegrationSettings, exists: boolean): Promise<void> {
    if (exists) await this.repo.update({ instanceId }, settings);
    else await this.repo.insert({ instanceId, ...settings });
  }

  /** Writes the changes only if the row still holds what `read` held (a `set` may have replaced it since). */
  async updateIfUnchanged(
    read: ChatwootIntegration,
    changes: Partial<Pick<ChatwootIntegration, 'status' | 'lastError' | 'chatwootInboxId'>>,
  ): Promise<void> {
    const { instanceId, bridgeIntegrationId, status, lastError, chatwootInboxId } = read;
    await this.repo.update({ instanceId, bridgeIntegrationId, status, lastError, chatwootInboxId }, changes);
  }

  /** Deletes the row (its events and commands go with it); false when there was none. */
  async delete(instanceId: string): Promise<boolean> {
    const result = await this.repo.delete({ instanceId });
    return (result.affected ?? 0) > 0;
  }
}
