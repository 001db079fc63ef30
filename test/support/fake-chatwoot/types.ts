/** The fake's state, one record type per Chatwoot model it keeps. Ids are integers, as Chatwoot's. */

export type Role = 'administrator' | 'agent';
export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';
export type MessageType = 'incoming' | 'outgoing' | 'activity' | 'template';
export type FileType = 'image' | 'audio' | 'video' | 'file';

export interface AccountRecord {
  id: number;
  name: string;
}

/** A Chatwoot user and its API access token; `accounts` gives its role in each account it belongs to. */
export interface UserRecord {
  id: number;
  name: string;
  email: string;
  token: string;
  accounts: Map<number, Role>;
  revoked: boolean;
}

export interface InboxRecord {
  id: number;
  accountId: number;
  channelId: number;
  name: string;
  /** Always `Channel::Api`: the only channel the fake creates. */
  channelType: string;
  webhookUrl: string;
  /** The API channel's identifier (Chatwoot's `inbox_identifier`). */
  identifier: string;
  hmacToken: string;
  enableAutoAssignment: boolean;
  /** When set, webhooks are signed with it (Chatwoot 4.13+: X-Chatwoot-Signature). */
  signingSecret?: string;
  createdAt: number;
}

export interface ContactRecord {
  id: number;
  accountId: number;
  name: string;
  email: string | null;
  phoneNumber: string | null;
  identifier: string | null;
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  createdAt: number;
  lastActivityAt: number;
}

export interface ContactInboxRecord {
  id: number;
  contactId: number;
  inboxId: number;
  sourceId: string;
  pubsubToken: string;
  createdAt: number;
}

export interface ConversationRecord {
  /** Chatwoot's `display_id`, which its API calls `id`; the fake numbers them across accounts. */
  id: number;
  accountId: number;
  inboxId: number;
  contactId: number;
  contactInboxId: number;
  status: ConversationStatus;
  uuid: string;
  additionalAttributes: Record<string, unknown>;
  customAttributes: Record<string, unknown>;
  createdAt: number;
  lastActivityAt: number;
}

export interface AttachmentRecord {
  id: number;
  messageId: number;
  accountId: number;
  fileType: FileType;
  fileName: string;
  contentType: string;
  extension: string | null;
  size: number;
  /** Where the bytes are kept (see FakeChatwoot.media); data_url serves them. */
  mediaKey: string;
}

export type Sender = { type: 'user'; id: number } | { type: 'contact'; id: number };

export interface MessageRecord {
  id: number;
  accountId: number;
  inboxId: number;
  conversationId: number;
  content: string | null;
  messageType: MessageType;
  contentType: string;
  contentAttributes: Record<string, unknown>;
  private: boolean;
  sourceId: string | null;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  sender: Sender | null;
  attachments: AttachmentRecord[];
  /** Seconds since the epoch, as Chatwoot's API gives it. */
  createdAt: number;
  /** How it was made: through the API (the bridge) or by a test helper (an agent in the UI). */
  origin: 'api' | 'helper';
}

export interface MediaFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}
