import { randomBytes, randomUUID } from 'node:crypto';
import { registerSecret } from '../leak-guard.js';
import type {
  AccountRecord,
  AttachmentRecord,
  ContactInboxRecord,
  ContactRecord,
  ConversationRecord,
  ConversationStatus,
  InboxRecord,
  MediaFile,
  MessageRecord,
  Role,
  UserRecord,
} from './types.js';

/** Chatwoot's validation failure (ActiveRecord::RecordInvalid): a 422 with these fields. */
export class RecordInvalid extends Error {
  constructor(
    message: string,
    readonly attributes: string[],
  ) {
    super(message);
  }
}

const now = () => Math.floor(Date.now() / 1000);
/** Chatwoot's Inbox name rule: starts and ends with a word character, none of < > / \ @. */
const INBOX_NAME = /^[\p{L}\p{N}_](?:[^/\\<>@\n]*[\p{L}\p{N}_])?$/u;
/** Chatwoot's Contact phone rule (E.164). */
const E164 = /^\+[1-9]\d{1,14}$/;

/** The fake's data, in insertion order, with Chatwoot's model validations. */
export class FakeChatwootStore {
  readonly accounts = new Map<number, AccountRecord>();
  readonly users = new Map<number, UserRecord>();
  readonly inboxes = new Map<number, InboxRecord>();
  readonly contacts = new Map<number, ContactRecord>();
  readonly contactInboxes = new Map<number, ContactInboxRecord>();
  readonly conversations = new Map<number, ConversationRecord>();
  readonly messages = new Map<number, MessageRecord>();
  readonly media = new Map<string, MediaFile>();
  private readonly counters: Record<string, number> = {};

  nextId(kind: string): number {
    this.counters[kind] = (this.counters[kind] ?? 0) + 1;
    return this.counters[kind];
  }

  createAccount(name: string): AccountRecord {
    const account = { id: this.nextId('account'), name };
    this.accounts.set(account.id, account);
    return account;
  }

  createUser(name: string, roles: [number, Role][], token = randomBytes(12).toString('base64url')): UserRecord {
    const id = this.nextId('user');
    const user = { id, name, email: `user${id}@example.test`, token, accounts: new Map(roles), revoked: false };
    this.users.set(id, user);
    return user;
  }

  userByToken(token: string): UserRecord | undefined {
    for (const user of this.users.values()) if (user.token === token && !user.revoked) return user;
    return undefined;
  }

  createInbox(accountId: number, name: string, webhookUrl: string): InboxRecord {
    validateInboxName(name);
    registerWebhookSecret(webhookUrl);
    const id = this.nextId('inbox');
    const inbox: InboxRecord = {
      id,
      accountId,
      channelId: this.nextId('channel'),
      name,
      channelType: 'Channel::Api',
      webhookUrl,
      identifier: randomBytes(12).toString('base64url'),
      hmacToken: randomBytes(12).toString('base64url'),
      enableAutoAssignment: true,
      createdAt: now(),
    };
    this.inboxes.set(id, inbox);
    return inbox;
  }

  updateInbox(inbox: InboxRecord, changes: { name?: string; webhookUrl?: string; enableAutoAssignment?: boolean }): void {
    if (changes.name !== undefined) validateInboxName(changes.name);
    if (changes.name !== undefined) inbox.name = changes.name;
    if (changes.webhookUrl !== undefined) inbox.webhookUrl = changes.webhookUrl;
    if (changes.webhookUrl !== undefined) registerWebhookSecret(changes.webhookUrl);
    if (changes.enableAutoAssignment !== undefined) inbox.enableAutoAssignment = changes.enableAutoAssignment;
  }

  /** Removes the inbox with its contact inboxes, conversations and messages (Chatwoot's DeleteObjectJob). */
  deleteInbox(inboxId: number): boolean {
    if (!this.inboxes.delete(inboxId)) return false;
    for (const [id, conversation] of this.conversations) if (conversation.inboxId === inboxId) this.conversations.delete(id);
    for (const [id, message] of this.messages) if (message.inboxId === inboxId) this.messages.delete(id);
    for (const [id, contactInbox] of this.contactInboxes) if (contactInbox.inboxId === inboxId) this.contactInboxes.delete(id);
    return true;
  }

  createContact(accountId: number, fields: { name?: string; email?: string; phoneNumber?: string; identifier?: string }): ContactRecord {
    const phoneNumber = fields.phoneNumber || null;
    const identifier = fields.identifier || null;
    const email = fields.email ? fields.email.toLowerCase() : null;
    const errors: [string, string][] = [];
    const others = [...this.contacts.values()].filter((c) => c.accountId === accountId);
    if (email && others.some((c) => c.email === email)) errors.push(['email', 'Email has already been taken']);
    if (identifier && others.some((c) => c.identifier === identifier)) errors.push(['identifier', 'Identifier has already been taken']);
    if (phoneNumber && !E164.test(phoneNumber)) errors.push(['phone_number', 'Phone number should be in e164 format']);
    else if (phoneNumber && others.some((c) => c.phoneNumber === phoneNumber)) errors.push(['phone_number', 'Phone number has already been taken']);
    if (errors.length) throw new RecordInvalid(errors.map(([, m]) => m).join(', '), [...new Set(errors.map(([a]) => a))]);
    const contact: ContactRecord = {
      id: this.nextId('contact'),
      accountId,
      // Chatwoot names a contact without a name after a generated word pair; a fixed word is enough here.
      name: fields.name || 'unknown',
      email,
      phoneNumber,
      identifier,
      additionalAttributes: {},
      customAttributes: {},
      createdAt: now(),
      lastActivityAt: now(),
    };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  /** Chatwoot's ContactInboxBuilder: the contact's entry in the inbox with this source id, made when missing. */
  contactInbox(contactId: number, inboxId: number, sourceId?: string): ContactInboxRecord {
    const existing = [...this.contactInboxes.values()].find(
      (ci) => ci.contactId === contactId && ci.inboxId === inboxId && (sourceId === undefined || ci.sourceId === sourceId),
    );
    if (existing) return existing;
    const id = sourceId ?? randomUUID();
    if ([...this.contactInboxes.values()].some((ci) => ci.inboxId === inboxId && ci.sourceId === id)) {
      throw new RecordInvalid('Source has already been taken', ['source_id']);
    }
    const record: ContactInboxRecord = {
      id: this.nextId('contactInbox'),
      contactId,
      inboxId,
      sourceId: id,
      pubsubToken: randomBytes(12).toString('base64url'),
      createdAt: now(),
    };
    this.contactInboxes.set(record.id, record);
    return record;
  }

  contactInboxesOf(contactId: number): ContactInboxRecord[] {
    return [...this.contactInboxes.values()].filter((ci) => ci.contactId === contactId);
  }

  createConversation(inbox: InboxRecord, contactInbox: ContactInboxRecord, status: ConversationStatus = 'open'): ConversationRecord {
    const conversation: ConversationRecord = {
      id: this.nextId('conversation'),
      accountId: inbox.accountId,
      inboxId: inbox.id,
      contactId: contactInbox.contactId,
      contactInboxId: contactInbox.id,
      status,
      uuid: randomUUID(),
      additionalAttributes: {},
      customAttributes: {},
      createdAt: now(),
      lastActivityAt: now(),
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  createMessage(conversation: ConversationRecord, fields: Omit<MessageRecord, 'id' | 'accountId' | 'inboxId' | 'conversationId' | 'createdAt' | 'status' | 'attachments'>, files: MediaFile[] = []): MessageRecord {
    const message: MessageRecord = {
      ...fields,
      id: this.nextId('message'),
      accountId: conversation.accountId,
      inboxId: conversation.inboxId,
      conversationId: conversation.id,
      status: 'sent',
      attachments: [],
      createdAt: now(),
    };
    const inReplyTo = message.contentAttributes.in_reply_to;
    if (inReplyTo !== undefined && message.contentAttributes.in_reply_to_external_id === undefined) {
      // Chatwoot fills the replied-to message's source id in (Message#ensure_in_reply_to).
      message.contentAttributes = { ...message.contentAttributes, in_reply_to_external_id: this.messages.get(Number(inReplyTo))?.sourceId ?? null };
    }
    message.attachments = files.map((file) => this.createAttachment(message, file));
    this.messages.set(message.id, message);
    conversation.lastActivityAt = message.createdAt;
    // An incoming message reopens a resolved conversation (Message#reopen_conversation).
    if (message.messageType === 'incoming' && conversation.status === 'resolved') conversation.status = 'open';
    return message;
  }

  addMedia(file: MediaFile): string {
    const key = randomBytes(9).toString('base64url');
    this.media.set(key, file);
    return key;
  }

  private createAttachment(message: MessageRecord, file: MediaFile): AttachmentRecord {
    const dot = file.name.lastIndexOf('.');
    return {
      id: this.nextId('attachment'),
      messageId: message.id,
      accountId: message.accountId,
      fileType: fileTypeOf(file.contentType),
      fileName: file.name,
      contentType: file.contentType,
      extension: dot > 0 ? file.name.slice(dot + 1) : null,
      size: file.bytes.length,
      mediaKey: this.addMedia(file),
    };
  }

  messagesOf(conversationId: number): MessageRecord[] {
    return [...this.messages.values()].filter((m) => m.conversationId === conversationId);
  }
}

function validateInboxName(name: string): void {
  if (!name.trim()) throw new RecordInvalid("Name can't be blank", ['name']);
  if (!INBOX_NAME.test(name)) {
    throw new RecordInvalid('Name should not start or end with symbols, and it should not have < > / \\ @ characters.', ['name']);
  }
}

/** Chatwoot's attachment file_type from the upload's content type. */
export function fileTypeOf(contentType: string): AttachmentRecord['fileType'] {
  const kind = contentType.split('/')[0];
  return kind === 'image' || kind === 'audio' || kind === 'video' ? kind : 'file';
}

/** The last path segment of a webhook URL is the bridge's per-integration secret: no log line or body may show it. */
function registerWebhookSecret(webhookUrl: string): void {
  const secret = URL.canParse(webhookUrl) ? new URL(webhookUrl).pathname.split('/').pop() : undefined;
  if (secret && secret.length >= 16) registerSecret(secret);
}
