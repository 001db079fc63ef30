import { Injectable, Logger } from '@nestjs/common';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import pLimit, { type LimitFunction } from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeAppConfig } from '../config/bridge-config.js';
import { BridgeMetrics } from '../metrics/bridge-metrics.service.js';
import { scrubSecrets } from '../../shared/text/secret-scrubber.js';
import { ChatwootError } from './chatwoot.error.js';
import { backoffDelay, retryAfterMs } from '../common/backoff.js';
import type {
  Attachment,
  ChatwootAccount,
  ChatwootContact,
  ChatwootConversation,
  ChatwootInbox,
  ChatwootMessage,
  ConversationStatus,
  NewContact,
  NewMessage,
} from './chatwoot.types.js';

/** 429s ridden out inside one call before it fails as transient (the caller then retries later). */
const RATE_LIMIT_RETRIES = 8;

/**
 * The only code that talks to Chatwoot (its Application API, SPEC 13.2). Every call carries
 * `api_access_token`, has a timeout, and waits for a slot: at most CHATWOOT_MAX_IN_FLIGHT calls are
 * in flight per Chatwoot installation. A 429 waits (Retry-After when given) and is retried.
 */
@Injectable()
export class ChatwootClient {
  private readonly logger = new Logger(ChatwootClient.name);
  private readonly http: AxiosInstance;
  private readonly limits = new Map<string, LimitFunction>();

  constructor(
    private readonly config: BridgeAppConfig,
    private readonly metrics: BridgeMetrics,
  ) {
    this.http = axios.create({
      timeout: config.chatwoot.timeoutMs,
      maxRedirects: 0,
      // No HTTP(S)_PROXY lookups per call: Chatwoot is reached directly (a measurable share of each call's CPU).
      proxy: false,
      maxContentLength: 10 * 1024 * 1024,
      transitional: { clarifyTimeoutError: true },
      validateStatus: (status) => status >= 200 && status < 300,
    });
  }

  listInboxes(acc: ChatwootAccount): Promise<ChatwootInbox[]> {
    return this.call<{ payload: ChatwootInbox[] }>(acc, { method: 'GET', url: '/inboxes' }).then((d) => d?.payload ?? []);
  }

  getInbox(acc: ChatwootAccount, inboxId: number): Promise<ChatwootInbox> {
    return this.call<ChatwootInbox>(acc, { method: 'GET', url: `/inboxes/${inboxId}` });
  }

  createInbox(acc: ChatwootAccount, name: string, webhookUrl: string): Promise<ChatwootInbox> {
    return this.call(acc, { method: 'POST', url: '/inboxes', data: { name, channel: { type: 'api', webhook_url: webhookUrl } } });
  }

  /** `enableAutoAssignment` is sent back as it was: Chatwoot's document requires it on update. */
  updateInbox(acc: ChatwootAccount, inboxId: number, name: string, webhookUrl: string, enableAutoAssignment: boolean): Promise<ChatwootInbox> {
    return this.call(acc, {
      method: 'PATCH',
      url: `/inboxes/${inboxId}`,
      data: { name, enable_auto_assignment: enableAutoAssignment, channel: { webhook_url: webhookUrl } },
    });
  }

  async deleteInbox(acc: ChatwootAccount, inboxId: number): Promise<void> {
    await this.call(acc, { method: 'DELETE', url: `/inboxes/${inboxId}` });
  }

  searchContacts(acc: ChatwootAccount, q: string): Promise<ChatwootContact[]> {
    return this.call<{ payload: ChatwootContact[] }>(acc, { method: 'GET', url: '/contacts/search', params: { q } }).then((d) => d?.payload ?? []);
  }

  /** Creates the contact in the inbox; its contact_inbox source id comes with it. */
  async createContact(acc: ChatwootAccount, contact: NewContact): Promise<{ id: number; sourceId: string }> {
    const data = await this.call<{ payload: { contact: ChatwootContact; contact_inbox?: { source_id: string } } }>(acc, {
      method: 'POST',
      url: '/contacts',
      data: contact,
    });
    const created = data.payload.contact ?? (data.payload as unknown as ChatwootContact);
    const sourceId = data.payload.contact_inbox?.source_id ?? created.contact_inboxes?.find((ci) => ci.inbox?.id === contact.inbox_id)?.source_id ?? '';
    return { id: created.id, sourceId };
  }

  contactConversations(acc: ChatwootAccount, contactId: number): Promise<ChatwootConversation[]> {
    return this.call<{ payload: ChatwootConversation[] }>(acc, { method: 'GET', url: `/contacts/${contactId}/conversations` }).then((d) => d?.payload ?? []);
  }

  getConversation(acc: ChatwootAccount, conversationId: number): Promise<ChatwootConversation> {
    return this.call(acc, { method: 'GET', url: `/conversations/${conversationId}` });
  }

  createConversation(
    acc: ChatwootAccount,
    conversation: { source_id: string; inbox_id: number; contact_id: number; status?: ConversationStatus },
  ): Promise<ChatwootConversation> {
    return this.call(acc, { method: 'POST', url: '/conversations', data: conversation });
  }

  async toggleStatus(acc: ChatwootAccount, conversationId: number, status: 'open' | 'resolved' | 'pending'): Promise<void> {
    await this.call(acc, { method: 'POST', url: `/conversations/${conversationId}/toggle_status`, data: { status } });
  }

  createMessage(acc: ChatwootAccount, conversationId: number, message: NewMessage): Promise<ChatwootMessage> {
    return this.call(acc, { method: 'POST', url: `/conversations/${conversationId}/messages`, data: message });
  }

  /** A message with one file, as multipart `attachments[]`. */
  createMessageWithAttachment(acc: ChatwootAccount, conversationId: number, message: NewMessage, file: Attachment): Promise<ChatwootMessage> {
    const form = new FormData();
    for (const [key, value] of Object.entries(message)) {
      if (value !== undefined) form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    form.append('attachments[]', new Blob([new Uint8Array(file.data)], { type: file.mimetype }), file.fileName);
    return this.call(acc, { method: 'POST', url: `/conversations/${conversationId}/messages`, data: form });
  }

  /** The conversation's latest messages (Chatwoot pages by 20), newest last. */
  listMessages(acc: ChatwootAccount, conversationId: number): Promise<ChatwootMessage[]> {
    return this.call<{ payload: ChatwootMessage[] }>(acc, { method: 'GET', url: `/conversations/${conversationId}/messages` }).then((d) => d?.payload ?? []);
  }

  private async call<T>(acc: ChatwootAccount, request: AxiosRequestConfig): Promise<T> {
    const limit = this.limitFor(acc.baseUrl);
    for (let attempt = 0; ; attempt++) {
      try {
        return await limit(() => this.once<T>(acc, request));
      } catch (error) {
        if (!(error instanceof ChatwootError) || error.status !== 429 || attempt >= RATE_LIMIT_RETRIES) throw error;
        const wait = (error as ChatwootError & { retryAfterMs?: number }).retryAfterMs ?? backoffDelay(attempt, this.config.channel.retryInitialMs, this.config.channel.retryMaxMs);
        this.logger.debug({ baseUrl: acc.baseUrl, waitMs: wait }, 'Chatwoot rate limit: waiting');
        await sleep(wait);
      }
    }
  }

  /** One HTTP request (each 429 retry is one more), counted by Chatwoot's status and timed. */
  private async once<T>(acc: ChatwootAccount, request: AxiosRequestConfig): Promise<T> {
    const done = this.metrics.chatwootRequest();
    try {
      const { data, status } = await this.http.request<T>({
        ...request,
        baseURL: `${acc.baseUrl}/api/v1/accounts/${acc.accountId}`,
        headers: { api_access_token: acc.apiToken, Accept: 'application/json' },
      });
      done(status);
      return data;
    } catch (error) {
      const failure = toChatwootError(error, acc.apiToken);
      done(failure.status);
      throw failure;
    }
  }

  private limitFor(baseUrl: string): LimitFunction {
    let limit = this.limits.get(baseUrl);
    if (!limit) this.limits.set(baseUrl, (limit = pLimit(this.config.chatwoot.maxInFlight)));
    return limit;
  }
}

export function toChatwootError(error: unknown, token: string): ChatwootError {
  // Scrubbed before the cut, in any case or encoding (the shared scrubber), so no part of the token survives.
  const scrub = (text: string) => scrubSecrets(text, [token]).slice(0, 500);
  if (!(error instanceof AxiosError)) return new ChatwootError(0, scrub(String((error as Error)?.message ?? error)));
  const response = error.response;
  if (!response) return new ChatwootError(0, scrub(error.code ?? error.message));
  const failure = new ChatwootError(response.status, scrub(describeBody(response.data) || response.statusText || `HTTP ${response.status}`));
  if (response.status === 429) {
    const wait = retryAfterMs(response.headers['retry-after']);
    if (wait !== undefined) Object.assign(failure, { retryAfterMs: wait });
  }
  return failure;
}

/** Chatwoot's error bodies: `{"error": "..."}`, `{"message": "..."}`, `{"errors": [...]}`. */
function describeBody(data: unknown): string {
  if (typeof data === 'string') return data;
  if (!data || typeof data !== 'object') return '';
  const body = data as { error?: unknown; message?: unknown; errors?: unknown };
  const text = body.error ?? body.message ?? body.errors;
  if (typeof text === 'string') return text;
  return text === undefined ? '' : JSON.stringify(text);
}
