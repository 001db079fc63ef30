import { Injectable } from '@nestjs/common';
import { InstanceIntegration, type InlineActivation } from './instance-integration.port.js';
import { MODULE_DISABLED_MESSAGE } from './chatwoot.tokens.js';

/** The module is off: inline activation reports the 503 text, and an instance has no integration to remove. */
@Injectable()
export class ChatwootDisabledService extends InstanceIntegration {
  async activateInline(): Promise<InlineActivation> {
    return { status: 'error', error: MODULE_DISABLED_MESSAGE };
  }

  async removeWithInstance(): Promise<void> {}
}
