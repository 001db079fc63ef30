import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { registerSecret } from '../leak-guard.js';
import { authenticate } from './auth.js';
import { Faults, type Outage } from './faults.js';
import { parseBody, readBody } from './request-body.js';
import { RequestChecker } from './request-checker.js';
import { ApplicationApi, type RouteContext } from './routes.js';
import { FakeChatwootStore } from './store.js';
import type { AccountRecord, ContactRecord, ConversationRecord, ConversationStatus, InboxRecord, MediaFile, MessageRecord, MessageType, Role } from './types.js';
import { ChatwootViews } from './views.js';
import { WebhookSender, type DeliveryAttempt, type DeliveryOptions } from './webhooks.js';

export interface FakeChatwootOptions {
  /** Added before every API answer (e.g. 20 for the benchmark). Default 0. */
  latencyMs?: number;
  /**
   * Post the inbox webhooks Chatwoot posts for what is created through the API: `message_created`
   * for incoming and outgoing messages (the bridge's own included), `conversation_created`,
   * `conversation_status_changed` and `conversation_updated`. Default true, as Chatwoot does.
   */
  apiWebhooks?: boolean;
  /**
   * Give every inbox created through the API a signing secret, as Chatwoot 4.13+ does: its
   * webhooks are signed and the inbox JSON carries it as `secret`. Default false (unsigned, as
   * before 4.13); setSigningSecret() sets one per inbox either way.
   */
  signingSecrets?: boolean;
}

export interface RequestLogEntry {
  method: string;
  /** Path and query, with any api_access_token query parameter redacted. */
  path: string;
  status: number;
  durationMs: number;
  /** `METHOD /template` of the fake's route (e.g. `POST /conversations/:conversation_id/messages`), when one matched. */
  route?: string;
}

export interface Violation {
  method: string;
  path: string;
  problems: string[];
  /** One line: `METHOD path: problem; problem`. Never contains a token. */
  description: string;
}

export interface AttachmentInput {
  name: string;
  contentType: string;
  data: Buffer | string;
}

export interface MessageInput extends DeliveryOptions {
  content?: string | null;
  messageType?: MessageType;
  private?: boolean;
  attachments?: AttachmentInput[];
  /** Chatwoot message id the agent replied to (content_attributes.in_reply_to). */
  inReplyTo?: number;
  contentAttributes?: Record<string, unknown>;
  sourceId?: string | null;
  /** The agent's name (a user of that name is made in the account when missing). Default 'Agent Smith'. */
  senderName?: string;
  /** Post the webhook (default true). */
  deliver?: boolean;
}

export interface MessageResult {
  message: MessageRecord;
  /** The webhook body that was posted. */
  payload: Record<string, unknown>;
  deliveries: DeliveryAttempt[];
}

const ACCOUNT_PATH = /^\/api\/v1\/accounts\/([^/]+)(\/.*)?$/;
const MEDIA_PATH = /^\/rails\/active_storage\/blobs\/redirect\/([^/]+)\/[^/]+$/;
const RAILS_404 = "<html><body><h1>The page you were looking for doesn't exist.</h1></body></html>";

/**
 * A fake Chatwoot on a real loopback HTTP server: the Application API routes the bridge uses,
 * with state, Chatwoot's answers and error bodies, every request checked against Chatwoot's OpenAPI
 * document, inbox webhooks posted as Chatwoot posts them, and faults to inject. See README.md.
 */
export class FakeChatwoot {
  readonly store = new FakeChatwootStore();
  readonly faults = new Faults();
  readonly webhooks = new WebhookSender();
  readonly requests: RequestLogEntry[] = [];
  readonly violations: Violation[] = [];
  /** The default account, with an administrator and an agent. */
  readonly accountId: number;
  /** The default account's administrator token (the role inbox creation needs). */
  readonly token: string;
  /** The default account's agent token (no inbox create/update/delete). */
  readonly agentToken: string;
  readonly views: ChatwootViews;
  private readonly api: ApplicationApi;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private port = 0;
  private closed = false;
  private readonly apiWebhooks: boolean;

  private constructor(
    private readonly checker: RequestChecker,
    options: FakeChatwootOptions,
  ) {
    this.faults.latencyMs = options.latencyMs ?? 0;
    this.apiWebhooks = options.apiWebhooks ?? true;
    const signingSecrets = options.signingSecrets ?? false;
    this.views = new ChatwootViews(this.store, () => this.url);
    this.api = new ApplicationApi(this.store, this.views, {
      inboxCreated: (inbox) => {
        if (signingSecrets) this.setSigningSecret(inbox.id, randomBytes(24).toString('base64url'));
      },
      messageCreated: (message) => this.onApiMessage(message),
      conversationCreated: (conversation) => this.onApiConversation('conversation_created', conversation),
      conversationStatusChanged: (conversation, previous) => this.onApiStatusChange(conversation, previous),
    });
    const account = this.store.createAccount('Acme Support');
    this.accountId = account.id;
    this.token = this.createUser({ name: 'Admin', role: 'administrator' }).token;
    this.agentToken = this.createUser({ name: 'Agent Smith', role: 'agent' }).token;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        // A fault of the fake itself: answered 500 and recorded, so that no test passes over it.
        this.recordViolation(req.method ?? 'GET', (req.url ?? '').split('?')[0], [`the fake Chatwoot failed: ${error.message}`]);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ status: 500, error: 'Internal Server Error' }));
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: FakeChatwootOptions = {}): Promise<FakeChatwoot> {
    const fake = new FakeChatwoot(await RequestChecker.acquire(), options);
    await fake.listen();
    return fake;
  }

  /** The base URL to configure as Chatwoot's (e.g. `http://127.0.0.1:41234`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  // ---- accounts and tokens ----

  createAccount(name = 'Another Account'): number {
    return this.store.createAccount(name).id;
  }

  /** A user with a token, member of `accountIds` (default: the default account) with `role`. */
  createUser(options: { name?: string; role?: Role; accountIds?: number[]; token?: string } = {}): { id: number; token: string } {
    const role = options.role ?? 'administrator';
    const accountIds = options.accountIds ?? [this.accountId];
    const user = this.store.createUser(options.name ?? 'User', accountIds.map((id) => [id, role]), options.token);
    registerSecret(user.token);
    return { id: user.id, token: user.token };
  }

  /** The token stops working (Chatwoot then answers 401 Invalid Access Token). */
  revokeToken(token: string): void {
    for (const user of this.store.users.values()) if (user.token === token) user.revoked = true;
  }

  // ---- state changed behind the bridge's back ----

  /** An inbox made in Chatwoot's UI (default account, webhook URL optional). */
  addInbox(name: string, webhookUrl = '', accountId = this.accountId): InboxRecord {
    return this.store.createInbox(accountId, name, webhookUrl);
  }

  /** Deletes the inbox with its conversations, as an administrator in Chatwoot's UI would. */
  deleteInbox(inboxId: number): boolean {
    return this.store.deleteInbox(inboxId);
  }

  /** Webhooks to this inbox are signed with `secret` from now on (undefined: unsigned). */
  setSigningSecret(inboxId: number, secret: string | undefined): void {
    const inbox = this.requireInbox(inboxId);
    inbox.signingSecret = secret;
    registerSecret(secret);
  }

  /** A contact with a conversation in the inbox, as if it had written in (e.g. for another inbox's traffic). */
  addConversation(inboxId: number, contact: { name?: string; phoneNumber?: string; identifier?: string } = {}): ConversationRecord {
    const inbox = this.requireInbox(inboxId);
    const record = this.store.createContact(inbox.accountId, contact);
    return this.store.createConversation(inbox, this.store.contactInbox(record.id, inbox.id));
  }

  /** Serves a file (e.g. media a test sends through WhatsApp); returns its URL. */
  addMedia(name: string, contentType: string, data: Buffer | string): string {
    const key = this.store.addMedia({ name, contentType, bytes: Buffer.from(data) });
    return `${this.url}/rails/active_storage/blobs/redirect/${key}/${encodeURIComponent(name)}`;
  }

  // ---- agents and webhooks ----

  /** An agent's reply in the conversation: stored, then posted as `message_created` to the inbox webhook. */
  agentReply(conversationId: number, input: Omit<MessageInput, 'messageType'> = {}): Promise<MessageResult> {
    return this.postMessage(conversationId, { ...input, messageType: 'outgoing' });
  }

  /** An activity message (e.g. "Conversation was resolved by …"), posted like any other message. */
  activityMessage(conversationId: number, content: string, delivery: DeliveryOptions = {}): Promise<MessageResult> {
    return this.postMessage(conversationId, { ...delivery, content, messageType: 'activity', senderName: undefined });
  }

  /** Stores a message made in Chatwoot (not through the API) and posts its `message_created` webhook. */
  async postMessage(conversationId: number, input: MessageInput = {}): Promise<MessageResult> {
    const conversation = this.store.conversations.get(conversationId);
    if (!conversation) throw new Error(`fake Chatwoot: no conversation ${conversationId}`);
    const messageType = input.messageType ?? 'outgoing';
    const sender =
      messageType === 'incoming'
        ? ({ type: 'contact', id: conversation.contactId } as const)
        : messageType === 'activity'
          ? null
          : ({ type: 'user', id: this.agentNamed(conversation.accountId, input.senderName ?? 'Agent Smith') } as const);
    const contentAttributes = { ...input.contentAttributes };
    if (input.inReplyTo !== undefined) contentAttributes.in_reply_to = input.inReplyTo;
    const files = (input.attachments ?? []).map((a) => ({ name: a.name, contentType: a.contentType, bytes: Buffer.from(a.data) }));
    const message = this.store.createMessage(
      conversation,
      {
        content: input.content === undefined ? (files.length ? null : 'Hello from the agent') : input.content,
        messageType,
        contentType: 'text',
        contentAttributes,
        private: input.private ?? false,
        sourceId: input.sourceId ?? null,
        sender,
        origin: 'helper',
      },
      files,
    );
    const payload = this.views.messageCreatedWebhook(message);
    const deliveries = input.deliver === false ? [] : await this.deliverWebhook(message.inboxId, payload, input);
    return { message, payload, deliveries };
  }

  /**
   * An agent changes the conversation's status in Chatwoot (e.g. resolves it): stored, then posted as
   * Chatwoot posts it, `conversation_status_changed` then `conversation_updated`, both with
   * `changed_attributes`. Returns their deliveries (none when the status was already that one).
   */
  async changeStatus(conversationId: number, status: ConversationStatus, delivery: DeliveryOptions = {}): Promise<DeliveryAttempt[]> {
    const conversation = this.store.conversations.get(conversationId);
    if (!conversation) throw new Error(`fake Chatwoot: no conversation ${conversationId}`);
    const previous = conversation.status;
    if (previous === status) return [];
    conversation.status = status;
    const deliveries: DeliveryAttempt[] = [];
    for (const body of this.views.statusChangeWebhooks(conversation, previous)) deliveries.push(...(await this.deliverWebhook(conversation.inboxId, body, delivery)));
    return deliveries;
  }

  /** Posts any body to the inbox's webhook URL as Chatwoot would (signed when the inbox has a secret). */
  deliverWebhook(inboxId: number, payload: Record<string, unknown>, options: DeliveryOptions = {}): Promise<DeliveryAttempt[]> {
    const inbox = this.requireInbox(inboxId);
    const url = options.url ?? inbox.webhookUrl;
    if (!url) throw new Error(`fake Chatwoot: inbox ${inboxId} has no webhook URL`);
    return this.webhooks.deliver(url, payload, { ...options, secret: options.secret ?? inbox.signingSecret });
  }

  // ---- faults ----

  get latencyMs(): number {
    return this.faults.latencyMs;
  }

  set latencyMs(value: number) {
    this.faults.latencyMs = value;
  }

  /**
   * Chatwoot goes down: `refuse` closes the port (connections refused), `reset` drops each
   * connection, `hang` never answers, a number answers that status (e.g. 503). `null` ends it.
   */
  async outage(kind: 'refuse' | 'reset' | 'hang' | number | null): Promise<void> {
    const previous = this.faults.outage;
    const outage: Outage | null =
      kind === null ? null : typeof kind === 'number' ? { mode: 'http', status: kind } : { mode: kind };
    this.faults.outage = outage;
    if (outage?.mode !== 'hang') this.releaseHanging();
    if (outage?.mode === 'refuse' && previous?.mode !== 'refuse') {
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.sockets.forEach((socket) => socket.destroy());
      });
    } else if (previous?.mode === 'refuse' && outage?.mode !== 'refuse') {
      await this.listen();
    }
  }

  /** The next `count` API calls answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit(count: number, retryAfterSeconds = 1): void {
    this.faults.rateLimit(count, retryAfterSeconds);
  }

  /** The next `count` API calls (matching method/path when given) answer `status` with Chatwoot's body for it. */
  failNext(count: number, status: number, match: { method?: string; path?: string | RegExp; body?: unknown } = {}): void {
    this.faults.failNext({ remaining: count, status, method: match.method, path: match.path, body: match.body ?? errorBodyFor(status) });
  }

  // ---- inspection ----

  accounts(): AccountRecord[] {
    return [...this.store.accounts.values()];
  }

  inboxes(accountId?: number): InboxRecord[] {
    return [...this.store.inboxes.values()].filter((i) => accountId === undefined || i.accountId === accountId);
  }

  contacts(accountId?: number): ContactRecord[] {
    return [...this.store.contacts.values()].filter((c) => accountId === undefined || c.accountId === accountId);
  }

  conversations(filter: { inboxId?: number; contactId?: number } = {}): ConversationRecord[] {
    return [...this.store.conversations.values()].filter(
      (c) => (filter.inboxId === undefined || c.inboxId === filter.inboxId) && (filter.contactId === undefined || c.contactId === filter.contactId),
    );
  }

  /** Messages in creation order, of one conversation or all. */
  messages(conversationId?: number): MessageRecord[] {
    return [...this.store.messages.values()].filter((m) => conversationId === undefined || m.conversationId === conversationId);
  }

  /** The bytes of an attachment (or any served media) by its data_url. */
  mediaAt(url: string): MediaFile | undefined {
    const key = MEDIA_PATH.exec(new URL(url).pathname)?.[1];
    return key ? this.store.media.get(key) : undefined;
  }

  /** API calls answered so far, per route (`POST /conversations/:conversation_id/messages` → n). */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.requests) {
      const key = entry.route ?? `${entry.method} (no route)`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /** How many logged calls match (method and path substring/regexp optional). */
  calls(method?: string, path?: string | RegExp): number {
    return this.requests.filter(
      (r) => (!method || r.method === method.toUpperCase()) && (!path || (typeof path === 'string' ? r.path.includes(path) : path.test(r.path))),
    ).length;
  }

  /** Polls until `condition` is true (every 10 ms, up to timeoutMs). */
  async waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`fake Chatwoot: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Throws, listing them, when any request broke Chatwoot's OpenAPI document. */
  assertNoViolations(): void {
    if (this.violations.length) {
      throw new Error(`fake Chatwoot: ${this.violations.length} request(s) the OpenAPI document does not allow:\n${this.violations.map((v) => `  ${v.description}`).join('\n')}`);
    }
  }

  /** Returns the violations recorded so far and forgets them (for tests that provoke them on purpose). */
  takeViolations(): Violation[] {
    return this.violations.splice(0);
  }

  /** Waits for webhook deliveries in flight, closes the server, then fails if any violation was recorded. */
  async close(options: { allowViolations?: boolean } = {}): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.releaseHanging();
      await this.webhooks.settle();
      await new Promise<void>((resolve) => {
        if (!this.server.listening) return resolve();
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      this.checker.release();
    }
    if (!options.allowViolations) this.assertNoViolations();
  }

  // ---- the server ----

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private releaseHanging(): void {
    this.hanging.forEach((res) => res.destroy());
    this.hanging.clear();
  }

  private requireInbox(inboxId: number): InboxRecord {
    const inbox = this.store.inboxes.get(inboxId);
    if (!inbox) throw new Error(`fake Chatwoot: no inbox ${inboxId}`);
    return inbox;
  }

  private agentNamed(accountId: number, name: string): number {
    for (const user of this.store.users.values()) if (user.name === name && user.accounts.has(accountId)) return user.id;
    return this.createUser({ name, role: 'agent', accountIds: [accountId] }).id;
  }

  private onApiMessage(message: MessageRecord): void {
    if (!this.apiWebhooks || message.messageType === 'activity') return;
    this.postLater(message.inboxId, () => this.views.messageCreatedWebhook(message));
  }

  private onApiConversation(event: string, conversation: ConversationRecord): void {
    if (this.apiWebhooks) this.postLater(conversation.inboxId, () => this.views.conversationWebhook(event, conversation));
  }

  private onApiStatusChange(conversation: ConversationRecord, previous: ConversationStatus): void {
    if (!this.apiWebhooks) return;
    for (const body of this.views.statusChangeWebhooks(conversation, previous)) this.postLater(conversation.inboxId, () => body);
  }

  /** Chatwoot posts from a background job, after the API call has answered. */
  private postLater(inboxId: number, body: () => Record<string, unknown>): void {
    const inbox = this.store.inboxes.get(inboxId);
    if (!inbox?.webhookUrl) return;
    const payload = body();
    setImmediate(() => void this.webhooks.deliver(inbox.webhookUrl, payload, { secret: inbox.signingSecret }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const media = MEDIA_PATH.exec(url.pathname);
    if (media && method === 'GET') return this.serveMedia(media[1], res);

    // The latency runs alongside reading and checking the request, not after them.
    const latency = this.faults.latencyMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs)) : undefined;
    const raw = await readBody(req);
    const parsed = await parseBody(req.headers['content-type'], raw);
    const logPath = url.pathname + redactQuery(url.search);
    const log: RequestLogEntry = { method, path: logPath, status: 0, durationMs: 0 };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      log.durationMs = performance.now() - started;
      this.requests.push(log);
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const type = typeof body === 'string' ? (status === 404 ? 'text/html' : 'text/plain') : 'application/json; charset=utf-8';
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(text);
    };

    // Every request is checked against the document, whatever the fake then answers.
    const check = await this.checker.check({ method, path: url.pathname, query: url.search.slice(1), headers: req.headers, mediaType: parsed.mediaType, body: parsed.checkBody });
    const problems = [...parsed.problems, ...check.problems];
    const account = ACCOUNT_PATH.exec(url.pathname);
    const matched = account && this.api.match(method, account[2] ?? '/');
    if (matched) log.route = `${method} ${matched.route.path}`;
    if (!matched && check.operationId) problems.push('the fake Chatwoot does not implement this operation');
    if (problems.length) this.recordViolation(method, logPath, problems);

    await latency;
    const decision = this.faults.decide(method, url.pathname);
    if (decision.kind === 'reset') {
      log.status = 0;
      this.requests.push(log);
      return void req.socket.destroy();
    }
    if (decision.kind === 'hang') return void this.hanging.add(res);
    if (decision.kind === 'answer') return send(decision.status, decision.body, decision.headers);

    if (!account || !matched) return send(404, RAILS_404);
    const auth = authenticate(this.store, req.headers, account[1]);
    if ('status' in auth) return send(auth.status, auth.body);
    if (parsed.problems.length) return send(400, { error: parsed.problems.join('; ') });
    if (check.problems.length) return send(422, { error: check.problems.join('; ') });
    const ctx: RouteContext = { ...auth, params: matched.params, query: new URLSearchParams(url.search), body: parsed.body, files: parsed.files };
    const result = this.api.run(matched.route, ctx);
    return send(result.status, result.body ?? '');
  }

  private recordViolation(method: string, path: string, problems: string[]): void {
    this.violations.push({ method, path, problems, description: `${method} ${path}: ${problems.join('; ')}` });
  }

  private serveMedia(key: string, res: ServerResponse): void {
    const file = this.store.media.get(key);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/html' });
      return void res.end(RAILS_404);
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }
}

/** Chatwoot's body for a status a test makes the fake answer. */
function errorBodyFor(status: number): unknown {
  if (status === 401) return { error: 'Invalid Access Token' };
  if (status === 404) return { error: 'Resource could not be found' };
  if (status === 422) return { message: 'Validation failed', attributes: [] };
  if (status === 429) return 'Retry later\n';
  return { status, error: status >= 500 ? 'Internal Server Error' : 'Error' };
}

function redactQuery(search: string): string {
  if (!search) return '';
  const params = new URLSearchParams(search);
  if (params.has('api_access_token')) params.set('api_access_token', '[redacted]');
  return `?${params.toString()}`;
}
