/**
 * The parts of Chatwoot's inbox webhook bodies the bridge reads (SPEC 13.4): `message_created`
 * (Message#webhook_data), and `conversation_status_changed` (Conversation#webhook_data, whose `id`
 * is the conversation's, with `inbox_id`, `status`, `meta.sender` and `changed_attributes`).
 */
export interface ChatwootWebhookBody {
  event?: unknown;
  id?: unknown;
  status?: unknown;
  inbox_id?: unknown;
  meta?: { sender?: { id?: unknown } | null } | null;
  changed_attributes?: unknown;
  content?: unknown;
  message_type?: unknown;
  private?: unknown;
  source_id?: unknown;
  attachments?: unknown;
  content_attributes?: { in_reply_to?: unknown } | null;
  sender?: { id?: unknown; name?: unknown; available_name?: unknown; type?: unknown } | null;
  conversation?: { id?: unknown; inbox_id?: unknown; meta?: { sender?: { identifier?: unknown; phone_number?: unknown } | null } | null } | null;
  inbox?: { id?: unknown } | null;
  account?: { id?: unknown } | null;
}

export interface WebhookAttachment {
  file_type?: unknown;
  data_url?: unknown;
}

/** An agent's reply to send: what 13.4 acts on. */
export interface AgentReply {
  messageId: number;
  conversationId: number;
  content: string;
  attachments: { fileType: string; url: string }[];
  senderName?: string;
  inReplyTo?: number;
  /** The contact as Chatwoot has it (for conversations the bridge did not open). */
  contact: { identifier?: string; phoneNumber?: string };
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);

/**
 * The reply in a webhook body, or why it is not one to send: only `message_created`, outgoing, not
 * private, in the integration's inbox and account, and not written by the bridge (`WAID:` source id).
 */
export function agentReplyOf(body: ChatwootWebhookBody, inboxId: number, accountId: number): AgentReply | { ignored: string } {
  if (body.event !== 'message_created') return { ignored: `event ${String(body.event).slice(0, 40)}` };
  if (body.message_type !== 'outgoing' && body.message_type !== 1) return { ignored: `message_type ${String(body.message_type).slice(0, 20)}` };
  if (body.private !== false && body.private !== undefined) return { ignored: 'private note' };
  const inbox = body.inbox?.id ?? body.conversation?.inbox_id;
  if (inbox !== inboxId) return { ignored: 'another inbox' };
  if (body.account?.id !== undefined && body.account.id !== accountId) return { ignored: 'another account' };
  if (typeof body.source_id === 'string' && body.source_id.startsWith('WAID:')) return { ignored: 'written by the bridge' };
  const messageId = body.id;
  const conversationId = body.conversation?.id;
  if (!isId(messageId) || !isId(conversationId)) return { ignored: 'no message or conversation id' };
  const attachments = (Array.isArray(body.attachments) ? (body.attachments as WebhookAttachment[]) : [])
    .filter((a) => typeof a?.data_url === 'string' && /^https?:\/\//i.test(a.data_url))
    .map((a) => ({ fileType: String(a.file_type ?? 'file'), url: a.data_url as string }));
  const content = typeof body.content === 'string' ? body.content : '';
  if (!content.trim() && attachments.length === 0) return { ignored: 'nothing to send' };
  const sender = body.sender;
  const inReplyTo = Number(body.content_attributes?.in_reply_to);
  const contact = body.conversation?.meta?.sender;
  return {
    messageId,
    conversationId,
    content,
    attachments,
    senderName: sender && sender.type !== 'contact' ? text(sender.available_name) ?? text(sender.name) : undefined,
    ...(isId(inReplyTo) && { inReplyTo }),
    contact: { identifier: text(contact?.identifier), phoneNumber: text(contact?.phone_number) },
  };
}

/** A conversation's status changed in Chatwoot (`conversation_status_changed`). */
export interface StatusChange {
  conversationId: number;
  status: 'open' | 'resolved' | 'pending' | 'snoozed';
  /** Its contact, when Chatwoot names it (`meta.sender.id`). */
  contactId?: number;
}

const STATUSES = new Set<unknown>(['open', 'resolved', 'pending', 'snoozed']);

/**
 * The status change in a `conversation_status_changed` body, or why it is not one to act on. The
 * conversation's `status` (its status when Chatwoot built the body) wins over `changed_attributes`.
 */
export function statusChangeOf(body: ChatwootWebhookBody, inboxId: number): StatusChange | { ignored: string } {
  if (body.inbox_id !== inboxId) return { ignored: 'another inbox' };
  if (!isId(body.id)) return { ignored: 'no conversation id' };
  const changed = Array.isArray(body.changed_attributes)
    ? (body.changed_attributes as { status?: { current_value?: unknown } }[]).find((c) => c?.status)?.status?.current_value
    : undefined;
  const status = STATUSES.has(body.status) ? body.status : changed;
  if (!STATUSES.has(status)) return { ignored: 'no conversation status' };
  const contactId = body.meta?.sender?.id;
  return { conversationId: body.id, status: status as StatusChange['status'], ...(isId(contactId) && { contactId }) };
}
