import type { IntegrationStatus } from '../../../shared/protocol/integrations.api.js';

/** What an activation gave, as RyzeAPI keeps it. */
export interface ActivateResult {
  integrationId: string;
  status: IntegrationStatus;
  inboxId: number;
}

/** The bridge's live view of an integration. */
export interface IntegrationState {
  status: IntegrationStatus;
  inboxId: number;
  lastError: string;
}
