import type { Caller } from './auth.js';
import { RecordInvalid, type FakeChatwootStore } from './store.js';
import type { AccountRecord, ConversationRecord, ConversationStatus, InboxRecord, MediaFile, MessageRecord } from './types.js';
import type { ChatwootViews } from './views.js';

/** A Chatwoot error answer: thrown by a handler, sent as is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export interface RouteContext extends Caller {
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  files: MediaFile[];
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

/** What the routes tell the fake about, so it can post the inbox webhooks Chatwoot would. */
export interface RouteEvents {
  inboxCreated(inbox: InboxRecord): void;
  messageCreated(message: MessageRecord): void;
  conversationCreated(conversation: ConversationRecord): void;
  /** After the status changed (Conversation#notify_status_change): `previous` is the status before. */
  conversationStatusChanged(conversation: ConversationRecord, previous: ConversationStatus): void;
}

interface Route {
  method: string;
  /** The route's template below the account, e.g. `/conversations/:conversation_id/messages`. */
  path: string;
  pattern: RegExp;
  keys: string[];
  handle(ctx: RouteContext): RouteResult;
}

const NOT_FOUND = () => new HttpError(404, { error: 'Resource could not be found' });
const NOT_ALLOWED = () => new HttpError(401, { error: 'You are not authorized to do this action' });
const CONTACTS_PER_PAGE = 15;
const CONVERSATIONS_PER_PAGE = 25;
const MESSAGES_PER_PAGE = 20;

/** The Application API routes the bridge uses, under /api/v1/accounts/:account_id. */
export class ApplicationApi {
  private readonly routes: Route[] = [];

  constructor(
    private readonly store: FakeChatwootStore,
    private readonly views: ChatwootViews,
    private readonly events: RouteEvents,
  ) {
    this.add('GET', '/inboxes', (ctx) => ({ status: 200, body: { payload: this.inboxesOf(ctx.account).map((i) => views.inbox(i)) } }));
    this.add('GET', '/inboxes/:id', (ctx) => ({ status: 200, body: views.inbox(this.inbox(ctx, ctx.params.id)) }));
    this.add('POST', '/inboxes', (ctx) => this.createInbox(ctx));
    this.add('PATCH', '/inboxes/:id', (ctx) => this.updateInbox(ctx));
    this.add('DELETE', '/inboxes/:id', (ctx) => this.deleteInbox(ctx));
    this.add('GET', '/contacts/search', (ctx) => this.searchContacts(ctx));
    this.add('POST', '/contacts', (ctx) => this.createContact(ctx));
    this.add('GET', '/contacts/:id', (ctx) => ({ status: 200, body: { payload: views.contact(this.contact(ctx, ctx.params.id)) } }));
    this.add('GET', '/contacts/:id/conversations', (ctx) => this.contactConversations(ctx));
    this.add('GET', '/conversations', (ctx) => this.listConversations(ctx));
    this.add('POST', '/conversations', (ctx) => this.createConversation(ctx));
    this.add('GET', '/conversations/:conversation_id', (ctx) => ({ status: 200, body: views.conversation(this.conversation(ctx)) }));
    this.add('POST', '/conversations/:conversation_id/toggle_status', (ctx) => this.toggleStatus(ctx));
    this.add('GET', '/conversations/:conversation_id/messages', (ctx) => this.listMessages(ctx));
    this.add('POST', '/conversations/:conversation_id/messages', (ctx) => this.createMessage(ctx));
  }

  /** The route for a path below /api/v1/accounts/:account_id, with its parameters. */
  match(method: string, subPath: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      const found = route.method === method && route.pattern.exec(subPath);
      if (found) return { route, params: Object.fromEntries(route.keys.map((key, i) => [key, decodeURIComponent(found[i + 1])])) };
    }
    return undefined;
  }

  /** Runs a route; Chatwoot's validation failures become its 422 body. */
  run(route: Route, ctx: RouteContext): RouteResult {
    try {
      return route.handle(ctx);
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, body: error.body };
      if (error instanceof RecordInvalid) return { status: 422, body: { message: error.message, attributes: error.attributes } };
      throw error;
    }
  }

  private add(method: string, path: string, handle: (ctx: RouteContext) => RouteResult): void {
    const keys: string[] = [];
    const source = path.replace(/:(\w+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, path, pattern: new RegExp(`^${source}/?$`), keys, handle });
  }

  private inboxesOf(account: AccountRecord): InboxRecord[] {
    return [...this.store.inboxes.values()].filter((i) => i.accountId === account.id);
  }

  private inbox(ctx: RouteContext, id: unknown): InboxRecord {
    const inbox = this.store.inboxes.get(Number(id));
    if (!inbox || inbox.accountId !== ctx.account.id) throw NOT_FOUND();
    return inbox;
  }

  private contact(ctx: RouteContext, id: unknown) {
    const contact = this.store.contacts.get(Number(id));
    if (!contact || contact.accountId !== ctx.account.id) throw NOT_FOUND();
    return contact;
  }

  private conversation(ctx: RouteContext): ConversationRecord {
    const conversation = this.store.conversations.get(Number(ctx.params.conversation_id));
    if (!conversation || conversation.accountId !== ctx.account.id) throw NOT_FOUND();
    return conversation;
  }

  /** Inbox create, update and destroy are administrator actions (InboxPolicy); agents get Pundit's 401. */
  private requireAdministrator(ctx: RouteContext): void {
    if (ctx.role !== 'administrator') throw NOT_ALLOWED();
  }

  private createInbox(ctx: RouteContext): RouteResult {
    this.requireAdministrator(ctx);
    const channel = ctx.body?.channel ?? {};
    if (channel.type !== 'api') {
      throw new HttpError(422, { error: `the fake Chatwoot only creates API channels, not ${JSON.stringify(channel.type)}` });
    }
    const inbox = this.store.createInbox(ctx.account.id, String(ctx.body.name ?? ''), String(channel.webhook_url ?? ''));
    this.events.inboxCreated(inbox);
    return { status: 200, body: this.views.inbox(inbox) };
  }

  private updateInbox(ctx: RouteContext): RouteResult {
    this.requireAdministrator(ctx);
    const inbox = this.inbox(ctx, ctx.params.id);
    const body = ctx.body ?? {};
    this.store.updateInbox(inbox, {
      name: body.name === undefined ? undefined : String(body.name),
      webhookUrl: body.channel?.webhook_url === undefined ? undefined : String(body.channel.webhook_url),
      enableAutoAssignment: body.enable_auto_assignment === undefined ? undefined : body.enable_auto_assignment === true || body.enable_auto_assignment === 'true',
    });
    return { status: 200, body: this.views.inbox(inbox) };
  }

  private deleteInbox(ctx: RouteContext): RouteResult {
    this.requireAdministrator(ctx);
    const inbox = this.inbox(ctx, ctx.params.id);
    this.store.deleteInbox(inbox.id);
    return { status: 200, body: { message: 'Your inbox deletion request will be processed in some time.' } };
  }

  /** Chatwoot's search: `name`, `email`, `phone_number` or `identifier` containing q (case-insensitive). */
  private searchContacts(ctx: RouteContext): RouteResult {
    // Rails reads an unencoded `+` as a space; Chatwoot strips q, so `+5511…` still finds by digits.
    const q = (ctx.query.get('q') ?? '').trim();
    if (!q) throw new HttpError(422, { error: 'Specify search string with parameter q' });
    const needle = q.toLowerCase();
    const found = [...this.store.contacts.values()].filter(
      (c) => c.accountId === ctx.account.id && [c.name, c.email, c.phoneNumber, c.identifier].some((v) => v?.toLowerCase().includes(needle)),
    );
    const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
    const payload = found.slice((page - 1) * CONTACTS_PER_PAGE, page * CONTACTS_PER_PAGE).map((c) => this.views.contact(c));
    return { status: 200, body: { meta: { count: found.length, current_page: page }, payload } };
  }

  private createContact(ctx: RouteContext): RouteResult {
    const body = ctx.body ?? {};
    const inbox = body.inbox_id === undefined || body.inbox_id === '' ? undefined : this.inbox(ctx, body.inbox_id);
    const contact = this.store.createContact(ctx.account.id, {
      name: body.name,
      email: body.email,
      phoneNumber: body.phone_number,
      identifier: body.identifier,
    });
    const contactInbox = inbox && this.store.contactInbox(contact.id, inbox.id, body.source_id);
    return {
      status: 200,
      body: {
        payload: {
          contact: this.views.contact(contact),
          contact_inbox: { inbox: inbox ? this.views.inbox(inbox) : null, source_id: contactInbox?.sourceId ?? null },
        },
      },
    };
  }

  private contactConversations(ctx: RouteContext): RouteResult {
    const contact = this.contact(ctx, ctx.params.id);
    const conversations = [...this.store.conversations.values()].filter((c) => c.contactId === contact.id).reverse();
    return { status: 200, body: { payload: conversations.map((c) => this.views.conversation(c)) } };
  }

  /** Filters: status (default open; `all`), inbox_id, page; newest activity first. */
  private listConversations(ctx: RouteContext): RouteResult {
    const status = ctx.query.get('status') ?? 'open';
    const inboxId = ctx.query.get('inbox_id');
    const all = [...this.store.conversations.values()]
      .filter((c) => c.accountId === ctx.account.id && (!inboxId || c.inboxId === Number(inboxId)))
      .filter((c) => status === 'all' || c.status === status)
      .sort((a, b) => b.lastActivityAt - a.lastActivityAt || b.id - a.id);
    const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
    const payload = all.slice((page - 1) * CONVERSATIONS_PER_PAGE, page * CONVERSATIONS_PER_PAGE).map((c) => this.views.conversation(c));
    const count = all.length;
    return { status: 200, body: { data: { meta: { mine_count: 0, assigned_count: 0, unassigned_count: count, all_count: count }, payload } } };
  }

  private createConversation(ctx: RouteContext): RouteResult {
    const body = ctx.body ?? {};
    const sourceId = body.source_id === undefined ? undefined : String(body.source_id);
    let contactInbox;
    let inbox: InboxRecord;
    if (body.contact_id !== undefined && body.inbox_id !== undefined) {
      const contact = this.contact(ctx, body.contact_id);
      inbox = this.inbox(ctx, body.inbox_id);
      contactInbox = this.store.contactInbox(contact.id, inbox.id, sourceId);
    } else {
      contactInbox = [...this.store.contactInboxes.values()].find((ci) => ci.sourceId === sourceId);
      if (!contactInbox) throw NOT_FOUND();
      inbox = this.inbox(ctx, contactInbox.inboxId);
    }
    const status = (body.status ?? 'open') as ConversationStatus;
    const conversation = this.store.createConversation(inbox, contactInbox, status);
    this.events.conversationCreated(conversation);
    if (body.message?.content) {
      const message = this.store.createMessage(conversation, {
        content: String(body.message.content),
        messageType: 'outgoing',
        contentType: 'text',
        contentAttributes: {},
        private: false,
        sourceId: null,
        sender: { type: 'user', id: ctx.user.id },
        origin: 'api',
      });
      this.events.messageCreated(message);
    }
    return { status: 200, body: this.views.conversation(conversation) };
  }

  private toggleStatus(ctx: RouteContext): RouteResult {
    const conversation = this.conversation(ctx);
    const requested = ctx.body?.status as ConversationStatus | undefined;
    const next = requested ?? (conversation.status === 'open' ? 'resolved' : 'open');
    const previous = conversation.status;
    conversation.status = next;
    if (next !== previous) this.events.conversationStatusChanged(conversation, previous);
    return { status: 200, body: { meta: {}, payload: { success: true, current_status: next, conversation_id: conversation.id } } };
  }

  /** The last 20 messages (or the 20 before `before`), oldest first. */
  private listMessages(ctx: RouteContext): RouteResult {
    const conversation = this.conversation(ctx);
    const before = ctx.query.get('before');
    const messages = this.store.messagesOf(conversation.id).filter((m) => !before || m.id < Number(before));
    const contact = this.store.contacts.get(conversation.contactId);
    return {
      status: 200,
      body: {
        meta: { labels: [], additional_attributes: {}, contact: contact ? this.views.contactEventData(contact) : null, assignee: null, agent_last_seen_at: 0, assignee_last_seen_at: 0 },
        payload: messages.slice(-MESSAGES_PER_PAGE).map((m) => this.views.message(m)),
      },
    };
  }

  private createMessage(ctx: RouteContext): RouteResult {
    const conversation = this.conversation(ctx);
    const statusBefore = conversation.status;
    const body = ctx.body ?? {};
    const messageType = body.message_type ?? 'outgoing';
    const sender = messageType === 'incoming' ? ({ type: 'contact', id: conversation.contactId } as const) : ({ type: 'user', id: ctx.user.id } as const);
    const message = this.store.createMessage(
      conversation,
      {
        content: body.content === undefined || body.content === null ? null : String(body.content),
        messageType,
        contentType: body.content_type ?? 'text',
        contentAttributes: parseObject(body.content_attributes),
        private: body.private === true || body.private === 'true',
        sourceId: body.source_id === undefined ? null : String(body.source_id),
        sender,
        origin: 'api',
      },
      ctx.files,
    );
    this.events.messageCreated(message);
    // An incoming message reopened a resolved conversation: Chatwoot posts that change too.
    if (conversation.status !== statusBefore) this.events.conversationStatusChanged(conversation, statusBefore);
    return { status: 200, body: this.views.message(message) };
  }
}

/** content_attributes: an object in JSON bodies, a JSON text in multipart forms. */
function parseObject(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object') return value as Record<string, unknown>;
  if (typeof value === 'string' && value) {
    try {
      const parsed = JSON.parse(value);
      if (parsed && typeof parsed === 'object') return parsed;
    } catch {
      // not JSON: Chatwoot would keep nothing useful either
    }
  }
  return {};
}
