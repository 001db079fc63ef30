/** The bridge's HTTP API that RyzeAPI calls (SPEC section 8): every body, once, for both sides. */
export type IntegrationStatus = 'active' | 'paused' | 'error';
export const INTEGRATION_STATUSES: IntegrationStatus[] = ['active', 'paused', 'error'];

export interface IntegrationOptions {
  sign_messages: boolean;
  ignore_groups: boolean;
  start_as_pending: boolean;
  reopen_resolved: boolean;
}

/** POST /v1/integrations/activate */
export interface ActivateRequest {
  instance: string;
  integration_id: string | null;
  ryzeapi: { base_url: string; ws_url: string };
  chatwoot: { base_url: string; account_id: number; api_token: string; inbox_name: string };
  options: IntegrationOptions;
}

/** 200 or 201 to an activation. */
export interface ActivateResponse {
  integration_id: string;
  status: IntegrationStatus;
  inbox_id?: number;
}

/** 200 to GET /v1/integrations/<id>. */
export interface IntegrationStatusResponse {
  integration_id: string;
  status: IntegrationStatus;
  inbox_id: number;
  last_error: string;
}

/**
 * Every bridge error. `chatwoot_status` is Chatwoot's HTTP status, 0 when Chatwoot could not be
 * reached, absent when the failure is the bridge's own.
 */
export interface BridgeErrorBody {
  error: { message: string; chatwoot_status?: number; detail?: string };
}

export const INTEGRATIONS_PATH = '/v1/integrations';
