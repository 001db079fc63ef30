import type { IntegrationStatus } from '../chatwoot-integration.entity.js';

/** POST /v1/integrations/activate (SPEC section 8). */
export interface ActivateRequest {
  instance: string;
  integration_id: string | null;
  ryzeapi: { base_url: string; ws_url: string };
  chatwoot: { base_url: string; account_id: number; api_token: string; inbox_name: string };
  options: { sign_messages: boolean; ignore_groups: boolean; start_as_pending: boolean; reopen_resolved: boolean };
}

export interface ActivateResult {
  integrationId: string;
  status: IntegrationStatus;
  inboxId: number;
}

export interface IntegrationState {
  status: IntegrationStatus;
  inboxId: number;
  lastError: string;
}

/** The error body a bridge answers with. */
export interface BridgeErrorBody {
  error?: { message?: string; chatwoot_status?: number; detail?: string };
}
