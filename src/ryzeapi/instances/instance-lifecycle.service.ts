import { Injectable, Logger } from '@nestjs/common';
import { InstanceIntegration, type InlineActivation } from '../chatwoot/instance-integration.port.js';
import type { ChatwootSettingsDto } from '../chatwoot/dto/chatwoot-settings.dto.js';
import { WhatsAppEngine } from '../engine/whatsapp-engine.port.js';
import { InstanceLock } from './instance.lock.js';
import { InstancesService, type InstanceRow } from './instances.service.js';

export interface NewInstance {
  name: string;
  token?: string;
  /** Present when the integration is to be activated inline; validates the chatwoot* block when called. */
  chatwoot?: () => Promise<ChatwootSettingsDto>;
}

/** An instance's birth and end, with what comes and goes with it: the engine's session, the Chatwoot integration. */
@Injectable()
export class InstanceLifecycleService {
  private readonly logger = new Logger(InstanceLifecycleService.name);

  constructor(
    private readonly instances: InstancesService,
    private readonly engine: WhatsAppEngine,
    private readonly integration: InstanceIntegration,
    private readonly lock: InstanceLock,
  ) {}

  /** The instance, its token in clear (once), and the outcome of the inline activation when asked for. */
  async create(accountId: string, request: NewInstance): Promise<{ instance: InstanceRow; token: string; chatwoot?: InlineActivation }> {
    const { instance, token } = await this.instances.create(accountId, request.name, request.token);
    const settings = request.chatwoot;
    if (!settings) return { instance, token };
    const chatwoot = await this.lock.run(instance.id, () => this.integration.activateInline(instance, settings));
    return { instance, token, chatwoot };
  }

  /**
   * Ends the engine's session, then removes the integration (best effort) and the instance under
   * the instance's lock, so no `set` can slip in between.
   */
  async delete(instance: InstanceRow): Promise<void> {
    await this.engine.release(instance);
    await this.lock.run(instance.id, async () => {
      await this.integration
        .removeWithInstance(instance)
        .catch((error) => this.logger.warn({ err: error, instance: instance.name }, 'removing the integration failed'));
      await this.instances.delete(instance.id);
    });
  }
}
