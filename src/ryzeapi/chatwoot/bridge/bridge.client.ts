import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import type { BridgeConfig } from '../../config/app-config.js';
import { BRIDGE_CONFIG } from '../chatwoot.tokens.js';
import { MAX_INT4 } from '../dto/chatwoot-settings.dto.js';
import { scrubSecrets } from '../../../shared/text/secret-scrubber.js';
import { mapActivationError, type ActivationContext } from './bridge-error.mapper.js';
import { INTEGRATION_STATUSES, type ActivateRequest, type ActivateResponse, type IntegrationStatus, type IntegrationStatusResponse } from '../../../shared/protocol/integrations.api.js';
import type { ActivateResult, IntegrationState } from './bridge.types.js';

const toStatus = (value: unknown): IntegrationStatus => (INTEGRATION_STATUSES.includes(value as IntegrationStatus) ? (value as IntegrationStatus) : 'error');
/** Chatwoot inbox ids are PostgreSQL integers; anything else is "not known". */
const toInboxId = (value: unknown): number => (Number.isInteger(value) && (value as number) > 0 && (value as number) <= MAX_INT4 ? (value as number) : 0);

/** The only code that speaks to the bridge (SPEC section 8). */
@Injectable()
export class BridgeClient {
  private readonly logger = new Logger(BridgeClient.name);
  private readonly http: AxiosInstance;

  constructor(@Inject(BRIDGE_CONFIG) private readonly config: BridgeConfig) {
    this.http = axios.create({
      baseURL: config.url,
      headers: { Authorization: `Bearer ${config.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      maxRedirects: 0,
      maxContentLength: 1024 * 1024,
      transitional: { clarifyTimeoutError: true },
      validateStatus: (status) => status >= 200 && status < 300,
    });
  }

  /** Creates or updates the integration; throws the HttpException of SPEC section 4's table. */
  async activate(request: ActivateRequest): Promise<ActivateResult> {
    const ctx: ActivationContext = {
      chatwootBaseUrl: request.chatwoot.base_url,
      chatwootAccountId: request.chatwoot.account_id,
      secrets: [request.chatwoot.api_token, this.config.token],
    };
    let data: Partial<Record<keyof ActivateResponse, unknown>>;
    let httpStatus: number;
    try {
      ({ data, status: httpStatus } = await this.http.post('/v1/integrations/activate', request, { timeout: this.config.timeouts.activateMs }));
    } catch (error) {
      const mapped = mapActivationError(error, ctx);
      this.logger.warn({ instance: request.instance, status: mapped.getStatus(), reason: mapped.message }, 'bridge activation failed');
      throw mapped;
    }
    if (typeof data?.integration_id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(data.integration_id)) {
      throw new HttpException(`integration gateway error (HTTP ${httpStatus}). Detail: the bridge answered without a usable integration_id`, 502);
    }
    return { integrationId: data.integration_id, status: toStatus(data.status ?? 'active'), inboxId: toInboxId(data.inbox_id) };
  }

  /**
   * The bridge's live view, or null when it fails or is slow: callers fall back to stored values.
   * `last_error` comes back scrubbed of BRIDGE_TOKEN and of `secrets` (the Chatwoot token), which
   * are asked for only when there is an error text to scrub.
   */
  async status(integrationId: string, secrets: () => Promise<(string | undefined)[]>): Promise<IntegrationState | null> {
    let data: Partial<Record<keyof IntegrationStatusResponse, unknown>>;
    try {
      ({ data } = await this.http.get(`/v1/integrations/${encodeURIComponent(integrationId)}`, { timeout: this.config.timeouts.statusMs }));
    } catch (error) {
      this.logger.warn({ integrationId, reason: this.describe(error) }, 'bridge status unavailable; using stored values');
      return null;
    }
    const lastError = typeof data?.last_error === 'string' && data.last_error
      ? scrubSecrets(data.last_error, [this.config.token, ...(await secrets())]).slice(0, 2000)
      : '';
    return { status: toStatus(data?.status), inboxId: toInboxId(data?.inbox_id), lastError };
  }

  /** Deletes the integration; `gone` when the bridge no longer knew it. Throws on any other failure. */
  async remove(integrationId: string): Promise<'deleted' | 'gone'> {
    try {
      await this.http.delete(`/v1/integrations/${encodeURIComponent(integrationId)}`, { timeout: this.config.timeouts.deleteMs });
      return 'deleted';
    } catch (error) {
      if (error instanceof AxiosError && error.response?.status === 404) return 'gone';
      throw new Error(this.describe(error));
    }
  }

  private describe(error: unknown): string {
    const text = error instanceof AxiosError
      ? error.response ? `HTTP ${error.response.status}` : error.code ?? error.message
      : String((error as Error)?.message ?? error);
    return scrubSecrets(text, [this.config.token]);
  }
}
