import { Injectable } from '@nestjs/common';
import type { ChatwootService, InlineActivation } from './chatwoot.service.js';
import { MODULE_DISABLED_MESSAGE } from './chatwoot.tokens.js';

/** Stands in for ChatwootService when the module is off: inline activation reports the 503 text. */
@Injectable()
export class ChatwootDisabledService implements Pick<ChatwootService, 'activateInline' | 'removeWithInstance'> {
  async activateInline(): Promise<InlineActivation> {
    return { status: 'error', error: MODULE_DISABLED_MESSAGE };
  }

  async removeWithInstance(_instance: unknown, deleteInstance: () => Promise<void>): Promise<void> {
    await deleteInstance();
  }
}
