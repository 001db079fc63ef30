import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ChatRef } from '../../shared/protocol/event-data.types.js';
import { ChatwootClient } from '../chatwoot/chatwoot.client.js';
import { ChatwootError } from '../chatwoot/chatwoot.error.js';
import type { ChatwootContact, ChatwootConversation } from '../chatwoot/chatwoot.types.js';
import type { Integration } from '../integrations/integration.entity.js';
import type { Chat } from './chat.entity.js';
import { ChatsRepository } from './chats.repository.js';
import { accountOf } from './integration-account.js';

/** The Chatwoot inbox of an integration is gone (deleted in Chatwoot). */
export class InboxGoneError extends Error {}

/**
 * Chatwoot's webhooks say when a conversation is resolved; one can be missed (the bridge was down,
 * a delivery failed). A conversation not known live for this long, or since the bridge started, is
 * looked at once before the next message goes to it.
 */
export const RECHECK_AFTER_MS = 15 * 60_000;

const digitsOf = (jid: string) => jid.split('@')[0].split(':')[0].replace(/\D/g, '');

/**
 * Finds or creates the Chatwoot contact and conversation of a WhatsApp chat (SPEC 13.3). Runs for
 * one chat at a time (the relay serializes each chat), and looks in Chatwoot before creating
 * anything, so that a crash between a creation and its record never makes a second one.
 */
@Injectable()
export class ConversationResolver {
  constructor(
    private readonly chatwoot: ChatwootClient,
    private readonly chats: ChatsRepository,
  ) {}

  async conversationFor(integration: Integration, chat: ChatRef): Promise<number> {
    let known = await this.chats.find(integration.id, chat.jid);
    if (known?.conversationId) {
      const state = await this.stateOf(integration, known);
      if (state === 'live') return known.conversationId;
      if (state === 'gone') await this.forgetConversation(integration, chat.jid);
      known = state === 'gone' ? null : { ...known, conversationId: 0 };
    }
    const row: Chat = known ?? (await this.findOrCreateContact(integration, chat));
    if (!known) await this.chats.save(row);
    row.conversationId = await this.findOrOpenConversation(integration, row);
    await this.chats.save(row);
    return row.conversationId;
  }

  /**
   * The conversation (or its contact, with it) was deleted in Chatwoot: the next message looks them
   * up again (search before create, so nothing is made twice).
   */
  async forgetConversation(integration: Integration, jid: string): Promise<void> {
    await this.chats.forget(integration.id, jid);
  }

  /** Chatwoot says the conversation was resolved: the next message of its chat finds or opens another (SPEC 13.3). */
  conversationResolved(integration: Integration, conversationId: number): Promise<number> {
    return this.chats.releaseConversation(integration.id, conversationId);
  }

  /** Chatwoot says the conversation is open (or pending, snoozed) again: a chat of its contact left without one takes it. */
  conversationReopened(integration: Integration, conversationId: number, contactId: number): Promise<number> {
    return this.chats.adoptConversation(integration.id, contactId, conversationId);
  }

  /** Whether the chat's conversation still takes its messages: known live recently, else asked once. */
  private async stateOf(integration: Integration, chat: Chat): Promise<'live' | 'resolved' | 'gone'> {
    if (Date.now() - this.chats.confirmedAt(integration.id, chat.jid) < RECHECK_AFTER_MS) return 'live';
    try {
      const conversation = await this.chatwoot.getConversation(accountOf(integration), chat.conversationId);
      if (conversation.status === 'resolved') return 'resolved';
    } catch (error) {
      if (error instanceof ChatwootError && error.status === 404) return 'gone';
      throw error;
    }
    this.chats.confirm(integration.id, chat.jid);
    return 'live';
  }

  private async findOrCreateContact(integration: Integration, chat: ChatRef): Promise<Chat> {
    const acc = accountOf(integration);
    const group = chat.type === 'group';
    const phone = group ? undefined : `+${digitsOf(chat.jid)}`;
    const match = (c: ChatwootContact) => c.identifier === chat.jid || (!!phone && c.phone_number === phone);
    const search = async () => (await this.chatwoot.searchContacts(acc, group ? chat.jid : phone!)).find(match);
    let contact = await search();
    let sourceId = contact?.contact_inboxes?.find((ci) => ci.inbox?.id === integration.inboxId)?.source_id ?? '';
    if (!contact) {
      const name = group ? `${chat.name || chat.jid} (group)` : chat.name || phone!;
      try {
        const created = await this.chatwoot.createContact(acc, { inbox_id: integration.inboxId, name, identifier: chat.jid, ...(phone && { phone_number: phone }) });
        return { integrationId: integration.id, jid: chat.jid, contactId: created.id, contactSourceId: created.sourceId, conversationId: 0 };
      } catch (error) {
        // 422: the identifier or number is taken, by a contact the search did not return yet.
        if (!(error instanceof ChatwootError) || error.status !== 422) throw await this.explain(integration, error);
        contact = await search();
        if (!contact) throw error;
      }
    }
    // Not in this inbox yet: the conversation's creation (contact_id + inbox_id + this source id) adds it.
    if (!sourceId) sourceId = randomUUID();
    return { integrationId: integration.id, jid: chat.jid, contactId: contact.id, contactSourceId: sourceId, conversationId: 0 };
  }

  private async findOrOpenConversation(integration: Integration, chat: Chat): Promise<number> {
    const acc = accountOf(integration);
    const conversations = (await this.chatwoot.contactConversations(acc, chat.contactId)).filter((c) => c.inbox_id === integration.inboxId);
    const latest = (status: ChatwootConversation['status'][]) =>
      conversations.filter((c) => status.includes(c.status)).sort((a, b) => b.id - a.id)[0];
    const live = latest(['open', 'pending', 'snoozed']);
    if (live) return live.id;
    const resolved = integration.reopenResolved ? latest(['resolved']) : undefined;
    if (resolved) {
      await this.chatwoot.toggleStatus(acc, resolved.id, 'open');
      return resolved.id;
    }
    const created = await this.chatwoot
      .createConversation(acc, {
        source_id: chat.contactSourceId,
        inbox_id: integration.inboxId,
        contact_id: chat.contactId,
        ...(integration.startAsPending && { status: 'pending' as const }),
      })
      .catch((e) => this.rethrow(integration, e));
    return created.id;
  }

  private async rethrow(integration: Integration, error: unknown): Promise<never> {
    throw await this.explain(integration, error);
  }

  /** A 404 or 422 on a creation may mean the inbox itself is gone: then say so. */
  async explain(integration: Integration, error: unknown): Promise<unknown> {
    if (!(error instanceof ChatwootError) || (error.status !== 404 && error.status !== 422)) return error;
    try {
      await this.chatwoot.getInbox(accountOf(integration), integration.inboxId);
      return error;
    } catch (check) {
      return check instanceof ChatwootError && check.status === 404 ? new InboxGoneError(`inbox ${integration.inboxId} is gone`) : error;
    }
  }
}
