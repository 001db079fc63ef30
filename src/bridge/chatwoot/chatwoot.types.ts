/** Where and as whom to call Chatwoot: one account of one installation. */
export interface ChatwootAccount {
  baseUrl: string;
  accountId: number;
  apiToken: string;
}

export interface ChatwootInbox {
  id: number;
  name: string;
  enable_auto_assignment?: boolean;
  /** Chatwoot 4.13+: the API channel's webhook signing secret (X-Chatwoot-Signature). */
  secret?: string | null;
}

export interface ChatwootContact {
  id: number;
  name?: string;
  phone_number?: string | null;
  identifier?: string | null;
  contact_inboxes?: { source_id: string; inbox?: { id: number } }[];
}

export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';

export interface ChatwootConversation {
  id: number;
  status: ConversationStatus;
  inbox_id: number;
}

export interface ChatwootMessage {
  id: number;
  source_id?: string | null;
}

export interface NewContact {
  inbox_id: number;
  name: string;
  identifier: string;
  phone_number?: string;
}

export interface NewMessage {
  content: string;
  message_type: 'incoming' | 'outgoing';
  private?: boolean;
  source_id?: string;
  content_attributes?: Record<string, unknown>;
}

export interface Attachment {
  data: Buffer;
  fileName: string;
  mimetype: string;
}
