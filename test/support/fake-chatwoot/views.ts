import type { FakeChatwootStore } from './store.js';
import type { AttachmentRecord, ContactRecord, ConversationRecord, InboxRecord, MessageRecord, UserRecord } from './types.js';

const MESSAGE_TYPE_NUMBER = { incoming: 0, outgoing: 1, activity: 2, template: 3 } as const;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * Chatwoot's JSON shapes (its jbuilder views and `push_event_data` / `webhook_data` methods), for
 * what the fake serves. API answers give `message_type` as a number, webhooks as a word, as Chatwoot does.
 */
export class ChatwootViews {
  constructor(
    private readonly store: FakeChatwootStore,
    private readonly baseUrl: () => string,
  ) {}

  inbox(inbox: InboxRecord): Record<string, unknown> {
    return {
      id: inbox.id,
      avatar_url: '',
      channel_id: inbox.channelId,
      name: inbox.name,
      channel_type: inbox.channelType,
      greeting_enabled: false,
      greeting_message: null,
      working_hours_enabled: false,
      enable_email_collect: true,
      csat_survey_enabled: false,
      enable_auto_assignment: inbox.enableAutoAssignment,
      out_of_office_message: null,
      working_hours: [],
      timezone: 'UTC',
      callback_webhook_url: null,
      allow_messages_after_resolved: true,
      lock_to_single_conversation: false,
      sender_name_type: 'friendly',
      business_name: null,
      webhook_url: inbox.webhookUrl,
      inbox_identifier: inbox.identifier,
      additional_attributes: {},
      hmac_mandatory: false,
      hmac_token: inbox.hmacToken,
      // Chatwoot 4.13+ (WebhookSecretable): the secret its inbox webhooks are signed with.
      ...(inbox.signingSecret ? { secret: inbox.signingSecret } : {}),
    };
  }

  private inboxSlim(inbox: InboxRecord | undefined): Record<string, unknown> | null {
    if (!inbox) return null;
    return { id: inbox.id, channel_id: inbox.channelId, name: inbox.name, channel_type: inbox.channelType, provider: null };
  }

  /** The contact partial; `withContactInboxes` as the create, show and search views give it. */
  contact(contact: ContactRecord, withContactInboxes = true): Record<string, unknown> {
    const json: Record<string, unknown> = {
      additional_attributes: contact.additionalAttributes,
      availability_status: 'offline',
      email: contact.email,
      id: contact.id,
      name: contact.name,
      phone_number: contact.phoneNumber,
      blocked: false,
      identifier: contact.identifier,
      thumbnail: '',
      custom_attributes: contact.customAttributes,
      last_activity_at: contact.lastActivityAt,
      created_at: contact.createdAt,
    };
    if (withContactInboxes) {
      json.contact_inboxes = this.store
        .contactInboxesOf(contact.id)
        .map((ci) => ({ source_id: ci.sourceId, inbox: this.inboxSlim(this.store.inboxes.get(ci.inboxId)) }));
    }
    return json;
  }

  /** Contact#push_event_data: the conversation's `meta.sender`. */
  contactEventData(contact: ContactRecord): Record<string, unknown> {
    return {
      additional_attributes: contact.additionalAttributes,
      custom_attributes: contact.customAttributes,
      email: contact.email,
      id: contact.id,
      identifier: contact.identifier,
      name: contact.name,
      phone_number: contact.phoneNumber,
      thumbnail: '',
      blocked: false,
      type: 'contact',
    };
  }

  private user(user: UserRecord): Record<string, unknown> {
    return { id: user.id, name: user.name, available_name: user.name, avatar_url: '', type: 'user', availability_status: 'online', thumbnail: '', email: user.email };
  }

  attachment(attachment: AttachmentRecord): Record<string, unknown> {
    const url = `${this.baseUrl()}/rails/active_storage/blobs/redirect/${attachment.mediaKey}/${encodeURIComponent(attachment.fileName)}`;
    return {
      id: attachment.id,
      message_id: attachment.messageId,
      file_type: attachment.fileType,
      account_id: attachment.accountId,
      extension: attachment.extension,
      data_url: url,
      thumb_url: attachment.fileType === 'image' ? url : '',
      file_size: attachment.size,
      width: null,
      height: null,
    };
  }

  private sender(message: MessageRecord): Record<string, unknown> | undefined {
    if (message.sender?.type === 'user') {
      const user = this.store.users.get(message.sender.id);
      return user && this.user(user);
    }
    if (message.sender?.type === 'contact') {
      const contact = this.store.contacts.get(message.sender.id);
      return contact && this.contactEventData(contact);
    }
    return undefined;
  }

  /** Message#push_event_data: what the API answers for a message. */
  message(message: MessageRecord): Record<string, unknown> {
    const conversation = this.store.conversations.get(message.conversationId);
    const contactInbox = conversation && this.store.contactInboxes.get(conversation.contactInboxId);
    const json: Record<string, unknown> = {
      id: message.id,
      content: message.content,
      account_id: message.accountId,
      inbox_id: message.inboxId,
      conversation_id: message.conversationId,
      message_type: MESSAGE_TYPE_NUMBER[message.messageType],
      created_at: message.createdAt,
      updated_at: iso(message.createdAt),
      private: message.private,
      status: message.status,
      source_id: message.sourceId,
      content_type: message.contentType,
      content_attributes: message.contentAttributes,
      sender_type: message.sender ? (message.sender.type === 'user' ? 'User' : 'Contact') : null,
      sender_id: message.sender?.id ?? null,
      external_source_ids: {},
      additional_attributes: {},
      processed_message_content: message.content,
      sentiment: {},
      conversation: conversation && {
        assignee_id: null,
        unread_count: 0,
        last_activity_at: conversation.lastActivityAt,
        contact_inbox: { source_id: contactInbox?.sourceId ?? null },
      },
    };
    if (message.attachments.length) json.attachments = message.attachments.map((a) => this.attachment(a));
    const sender = this.sender(message);
    if (sender) json.sender = sender;
    return json;
  }

  private conversationMeta(conversation: ConversationRecord): Record<string, unknown> {
    const contact = this.store.contacts.get(conversation.contactId);
    return {
      sender: contact ? this.contactEventData(contact) : null,
      channel: this.store.inboxes.get(conversation.inboxId)?.channelType ?? 'Channel::Api',
      assignee: null,
      hmac_verified: false,
    };
  }

  private lastMessages(conversation: ConversationRecord): Record<string, unknown>[] {
    const last = this.store.messagesOf(conversation.id).at(-1);
    return last ? [this.message(last)] : [];
  }

  /** The conversation partial: what the API answers for a conversation. */
  conversation(conversation: ConversationRecord): Record<string, unknown> {
    const nonActivity = this.store.messagesOf(conversation.id).filter((m) => m.messageType !== 'activity').at(-1);
    return {
      meta: this.conversationMeta(conversation),
      id: conversation.id,
      messages: this.lastMessages(conversation),
      account_id: conversation.accountId,
      uuid: conversation.uuid,
      additional_attributes: conversation.additionalAttributes,
      agent_last_seen_at: 0,
      assignee_last_seen_at: 0,
      can_reply: true,
      contact_last_seen_at: 0,
      custom_attributes: conversation.customAttributes,
      inbox_id: conversation.inboxId,
      labels: [],
      muted: false,
      snoozed_until: null,
      status: conversation.status,
      created_at: conversation.createdAt,
      updated_at: conversation.lastActivityAt,
      timestamp: conversation.lastActivityAt,
      first_reply_created_at: 0,
      unread_count: 0,
      last_non_activity_message: nonActivity ? this.message(nonActivity) : null,
      last_activity_at: conversation.lastActivityAt,
      priority: null,
      waiting_since: 0,
      sla_policy_id: null,
    };
  }

  /** Conversation#webhook_data (Conversations::EventDataPresenter#push_data). */
  conversationWebhookData(conversation: ConversationRecord): Record<string, unknown> {
    const contactInbox = this.store.contactInboxes.get(conversation.contactInboxId);
    return {
      additional_attributes: conversation.additionalAttributes,
      can_reply: true,
      channel: this.store.inboxes.get(conversation.inboxId)?.channelType ?? 'Channel::Api',
      contact_inbox: contactInbox && {
        id: contactInbox.id,
        contact_id: contactInbox.contactId,
        inbox_id: contactInbox.inboxId,
        source_id: contactInbox.sourceId,
        created_at: iso(contactInbox.createdAt),
        updated_at: iso(contactInbox.createdAt),
        hmac_verified: false,
        pubsub_token: contactInbox.pubsubToken,
      },
      id: conversation.id,
      inbox_id: conversation.inboxId,
      messages: this.lastMessages(conversation),
      labels: [],
      meta: { ...this.conversationMeta(conversation), team: null },
      status: conversation.status,
      custom_attributes: conversation.customAttributes,
      snoozed_until: null,
      unread_count: 0,
      first_reply_created_at: null,
      priority: null,
      waiting_since: 0,
      agent_last_seen_at: 0,
      contact_last_seen_at: 0,
      last_activity_at: conversation.lastActivityAt,
      timestamp: conversation.lastActivityAt,
      created_at: conversation.createdAt,
      updated_at: conversation.lastActivityAt,
    };
  }

  /** What Chatwoot posts when a conversation's status changed (Conversation#notify_status_change, then #notify_conversation_updation). */
  statusChangeWebhooks(conversation: ConversationRecord, previous: string): Record<string, unknown>[] {
    const changes = { status: [previous, conversation.status] as [unknown, unknown] };
    return [this.conversationWebhook('conversation_status_changed', conversation, changes), this.conversationWebhook('conversation_updated', conversation, changes)];
  }

  /** The `message_created` webhook body: Message#webhook_data plus `event`. */
  messageCreatedWebhook(message: MessageRecord): Record<string, unknown> {
    const conversation = this.store.conversations.get(message.conversationId)!;
    const inbox = this.store.inboxes.get(message.inboxId);
    const account = this.store.accounts.get(message.accountId);
    const sender = this.sender(message);
    const body: Record<string, unknown> = {
      account: account && { id: account.id, name: account.name },
      additional_attributes: {},
      content_attributes: message.contentAttributes,
      content_type: message.contentType,
      content: message.content,
      conversation: this.conversationWebhookData(conversation),
      created_at: iso(message.createdAt),
      id: message.id,
      inbox: inbox && { id: inbox.id, name: inbox.name },
      message_type: message.messageType,
      private: message.private,
      sender: sender ?? null,
      source_id: message.sourceId,
    };
    if (message.attachments.length) body.attachments = message.attachments.map((a) => this.attachment(a));
    body.event = 'message_created';
    return body;
  }

  /**
   * `conversation_created`, `conversation_status_changed` and `conversation_updated` webhook bodies
   * (WebhookListener): Conversation#webhook_data plus `event`, and for the last two
   * `changed_attributes` as BaseListener#extract_changed_attributes gives them.
   */
  conversationWebhook(event: string, conversation: ConversationRecord, changes?: Record<string, [unknown, unknown]>): Record<string, unknown> {
    const body: Record<string, unknown> = { ...this.conversationWebhookData(conversation), event };
    if (changes) body.changed_attributes = Object.entries(changes).map(([key, [previous, current]]) => ({ [key]: { previous_value: previous, current_value: current } }));
    return body;
  }
}
