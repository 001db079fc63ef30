import { HttpException } from '@nestjs/common';
import type { BridgeErrorBody } from '../../shared/protocol/integrations.api.js';

/** An error answered with the bridge's error body (SPEC section 8). */
export class BridgeHttpError extends HttpException {
  constructor(status: number, message: string, chatwoot?: { status: number; detail: string }) {
    const body: BridgeErrorBody = { error: { message, ...(chatwoot && { chatwoot_status: chatwoot.status, detail: chatwoot.detail }) } };
    super(body, status);
  }
}
