import type { ChatwootAccount } from '../chatwoot/chatwoot.types.js';
import type { Integration } from '../integrations/integration.entity.js';

/** The Chatwoot account an integration calls as. */
export const accountOf = (integration: Integration): ChatwootAccount => ({
  baseUrl: integration.chatwootBaseUrl,
  accountId: integration.chatwootAccountId,
  apiToken: integration.chatwootApiToken,
});
