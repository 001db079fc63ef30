import type { ChatwootIntegration } from './chatwoot-integration.entity.js';
import type { ChatwootIntegrationDto } from './dto/chatwoot-answers.dto.js';

/** The stored integration with what the bridge channel knows of it now (GET /api/chatwoot/list). */
export interface IntegrationView {
  instanceName: string;
  row: ChatwootIntegration;
  bridgeConnected: boolean;
  pendingEvents: number;
}

export function toIntegrationDto({ instanceName, row, bridgeConnected, pendingEvents }: IntegrationView): ChatwootIntegrationDto {
  return {
    instance_name: instanceName,
    status: row.status,
    bridge_integration_id: row.bridgeIntegrationId,
    chatwoot_base_url: row.chatwootBaseUrl,
    chatwoot_account_id: row.chatwootAccountId,
    chatwoot_inbox_id: row.chatwootInboxId,
    chatwoot_inbox_name: row.chatwootInboxName,
    last_error: row.lastError,
    created_at: row.createdAt,
    sign_messages: row.signMessages,
    ignore_groups: row.ignoreGroups,
    start_as_pending: row.startAsPending,
    reopen_resolved: row.reopenResolved,
    bridge_connected: bridgeConnected,
    pending_events: pendingEvents,
    dropped_events: Number(row.droppedEvents),
  };
}
