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

  async save(instanceId: string, settings: IntegrationSettings, exists: boolean): Promise<void> {
    if (exists) await this.repo.update({ instanceId }, settings);
    else await this.repo.insert({ instanceId, ...settings });
  }

  async update(instanceId: string, changes: Partial<Pick<ChatwootIntegration, 'status' | 'lastError' | 'chatwootInboxId'>>): Promise<void> {
    await this.repo.update({ instanceId }, changes);
  }

  /** Deletes the row (its events and commands go with it); false when there was none. */
  async delete(instanceId: string): Promise<boolean> {
    const result = await this.repo.delete({ instanceId });
    return (result.affected ?? 0) > 0;
  }

  /** Every stored token with its instance, decrypted: for key rotation only. */
  findAllWithToken(): Promise<Pick<ChatwootIntegration, 'instanceId' | 'chatwootApiToken'>[]> {
    return this.repo.find({ select: { instanceId: true, chatwootApiToken: true } });
  }

  async setToken(instanceId: string, token: string): Promise<void> {
    await this.repo.update({ instanceId }, { chatwootApiToken: token });
  }
}
